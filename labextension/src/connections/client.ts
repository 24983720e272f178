/**
 * The client of the server extension's connection API: every /galilean/connections URL
 * is built here. It remembers the dialect of each connection it listed, so SQL cells
 * know their connection's SQL flavour without asking again.
 */
import { findDialect, IDialect } from '../dialects';
import { Backend, errorText, requestAPI, SERVER_EXTENSION } from '../request';
import {
  IConnectionInfo,
  IConnectionList,
  IConnections,
  IDescribed,
  IDialects,
  ITestResult
} from './tokens';

/** `init` for a JSON body. */
function json(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body) };
}

/** The path of a connection (and one of its actions) under /galilean/. */
export function connectionPath(name: string, action = ''): string {
  const path = `connections/${encodeURIComponent(name)}`;
  return action ? `${path}/${action}` : path;
}

/** Why the dialects could not be read, as the form says it. */
export function dialectsError(error: unknown): string {
  return `The server did not list its SQL dialects: ${errorText(error)}`;
}

export class ConnectionsClient implements IConnections {
  private known = new Map<string, string>([['duckdb', 'duckdb']]);
  private registry: Promise<IDialects> | null = null;
  private read: IDialect[] = [];

  constructor(private backend: Backend = SERVER_EXTENSION) {}

  private call<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
    return requestAPI<T>(endPoint, init, this.backend);
  }

  async listing(): Promise<IConnectionList> {
    return this.call<IConnectionList>('connections');
  }

  async list(): Promise<IConnectionInfo[]> {
    const [answer] = await Promise.all([this.listing(), this.dialects()]);
    const all = [...answer.builtin, ...answer.connections];
    all.forEach(c => this.known.set(c.name, c.dialect));
    return all;
  }

  get(name: string): Promise<IConnectionInfo> {
    return this.call<IConnectionInfo>(connectionPath(name));
  }

  save(
    name: string,
    fields: Record<string, unknown>
  ): Promise<IConnectionInfo> {
    return this.call<IConnectionInfo>(
      connectionPath(name),
      json('PUT', fields)
    );
  }

  async delete(name: string): Promise<void> {
    await this.call(connectionPath(name), { method: 'DELETE' });
  }

  test(fields: Record<string, unknown>): Promise<ITestResult> {
    return this.call<ITestResult>('connection-test', json('POST', fields));
  }

  schema(name: string, refresh = false): Promise<IDescribed> {
    const query = refresh ? '?refresh=1' : '';
    return this.call<IDescribed>(`${connectionPath(name, 'schema')}${query}`);
  }

  async build(name: string, spec: Record<string, unknown>): Promise<string> {
    const path = connectionPath(name, 'build');
    return (await this.call<{ sql: string }>(path, json('POST', spec))).sql;
  }

  async format(name: string, sql: string, firstLine: number): Promise<string> {
    const path = connectionPath(name, 'format');
    const body = { sql, first_line: firstLine };
    return (await this.call<{ sql: string }>(path, json('POST', body))).sql;
  }

  dialects(): Promise<IDialects> {
    if (this.registry === null) {
      this.registry = this.call<{ dialects: IDialect[] }>('dialects').then(
        answer => {
          this.read = answer.dialects;
          return { dialects: answer.dialects, error: null };
        },
        error => {
          this.registry = null; // ask again next time
          return { dialects: [], error: dialectsError(error) };
        }
      );
    }
    return this.registry;
  }

  dialectOf(connection: string): IDialect | undefined {
    return findDialect(this.read, this.known.get(connection));
  }
}
