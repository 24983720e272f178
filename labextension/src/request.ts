import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The one JSON error shape every Galilean endpoint answers with. */
export interface IErrorBody {
  ok: false;
  error: string;
  errors: Record<string, unknown>[];
  status: number;
}

/** A failed call to the Galilean server extension, carrying the server's JSON. */
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

const NOT_INSTALLED =
  'The Galilean server extension is not installed or not enabled on this server ' +
  '(pip install galilean-server, then restart the server).';

/**
 * Call an endpoint of the Galilean server extension (under `<base>/galilean/`).
 * Throws `GalileanRequestError`; a 404 of the whole API becomes install guidance.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'galilean', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new GalileanRequestError(
      `Cannot reach the server: ${String(error)}`,
      0,
      null
    );
  }
  const text = await response.text();
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const body = isErrorBody(data) ? data : null;
    if (response.status === 404 && body === null) {
      throw new GalileanRequestError(NOT_INSTALLED, 404, null);
    }
    throw new GalileanRequestError(
      body?.error ?? `${response.status} ${response.statusText}`,
      response.status,
      body
    );
  }
  return data as T;
}

function isErrorBody(data: unknown): data is IErrorBody {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as IErrorBody).ok === false &&
    typeof (data as IErrorBody).error === 'string'
  );
}
