import { IDialect, quoteIdentifier } from '../dialects';

/** `SELECT * … LIMIT 100` on a table, its names quoted as `dialect` wants. */
export function tableQuery(
  dialect: IDialect | undefined,
  schema: string,
  table: string
): string {
  const name = schema
    ? `${quoteIdentifier(dialect, schema)}.${quoteIdentifier(dialect, table)}`
    : quoteIdentifier(dialect, table);
  return `SELECT *\nFROM ${name}\nLIMIT 100`;
}
