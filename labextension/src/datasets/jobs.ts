/**
 * Long operations of the datasets service run as jobs (an export started with
 * `background: true`): the start answers at once with a job, `GET api/jobs/{id}` tells its
 * progress (`{done, total}`: rows of a table, files of labelled images) until it is done
 * (with the operation's normal reply as `result`) or failed (with the error the operation
 * would have answered). The pure part: following a job with an injected wait, its
 * progress as a fraction and a text, and a failed job as a request error.
 */
import { GalileanRequestError } from '../request';

/** What the service says of a job (datasets_service/jobs.py, Job.to_json). */
export interface IJob<T = unknown> {
  id: string;
  dataset_id: number;
  op: string;
  state: 'running' | 'done' | 'failed';
  progress: { done?: number; total?: number };
  seconds: number;
  /** When done: the operation's reply. */
  result?: T;
  /** When failed: the error the operation answered. */
  error?: {
    status: number;
    message: string;
    errors?: Record<string, unknown>[];
  };
}

/** How often a running job is asked for (ms): often enough for a smooth bar, not more. */
export const POLL_MS = 400;

export interface IFollowOptions<T> {
  /** The job's state now (GET api/jobs/{id}). */
  get(id: string): Promise<IJob<T>>;
  /** Resolves after `ms` (a timer; tests pass one that returns at once). */
  wait(ms: number): Promise<void>;
  /** Each state seen, the first one included. */
  onProgress(job: IJob<T>): void;
  /** True once nobody wants the answer (the dialog closed): polling stops. */
  stopped(): boolean;
  interval?: number;
}

/**
 * Follow `first` until it is done or failed: its last state, or null when `stopped()`
 * turned true first. A failed poll (the network, the server) throws as the request did.
 */
export async function followJob<T>(
  first: IJob<T>,
  options: IFollowOptions<T>
): Promise<IJob<T> | null> {
  let job = first;
  options.onProgress(job);
  while (job.state === 'running') {
    await options.wait(options.interval ?? POLL_MS);
    if (options.stopped()) {
      return null;
    }
    job = await options.get(job.id);
    if (options.stopped()) {
      return null;
    }
    options.onProgress(job);
  }
  return job;
}

/** How far a job is, 0 to 1; null while nothing is counted yet. Done is 1. */
export function jobFraction(job: IJob): number | null {
  if (job.state === 'done') {
    return 1;
  }
  const { done, total } = job.progress;
  if (typeof done !== 'number' || typeof total !== 'number' || total <= 0) {
    return null;
  }
  return Math.min(1, Math.max(0, done / total));
}

/** What the bar says: "1,200 of 5,000 (24%) · 3 s", or "starting… · 0 s". */
export function jobProgressText(job: IJob, unit = 'rows'): string {
  const fraction = jobFraction(job);
  const seconds = `${job.seconds.toFixed(0)} s`;
  const { done, total } = job.progress;
  if (fraction === null) {
    return `starting… · ${seconds}`;
  }
  const percent = `${Math.floor(fraction * 100)}%`;
  if (typeof done !== 'number' || typeof total !== 'number') {
    return `${percent} · ${seconds}`;
  }
  const shown = job.state === 'done' ? total : done;
  const count = (n: number) => n.toLocaleString('en');
  return `${count(shown)} of ${count(total)} ${unit} (${percent}) · ${seconds}`;
}

/** A finished job's answer: its result, or the error it failed with thrown as the
 * request would have thrown it (so the form shows it at the field it names). */
export function jobOutcome<T>(job: IJob<T>): T {
  if (job.state === 'done') {
    return job.result as T;
  }
  const error = job.error ?? {
    status: 500,
    message: `the ${job.op} ended as ${job.state}`
  };
  throw new GalileanRequestError(error.message, error.status, {
    ok: false,
    error: error.message,
    errors: error.errors ?? [],
    status: error.status
  });
}

/** A timer for `followJob` in the browser. */
export function browserWait(ms: number): Promise<void> {
  return new Promise(resolve => window.setTimeout(resolve, ms));
}
