/**
 * What the side panel's form needs beyond the JSON Schema: which fields name a column of
 * the node's input (a column picker) and which hold SQL (an editor completing column
 * names) and which values an HTTP node sends (text, a parameter or a secret), from the
 * kinds' `x-galilean` annotations; and the columns reaching each of
 * the node's input ports, from the server's validation.
 */
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { UiSchema } from '@rjsf/utils';

import { IFlow } from './model';

export const COLUMN_WIDGET = 'galileanColumn';
export const SQL_WIDGET = 'galileanSql';
/** A value an HTTP node sends: text, a flow parameter or one of the user's secrets. */
export const SENT_FIELD = 'galileanSent';

type Schema = Record<string, unknown>;
type Ui = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The uiSchema entries for the annotated fields of `schema` (empty when none). */
export function fieldWidgets(schema: unknown): Ui {
  if (!isSchema(schema)) {
    return {};
  }
  const mark = schema['x-galilean'];
  if (mark === 'column') {
    const port = schema['x-galilean-port'];
    return {
      'ui:widget': COLUMN_WIDGET,
      'ui:options': { port: typeof port === 'string' ? port : 'in' }
    };
  }
  if (mark === 'sql' || mark === 'sql-query') {
    return {
      'ui:widget': SQL_WIDGET,
      'ui:options': { query: mark === 'sql-query' }
    };
  }
  if (mark === 'sent') {
    // Its own field in place of rjsf's oneOf chooser (whose options have no names).
    return { 'ui:field': SENT_FIELD, 'ui:fieldReplacesAnyOrOneOf': true };
  }
  const ui: Ui = {};
  const properties = schema.properties;
  if (isSchema(properties)) {
    for (const [name, inner] of Object.entries(properties)) {
      const entry = fieldWidgets(inner);
      if (Object.keys(entry).length > 0) {
        ui[name] = entry;
      }
    }
  }
  const items = fieldWidgets(schema.items);
  if (Object.keys(items).length > 0) {
    ui.items = items;
  }
  const added = fieldWidgets(schema.additionalProperties);
  if (Object.keys(added).length > 0) {
    ui.additionalProperties = added;
  }
  return ui;
}

/** The form's uiSchema: the annotated fields' widgets, and no submit button. */
export function uiSchemaFor(schema: unknown): UiSchema<ReadonlyJSONObject> {
  return {
    ...fieldWidgets(schema),
    'ui:submitButtonOptions': { norender: true }
  } as UiSchema<ReadonlyJSONObject>;
}

/** Per input port of `nodeId`, the columns reaching it (null: not known before a run). */
export function inputColumns(
  flow: IFlow,
  nodeId: string,
  columns: Record<string, string[] | null>
): Record<string, string[] | null> {
  const ports: Record<string, string[] | null> = {};
  for (const edge of flow.edges) {
    if (edge.to.node === nodeId) {
      ports[edge.to.port] = columns[edge.from.node] ?? null;
    }
  }
  return ports;
}

/** A field's accessible name: its label, or its place in the form (`keys 0 column`). */
export function fieldName(label: string | undefined, id: string): string {
  if (label) {
    return label;
  }
  return id.replace(/^root_/, '').replace(/_/g, ' ');
}

/** What the field widgets read from the form's context. */
export interface IFieldContext {
  /** Columns reaching each input port of the node being edited. */
  columns: Record<string, string[] | null>;
  /** The flow's parameter names, insertable into SQL as `:name`. */
  parameters: string[];
}

/** The text with `:name` (a flow parameter in SQL) put in place of `from..to`. */
export function insertParameter(
  text: string,
  from: number,
  to: number,
  name: string
): { text: string; cursor: number } {
  const before = text.slice(0, from);
  const spaced = before.length > 0 && !/[\s(,]$/.test(before) ? ' ' : '';
  const inserted = `${spaced}:${name}`;
  return {
    text: before + inserted + text.slice(to),
    cursor: from + inserted.length
  };
}
