/**
 * The client of the flows service as the designer reaches it: through this server's
 * bridge (/galilean/flows/service/, the server's owner only), which forwards to the hub
 * service with the server's token. Every bridge URL of runs is built here.
 */
import { Backend, requestAPI, SERVER_EXTENSION } from '../request';
import {
  ILinkedFlow,
  IRun,
  IRunRequest,
  IRunStarted,
  isFinished
} from './runs_model';

/** What the run UI needs of the flows service. */
export interface IFlowsRuns {
  /** The service flow linked to the .flow file at `path`, its versions and runs. */
  linked(path: string): Promise<ILinkedFlow>;
  /** Save the content as a version when it changed, and run that version. */
  start(request: IRunRequest): Promise<IRunStarted>;
  run(id: string): Promise<IRun>;
  cancel(id: string): Promise<IRun>;
}

export class FlowsRunsClient implements IFlowsRuns {
  constructor(private backend: Backend = SERVER_EXTENSION) {}

  private call<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
    return requestAPI<T>(`flows/service/${endPoint}`, init, this.backend);
  }

  linked(path: string): Promise<ILinkedFlow> {
    return this.call(`flow?path=${encodeURIComponent(path)}`);
  }

  start(request: IRunRequest): Promise<IRunStarted> {
    return this.call('run', { method: 'POST', body: JSON.stringify(request) });
  }

  run(id: string): Promise<IRun> {
    return this.call(`runs/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<IRun> {
    return this.call(`runs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST'
    });
  }
}

/** Timers, so tests can drive the polling. */
export interface ITimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: ITimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: handle => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

/** How often a running run is read again. */
export const POLL_MS = 500;

/**
 * Follows one run: reads it every `interval` ms until it finishes (or `dispose`), and
 * reports each state. A failed read is reported and ends the polling.
 */
export class RunPoller {
  private handle: unknown = null;
  private disposed = false;

  constructor(
    private client: Pick<IFlowsRuns, 'run'>,
    private onRun: (run: IRun) => void,
    private onError: (reason: unknown) => void,
    private interval = POLL_MS,
    private timers: ITimers = REAL_TIMERS
  ) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Show `run` and follow it until it finishes. */
  follow(run: IRun): void {
    if (this.disposed) {
      return;
    }
    this.onRun(run);
    if (!isFinished(run.status)) {
      this.handle = this.timers.set(() => this.poll(run.id), this.interval);
    }
  }

  private poll(id: string): void {
    this.handle = null;
    this.client.run(id).then(
      run => this.follow(run),
      reason => {
        if (!this.disposed) {
          this.onError(reason);
        }
      }
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== null) {
      this.timers.clear(this.handle);
      this.handle = null;
    }
  }
}
