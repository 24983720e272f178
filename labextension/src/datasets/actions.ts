/**
 * The pure logic of the sampling, export and cleanup dialogs: the sampling strategies and
 * their fields (data: one more strategy is one more entry), a form's texts turned into the
 * request body the service validates (numbers checked here first, each error at its
 * field), a failed call's errors split between the fields shown and the rest, and the
 * replies as sentences. No React here, so jest tests it directly.
 */
import { sizeText } from './model';
import {
  IDataset,
  IExported,
  IExportRequest,
  IGcReport,
  IRetentionReport,
  INewDataset,
  IRetentionRequest,
  ISampleRequest
} from './tokens';

/** The "New dataset" form's body: a files dataset names its folder, a tables one not. */
export function newDatasetBody(
  driver: IDataset['driver'],
  name: string,
  folder: string,
  description: string
): INewDataset {
  return driver === 'files'
    ? { name, path: folder, description }
    : { name, driver, description };
}

/** One parameter of a strategy, as the form shows it; `name` is its key in `params`. */
export interface IParamField {
  name: string;
  label: string;
  /** integer and number are parsed; column is a column name (several: comma-separated
   * where `several`); choice is one of `choices`. */
  type: 'integer' | 'number' | 'column' | 'choice';
  required?: boolean;
  several?: boolean;
  choices?: string[];
  hint?: string;
}

/** A sampling strategy the service offers (datasets/sampling_builtin.py). */
export interface IStrategy {
  name: string;
  title: string;
  fields: IParamField[];
}

const SEED: IParamField = {
  name: 'seed',
  label: 'Seed',
  type: 'integer',
  hint: 'the same seed draws the same rows'
};
const FRACTION: IParamField = {
  name: 'fraction',
  label: 'Fraction',
  type: 'number',
  hint: 'of the rows, above 0 and at most 1'
};

/** The built-in strategies with their parameters as the sample route validates them. */
export const STRATEGIES: IStrategy[] = [
  {
    name: 'random',
    title: 'Random rows: a fraction or a number of rows',
    fields: [
      FRACTION,
      { name: 'n', label: 'Rows', type: 'integer', hint: 'or a fraction' },
      SEED
    ]
  },
  {
    name: 'stratified',
    title: 'The same fraction of every group of a column, exactly',
    fields: [
      {
        name: 'by',
        label: 'Column',
        type: 'column',
        required: true,
        several: true,
        hint: 'one or more, comma-separated'
      },
      { ...FRACTION, required: true },
      SEED
    ]
  },
  {
    name: 'threshold',
    title: 'Rows whose score is above (or below) a value',
    fields: [
      { name: 'column', label: 'Score column', type: 'column', required: true },
      {
        name: 'op',
        label: 'Keep rows where the score is',
        type: 'choice',
        choices: ['>=', '>', '<=', '<']
      },
      { name: 'value', label: 'Value', type: 'number', required: true },
      {
        name: 'n',
        label: 'At most rows',
        type: 'integer',
        hint: 'the best ones'
      },
      SEED
    ]
  }
];

/** Where a strategy's parameter's error is shown (the service names it so). */
export function paramKey(field: IParamField): string {
  return `params.${field.name}`;
}

/** The result of reading a form: the body to send, or the errors at their fields. */
export type Checked<T> =
  { body: T; errors: null } | { body: null; errors: Record<string, string> };

const INTEGER = /^-?\d+$/;

/** A number field's text: undefined when empty, NaN when not a number of that type. */
function parseNumber(text: string, integer: boolean): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') {
    return undefined;
  }
  if (integer && !INTEGER.test(trimmed)) {
    return NaN;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : NaN;
}

function paramValue(
  field: IParamField,
  text: string
): { value?: unknown; error?: string } {
  const key = paramKey(field);
  if (text.trim() === '') {
    return field.required ? { error: `${key}: required` } : {};
  }
  if (field.type === 'integer' || field.type === 'number') {
    const value = parseNumber(text, field.type === 'integer');
    return Number.isNaN(value)
      ? {
          error: `${key}: ${field.type === 'integer' ? 'a whole number' : 'a number'}`
        }
      : { value };
  }
  if (field.type === 'column' && field.several) {
    const names = text
      .split(',')
      .map(n => n.trim())
      .filter(Boolean);
    return { value: names.length === 1 ? names[0] : names };
  }
  return { value: field.type === 'column' ? text.trim() : text };
}

/** A snapshot field's text: null (the head) when empty. */
function snapshotValue(text: string): number | null {
  const value = parseNumber(text, true);
  return value === undefined ? null : value;
}

export interface ISampleDraft {
  strategy: string;
  /** Texts by parameter name. */
  values: Record<string, string>;
  table: string;
  snapshot: string;
  into: string;
}

