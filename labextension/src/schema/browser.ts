/**
 * The schema browser: connections → schemas → tables and views → columns with types
 * (and row estimates), cached by the server and refreshable. Clicking a table inserts a
 * query into the active SQL cell, or a new one, with identifiers quoted per dialect.
 */
import { spreadsheetIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import {
  IConnectionForm,
  IConnectionInfo,
  IConnections,
  IDescribed,
  ITableInfo
} from '../connections/tokens';
import { findDialect, IDialect } from '../dialects';
import { errorText } from '../request';
import { ISqlCells } from '../sql/tokens';
import { tableQuery } from './query';

export class SchemaBrowser extends Widget {
  private list = document.createElement('ul');
  private formArea = document.createElement('div');

  private async showForm(existing: IConnectionInfo | null): Promise<void> {
    const form = await this.forms.create(existing, saved => {
      this.formArea.textContent = '';
      if (saved) {
        void this.load(true);
      }
    });
    this.formArea.textContent = '';
    this.formArea.appendChild(form);
  }

  constructor(
    private connections: IConnections,
    private forms: IConnectionForm,
    private sql: ISqlCells
  ) {
    super();
    this.id = 'galilean-schema-browser';
    this.addClass('galilean-Schema');
    this.title.icon = spreadsheetIcon;
    this.title.caption = 'Databases';
    const bar = document.createElement('div');
    bar.className = 'galilean-Schema-bar';
    const title = document.createElement('span');
    title.textContent = 'Databases';
    const refresh = document.createElement('button');
    refresh.className = 'jp-Button galilean-Schema-refresh';
    refresh.textContent = '⟳';
    refresh.title = 'Refresh';
    refresh.onclick = () => void this.load(true);
    const add = document.createElement('button');
    add.className = 'jp-Button galilean-Schema-add';
    add.textContent = '+';
    add.title = 'Add a connection';
    add.onclick = () => void this.showForm(null);
    bar.append(title, add, refresh);
    this.node.append(bar, this.formArea, this.list);
  }

  protected onAfterAttach(): void {
    void this.load(false);
  }

  async load(refresh: boolean): Promise<void> {
    this.list.textContent = '';
    let connections: IConnectionInfo[] = [];
    try {
      connections = (await this.connections.list()).filter(
        c => c.name !== 'duckdb'
      );
    } catch (error) {
      this.list.textContent = errorText(error);
      return;
    }
    if (connections.length === 0) {
      const empty = document.createElement('li');
      empty.textContent = 'No connections yet.';
      this.list.appendChild(empty);
    }
    for (const connection of connections) {
      const item = document.createElement('li');
      item.className = 'galilean-Schema-connection';
      item.dataset.connection = connection.name;
      const label = document.createElement('button');
      label.className = 'galilean-Schema-toggle';
      label.textContent = `${connection.name} (${connection.dialect})`;
      const children = document.createElement('ul');
      label.onclick = () => {
        if (children.childElementCount > 0) {
          children.textContent = '';
        } else {
          void this.expand(connection, children, refresh);
        }
      };
      const build = document.createElement('button');
      build.className = 'galilean-Schema-build';
      build.textContent = 'query builder';
      build.title = `Build a query on ${connection.name}`;
      build.onclick = () => void this.openBuilder(connection);
      item.append(label, build);
      if (!connection.read_only) {
        const edit = document.createElement('button');
        edit.className = 'galilean-Schema-edit';
        edit.textContent = 'edit';
        edit.onclick = () => void this.showForm(connection);
        const remove = document.createElement('button');
        remove.className = 'galilean-Schema-delete';
        remove.textContent = 'delete';
        remove.onclick = async () => {
          if (window.confirm(`Delete the connection ${connection.name}?`)) {
            await this.connections.delete(connection.name);
            void this.load(true);
          }
        };
        item.append(edit, remove);
      }
      item.appendChild(children);
      this.list.appendChild(item);
    }
  }

  private async openBuilder(connection: IConnectionInfo): Promise<void> {
    try {
      await this.sql.openBuilder(connection.name);
    } catch (error) {
      this.list.append(errorText(error));
    }
  }

  private async expand(
    connection: IConnectionInfo,
    into: HTMLElement,
    refresh: boolean
  ): Promise<void> {
    into.textContent = 'Reading…';
    let described: IDescribed;
    try {
      described = await this.connections.schema(connection.name, refresh);
    } catch (error) {
      into.textContent = errorText(error);
      return;
    }
    const registry = await this.connections.dialects();
    const dialect = findDialect(registry.dialects, described.dialect);
    into.textContent = '';
    for (const schema of described.schemas) {
      const schemaItem = document.createElement('li');
      schemaItem.className = 'galilean-Schema-schema';
      schemaItem.textContent = schema.name || '(main)';
      const tables = document.createElement('ul');
      for (const table of schema.tables) {
        tables.appendChild(
          this.tableItem(connection, dialect, schema.name, table)
        );
      }
      schemaItem.appendChild(tables);
      into.appendChild(schemaItem);
    }
  }

  private tableItem(
    connection: IConnectionInfo,
    dialect: IDialect | undefined,
    schema: string,
    table: ITableInfo
  ): HTMLElement {
    const item = document.createElement('li');
    item.className = 'galilean-Schema-table';
    item.dataset.table = table.name;
    const insert = document.createElement('button');
    insert.className = 'galilean-Schema-insert';
    const rows =
      table.rows === null ? '' : ` · ~${table.rows.toLocaleString()} rows`;
    insert.textContent = `${table.name}`;
    insert.title = `Insert a query on ${table.name} into the SQL cell`;
    const info = document.createElement('span');
    info.className = 'galilean-Schema-info';
    info.textContent = `${table.kind}${rows}`;
    insert.onclick = () => {
      const query = tableQuery(dialect, schema, table.name);
      this.sql.insert(connection.name, query);
    };
    const columns = document.createElement('ul');
    columns.className = 'galilean-Schema-columns';
    for (const column of table.columns) {
      const li = document.createElement('li');
      li.textContent = `${column.name} `;
      const type = document.createElement('span');
      type.className = 'galilean-Schema-type';
      type.textContent = column.type;
      li.appendChild(type);
      columns.appendChild(li);
    }
    item.append(insert, info, columns);
    return item;
  }
}
