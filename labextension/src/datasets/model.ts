/**
 * The pure logic of the Datasets panel: snapshots newest first, a time as "5 minutes
 * ago", what made a snapshot, a diff as counts and rows with sizes, the two snapshots
 * picked for a diff, a name suggested for a folder and a failed call's messages per
 * field. No React here, so jest tests it directly.
 */
import { fieldErrors } from '../request';
import {
  DatasetDiff,
  IDataset,
  IFilesDiff,
  ISnapshot,
  ITablesDiff
} from './tokens';

/** The snapshots, the newest (highest number) first; the input is left as it is. */
export function newestFirst(snapshots: ISnapshot[]): ISnapshot[] {
  return [...snapshots].sort((a, b) => b.number - a.number);
}

const UNITS: [number, string][] = [
  [60, 'second'],
  [60, 'minute'],
  [24, 'hour'],
  [30, 'day']
];

/** `iso` relative to `now` (ms since the epoch): "just now", "3 minutes ago", …; a
 * date after 30 days; the text itself when it is not a time. */
export function relativeTime(iso: string, now: number): string {
  const when = Date.parse(iso);
  if (Number.isNaN(when)) {
    return iso;
  }
  let amount = Math.floor((now - when) / 1000);
  if (amount < 45) {
    return 'just now';
  }
  for (const [size, unit] of UNITS) {
    if (amount < size) {
      return `${amount} ${unit}${amount === 1 ? '' : 's'} ago`;
    }
    amount = Math.floor(amount / size);
  }
  return new Date(when).toISOString().slice(0, 10);
}

/** What made a snapshot, as a short text ("by hand" when nothing is said). */
export function originText(origin: Record<string, string>): string {
  if (origin.restored) {
    return `restore of snapshot ${origin.restored}`;
  }
  if (origin.flow) {
    const version = origin.version ? ` version ${origin.version}` : '';
    const run = origin.run ? `, run ${origin.run}` : '';
    return `flow ${origin.flow}${version}${run}`;
  }
  if (origin.notebook) {
    return `notebook ${origin.notebook}`;
  }
  if (origin.sampled_from) {
    const how = origin.strategy ? `${origin.strategy} sample` : 'sample';
    const table = origin.table ? `, table ${origin.table}` : '';
    return `${how} of ${origin.sampled_from} #${origin.snapshot ?? '?'}${table}`;
  }
  const said = Object.entries(origin).map(([k, v]) => `${k} ${v}`);
  return said.length > 0 ? said.join(', ') : 'by hand';
}

/** A size in bytes as people read it: 512 B, 1.5 KiB, 3.2 MiB. */
export function sizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A snapshot's stats as a short text: "3 files, 1.2 KiB" or "1,000 rows". */
export function statsText(stats: Record<string, number>): string {
  const parts: string[] = [];
  if (stats.files !== undefined) {
    parts.push(`${stats.files} file${stats.files === 1 ? '' : 's'}`);
  }
  if (stats.bytes !== undefined) {
    parts.push(sizeText(stats.bytes));
  }
  if (stats.rows !== undefined) {
    parts.push(`${stats.rows.toLocaleString('en')} rows`);
  }
  return parts.join(', ');
}

export function isFilesDiff(diff: DatasetDiff): diff is IFilesDiff {
  return Array.isArray((diff as IFilesDiff).added);
}

/** One line of a diff: a file (or table) added, removed or modified. */
export interface IDiffLine {
  change: 'added' | 'removed' | 'modified';
  name: string;
  /** Sizes before → after (a modified file), or the table's row counts. */
  detail: string;
}

function filesLines(diff: IFilesDiff): IDiffLine[] {
  const byName = (a: IDiffLine, b: IDiffLine) => a.name.localeCompare(b.name);
  return [
    ...diff.added.map(name => ({ change: 'added' as const, name, detail: '' })),
    ...diff.removed.map(name => ({
      change: 'removed' as const,
      name,
      detail: ''
    })),
    ...diff.modified.map(m => ({
      change: 'modified' as const,
      name: m.path,
      detail: `${sizeText(m.old_size)} → ${sizeText(m.new_size)}`
    }))
  ].sort((a, b) =>
    a.change === b.change ? byName(a, b) : CHANGES[a.change] - CHANGES[b.change]
  );
}

const CHANGES = { added: 0, removed: 1, modified: 2 };

function tablesLines(diff: ITablesDiff): IDiffLine[] {
  const lines: IDiffLine[] = [];
  for (const [name, table] of Object.entries(diff.tables)) {
    if (table.status === 'unchanged') {
      continue;
    }
    const counts = Object.entries(table.rows?.counts ?? {})
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${n.toLocaleString('en')} rows ${what}`);
    lines.push({ change: table.status, name, detail: counts.join(', ') });
  }
  return lines;
}

/** The diff as lines to list: added, then removed, then modified, each by name. */
export function diffLines(diff: DatasetDiff): IDiffLine[] {
  return isFilesDiff(diff) ? filesLines(diff) : tablesLines(diff);
}

/** The diff counted: "1 added, 0 removed, 2 modified, 7 unchanged". */
export function diffSummary(diff: DatasetDiff): string {
  const lines = diffLines(diff);
  const count = (change: IDiffLine['change']) =>
    lines.filter(l => l.change === change).length;
  const unchanged = isFilesDiff(diff)
    ? diff.unchanged
    : Object.values(diff.tables).filter(t => t.status === 'unchanged').length;
  return (
    `${count('added')} added, ${count('removed')} removed, ` +
    `${count('modified')} modified, ${unchanged} unchanged`
  );
}

/** The picked snapshots after (un)ticking `n`: at most two, the latest two ticks. */
export function togglePick(picked: number[], n: number, on: boolean): number[] {
  const rest = picked.filter(p => p !== n);
  return on ? [...rest, n].slice(-2) : rest;
}

/** Two picked snapshots as [older, newer]; null until two are picked. */
export function pickedPair(picked: number[]): [number, number] | null {
  if (picked.length !== 2) {
    return null;
  }
  const [a, b] = [...picked].sort((x, y) => x - y);
  return [a, b];
}

/** A dataset name the service takes (lower-case letters, digits, - and _) for a folder;
 * "" when nothing of the folder's name fits. */
export function suggestedName(folder: string): string {
  const last = folder.split('/').filter(Boolean).pop() ?? '';
  return last
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .replace(/-+$/, '')
    .slice(0, 64);
}

/** Who owns a dataset, as the list shows it: nothing for the user's own. */
export function ownerText(dataset: IDataset, user: string): string {
  return user === '' || dataset.owner === user
    ? ''
    : `shared by ${dataset.owner}`;
}

/** What the Restore confirmation says. */
export function restoreQuestion(dataset: IDataset, n: number): string {
  const where = dataset.folder ? ` in the folder "${dataset.folder}"` : '';
  return (
    `Snapshot ${n}'s content becomes the dataset's current state${where}. ` +
    'Nothing is lost: the current head stays as a snapshot, and changes not ' +
    'snapshotted yet are kept as a snapshot first.'
  );
}

/**
 * The messages of a failed call per field it names, the rest under "" (request.ts's
 * fieldErrors): what the panel shows next to each control.
 */
export const errorsByField = fieldErrors;

/** The message for `fields` (the first one with one), else ''. */
export function errorFor(
  errors: Record<string, string>,
  ...fields: string[]
): string {
  for (const field of fields) {
    if (errors[field]) {
      return errors[field];
    }
  }
  return '';
}
