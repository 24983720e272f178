import {
  exportBody,
  exportedText,
  exportExists,
  exportFormats,
  gcText,
  newDatasetBody,
  otherErrors,
  retentionBody,
  retentionText,
  sampleBody,
  STRATEGIES
} from '../src/datasets/actions';
import { errorsByField, originText } from '../src/datasets/model';
import { GalileanRequestError } from '../src/request';

const draft = (
  strategy: string,
  values: Record<string, string>,
  more: Partial<{ table: string; snapshot: string; into: string }> = {}
) => ({
  strategy,
  values,
  table: 'sales',
  snapshot: '',
  into: 'sales-sample',
  ...more
});

/** A 4xx of the service as the bridge passes it on. */
const refused = (status: number, field: string, message: string) =>
  new GalileanRequestError(message, status, {
    ok: false,
    error: message,
    errors: [{ field }],
    status
  });

describe('the sampling dialog', () => {
  it('offers the three built-in strategies with their parameters', () => {
    expect(STRATEGIES.map(s => [s.name, s.fields.map(f => f.name)])).toEqual([
      ['random', ['fraction', 'n', 'seed']],
      ['stratified', ['by', 'fraction', 'seed']],
      ['threshold', ['column', 'op', 'value', 'n', 'seed']]
    ]);
  });

  it('sends a random sample by fraction, numbers as numbers, the head as null', () => {
    expect(
      sampleBody(draft('random', { fraction: '0.25', n: '', seed: '7' }))
    ).toEqual({
      body: {
        table: 'sales',
        snapshot: null,
        strategy: 'random',
        params: { fraction: 0.25, seed: 7 },
        into: 'sales-sample'
      },
      errors: null
    });
  });

  it('sends stratified by one column or several, a pinned snapshot', () => {
    const one = sampleBody(
      draft(
        'stratified',
        { by: ' region ', fraction: '0.1' },
        { snapshot: '2' }
      )
    );
    expect(one.body?.params).toEqual({ by: 'region', fraction: 0.1 });
    expect(one.body?.snapshot).toBe(2);
    const two = sampleBody(
      draft('stratified', { by: 'region, year', fraction: '1' })
    );
    expect(two.body?.params).toEqual({ by: ['region', 'year'], fraction: 1 });
  });

  it('sends a threshold with its operator and at most n rows', () => {
    const made = sampleBody(
      draft('threshold', { column: 'score', op: '<', value: '0.5', n: '100' })
    );
    expect(made.body?.params).toEqual({
      column: 'score',
      op: '<',
      value: 0.5,
      n: 100
    });
  });

  it('refuses what is not a number, or missing, at its field, without sending', () => {
    const bad = sampleBody(
      draft(
        'threshold',
        { column: '', value: 'high', n: '1.5', seed: 'x' },
        {
          snapshot: '0'
        }
      )
    );
    expect(bad.body).toBeNull();
    expect(bad.errors).toEqual({
      'params.column': 'params.column: required',
      'params.value': 'params.value: a number',
      'params.n': 'params.n: a whole number',
      'params.seed': 'params.seed: a whole number',
      snapshot: 'snapshot: a snapshot number, or empty for the head'
    });
    expect(sampleBody(draft('reservoir', {})).errors).toEqual({
      strategy: 'strategy: one of random, stratified, threshold'
    });
  });

  it("shows the service's 400 at the parameter it names, the rest apart", () => {
    const errors = errorsByField(
      refused(
        400,
        'params.fraction',
        'params.fraction: 2 is greater than the maximum of 1'
      )
    );
    expect(errors['params.fraction']).toContain('maximum of 1');
    expect(otherErrors(errors, ['params.fraction', 'into'])).toBe('');
    const elsewhere = errorsByField(
      refused(404, 'dataset_id', 'dataset 9 does not exist')
    );
    expect(otherErrors(elsewhere, ['params.fraction', 'into'])).toBe(
      'dataset 9 does not exist'
    );
  });
});

