/**
 * Runs as data, for the designer: the run JSON of the flows service (through the
 * server's bridge, /galilean/flows/service/), what a run means on the canvas (per-node
 * decorations), the rows of the run history, and the paging of a preview grid. Pure
 * functions only: the client is runs_client.ts, the views runs.tsx and preview.tsx.
 */
import { IFlow } from './model';
import { INodeDecoration, IPreviewColumn } from './tokens';

export type RunStatus =
  'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One node of a run: its rows, and whether its result came from the cache. */
export interface IRunNode {
  rows_in?: number;
  rows_out?: number;
  reused?: boolean;
}

/** The first rows of a displayed output. */
export interface IRunOutput {
  columns: IPreviewColumn[];
  rows: unknown[][];
  total: number;
}

/** A run as the flows service gives it (`logs` and `outputs` only for one run). */
export interface IRun {
  id: string;
  flow_id: number;
  version: number;
  caller: string;
  trigger?: string;
  status: RunStatus;
  params?: Record<string, unknown>;
  created: number;
  started: number | null;
  ended: number | null;
  nodes: Record<string, IRunNode>;
  error: { node: string | null; message: string } | null;
  logs?: string;
  outputs?: Record<string, IRunOutput>;
  engine?: string;
}

export interface IVersionSummary {
  number: number;
  author: string;
  message: string;
  created: number;
}

/** GET /galilean/flows/service/flow?path=: the service flow a .flow file is linked to. */
export interface ILinkedFlow {
  flow: Record<string, unknown> | null;
  versions: IVersionSummary[];
  runs: IRun[];
  endpoint: Record<string, unknown> | null;
  schedule: Record<string, unknown> | null;
  service_url: string;
}

/** POST /galilean/flows/service/run: the version run and the run started. */
export interface IRunStarted {
  flow_id: number;
  version: number;
  new_version: boolean;
  run: IRun;
}

export interface IRunRequest {
  path: string;
  content: unknown;
  message?: string;
  targets?: string[];
  params?: Record<string, unknown>;
}

export const isFinished = (status: RunStatus): boolean =>
  status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** "1 row", "1,234 rows". */
export function rowsText(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
}

/** The nodes `targets` need (themselves and everything upstream); all when none. */
export function neededNodes(flow: IFlow, targets?: string[]): Set<string> {
  if (!targets || targets.length === 0) {
    return new Set(flow.nodes.map(n => n.id));
  }
  const needed = new Set<string>();
  const todo = [...targets];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (!needed.has(id)) {
      needed.add(id);
      todo.push(
        ...flow.edges.filter(e => e.to.node === id).map(e => e.from.node)
      );
    }
  }
  return needed;
}

function nodeDecoration(run: IRun, id: string): INodeDecoration | undefined {
  const entry = run.nodes[id];
  if (run.error && run.error.node === id) {
    return { status: 'failed', badge: 'failed', message: run.error.message };
  }
  if (entry) {
    const badge = rowsText(entry.rows_out ?? 0);
    return entry.reused
      ? { status: 'reused', badge, message: 'reused from the cache' }
      : { status: 'done', badge };
  }
  if (!isFinished(run.status)) {
    return { status: 'running', badge: run.status };
  }
  return undefined;
}

/**
 * What `run` shows on the canvas: each needed node running while the run is, then done
 * with its row count, reused (a result held from before), or failed with the message.
 */
export function runDecorations(
  run: IRun,
  flow: IFlow,
  targets?: string[]
): Map<string, INodeDecoration> {
  const shown = new Map<string, INodeDecoration>();
  for (const id of neededNodes(flow, targets)) {
    const decoration = nodeDecoration(run, id);
    if (decoration) {
      shown.set(id, decoration);
    }
  }
  return shown;
}

/** "0.42 s", "12 s", "3 min 05 s". */
export function durationText(seconds: number): string {
  if (seconds < 10) {
    return `${seconds.toFixed(2)} s`;
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  const whole = Math.round(seconds);
  const rest = String(whole % 60).padStart(2, '0');
  return `${Math.floor(whole / 60)} min ${rest} s`;
}

/** A time in the user's time zone, to the second: "2026-12-01 05:46:45". */
export function clockText(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${day} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One line of the run history. */
export interface IHistoryRow {
  id: string;
  who: string;
  when: string;
  version: string;
  engine: string;
  duration: string;
  rows: string;
  status: RunStatus;
}

/** The most rows any node of the run gave ("" before any finished). */
function runRows(run: IRun): string {
  const counts = Object.values(run.nodes).map(n => n.rows_out ?? 0);
  return counts.length > 0 ? rowsText(Math.max(...counts)) : '';
}

export function historyRow(run: IRun): IHistoryRow {
  const done = run.started !== null && run.ended !== null;
  return {
    id: run.id,
    who: run.caller,
    when: clockText(run.created),
    version: `v${run.version}`,
    engine: run.engine ?? '',
    duration: done ? durationText((run.ended ?? 0) - (run.started ?? 0)) : '',
    rows: runRows(run),
    status: run.status
  };
}

/** The run history, newest first. */
export function historyRows(runs: IRun[]): IHistoryRow[] {
  return [...runs].sort((a, b) => b.created - a.created).map(historyRow);
}

export const PAGE_SIZES = [25, 50, 100];

export interface IPage<T> {
  items: T[];
  /** The page shown (0-based, kept within the pages there are). */
  page: number;
  pages: number;
  /** 1-based numbers of the first and last item shown (0 and 0 when none). */
  first: number;
  last: number;
}

export function pageOf<T>(items: T[], page: number, size: number): IPage<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const shown = Math.min(Math.max(0, page), pages - 1);
  const start = shown * size;
  const slice = items.slice(start, start + size);
  return {
    items: slice,
    page: shown,
    pages,
    first: slice.length > 0 ? start + 1 : 0,
    last: start + slice.length
  };
}