/** The sample request a form says, or its errors by field (`params.<name>`, …). */
export function sampleBody(
  draft: ISampleDraft,
  strategies: IStrategy[] = STRATEGIES
): Checked<ISampleRequest> {
  const strategy = strategies.find(s => s.name === draft.strategy);
  const errors: Record<string, string> = {};
  if (!strategy) {
    errors.strategy = `strategy: one of ${strategies.map(s => s.name).join(', ')}`;
  }
  const params: Record<string, unknown> = {};
  for (const field of strategy?.fields ?? []) {
    const read = paramValue(field, draft.values[field.name] ?? '');
    if (read.error) {
      errors[paramKey(field)] = read.error;
    } else if (read.value !== undefined) {
      params[field.name] = read.value;
    }
  }
  const snapshot = snapshotValue(draft.snapshot);
  if (Number.isNaN(snapshot) || (snapshot !== null && snapshot < 1)) {
    errors.snapshot = 'snapshot: a snapshot number, or empty for the head';
  }
  if (Object.keys(errors).length > 0) {
    return { body: null, errors };
  }
  return {
    body: {
      table: draft.table.trim(),
      snapshot: snapshot as number | null,
      strategy: draft.strategy,
      params,
      into: draft.into.trim()
    },
    errors: null
  };
}

/** The export formats of a dataset's driver (the files driver's: labelled images). */
export function exportFormats(driver: IDataset['driver']): string[] {
  return driver === 'tables'
    ? ['csv', 'parquet', 'xlsx']
    : ['yolo', 'coco', 'voc'];
}

export interface IExportDraft {
  table: string;
  path: string;
  format: string;
  snapshot: string;
  overwrite: boolean;
}

/** The export request a form says (a files dataset's has no table), or its errors. */
export function exportBody(
  draft: IExportDraft,
  driver: IDataset['driver']
): Checked<IExportRequest> {
  const errors: Record<string, string> = {};
  const snapshot = snapshotValue(draft.snapshot);
  if (Number.isNaN(snapshot) || (snapshot !== null && snapshot < 1)) {
    errors.snapshot = 'snapshot: a snapshot number, or empty for the head';
  }
  if (draft.path.trim() === '') {
    errors.path = 'path: where to write it, in your folder';
  }
  if (Object.keys(errors).length > 0) {
    return { body: null, errors };
  }
  const common = {
    path: draft.path.trim(),
    format: draft.format,
    snapshot: snapshot as number | null,
    overwrite: draft.overwrite
  };
  return {
    body:
      driver === 'tables' ? { table: draft.table.trim(), ...common } : common,
    errors: null
  };
}

/** A 409 on an export: the file is there, so the dialog offers to overwrite it. */
export function exportExists(
  status: number | undefined,
  errors: Record<string, string>
): boolean {
  return (
    status === 409 && Object.keys(errors).some(f => f === 'path' || f === '')
  );
}

/** What an export wrote: "1,000 rows, 12.3 KiB in 0.4 s to out/sales.csv (snapshot 2)". */
export function exportedText(done: IExported): string {
  return (
    `${done.rows.toLocaleString('en')} rows, ${sizeText(done.bytes)} in ` +
    `${done.seconds.toFixed(1)} s to ${done.path} (snapshot ${done.snapshot})`
  );
}

/** The retention request of the form's texts (one rule at least), or its errors. */
export function retentionBody(
  keepLast: string,
  olderThanDays: string
): Checked<IRetentionRequest> {
  const errors: Record<string, string> = {};
  const keep = parseNumber(keepLast, true);
  const days = parseNumber(olderThanDays, true);
  if (Number.isNaN(keep) || (keep !== undefined && keep < 0)) {
    errors.keep_last = 'keep_last: a whole number, 0 or more';
  }
  if (Number.isNaN(days) || (days !== undefined && days < 0)) {
    errors.older_than_days =
      'older_than_days: a whole number of days, 0 or more';
  }
  if (keep === undefined && days === undefined) {
    errors.keep_last =
      'keep_last or older_than_days: say which snapshots to keep';
  }
  if (Object.keys(errors).length > 0) {
    return { body: null, errors };
  }
  return {
    body: { keep_last: keep ?? null, older_than_days: days ?? null },
    errors: null
  };
}

function numbers(list: number[]): string {
  return list.map(n => `#${n}`).join(', ');
}

/** What retention did, in a sentence. */
export function retentionText(report: IRetentionReport): string {
  const removed =
    report.removed.length === 0
      ? 'No snapshot removed'
      : `Removed snapshot${report.removed.length === 1 ? '' : 's'} ${numbers(report.removed)}`;
  return `${removed}; kept ${numbers(report.kept) || 'none'}.`;
}

/** What garbage collection freed, in a sentence. */
export function gcText(report: IGcReport): string {
  const n = report.objects_removed;
  return `Garbage collection removed ${n.toLocaleString('en')} stored object${
    n === 1 ? '' : 's'
  } and freed ${sizeText(report.bytes_freed)}.`;
}

/** The messages of fields no control shows, joined (for the dialog's alert). */
export function otherErrors(
  errors: Record<string, string>,
  shown: string[]
): string {
  return Object.entries(errors)
    .filter(([field]) => !shown.includes(field))
    .map(([, message]) => message)
    .join('; ');
}
