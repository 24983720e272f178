/**
 * The connections feature's public face: the client of the server extension's
 * connection API (`IConnections`, one per JupyterLab) and the connection form
 * (`IConnectionForm`). Other features require these tokens and never build a
 * /galilean/connections URL themselves.
 */
import { Token } from '@lumino/coreutils';

import { IDialect } from '../dialects';

/** A named connection as the server shows it (never its password). */
export interface IConnectionInfo {
  name: string;
  dialect: string;
  read_only: boolean;
  host: string | null;
  port: number | null;
  database: string | null;
  user: string | null;
  has_password: boolean;
  /** The user's secret holding the password, if the password is one. */
  password_secret?: string | null;
}

/** The answer of GET /galilean/connections. */
export interface IConnectionList {
  connections: IConnectionInfo[];
  builtin: IConnectionInfo[];
  /** The user's home: where relative SQLite/DuckDB paths lie. */
  home?: string;
}

export interface IColumnInfo {
  name: string;
  type: string;
}

export interface IForeignKey {
  columns: string[];
  schema: string;
  table: string;
  referred_columns: string[];
}

export interface ITableInfo {
  name: string;
  kind: string;
  rows: number | null;
  columns: IColumnInfo[];
  foreign_keys?: IForeignKey[];
}

export interface ISchemaInfo {
  name: string;
  tables: ITableInfo[];
}

/** The answer of GET /galilean/connections/<name>/schema. */
export interface IDescribed {
  dialect: string;
  schemas: ISchemaInfo[];
}

/** Whether a connection answers, in words. */
export interface ITestResult {
  ok: boolean;
  message: string;
}

/** The SQL dialects the server knows, or why they could not be read. */
export interface IDialects {
  dialects: IDialect[];
  /** Null when read; else the reason, and `dialects` is empty. */
  error: string | null;
}

/** The server extension's connection API. */
export interface IConnections {
  /** Built-in connections first, then the user's (remembered for `dialectOf`). */
  list(): Promise<IConnectionInfo[]>;
  /** The whole listing, with the user's home. */
  listing(): Promise<IConnectionList>;
  get(name: string): Promise<IConnectionInfo>;
  save(name: string, fields: Record<string, unknown>): Promise<IConnectionInfo>;
  delete(name: string): Promise<void>;
  /** Test unsaved fields; `existing` names the connection whose password is kept. */
  test(fields: Record<string, unknown>): Promise<ITestResult>;
  schema(name: string, refresh?: boolean): Promise<IDescribed>;
  /** The query builder's SQL for `spec`, in the connection's dialect. */
  build(name: string, spec: Record<string, unknown>): Promise<string>;
  /** `sql` formatted in the connection's dialect (`firstLine`: its line in the cell). */
  format(name: string, sql: string, firstLine: number): Promise<string>;
  /** The dialect registry, read once; never throws (see `IDialects.error`). */
  dialects(): Promise<IDialects>;
  /** The dialect of a connection as last listed, once the registry is read. */
  dialectOf(connection: string): IDialect | undefined;
}

export const IConnections = new Token<IConnections>(
  '@galilean/labextension:IConnections',
  'The Galilean server extension connection API.'
);

/** The add/edit form of a connection. */
export interface IConnectionForm {
  /** A form for a new connection (null) or `existing`; `done` after save or cancel. */
  create(
    existing: IConnectionInfo | null,
    done: (saved: boolean) => void
  ): Promise<HTMLElement>;
}

export const IConnectionForm = new Token<IConnectionForm>(
  '@galilean/labextension:IConnectionForm',
  'The form that adds, edits and tests a named connection.'
);