describe('the export dialog', () => {
  it("offers the driver's formats", () => {
    expect(exportFormats('tables')).toEqual(['csv', 'parquet', 'xlsx']);
    expect(exportFormats('files')).toEqual(['yolo', 'coco', 'voc']);
  });

  it('sends a table at a snapshot; a files dataset names no table', () => {
    const form = {
      table: ' sales ',
      path: ' out/sales.parquet ',
      format: 'parquet',
      snapshot: '3',
      overwrite: false
    };
    expect(exportBody(form, 'tables').body).toEqual({
      table: 'sales',
      path: 'out/sales.parquet',
      format: 'parquet',
      snapshot: 3,
      overwrite: false
    });
    expect(
      exportBody(
        { ...form, format: 'coco', snapshot: '', overwrite: true },
        'files'
      ).body
    ).toEqual({
      path: 'out/sales.parquet',
      format: 'coco',
      snapshot: null,
      overwrite: true
    });
  });

  it('refuses an empty path and a bad snapshot at their fields', () => {
    const bad = exportBody(
      {
        table: 't',
        path: ' ',
        format: 'csv',
        snapshot: 'two',
        overwrite: false
      },
      'tables'
    );
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual(['path', 'snapshot']);
  });

  it('offers to overwrite on a 409, not on a 400', () => {
    const exists = refused(
      409,
      'path',
      "path: 'sales.csv' exists (overwrite: true to replace it)"
    );
    expect(exportExists(exists.status, errorsByField(exists))).toBe(true);
    const bad = refused(400, 'path', 'path: a path inside your folder');
    expect(exportExists(bad.status, errorsByField(bad))).toBe(false);
  });

  it('says what was written', () => {
    expect(
      exportedText({
        path: 'out/sales.csv',
        format: 'csv',
        table: 'sales',
        snapshot: 2,
        rows: 12345,
        bytes: 2048,
        seconds: 0.42
      })
    ).toBe('12,345 rows, 2.0 KiB in 0.4 s to out/sales.csv (snapshot 2)');
  });
});

describe('the cleanup dialog', () => {
  it('sends either rule, the other as null', () => {
    expect(retentionBody('3', '').body).toEqual({
      keep_last: 3,
      older_than_days: null
    });
    expect(retentionBody('', '30').body).toEqual({
      keep_last: null,
      older_than_days: 30
    });
  });

  it('asks for a rule, and whole numbers of 0 or more', () => {
    expect(retentionBody('', '').errors).toEqual({
      keep_last: 'keep_last or older_than_days: say which snapshots to keep'
    });
    expect(Object.keys(retentionBody('-1', '2.5').errors ?? {}).sort()).toEqual(
      ['keep_last', 'older_than_days']
    );
  });

  it('says what was removed and freed', () => {
    expect(retentionText({ removed: [1, 2], kept: [3, 4] })).toBe(
      'Removed snapshots #1, #2; kept #3, #4.'
    );
    expect(retentionText({ removed: [], kept: [1] })).toBe(
      'No snapshot removed; kept #1.'
    );
    expect(gcText({ objects_removed: 1, bytes_freed: 3 * 1024 * 1024 })).toBe(
      'Garbage collection removed 1 stored object and freed 3.0 MiB.'
    );
  });
});

describe('the new dataset form', () => {
  it('names the folder of a files dataset, none for a tables one', () => {
    expect(newDatasetBody('files', 'photos', 'work/photos', '')).toEqual({
      name: 'photos',
      path: 'work/photos',
      description: ''
    });
    expect(
      newDatasetBody('tables', 'sales', 'work/photos', 'by a flow')
    ).toEqual({
      name: 'sales',
      driver: 'tables',
      description: 'by a flow'
    });
  });
});

describe('a sample snapshot in the timeline', () => {
  it('says what it was drawn from', () => {
    expect(
      originText({
        sampled_from: 'sales-history',
        snapshot: '3',
        table: 'sales',
        strategy: 'stratified',
        params: '{"by": "region", "fraction": 0.5}'
      })
    ).toBe('stratified sample of sales-history #3, table sales');
  });
});
