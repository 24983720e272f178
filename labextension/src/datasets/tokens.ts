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

/** What a new dataset is made of: a folder as the file browser names it (files), or
 * nothing (tables: a lake a flow or Python writes, under the dataset's name). */
export interface INewDataset {
  name: string;
  /** files only. */
  path?: string;
  driver?: 'files' | 'tables';
  description?: string;
  groups?: string[];
}

/** A sample drawn into a new tables dataset (POST …/sample; sampling_derive.py). */
export interface ISampleRequest {
  table: string;
  /** The source snapshot; null: the head. */
  snapshot: number | null;
  strategy: string;
  /** By the strategy's schema (sampling_builtin.py). */
  params: Record<string, unknown>;
  /** The new dataset's name. */
  into: string;
}

/** A table written to a file of the user's folder (POST …/export; export.py). */
export interface IExportRequest {
  /** Tables only: the table to write. */
  table?: string;
  /** Relative to the user's folder. */
  path: string;
  format: string;
  /** null: the head. */
  snapshot: number | null;
  overwrite: boolean;
}

/** What an export wrote (export.py, Exported.to_json). */
export interface IExported {
  path: string;
  format: string;
  table: string;
  snapshot: number;
  rows: number;
  bytes: number;
  seconds: number;
}

/** Which snapshots to keep (POST …/retention); at least one rule. */
export interface IRetentionRequest {
  keep_last: number | null;
  older_than_days: number | null;
}

/** What retention expired and kept (model.py, RetentionReport). */
export interface IRetentionReport {
  removed: number[];
  kept: number[];
}

/** What garbage collection removed (model.py, GcReport). */
export interface IGcReport {
  objects_removed: number;
  bytes_freed: number;
}

/** One node of a lineage graph (datasets/lineage.py): `kind` is data, not a closed set
 * (dataset, snapshot, flow_version, run, notebook; experiments later). */
export interface ILineageNode {
  id: string;
  kind: string;
  label: string;
  [fact: string]: unknown;
}

/** One edge: how `from` led to `to` (has, parent, wrote, ran, restored, sampled, made). */
export interface ILineageEdge {
  from: string;
  to: string;
  how: string;
}

export interface ILineage {
  nodes: ILineageNode[];
  edges: ILineageEdge[];
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
  /** A sample of a table as a new tables dataset (with its head). */
  sample(id: number, body: ISampleRequest): Promise<IDatasetWithHead>;
  export(id: number, body: IExportRequest): Promise<IExported>;
  lineage(id: number): Promise<ILineage>;
  retain(id: number, body: IRetentionRequest): Promise<IRetentionReport>;
  gc(id: number): Promise<IGcReport>;
}

export const IDatasets = new Token<IDatasets>(
  '@galilean/labextension:IDatasets',
  'The datasets bridge: datasets, snapshots, diff, restore, tags, sampling, export, lineage, retention.'
);

export namespace CommandIDs {
  /** Open the Datasets panel. */
  export const open = 'galilean-datasets:open';
  /** The file browser's "Make a dataset of this folder". */
  export const fromFolder = 'galilean-datasets:from-folder';
}
