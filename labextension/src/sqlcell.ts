/**
 * SQL cells: a code cell whose first line is `%%galilean_sql <connection> <variable>`
 * (the kernel helper runs it), with the choice kept in the cell's metadata
 * (`galilean_sql`) and shown as a bar with a connection picker and the result's name.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Cell, CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { PanelLayout, Widget } from '@lumino/widgets';

import { requestAPI } from './request';
import { CommandIDs } from './tokens';

export const SQL_METADATA = 'galilean_sql';
const MAGIC = /^%%galilean_sql[^\n]*\n?/;
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
  return [...answer.builtin, ...answer.connections];
}

export function sqlChoice(cell: Cell): ISqlChoice | null {
  const value = cell.model.getMetadata(SQL_METADATA) as ISqlChoice | undefined;
  return value && typeof value.connection === 'string' ? value : null;
}

/** The SQL text of a cell, without its magic line. */
export function sqlBody(cell: Cell): string {
  return cell.model.sharedModel.getSource().replace(MAGIC, '');
}

/** Make `cell` a SQL cell with `choice`, keeping its SQL. */
export function setSql(cell: Cell, choice: ISqlChoice, body?: string): void {
  const sql = body ?? sqlBody(cell);
  cell.model.setMetadata(SQL_METADATA, { ...choice });
  cell.model.sharedModel.setSource(
    `%%galilean_sql ${choice.connection} ${choice.variable}\n${sql}`
  );
  decorate(cell);
}

function unsetSql(cell: Cell): void {
  const sql = sqlBody(cell);
  cell.model.deleteMetadata(SQL_METADATA);
  cell.model.sharedModel.setSource(sql);
  decorate(cell);
}

/** Show or remove the SQL bar of a cell, as its metadata says. */
export function decorate(cell: Cell): void {
  const layout = cell.layout as PanelLayout;
  const existing = layout.widgets.find(w => w instanceof SqlBar) as
    | SqlBar
    | undefined;
  const choice = sqlChoice(cell);
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
    this.node.append(label, this.select, arrow, this.variable);
    this.select.onchange = () => this.save();
    this.variable.oninput = () => this.save();
    void this.fill();
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
      execute: () => {
        const cell = tracker.activeCell;
        if (!cell) {
          return;
        }
        if (sqlChoice(cell)) {
          unsetSql(cell);
        } else {
          setSql(cell, { connection: 'duckdb', variable: 'df' });
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
  let cell = panel.content.activeCell;
  if (!cell || !sqlChoice(cell) || sqlChoice(cell)?.connection !== connection) {
    NotebookActions.insertBelow(panel.content);
    cell = panel.content.activeCell;
  }
  if (cell) {
    const variable = sqlChoice(cell)?.variable ?? 'df';
    setSql(cell, { connection, variable }, sql);
  }
}
