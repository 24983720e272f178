/**
 * The designer's calls to the flows service for versions, publishing and schedules,
 * through the user's own server (`/galilean/flows/service/…`, the bridge: the browser
 * has no credentials of the service itself). Every bridge URL of these panels is built
 * here; the panels take an `IFlowService` so tests can give them a fake.
 */
import { URLExt } from '@jupyterlab/coreutils';

import { Backend, requestAPI, SERVER_EXTENSION } from '../request';

/** One saved version as the bridge lists it. */
export interface IVersionInfo {
  number: number;
  author: string;
  message: string;
  /** Seconds since the epoch. */
  created: number;
}

/** One version with its .flow document (the service stores the text). */
export interface IVersion extends IVersionInfo {
  content: unknown;
}

/** One recent call of an endpoint (the service keeps no body, parameter or token). */
export interface IEndpointCall {
  /** Seconds since the epoch. */
  at: number;
  /** The caller's user name, or "public" (no token). */
  caller: string;
  status: number;
  ms: number;
  /** The endpoint's name when it was called. */
  endpoint: string;
}

/** The published endpoint (null version: the latest). */
export interface IEndpoint {
  name: string;
  flow_id: number;
  version: number | null;
  public: boolean;
  created: number;
  /** The last calls, newest first (GET endpoint and the flow state have them). */
  recent_calls?: IEndpointCall[];
}

export type MissedPolicy = 'once' | 'skip';

export interface ISchedule {
  flow_id: number;
  cron: string;
  version: number | null;
  params: Record<string, unknown>;
  missed: MissedPolicy;
  enabled: boolean;
  next_run: number | null;
  last_run: number | null;
}

/** What `GET …/flow?path=` answers. */
export interface IServiceFlowState {
  flow: { id: number; name: string; latest: number } | null;
  versions: IVersionInfo[];
  runs: unknown[];
  endpoint: IEndpoint | null;
  schedule: ISchedule | null;
  service_url: string;
}

export interface ISaved {
  flow_id: number;
  version: number;
  new_version: boolean;
}

/** A {from, to} pair of the service's diff (null: absent on that side). */
export interface IFromTo {
  from: unknown;
  to: unknown;
}

/** The service's diff of two versions (services/galilean_services/flows/diff.py). */
export interface IServiceDiff {
  from: number;
  to: number;
  nodes: {
    added: string[];
    removed: string[];
    changed: {
      id: string;
      kind?: IFromTo;
      params: Record<string, IFromTo>;
      moved: boolean;
    }[];
  };
  edges: { added: unknown[]; removed: unknown[] };
  parameters: {
    added: string[];
    removed: string[];
    changed: { name: string; fields: Record<string, IFromTo> }[];
  };
  flow: Record<string, IFromTo>;
}

export interface ISchedulePreview {
  cron: string;
  text: string;
  next: string[];
  timezone: string;
}

export interface IEndpointBody {
  name: string;
  public: boolean;
  version: number | null;
}

export interface IScheduleBody {
  cron: string;
  missed: MissedPolicy;
  enabled: boolean;
  version: number | null;
}

/** The bridge, as the versions, publish and schedule panels use it. */
export interface IFlowService {
  state(path: string): Promise<IServiceFlowState>;
  save(path: string, content: unknown, message?: string): Promise<ISaved>;
  version(path: string, n: number): Promise<IVersion>;
  diff(path: string, n: number, against: number): Promise<IServiceDiff>;
  restore(path: string, n: number): Promise<IVersion>;
  publish(path: string, body: IEndpointBody): Promise<IEndpoint>;
  /** Stop serving the endpoint (done, too, when there is none). */
  unpublish(path: string): Promise<void>;
  schedule(path: string, body: IScheduleBody): Promise<ISchedule>;
  /** Remove the schedule (done, too, when there is none). */
  unschedule(path: string): Promise<void>;
  schedulePreview(cron: string): Promise<ISchedulePreview>;
}

const json = (method: string, body?: unknown): RequestInit =>
  body === undefined ? { method } : { method, body: JSON.stringify(body) };

export class FlowServiceClient implements IFlowService {
  constructor(private backend: Backend = SERVER_EXTENSION) {}

  private call<T>(
    endPoint: string,
    query: Record<string, string>,
    init: RequestInit = {}
  ): Promise<T> {
    const url = `flows/service/${endPoint}${URLExt.objectToQueryString(query)}`;
    return requestAPI<T>(url, init, this.backend);
  }

  state(path: string): Promise<IServiceFlowState> {
    return this.call('flow', { path });
  }

  save(path: string, content: unknown, message = ''): Promise<ISaved> {
    return this.call('save', {}, json('POST', { path, content, message }));
  }

  version(path: string, n: number): Promise<IVersion> {
    return this.call(`versions/${n}`, { path });
  }

  diff(path: string, n: number, against: number): Promise<IServiceDiff> {
    return this.call(`versions/${n}/diff`, { path, against: String(against) });
  }

  restore(path: string, n: number): Promise<IVersion> {
    return this.call(`versions/${n}/restore`, { path }, json('POST', {}));
  }

  publish(path: string, body: IEndpointBody): Promise<IEndpoint> {
    return this.call('endpoint', { path }, json('PUT', body));
  }

  async unpublish(path: string): Promise<void> {
    await this.call('endpoint', { path }, json('DELETE'));
  }

  schedule(path: string, body: IScheduleBody): Promise<ISchedule> {
    return this.call('schedule', { path }, json('PUT', body));
  }

  async unschedule(path: string): Promise<void> {
    await this.call('schedule', { path }, json('DELETE'));
  }

  schedulePreview(cron: string): Promise<ISchedulePreview> {
    return this.call('schedule-preview', {}, json('POST', { cron }));
  }
}

// Kept here for the panels that import it from this module.
export { fieldErrors } from '../request';
