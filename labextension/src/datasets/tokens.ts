/**
 * The Datasets feature's public face: the client of the datasets bridge of this server
 * (`/galilean/datasets/service/…`, which forwards to the hub's datasets service) and the
 * feature's command ids. Other features require `IDatasets` and never build a datasets
 * URL themselves.
 */
import { Token } from '@lumino/coreutils';

/** A dataset as the service lists it (its record; `head` only on a single GET). */
export interface IDataset {
  id: number;
  owner: string;
  name: string;
  driver: 'files' | 'tables';
  /** A files dataset's folder, relative to the folder the service sees; null: tables. */
  folder: string | null;
  description: string;
  /** The groups it is shared with (read-only). */
  groups: string[];
  /** Seconds since the epoch. */
  created: number;
  updated: number;
}

/** One snapshot (services/galilean_services/datasets/model.py, Snapshot.to_json). */
export interface ISnapshot {
  number: number;
  /** ISO 8601 with its time zone. */
  created_at: string;
  author: string;
  message: string;
  /** What made it: {flow, version, run}, {notebook}, {restored}; {} by hand. */
  origin: Record<string, string>;
  tags: string[];
  parent: number | null;
  /** files and bytes (files driver), rows (tables driver). */
  stats: Record<string, number>;
}

export interface IDatasetWithHead extends IDataset {
  head: ISnapshot | null;
}

/** One file changed between two snapshots, its size (bytes) on each side. */
export interface IModifiedFile {
  path: string;
  old_size: number;
  new_size: number;
}

/** A files dataset's diff (manifest.py). */
export interface IFilesDiff {
  added: string[];
  removed: string[];
  modified: IModifiedFile[];
  unchanged: number;
}

/** One table of a tables dataset's diff (tables_diff.py). */
export interface ITableDiff {
  status: 'added' | 'removed' | 'modified' | 'unchanged';
  rows?: { counts?: Record<string, number> };
  columns?: { added: string[]; removed: string[] };
}

/** A tables dataset's diff. */
export interface ITablesDiff {
  older: number;
  newer: number;
  tables: Record<string, ITableDiff>;
}

export type DatasetDiff = IFilesDiff | ITablesDiff;

/** What a new dataset is made of: a folder as the file browser names it. */
export interface INewDataset {
  name: string;
  path: string;
  description?: string;
  groups?: string[];
}

/** The datasets bridge, as the panel uses it. */
export interface IDatasets {
  list(): Promise<IDataset[]>;
  create(body: INewDataset): Promise<IDataset>;
  get(id: number): Promise<IDatasetWithHead>;
  snapshots(id: number): Promise<ISnapshot[]>;
  take(
    id: number,
    message: string,
    origin?: Record<string, string>
  ): Promise<ISnapshot>;
  /** What changed from snapshot `against` to snapshot `number`. */
  diff(id: number, number: number, against: number): Promise<DatasetDiff>;
  /** Snapshot `number`'s content as the new head (the old head stays a snapshot). */
  restore(id: number, number: number): Promise<ISnapshot>;
  tag(id: number, number: number, tag: string): Promise<ISnapshot>;
}

export const IDatasets = new Token<IDatasets>(
  '@galilean/labextension:IDatasets',
  'The datasets bridge: datasets, snapshots, diff, restore and tags.'
);

export namespace CommandIDs {
  /** Open the Datasets panel. */
  export const open = 'galilean-datasets:open';
  /** The file browser's "Make a dataset of this folder". */
  export const fromFolder = 'galilean-datasets:from-folder';
}
