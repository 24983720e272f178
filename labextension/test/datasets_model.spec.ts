import { GalileanRequestError } from '../src/request';
import {
  diffLines,
  diffSummary,
  errorFor,
  errorsByField,
  newestFirst,
  originText,
  ownerText,
  pickedPair,
  relativeTime,
  restoreQuestion,
  sizeText,
  statsText,
  suggestedName,
  togglePick
} from '../src/datasets/model';
import { IDataset, ISnapshot, ITablesDiff } from '../src/datasets/tokens';

const snapshot = (number: number): ISnapshot => ({
  number,
  created_at: '2026-01-01T00:00:00+00:00',
  author: 'ada',
  message: `s${number}`,
  origin: {},
  tags: [],
  parent: number > 1 ? number - 1 : null,
  stats: {}
});

const dataset: IDataset = {
  id: 3,
  owner: 'ada',
  name: 'photos',
  driver: 'files',
  folder: 'work/photos',
  description: '',
  groups: [],
  created: 0,
  updated: 0
};

describe('the snapshot timeline', () => {
  it('lists the newest first and leaves the input alone', () => {
    const given = [snapshot(1), snapshot(3), snapshot(2)];
    expect(newestFirst(given).map(s => s.number)).toEqual([3, 2, 1]);
    expect(given.map(s => s.number)).toEqual([1, 3, 2]);
  });

  it('says when, relative to now, in the largest whole unit', () => {
    const at = Date.parse('2026-01-01T12:00:00Z');
    const iso = '2026-01-01T12:00:00+00:00';
    expect(relativeTime(iso, at + 10_000)).toBe('just now');
    expect(relativeTime(iso, at - 5_000)).toBe('just now');
    expect(relativeTime(iso, at + 50_000)).toBe('50 seconds ago');
    expect(relativeTime(iso, at + 60_000)).toBe('1 minute ago');
    expect(relativeTime(iso, at + 59 * 60_000)).toBe('59 minutes ago');
    expect(relativeTime(iso, at + 3 * 3600_000)).toBe('3 hours ago');
    expect(relativeTime(iso, at + 2 * 86400_000)).toBe('2 days ago');
    expect(relativeTime(iso, at + 40 * 86400_000)).toBe('2026-01-01');
    // Another time zone names the same instant.
    expect(relativeTime('2026-01-01T14:00:00+02:00', at + 60_000)).toBe(
      '1 minute ago'
    );
    expect(relativeTime('not a time', at)).toBe('not a time');
  });

  it('says what made a snapshot', () => {
    expect(originText({})).toBe('by hand');
    expect(originText({ restored: '4' })).toBe('restore of snapshot 4');
    expect(originText({ flow: 'sales', version: '3', run: '12' })).toBe(
      'flow sales version 3, run 12'
    );
    expect(originText({ flow: 'sales' })).toBe('flow sales');
    expect(originText({ notebook: 'a/b.ipynb' })).toBe('notebook a/b.ipynb');
    expect(originText({ job: 'nightly' })).toBe('job nightly');
  });

  it('shows sizes and stats as people read them', () => {
    expect(sizeText(512)).toBe('512 B');
    expect(sizeText(1536)).toBe('1.5 KiB');
    expect(sizeText(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(statsText({ files: 1, bytes: 2048 })).toBe('1 file, 2.0 KiB');
    expect(statsText({ files: 3 })).toBe('3 files');
    expect(statsText({ rows: 1234567 })).toBe('1,234,567 rows');
    expect(statsText({})).toBe('');
  });
});

describe('a diff', () => {
  const files = {
    added: ['b.txt', 'a.txt'],
    removed: ['old/x.png'],
    modified: [{ path: 'data.csv', old_size: 10, new_size: 2048 }],
    unchanged: 7
  };

  it('lists files added, removed, then modified with both sizes', () => {
    expect(diffLines(files)).toEqual([
      { change: 'added', name: 'a.txt', detail: '' },
      { change: 'added', name: 'b.txt', detail: '' },
      { change: 'removed', name: 'old/x.png', detail: '' },
      { change: 'modified', name: 'data.csv', detail: '10 B → 2.0 KiB' }
    ]);
    expect(diffSummary(files)).toBe(
      '2 added, 1 removed, 1 modified, 7 unchanged'
    );
  });

  it('sums up a diff of nothing', () => {
    const none = { added: [], removed: [], modified: [], unchanged: 3 };
    expect(diffLines(none)).toEqual([]);
    expect(diffSummary(none)).toBe(
      '0 added, 0 removed, 0 modified, 3 unchanged'
    );
  });

  it('lists the tables of a tables diff that changed, with their row counts', () => {
    const tables: ITablesDiff = {
      older: 1,
      newer: 2,
      tables: {
        sales: {
          status: 'modified',
          rows: { counts: { added: 5, removed: 0, changed: 1200 } }
        },
        fresh: { status: 'added' },
        same: { status: 'unchanged' }
      }
    };
    expect(diffLines(tables)).toEqual([
      {
        change: 'modified',
        name: 'sales',
        detail: '5 rows added, 1,200 rows changed'
      },
      { change: 'added', name: 'fresh', detail: '' }
    ]);
    expect(diffSummary(tables)).toBe(
      '1 added, 0 removed, 1 modified, 1 unchanged'
    );
  });
});

describe('picking two snapshots', () => {
  it('keeps the last two ticked and orders them older, newer', () => {
    let picked: number[] = [];
    picked = togglePick(picked, 5, true);
    expect(pickedPair(picked)).toBeNull();
    picked = togglePick(picked, 2, true);
    expect(pickedPair(picked)).toEqual([2, 5]);
    picked = togglePick(picked, 9, true);
    expect(picked).toEqual([2, 9]);
    picked = togglePick(picked, 2, false);
    expect(picked).toEqual([9]);
    expect(pickedPair(picked)).toBeNull();
  });
});

describe('the new dataset form', () => {
  it('suggests a name the service takes from the folder', () => {
    expect(suggestedName('work/My Photos')).toBe('my-photos');
    expect(suggestedName('work/_raw data_2024/')).toBe('raw-data_2024');
    expect(suggestedName('')).toBe('');
    expect(suggestedName('Ünïcode')).toBe('n-code');
    expect(suggestedName('x'.repeat(80))).toHaveLength(64);
  });

  it("shows the owner of someone else's dataset only", () => {
    expect(ownerText(dataset, 'ada')).toBe('');
    expect(ownerText(dataset, 'bob')).toBe('shared by ada');
    expect(ownerText(dataset, '')).toBe('');
  });

  it('says the current head stays when restoring', () => {
    const text = restoreQuestion(dataset, 2);
    expect(text).toContain("Snapshot 2's content");
    expect(text).toContain('"work/photos"');
    expect(text).toContain('the current head stays as a snapshot');
  });
});

describe('errors next to the control at fault', () => {
  it('files the message under each field the service names', () => {
    const body = {
      ok: false as const,
      error: 'name: lower-case letters',
      errors: [{ field: 'name' }],
      status: 400
    };
    const errors = errorsByField(
      new GalileanRequestError(body.error, 400, body)
    );
    expect(errors).toEqual({ name: 'name: lower-case letters' });
    expect(errorFor(errors, 'path', 'name')).toBe('name: lower-case letters');
    expect(errorFor(errors, 'path')).toBe('');
  });

  it('puts a failure that names no field under the whole form', () => {
    const body = { ok: false as const, error: 'busy', errors: [], status: 409 };
    expect(errorsByField(new GalileanRequestError('busy', 409, body))).toEqual({
      '': 'busy'
    });
    expect(errorsByField(new Error('offline'))).toEqual({ '': 'offline' });
  });
});
