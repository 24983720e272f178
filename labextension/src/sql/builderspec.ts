/**
 * The query builder's spec, as the server's builder reads it (query_builder.py): tables
 * by schema and name, columns as `{table: <index in the query>, column}`. Text in, data
 * out; the widget (builder.ts) only reads its controls.
 */
import { IForeignKey } from '../connections/tokens';

export interface IBuilderTable {
  schema: string;
  name: string;
  columns: { name: string; type: string }[];
  foreign_keys?: IForeignKey[];
}

export interface IColumnRef {
  table: number;
  column: string;
}

export const OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'starts with',
  'is null',
  'not null'
];
export const FUNCTIONS = [
  'sum',
  'count',
  'count_distinct',
  'avg',
  'min',
  'max'
];

/** A table's option value in the table pickers. */
export const tableKey = (t: IBuilderTable): string => `${t.schema}.${t.name}`;

/** A table in the spec. */
export const tableRef = (t: IBuilderTable) => ({
  schema: t.schema,
  name: t.name
});

/** Columns of the tables in the query, as `<index>:<column>` options (the table's
 * name shown once a join makes two). */
export function columnOptions(tables: IBuilderTable[]): [string, string][] {
  return tables.flatMap((t, index) =>
    t.columns.map(
      c =>
        [
          `${index}:${c.name}`,
          tables.length > 1 ? `${t.name}.${c.name}` : c.name
        ] as [string, string]
    )
  );
}

/** A column option value (`<index>:<column>`) as a spec column. */
export function columnRef(value: string): IColumnRef {
  const at = value.indexOf(':');
  return { table: Number(value.slice(0, at)), column: value.slice(at + 1) };
}

/** A filter's value: a number when it reads as one, else the text. */
export function filterValue(raw: string): string | number {
  return raw.trim() !== '' && !isNaN(Number(raw)) ? Number(raw) : raw;
}

/** The join columns a foreign key between the two tables chooses, either way. */
export function foreignKeyJoin(
  main: IBuilderTable,
  joined: IBuilderTable
): [string, string] | null {
  const out = main.foreign_keys?.find(k => k.table === joined.name);
  if (out) {
    return [out.columns[0], out.referred_columns[0]];
  }
  const back = joined.foreign_keys?.find(k => k.table === main.name);
  return back ? [back.referred_columns[0], back.columns[0]] : null;
}

/** The spec's join of `joined` (table 1) to the main table (table 0). */
export function joinSpec(
  joined: IBuilderTable,
  how: string,
  left: string,
  right: string
) {
  return {
    table: tableRef(joined),
    how,
    on: [
      { left: { table: 0, column: left }, right: { table: 1, column: right } }
    ]
  };
}
