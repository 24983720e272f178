/**
 * Sharing a dataset with the hub's groups, the pure part: a dataset's `groups` (who may
 * read it) and `writers` (those of them who may also snapshot, restore, tag and edit) as
 * one row per group with "can read" / "can edit", the PATCH body of those rows, a group
 * name typed in checked, and what the signed-in user may do with a dataset. Only the
 * owner shares (the service answers 403 to anyone else).
 *
 * Also the additions to the datasets client's interface this needs (jobs and sharing),
 * merged into tokens.ts's `IDataset` and `IDatasets`.
 */
import { ExportReply } from './export_model';
import { IJob } from './jobs';
import { IDataset } from './tokens';

declare module './tokens' {
  interface IDataset {
    /** The groups (a subset of `groups`) whose members may also change its content. */
    writers?: string[];
    /** What the asking user may do with it, as the service decides (its groups known). */
    access?: 'owner' | 'write' | 'read';
  }

  interface IDatasets {
    /** An export as a job (`background: true`): follow it with `job`. */
    startExport(id: number, body: IExportRequest): Promise<IJob<ExportReply>>;
    /** One of the user's jobs as it is now. */
    job<T = unknown>(jobId: string): Promise<IJob<T>>;
    /** Share with `groups` to read, `writers` (some of them) to edit too; owner only. */
    share(id: number, body: IShareRequest): Promise<IDataset>;
  }
}

export interface IShareRequest {
  groups: string[];
  writers: string[];
}

export type Permission = 'read' | 'edit';

/** One group a dataset is shared with. */
export interface IShareRow {
  group: string;
  permission: Permission;
}

/** The dataset's sharing as rows, by group name. */
export function sharesOf(dataset: IDataset): IShareRow[] {
  const writers = new Set(dataset.writers ?? []);
  const groups = new Set([...(dataset.groups ?? []), ...writers]);
  return [...groups].sort().map(group => ({
    group,
    permission: writers.has(group) ? 'edit' : 'read'
  }));
}

/** The PATCH body of the rows: every group reads, those that can edit write too. */
export function shareBody(rows: IShareRow[]): IShareRequest {
  const groups = [...new Set(rows.map(r => r.group))].sort();
  const writers = [
    ...new Set(rows.filter(r => r.permission === 'edit').map(r => r.group))
  ].sort();
  return { groups, writers };
}

/** The rows with `name` added (can read), or the reason it is not: an error for the
 * group field. */
export function addGroup(
  rows: IShareRow[],
  name: string
): { rows: IShareRow[]; error: string } {
  const group = name.trim();
  if (group === '') {
    return { rows, error: 'group: type the name of one of the hub’s groups' };
  }
  if (/\s/.test(group)) {
    return {
      rows,
      error: `group: "${group}" has a space; group names have none`
    };
  }
  if (rows.some(r => r.group === group)) {
    return { rows, error: `group: already shared with ${group}` };
  }
  const added = [...rows, { group, permission: 'read' as const }];
  return {
    rows: added.sort((a, b) => a.group.localeCompare(b.group)),
    error: ''
  };
}

/** The rows with `group`'s permission set. */
export function setPermission(
  rows: IShareRow[],
  group: string,
  permission: Permission
): IShareRow[] {
  return rows.map(r => (r.group === group ? { ...r, permission } : r));
}

export function removeGroup(rows: IShareRow[], group: string): IShareRow[] {
  return rows.filter(r => r.group !== group);
}

/** Whether the rows say something else than the dataset does (Save is worth it). */
export function sharingChanged(dataset: IDataset, rows: IShareRow[]): boolean {
  const before = shareBody(sharesOf(dataset));
  const after = shareBody(rows);
  return JSON.stringify(before) !== JSON.stringify(after);
}

/**
 * What the user may do with a dataset: `owner` (everything, sharing included), `edit`
 * (a writer group of theirs, or — when the page does not know their groups — the dataset
 * is shared for editing with some group: the service decides with 403 if not theirs),
 * or `read`.
 */
export type Access = 'owner' | 'edit' | 'read';

export function accessOf(
  dataset: IDataset,
  user: string,
  userGroups: string[] | null
): Access {
  if (dataset.access !== undefined) {
    return dataset.access === 'write' ? 'edit' : dataset.access;
  }
  if (user === '' || dataset.owner === user) {
    return 'owner';
  }
  const writers = dataset.writers ?? [];
  if (userGroups === null) {
    return writers.length > 0 ? 'edit' : 'read';
  }
  return writers.some(w => userGroups.includes(w)) ? 'edit' : 'read';
}

/** The list's badge for a dataset: "shared with 2 groups" (the owner's), "shared by
 * alice · can edit" / "· read-only" (someone else's); "" for one not shared. */
export function shareBadge(
  dataset: IDataset,
  user: string,
  userGroups: string[] | null
): string {
  const access = accessOf(dataset, user, userGroups);
  if (access !== 'owner') {
    return `shared by ${dataset.owner} · ${access === 'edit' ? 'can edit' : 'read-only'}`;
  }
  const count = sharesOf(dataset).length;
  return count === 0
    ? ''
    : `shared with ${count} group${count === 1 ? '' : 's'}`;
}

/** What the Share dialog says the rows mean, e.g. "team can edit; viewers can read". */
export function sharingText(rows: IShareRow[]): string {
  if (rows.length === 0) {
    return 'Only you can see this dataset.';
  }
  return rows
    .map(r => `${r.group} can ${r.permission === 'edit' ? 'edit' : 'read'}`)
    .join('; ');
}
