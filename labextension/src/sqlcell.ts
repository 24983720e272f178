/**
 * SQL cells: a code cell whose first line is `%%galilean_sql <connection> <variable>`
 * (the kernel helper runs it), with the choice kept in the cell's metadata
 * (`galilean_sql`) and shown as a bar with a connection picker, the result's name and a
 * Format button. The editor highlights SQL (the cell's mimetype, kept while the notebook
 * resets mimetypes on kernel changes); new SQL cells get a fresh result name (sqlnames.ts).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Cell, CodeCell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { PanelLayout, Widget } from '@lumino/widgets';

import { GalileanRequestError, requestAPI } from './request';
import { keepMime, rememberDialect } from './sqllanguage';
import { freshName, kernelNames, notebookNames } from './sqlnames';
import { CommandIDs } from './tokens';

export const SQL_METADATA = 'galilean_sql';
const MAGIC = /^%%galilean_sql[^\n]*\n?/;
const MAGIC_WORDS = /^%%galilean_sql([^\n]*)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export interface ISqlChoice {
  connection: string;
  variable: string;
}

export interface IConnectionInfo {
  name: string;
  dialect: string;
  read_only: boolean;
  host: string | null;
  port: number | null;
  database: string | null;
  user: string | null;
  has_password: boolean;
}

interface IConnectionList {
  connections: IConnectionInfo[];
  builtin: IConnectionInfo[];
}

export async function listConnections(): Promise<IConnectionInfo[]> {
  const answer = await requestAPI<IConnectionList>('connections');
  const all = [...answer.builtin, ...answer.connections];
  all.forEach(c => rememberDialect(c.name, c.dialect));
  return all;
}

const connectionOf = (cell: Cell) => sqlChoice(cell)?.connection ?? null;

export function sqlChoice(cell: Cell): ISqlChoice | null {
  const value = cell.model.getMetadata(SQL_METADATA) as ISqlChoice | undefined;
  return value && typeof value.connection === 'string' ? value : null;
}

/** The SQL text of a cell, without its magic line. */
export function sqlBody(cell: Cell): string {
  return cell.model.sharedModel.getSource().replace(MAGIC, '');
}

/** Options written on the magic line by hand (`--overwrite`): kept when it is rewritten. */
function lineOptions(cell: Cell): string[] {
  const words = MAGIC_WORDS.exec(cell.model.sharedModel.getSource())?.[1] ?? '';
  return words.split(/\s+/).filter(w => w.startsWith('--'));
}

/** Make `cell` a SQL cell with `choice`, keeping its SQL. */
export function setSql(cell: Cell, choice: ISqlChoice, body?: string): void {
  const sql = body ?? sqlBody(cell);
  const line = [
    '%%galilean_sql',
    choice.connection,
    choice.variable,
    ...lineOptions(cell)
  ].join(' ');
  cell.model.setMetadata(SQL_METADATA, {
    connection: choice.connection,
    variable: choice.variable
  });
  cell.model.sharedModel.setSource(`${line}\n${sql}`);
  decorate(cell);
}

function unsetSql(cell: Cell): void {
  const sql = sqlBody(cell);
  cell.model.deleteMetadata(SQL_METADATA);
  cell.model.sharedModel.setSource(sql);
  decorate(cell);
}

/**
 * Make `cell` of `panel` a new SQL cell: its result gets a `sql_N` name no other SQL cell
 * of the notebook uses at once, then one the kernel does not hold either (unless the
 * user renamed it meanwhile).
 */
async function newSqlCell(
  panel: NotebookPanel,
  cell: Cell,
  connection: string,
  body?: string
): Promise<void> {
  const variableOf = (c: Cell) => sqlChoice(c)?.variable;
  const inNotebook = notebookNames(panel, variableOf, cell);
  const first = freshName(inNotebook);
  setSql(cell, { connection, variable: first }, body);
  const inKernel = await kernelNames(panel);
  const choice = sqlChoice(cell);
  if (!choice || choice.variable !== first || !inKernel.has(first)) {
    return;
  }
  const taken = new Set([...notebookNames(panel, variableOf, cell), ...inKernel]);
  setSql(cell, { ...choice, variable: freshName(taken) });
}

/** Show or remove the SQL bar of a cell, as its metadata says. */
export function decorate(cell: Cell): void {
  const layout = cell.layout as PanelLayout;
  const existing = layout.widgets.find(w => w instanceof SqlBar) as
    | SqlBar
    | undefined;
  const choice = sqlChoice(cell);
  keepMime(cell, connectionOf);
  if (!choice) {
    existing?.dispose();
    cell.removeClass('galilean-SqlCell');
    return;
  }
  cell.addClass('galilean-SqlCell');
  if (existing) {
    existing.update();
    return;
  }
  layout.insertWidget(0, new SqlBar(cell));
}

class SqlBar extends Widget {
  private select = document.createElement('select');
  private variable = document.createElement('input');
  private format = document.createElement('button');
  private message = document.createElement('span');

