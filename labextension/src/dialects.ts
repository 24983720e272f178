/**
 * What the labextension does with the server's SQL dialect registry
 * (GET /galilean/dialects, through IConnections): which dialects the connection form
 * offers, which are files, how identifiers are quoted, which CodeMirror SQL flavour
 * highlights a cell. No dialect is named here; unknown ones get standard SQL.
 */

/** One SQL dialect as the server describes it. */
export interface IDialect {
  name: string;
  label: string;
  /** Offered in the connection form's list. */
  offered: boolean;
  /** The form's choice for a saved connection of this dialect (mysql → mariadb). */
  shown_as?: string;
  /** A file database (a path, no host, port, user or password). */
  file: boolean;
  default_port: number | null;
  identifier_quote: string;
  /** The @codemirror/lang-sql dialect that highlights it (PostgreSQL, MariaSQL, …). */
  editor: string;
  /** sqlglot's name: dialects that share it read and write the same SQL. */
  sqlglot: string;
}

/** JupyterLab's mimetype for each @codemirror/lang-sql dialect (@jupyterlab/codemirror). */
const EDITOR_MIMES: Record<string, string> = {
  StandardSQL: 'text/x-sql',
  PostgreSQL: 'text/x-pgsql',
  MySQL: 'text/x-mysql',
  MariaSQL: 'text/x-mariadb',
  SQLite: 'text/x-sqlite',
  MSSQL: 'text/x-mssql',
  PLSQL: 'text/x-plsql',
  Cassandra: 'text/x-cassandra'
};

/** Standard SQL's mimetype: what a SQL cell shows when its dialect is unknown. */
export const SQL_MIME = 'text/x-sql';

export function findDialect(
  dialects: IDialect[],
  name: string | null | undefined
): IDialect | undefined {
  return dialects.find(d => d.name === name);
}

/** The editor mimetype of SQL in `dialect`. */
export function editorMime(dialect: IDialect | undefined): string {
  return (dialect && EDITOR_MIMES[dialect.editor]) ?? SQL_MIME;
}

/** An identifier quoted as `dialect` wants it (standard double quotes if unknown). */
export function quoteIdentifier(
  dialect: IDialect | undefined,
  name: string
): string {
  const mark = dialect?.identifier_quote || '"';
  return mark + name.split(mark).join(mark + mark) + mark;
}

/** The dialects the connection form offers, in the server's order. */
export function formDialects(dialects: IDialect[]): IDialect[] {
  return dialects.filter(d => d.offered);
}

/**
 * The form's choice for a connection of dialect `name`: the dialect it is shown as
 * (`shown_as`: a mysql connection is edited as mariadb), the first offered one for a
 * new connection.
 */
export function formChoice(
  dialects: IDialect[],
  name: string | null | undefined
): string {
  if (name === null || name === undefined) {
    return formDialects(dialects)[0]?.name ?? '';
  }
  return findDialect(dialects, name)?.shown_as ?? name;
}

/** Whether `name` is a file database (a path instead of a server). */
export function isFileDialect(dialects: IDialect[], name: string): boolean {
  return findDialect(dialects, name)?.file ?? false;
}
