/**
 * The one way the labextension calls a backend: the Galilean server extension of this
 * server (`<base>/galilean/…`, through JupyterLab's ServerConnection: its token and XSRF
 * header) or a hub service (`<hub>/services/<name>/…`, with the hub session's cookie and
 * none of this server's credentials). Every failure is a `GalileanRequestError` carrying
 * the server's JSON error when there is one.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The one JSON error shape every Galilean endpoint answers with. */
export interface IErrorBody {
  ok: false;
  error: string;
  errors: Record<string, unknown>[];
  status: number;
}

/** A failed call to a Galilean backend, carrying the server's JSON. */
export class GalileanRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: IErrorBody | null
  ) {
    super(message);
    this.name = 'GalileanRequestError';
  }
}

/** Where a request goes: this server's extension, or a hub service by name. */
export type Backend = { kind: 'server' } | { kind: 'service'; name: string };

/** The Galilean server extension of the server JupyterLab runs on. */
export const SERVER_EXTENSION: Backend = { kind: 'server' };

/** A hub service (`/services/<name>/`), e.g. `hubService('flows')`. */
export function hubService(name: string): Backend {
  return { kind: 'service', name };
}

/** What a 404 without Galilean's error body means, per backend. */
export function notFoundMessage(backend: Backend): string {
  return backend.kind === 'server'
    ? 'The Galilean server extension is not installed or not enabled on this server ' +
        '(pip install galilean-server, then restart the server).'
    : `The hub service "${backend.name}" is not running on this hub.`;
}

/**
 * The hub's base URL (e.g. `/`, or `https://hub.example/` when the hub is on another
 * host), from `hubHost` and `hubPrefix` (`/hub/`); the page's root outside a hub.
 */
export function hubBase(
  option: (name: string) => string = PageConfig.getOption
): string {
  const prefix = option('hubPrefix');
  const base = prefix ? prefix.replace(/hub\/?$/, '') : '/';
  return `${option('hubHost')}${base}`;
}

/** The URL of `endPoint` on a hub service. */
export function serviceUrl(name: string, endPoint: string, base = hubBase()) {
  return URLExt.join(base, 'services', name, endPoint);
}

/** JSON text as data; null when empty or not JSON. */
export function parseJson(text: string): unknown {
  if (text.length === 0) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The error a failed answer means: the server's own message when it sent one. */
export function answerError(
  status: number,
  statusText: string,
  data: unknown,
  backend: Backend = SERVER_EXTENSION
): GalileanRequestError {
  const body = isErrorBody(data) ? data : null;
  if (status === 404 && body === null) {
    return new GalileanRequestError(notFoundMessage(backend), 404, null);
  }
  return new GalileanRequestError(
    body?.error ?? `${status} ${statusText}`,
    status,
    body
  );
}

export function isErrorBody(data: unknown): data is IErrorBody {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as IErrorBody).ok === false &&
    typeof (data as IErrorBody).error === 'string'
  );
}

/** The text of a caught error, as the UI shows it. */
export function errorText(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

function send(
  endPoint: string,
  init: RequestInit,
  backend: Backend
): Promise<Response> {
  if (backend.kind === 'server') {
    const settings = ServerConnection.makeSettings();
    const url = URLExt.join(settings.baseUrl, 'galilean', endPoint);
    return ServerConnection.makeRequest(url, init, settings);
  }
  const url = serviceUrl(backend.name, endPoint);
  const credentials = PageConfig.getOption('hubHost')
    ? 'include'
    : 'same-origin';
  const headers = new Headers(init.headers);
  if (!headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  return fetch(url, { credentials, ...init, headers });
}

/**
 * Call `endPoint` of a Galilean backend (by default the server extension, under
 * `<base>/galilean/`) and answer its JSON. Throws `GalileanRequestError`; a 404 of the
 * whole API becomes install guidance.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  backend: Backend = SERVER_EXTENSION
): Promise<T> {
  let response: Response;
  try {
    response = await send(endPoint, init, backend);
  } catch (error) {
    throw new GalileanRequestError(
      `Cannot reach the server: ${String(error)}`,
      0,
      null
    );
  }
  const data = parseJson(await response.text());
  if (!response.ok) {
    throw answerError(response.status, response.statusText, data, backend);
  }
  return data as T;
}

/**
 * The messages a failed call gives per field it names (`errors[].field`), and the rest
 * under "" (the whole form): what the panels show next to each field.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const message = String((error as Error)?.message ?? error);
  if (!(error instanceof GalileanRequestError) || error.body === null) {
    return { '': message };
  }
  const out: Record<string, string> = {};
  for (const entry of error.body.errors) {
    const field = typeof entry.field === 'string' ? entry.field : '';
    const text = typeof entry.message === 'string' ? entry.message : message;
    out[field] = out[field] ? `${out[field]}; ${text}` : text;
  }
  if (Object.keys(out).length === 0) {
    out[''] = message;
  }
  return out;
}
