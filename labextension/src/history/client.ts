/**
 * The client of the History panel: the Galilean server extension's `/galilean/history`
 * routes (history_handlers.py) for the notebook at `path`.
 */
import type * as nbformat from '@jupyterlab/nbformat';

import { requestAPI, SERVER_EXTENSION } from '../request';

/** One kept state of a notebook. */
export interface ISnapshot {
  id: string;
  /** Seconds since the epoch. */
  time: number;
  /** Who was in the notebook then (its room's users), or its owner. */
  author: string;
  /** Why it was kept: "saved", "before bob joined", "before a save that removed…". */
  reason: string;
  bytes: number;
  cells: number;
}

export interface IHistory {
  path: string;
  snapshots: ISnapshot[];
  limits: {
    max_snapshots: number;
    max_age_days: number;
    /** Saves closer than this to the newest version keep none. */
    min_interval_seconds: number;
  };
}

/** nbdime's diff of a snapshot (`base`) against the notebook now. */
export interface ISnapshotDiff {
  base: nbformat.INotebookContent;
  diff: any[];
  /** The notebook no longer exists: the diff is against an empty one. */
  deleted: boolean;
}

function query(path: string): string {
  return `?path=${encodeURIComponent(path)}`;
}

export class HistoryClient {
  list(path: string): Promise<IHistory> {
    return requestAPI<IHistory>(`history${query(path)}`, {}, SERVER_EXTENSION);
  }

  keep(path: string): Promise<{ snapshot: ISnapshot | null; new: boolean }> {
    return requestAPI(
      `history${query(path)}`,
      { method: 'POST', body: '{}' },
      SERVER_EXTENSION
    );
  }

  diff(path: string, id: string): Promise<ISnapshotDiff> {
    return requestAPI<ISnapshotDiff>(
      `history/${encodeURIComponent(id)}/diff${query(path)}`,
      {},
      SERVER_EXTENSION
    );
  }

  restore(path: string, id: string): Promise<{ restored: string }> {
    return requestAPI(
      `history/${encodeURIComponent(id)}/restore${query(path)}`,
      { method: 'POST', body: '{}' },
      SERVER_EXTENSION
    );
  }
}

/** "1.2 MB", "830 B". */
export function sizeText(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
