/**
 * The SQL feature's public face: its commands, and `ISqlCells` for features that put
 * SQL into the notebook (the schema browser) without knowing how SQL cells work.
 */
import { Token } from '@lumino/coreutils';

export enum CommandIDs {
  toggleSqlCell = 'galilean:toggle-sql-cell'
}

/** SQL cells of the current notebook, and the query builder that writes into them. */
export interface ISqlCells {
  /** Insert SQL into the active SQL cell on `connection`, or a new SQL cell below. */
  insert(connection: string, sql: string): void;
  /** Open the visual query builder on `connection` (throws when its schema fails). */
  openBuilder(connection: string): Promise<void>;
}

export const ISqlCells = new Token<ISqlCells>(
  '@galilean/labextension:ISqlCells',
  'Insert SQL into SQL cells; open the query builder.'
);
