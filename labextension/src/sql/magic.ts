/**
 * A SQL cell on paper: its first line is `%%galilean_sql <connection> <variable>
 * [--options]` (the kernel helper runs it) and its metadata (`galilean_sql`) holds the
 * same choice. Text functions here; the cell functions only read and write its model.
 */
import { Cell } from '@jupyterlab/cells';

export const SQL_METADATA = 'galilean_sql';
const MAGIC = /^%%galilean_sql[^\n]*\n?/;
const MAGIC_WORDS = /^%%galilean_sql([^\n]*)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ISqlChoice {
  connection: string;
  variable: string;
}

/** Whether `name` can name the result (a Python name). */
export function isResultName(name: string): boolean {
  return NAME.test(name);
}

/** `source` without its magic line. */
export function withoutMagic(source: string): string {
  return source.replace(MAGIC, '');
}

/** Options written on the magic line by hand (`--overwrite`): kept when it is rewritten. */
export function lineOptions(source: string): string[] {
  const words = MAGIC_WORDS.exec(source)?.[1] ?? '';
  return words.split(/\s+/).filter(w => w.startsWith('--'));
}

/** The cell text for `choice` over `sql`, keeping the options of `source`'s line. */
export function sqlSource(
  choice: ISqlChoice,
  sql: string,
  source = ''
): string {
  const line = [
    '%%galilean_sql',
    choice.connection,
    choice.variable,
    ...lineOptions(source)
  ].join(' ');
  return `${line}\n${sql}`;
}

/** `source` with its SQL replaced by `formatted` (the magic line and a final newline
 * stay as they were). */
export function withFormatted(source: string, formatted: string): string {
  const line = MAGIC.exec(source)?.[0] ?? '';
  const magic = line.endsWith('\n') ? line : `${line}\n`;
  const trailing = withoutMagic(source).endsWith('\n') ? '\n' : '';
  return `${magic}${formatted}${trailing}`;
}

export function sqlChoice(cell: Cell): ISqlChoice | null {
  const value = cell.model.getMetadata(SQL_METADATA) as ISqlChoice | undefined;
  return value && typeof value.connection === 'string' ? value : null;
}

/** The SQL text of a cell, without its magic line. */
export function sqlBody(cell: Cell): string {
  return withoutMagic(cell.model.sharedModel.getSource());
}
