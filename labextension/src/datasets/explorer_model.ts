/**
 * The pure logic of the dataset explorer: the replies of the items, stats and edits
 * routes (datasets/table_items.py, table_stats.py, labels/ops.py, labels/stats.py), a
 * query turned into the route's URL parameters, a filter chip turned into a condition
 * the service checks, the selection of a thumbnail grid (click, Ctrl-click, Shift-click)
 * and the edits an action posts. No React here, so jest tests it directly.
 */

/** One box of a labelled image, in pixels from the image's top-left corner. */
export interface IBox {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  score?: number;
}

/** One image of a labelled files dataset (labels/model.py, Item.to_json). */
export interface IImageItem {
  id: string;
  split: string;
  width: number;
  height: number;
  labels: string[];
  score: number | null;
  boxes: IBox[];
  label_file: string | null;
  /** A JPEG data URL with the boxes drawn, when `thumbnails` was asked. */
  thumbnail?: string;
}

export interface IImagesPage {
  snapshot: number;
  format: string;
  classes: string[];
  total: number;
  offset: number;
  limit: number;
  items: IImageItem[];
}

export interface ITablePage {
  table: string;
  snapshot: number;
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  total: number;
  offset: number;
  limit: number;
}

/** One filter of a table: `value` absent for is_null / not_null, a list for `in`. */
export interface ICondition {
  column: string;
  op: string;
  value?: unknown;
}

export const OPS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'starts_with',
  'in',
  'is_null',
  'not_null'
];

export interface ITableQuery {
  snapshot: number | null;
  offset: number;
  limit: number;
  table?: string;
  sort?: string;
  desc?: boolean;
  where: ICondition[];
}

export interface IImagesQuery {
  snapshot: number | null;
  offset: number;
  limit: number;
  split?: string;
  label?: string;
  min_score?: number;
  max_score?: number;
  q?: string;
  thumbnails?: number;
}

/** The URL parameters of the items route: unset and empty fields left out. */
export function itemsParams(
  query: ITableQuery | IImagesQuery
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    if (name === 'where') {
      if ((value as ICondition[]).length > 0) {
        out.where = JSON.stringify(value);
      }
    } else if (name === 'desc') {
      if (value) {
        out.desc = 'true';
      }
    } else {
      out[name] = String(value);
    }
  }
  return out;
}

const NUMERIC =
  /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL.*)$/;

/** A typed text as the value a column compares with: a number for a number column
 * (when it reads as one), true/false for a boolean one, else the text. */
export function typedValue(text: string, columnType: string): unknown {
  const trimmed = text.trim();
  if (NUMERIC.test(columnType) && trimmed !== '') {
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : text;
  }
  if (columnType === 'BOOLEAN' && /^(true|false)$/i.test(trimmed)) {
    return trimmed.toLowerCase() === 'true';
  }
  return text;
}

/** A filter chip's condition: no value for the null tests, comma-separated values for
 * `in`, text for contains / starts_with. The service checks the rest (and says why). */
export function conditionOf(
  column: string,
  op: string,
  text: string,
  columnType: string
): ICondition {
  if (op === 'is_null' || op === 'not_null') {
    return { column, op };
  }
  if (op === 'in') {
    const values = text.split(',').map(v => typedValue(v.trim(), columnType));
    return { column, op, value: values };
  }
  if (op === 'contains' || op === 'starts_with') {
    return { column, op, value: text };
  }
  return { column, op, value: typedValue(text, columnType) };
}

/** A chip's text: "amount > 10", "region in north, south", "note is_null". */
export function conditionText(c: ICondition): string {
  if (c.value === undefined) {
    return `${c.column} ${c.op}`;
  }
  const value = Array.isArray(c.value)
    ? c.value.map(String).join(', ')
    : JSON.stringify(c.value);
  return `${c.column} ${c.op} ${value}`;
}

/** After a click on a header: sort by it ascending, then descending, then not. */
export function nextSort(
  sort: string | undefined,
  desc: boolean,
  column: string
): { sort?: string; desc: boolean } {
  if (sort !== column) {
    return { sort: column, desc: false };
  }
  return desc ? { desc: false } : { sort: column, desc: true };
}

/** "Rows 101–200 of 345" (or "No rows"). */
export function pageText(
  offset: number,
  shown: number,
  total: number,
  noun = 'rows'
): string {
  if (total === 0 || shown === 0) {
    return `No ${noun}`;
  }
  const what = noun[0].toUpperCase() + noun.slice(1);
  return `${what} ${offset + 1}–${offset + shown} of ${total.toLocaleString('en')}`;
}

/** A cell as text: null as "", objects (blobs, structs) as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export type ClickMode = 'single' | 'toggle' | 'range';

/** The click's mode from its keys: Shift a range, Ctrl (or ⌘) a toggle. */
export function clickMode(event: {
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}): ClickMode {
  if (event.shiftKey) {
    return 'range';
  }
  return event.ctrlKey || event.metaKey ? 'toggle' : 'single';
}

/** The selection after clicking `clicked` among `ids` (the page in its order):
 * single selects it alone, toggle adds or removes it, range adds every id from the
 * anchor (the last plain or toggle click) to it. */
export function selectAfter(
  selected: string[],
  ids: string[],
  clicked: string,
  mode: ClickMode,
  anchor: string | null
): string[] {
  if (mode === 'single') {
    return [clicked];
  }
  if (mode === 'toggle') {
    return selected.includes(clicked)
      ? selected.filter(id => id !== clicked)
      : [...selected, clicked];
  }
  const from = anchor === null ? -1 : ids.indexOf(anchor);
  const to = ids.indexOf(clicked);
  if (from < 0 || to < 0) {
    return [clicked];
  }
  const [low, high] = from < to ? [from, to] : [to, from];
  const range = ids.slice(low, high + 1);
  return [...selected.filter(id => !range.includes(id)), ...range];
}

export type Edit =
  | { op: 'move'; item: string; split: string }
  | { op: 'remove'; item: string }
  | { op: 'relabel'; item: string; from: string; to: string }
  | { op: 'add'; from: string; split: string };

export function moveEdits(items: string[], split: string): Edit[] {
  return items.map(item => ({ op: 'move', item, split }));
}

export function removeEdits(items: string[]): Edit[] {
  return items.map(item => ({ op: 'remove', item }));
}

/** Relabel `from` → `to` on the selected items that have a box labelled `from` (the
 * service refuses an item without one); [] when none has. */
export function relabelEdits(
  selected: IImageItem[],
  from: string,
  to: string
): Edit[] {
  return selected
    .filter(item => item.labels.includes(from))
    .map(item => ({ op: 'relabel', item: item.id, from, to }));
}

export function addEdit(path: string, split: string): Edit[] {
  return [{ op: 'add', from: path, split }];
}

/** What the explorer says after an edit: "3 items moved to val: snapshot 4". */
export function editNote(edits: Edit[], snapshot: number): string {
  const n = edits.length;
  const items = `${n} item${n === 1 ? '' : 's'}`;
  const first = edits[0];
  const done =
    first.op === 'move'
      ? `${items} moved to ${first.split}`
      : first.op === 'remove'
        ? `${items} removed`
        : first.op === 'relabel'
          ? `${items} relabelled ${first.from} → ${first.to}`
          : `${first.from} added to ${first.split}`;
  return `${done}: snapshot ${snapshot}`;
}

/** A score bound's text as a number, undefined when empty; NaN stays for the caller to
 * refuse ("min_score: a number"). */
export function scoreOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}
