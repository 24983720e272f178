/**
 * The pure logic of the publish and schedule panels: the endpoint's name, URL and curl
 * example, the settable parameters, the forms as PUT bodies. No React here, so jest
 * tests it directly (the versions panel's is in versions_model.ts).
 */
import { IFlow } from './model';
import {
  IEndpoint,
  IEndpointBody,
  IEndpointCall,
  IScheduleBody,
  MissedPolicy
} from './service_client';

/** The service's rule for an endpoint name (EndpointHandler's pattern). */
export const ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Why `name` cannot name an endpoint, or null when it can. */
export function endpointNameProblem(name: string): string | null {
  if (name === '') {
    return 'A name is required.';
  }
  return ENDPOINT_NAME.test(name)
    ? null
    : "Lower-case letters, digits, '-' and '_' (starting with a letter or digit, 64 at most).";
}

/** A name for the endpoint from the file's path: `reports/Sales by region.flow` → `sales-by-region`. */
export function suggestedName(path: string): string {
  const base = (path.split('/').pop() ?? '').replace(/\.flow$/, '');
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64);
  return name || 'flow';
}

/** The absolute URL a published endpoint answers at. */
export function endpointUrl(
  serviceUrl: string,
  name: string,
  origin: string
): string {
  const base = /^https?:\/\//.test(serviceUrl)
    ? serviceUrl
    : `${origin}${serviceUrl.startsWith('/') ? '' : '/'}${serviceUrl}`;
  return `${base.replace(/\/+$/, '')}/execute/${encodeURIComponent(name)}`;
}

/** Quote `text` for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * The curl command calling the endpoint with `params` in the query string: a private
 * endpoint with an `Authorization: token <token>` header (a placeholder, never a real
 * token: the reader makes one on the hub's token page).
 */
export function curlExample(
  url: string,
  isPublic: boolean,
  params: Record<string, unknown>
): string {
  const query = Object.entries(params)
    .map(
      ([k, v]) =>
        `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`
    )
    .join('&');
  const target = query ? `${url}?${query}` : url;
  const auth = isPublic ? '' : `-H 'Authorization: token <token>' `;
  return `curl ${auth}${shellQuote(target)}`;
}

/** The flow with exactly the parameters in `settable` marked shared (others may set them). */
export function withShared(flow: IFlow, settable: Set<string>): IFlow {
  return {
    ...flow,
    parameters: flow.parameters.map(p => {
      const rest = { ...p };
      delete rest.shared;
      return settable.has(p.name) ? { ...rest, shared: true } : rest;
    })
  };
}

/** The parameters of the flow others may set (marked shared), with their defaults. */
export function sharedDefaults(flow: IFlow): Record<string, unknown> {
  return Object.fromEntries(
    flow.parameters.filter(p => p.shared).map(p => [p.name, p.default])
  );
}

/** The publish form as the body of PUT endpoint. */
export function endpointBody(
  name: string,
  isPublic: boolean,
  version: number | null
): IEndpointBody {
  return { name: name.trim(), public: isPublic, version };
}

/** The schedule form as the body of PUT schedule (the cron trimmed). */
export function scheduleBody(
  cron: string,
  missed: MissedPolicy,
  enabled: boolean,
  version: number | null = null
): IScheduleBody {
  return { cron: cron.trim(), missed, enabled, version };
}

/** Seconds since the epoch as a local date and time. */
export function whenText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return '—';
  }
  return new Date(seconds * 1000).toLocaleString();
}

/** The messages of `errors` for fields other than `shown`, as one text. */
export function otherErrors(
  errors: Record<string, string>,
  shown: string[]
): string {
  return Object.entries(errors)
    .filter(([field]) => !shown.includes(field))
    .map(([field, text]) =>
      field && !text.startsWith(`${field}:`) ? `${field}: ${text}` : text
    )
    .join('; ');
}

/** Which version an endpoint serves: the one saved when publishing, or the latest. */
export type VersionChoice = 'saved' | 'latest';

/** The publish form's choice for an endpoint already published (new ones: 'saved'). */
export function versionChoice(endpoint: IEndpoint | null): VersionChoice {
  return endpoint !== null && endpoint.version === null ? 'latest' : 'saved';
}

/** The `version` of PUT endpoint: the version just saved, or null (always the latest). */
export function publishedVersion(
  choice: VersionChoice,
  saved: number
): number | null {
  return choice === 'latest' ? null : saved;
}

/** One row of the recent calls table. */
export interface ICallRow {
  key: string;
  when: string;
  who: string;
  status: string;
  ms: string;
  failed: boolean;
}

/** The endpoint's recent calls as table rows, newest first (as the service lists them). */
export function callRows(calls: IEndpointCall[] | undefined): ICallRow[] {
  return (calls ?? []).map((c, i) => ({
    key: `${c.at}-${i}`,
    when: whenText(c.at),
    who: c.caller === 'public' ? 'public (no token)' : c.caller,
    status: String(c.status),
    ms: `${c.ms < 10 ? c.ms.toFixed(1) : Math.round(c.ms)} ms`,
    failed: c.status >= 400
  }));
}

/** What the Unpublish confirmation asks. */
export function unpublishQuestion(name: string): string {
  return (
    `Stop serving the endpoint "${name}"? Its URL then answers 404 ` +
    'until the flow is published again.'
  );
}
