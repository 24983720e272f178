/**
 * SQL cells: a code cell whose first line is `%%galilean_sql <connection> <variable>`
 * (magic.ts), shown with a bar (sqlbar.ts). The editor highlights SQL (the cell's
 * mimetype, kept while the notebook resets mimetypes on kernel changes); new SQL cells
 * get a fresh result name (sqlnames.ts). `SqlCells` is what the plugin provides as
 * `ISqlCells`: other features insert SQL and open the query builder through it.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Cell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { PanelLayout } from '@lumino/widgets';

import { IConnections } from '../connections/tokens';
import { editorMime } from '../dialects';
import { QueryBuilder } from './builder';
import {
  ISqlChoice,
  SQL_METADATA,
  sqlBody,
  sqlChoice,
  sqlSource
} from './magic';
import { SqlBar } from './sqlbar';
import { ISqlOf, keepMime } from './sqllanguage';
import { freshName, kernelNames, notebookNames } from './sqlnames';
import { ISqlCells } from './tokens';

export class SqlCells implements ISqlCells {
  private sqlOf: ISqlOf = {
    connection: cell => sqlChoice(cell)?.connection ?? null,
    mime: connection => editorMime(this.connections.dialectOf(connection))
  };

  constructor(
    readonly connections: IConnections,
    private tracker: INotebookTracker,
    private app: JupyterFrontEnd
  ) {}

  /** Make `cell` a SQL cell with `choice`, keeping its SQL. */
  choose(cell: Cell, choice: ISqlChoice, body?: string): void {
    const source = cell.model.sharedModel.getSource();
    cell.model.setMetadata(SQL_METADATA, {
      connection: choice.connection,
      variable: choice.variable
    });
    cell.model.sharedModel.setSource(
      sqlSource(choice, body ?? sqlBody(cell), source)
    );
    this.decorate(cell);
  }

  /** Make `cell` a code cell again, keeping its SQL. */
  unset(cell: Cell): void {
    const sql = sqlBody(cell);
    cell.model.deleteMetadata(SQL_METADATA);
    cell.model.sharedModel.setSource(sql);
    this.decorate(cell);
  }

  highlight(cell: Cell): void {
    keepMime(cell, this.sqlOf);
  }

  /** Show or remove the SQL bar of a cell, as its metadata says. */
  decorate(cell: Cell): void {
    const layout = cell.layout as PanelLayout;
    const existing = layout.widgets.find(w => w instanceof SqlBar) as
      SqlBar | undefined;
    const choice = sqlChoice(cell);
    this.highlight(cell);
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
    layout.insertWidget(0, new SqlBar(cell, this));
  }

  /**
   * Make `cell` of `panel` a new SQL cell: its result gets a `sql_N` name no other SQL
   * cell of the notebook uses at once, then one the kernel does not hold either (unless
   * the user renamed it meanwhile).
   */
  async create(
    panel: NotebookPanel,
    cell: Cell,
    connection: string,
    body?: string
  ): Promise<void> {
    const variableOf = (c: Cell) => sqlChoice(c)?.variable;
    const inNotebook = notebookNames(panel, variableOf, cell);
    const first = freshName(inNotebook);
    this.choose(cell, { connection, variable: first }, body);
    const inKernel = await kernelNames(panel);
    const choice = sqlChoice(cell);
    if (!choice || choice.variable !== first || !inKernel.has(first)) {
      return;
    }
    const taken = new Set([
      ...notebookNames(panel, variableOf, cell),
      ...inKernel
    ]);
    this.choose(cell, { ...choice, variable: freshName(taken) });
  }

  insert(connection: string, sql: string): void {
    const panel = this.tracker.currentWidget;
    if (!panel) {
      return;
    }
    const active = panel.content.activeCell;
    const choice = active ? sqlChoice(active) : null;
    if (active && choice?.connection === connection) {
      this.choose(active, choice, sql); // the same cell, its own result name
      return;
    }
    NotebookActions.insertBelow(panel.content);
    const cell = panel.content.activeCell;
    if (cell) {
      void this.create(panel, cell, connection, sql);
    }
  }

  async openBuilder(connection: string): Promise<void> {
    const described = await this.connections.schema(connection);
    const tables = described.schemas.flatMap(schema =>
      schema.tables.map(t => ({ schema: schema.name, ...t }))
    );
    const builder = new QueryBuilder(connection, tables, this);
    this.app.shell.add(builder, 'main', { mode: 'split-right' });
    this.app.shell.activateById(builder.id);
  }
}