  constructor(private cell: Cell) {
    super();
    this.addClass('galilean-SqlBar');
    const label = document.createElement('span');
    label.className = 'galilean-SqlBar-label';
    label.textContent = 'SQL';
    this.select.className = 'galilean-SqlBar-connection';
    this.select.title = 'Connection';
    this.variable.className = 'galilean-SqlBar-variable';
    this.variable.title = 'Name of the result DataFrame';
    const arrow = document.createElement('span');
    arrow.textContent = '→';
    this.format.className = 'galilean-SqlBar-format jp-mod-styled';
    this.format.textContent = 'Format';
    this.format.title = "Format the SQL in the connection's dialect";
    this.message.className = 'galilean-SqlBar-message';
    this.message.setAttribute('role', 'status');
    this.node.append(
      label,
      this.select,
      arrow,
      this.variable,
      this.format,
      this.message
    );
    this.select.onchange = () => this.save();
    this.variable.oninput = () => this.save();
    this.format.onclick = () => void this.formatSql();
    void this.fill();
  }

  /** Format the SQL below the magic line on the server (sqlglot, the connection's
   * dialect); the magic line and `{{ name }}` references stay as they are. */
  private async formatSql(): Promise<void> {
    const choice = sqlChoice(this.cell);
    if (!choice) {
      return;
    }
    const source = this.cell.model.sharedModel.getSource();
    const body = sqlBody(this.cell);
    this.message.textContent = '';
    this.message.classList.remove('galilean-SqlBar-error');
    try {
      const answer = await requestAPI<{ sql: string }>(
        `connections/${encodeURIComponent(choice.connection)}/format`,
        { method: 'POST', body: JSON.stringify({ sql: body, first_line: 2 }) }
      );
      if (this.cell.model.sharedModel.getSource() !== source) {
        return; // edited while formatting: keep the user's text
      }
      const line = MAGIC.exec(source)?.[0] ?? '';
      const magic = line.endsWith('\n') ? line : `${line}\n`;
      const trailing = body.endsWith('\n') ? '\n' : '';
      this.cell.model.sharedModel.setSource(`${magic}${answer.sql}${trailing}`);
    } catch (error) {
      const text =
        error instanceof GalileanRequestError
          ? (error.body?.error ?? error.message)
          : String(error);
      this.message.textContent = text;
      this.message.title = text;
      this.message.classList.add('galilean-SqlBar-error');
    }
  }

  private async fill(): Promise<void> {
    let names: string[] = [];
    try {
      names = (await listConnections()).map(c => c.name);
    } catch {
      names = ['duckdb'];
    }
    // Read the choice after the wait: the user (or another fill) may have changed it.
    const current = sqlChoice(this.cell)?.connection ?? 'duckdb';
    if (!names.includes(current)) {
      names.push(current);
    }
    keepMime(this.cell, connectionOf); // the connection's dialect is known now
    this.select.textContent = '';
    for (const name of names) {
      const option = document.createElement('option');
      option.value = option.textContent = name;
      option.selected = name === current;
      this.select.appendChild(option);
    }
  }

  update(): void {
    const choice = sqlChoice(this.cell);
    if (choice) {
      if (document.activeElement !== this.variable) {
        this.variable.value = choice.variable;
      }
      if (this.select.options.length > 0 && this.select.value !== choice.connection) {
        void this.fill();
      }
    }
  }

  protected onAfterAttach(): void {
    this.update();
  }

  private save(): void {
    const variable = this.variable.value.trim();
    if (!NAME.test(variable)) {
      this.variable.classList.add('galilean-invalid');
      this.variable.title = 'A Python name: letters, digits and _';
      return;
    }
    this.variable.classList.remove('galilean-invalid');
    setSql(this.cell, { connection: this.select.value, variable });
  }
}

export const sqlCellPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:sql-cells',
  description: 'SQL cells with a connection picker and a named DataFrame result.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ) => {
    app.commands.addCommand(CommandIDs.toggleSqlCell, {
      label: args => (args.toolbar ? 'SQL' : 'Toggle SQL cell'),
      caption: 'Run this cell as SQL on a named connection',
      isEnabled: () => tracker.activeCell instanceof CodeCell,
      execute: async () => {
        const cell = tracker.activeCell;
        const panel = tracker.currentWidget;
        if (!cell || !panel) {
          return;
        }
        if (sqlChoice(cell)) {
          unsetSql(cell);
        } else {
          await newSqlCell(panel, cell, 'duckdb');
        }
      }
    });
    palette?.addItem({ command: CommandIDs.toggleSqlCell, category: 'Galilean' });

    tracker.widgetAdded.connect((_, panel) => {
      const notebook = panel.content;
      const all = () => notebook.widgets.forEach(cell => decorate(cell));
      void panel.context.ready.then(all);
      notebook.model?.cells.changed.connect(() => {
        requestAnimationFrame(all);
      });
    });
  }
};

/** Insert SQL into the active SQL cell, or a new SQL cell below the active one. */
export function insertSql(
  tracker: INotebookTracker,
  connection: string,
  sql: string
): void {
  const panel = tracker.currentWidget;
  if (!panel) {
    return;
  }
  const active = panel.content.activeCell;
  const choice = active ? sqlChoice(active) : null;
  if (active && choice?.connection === connection) {
    setSql(active, choice, sql); // the same cell, its own result name
    return;
  }
  NotebookActions.insertBelow(panel.content);
  const cell = panel.content.activeCell;
  if (cell) {
    void newSqlCell(panel, cell, connection, sql);
  }
}
