import { ConnectionsClient, connectionPath } from '../src/connections/client';
import {
  absolutePath,
  connectionForm,
  formBody,
  pathHint
} from '../src/connections/connectionform';
import { IConnections, IDialects } from '../src/connections/tokens';
import { IDialect } from '../src/dialects';
import { GalileanRequestError, requestAPI } from '../src/request';
import registry from './dialects.json';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));

const dialects = registry.dialects as IDialect[];
const request = requestAPI as jest.MockedFunction<typeof requestAPI>;
const LISTING = {
  builtin: [{ name: 'duckdb', dialect: 'duckdb' }],
  connections: [{ name: 'shop', dialect: 'mysql' }],
  home: '/home/ann'
};

/** Answer like the server: the listing, the registry (or a 404), or echo. */
function serve(withDialects: boolean): void {
  request.mockReset();
  request.mockImplementation(async (endPoint = '') => {
    if (endPoint === 'connections') {
      return LISTING;
    }
    if (endPoint === 'dialects') {
      if (!withDialects) {
        throw new GalileanRequestError('404 Not Found', 404, null);
      }
      return registry;
    }
    return { sql: `sql of ${endPoint}` };
  });
}

describe('the connections client', () => {
  it('builds every connection URL', async () => {
    expect(connectionPath('my shop', 'schema')).toBe(
      'connections/my%20shop/schema'
    );
    serve(true);
    const client = new ConnectionsClient();
    expect(await client.build('shop', {})).toBe(
      'sql of connections/shop/build'
    );
    await client.schema('shop', true);
    expect(request).toHaveBeenLastCalledWith(
      'connections/shop/schema?refresh=1',
      {},
      { kind: 'server' }
    );
    await client.format('shop', 'select 1', 2);
    const [, init] = request.mock.calls[request.mock.calls.length - 1];
    expect(JSON.parse(String(init?.body))).toEqual({
      sql: 'select 1',
      first_line: 2
    });
  });

  it('knows the dialect of each listed connection', async () => {
    serve(true);
    const client = new ConnectionsClient();
    expect(client.dialectOf('shop')).toBeUndefined();
    const names = (await client.list()).map(c => c.name);
    expect(names).toEqual(['duckdb', 'shop']);
    expect(client.dialectOf('shop')?.identifier_quote).toBe('`');
    expect(client.dialectOf('duckdb')?.file).toBe(true);
    expect(request.mock.calls.filter(([e]) => e === 'dialects')).toHaveLength(
      1
    );
    await client.dialects();
    expect(request.mock.calls.filter(([e]) => e === 'dialects')).toHaveLength(
      1
    );
  });

  it('falls back to no dialects, with the reason, when the server has none', async () => {
    serve(false);
    const client = new ConnectionsClient();
    const answer = await client.dialects();
    expect(answer.dialects).toEqual([]);
    expect(answer.error).toContain('did not list its SQL dialects: 404');
    expect((await client.list()).length).toBe(2);
    expect(client.dialectOf('shop')).toBeUndefined();
  });
});

describe('the connection form', () => {
  it('shows paths against the home', () => {
    expect(absolutePath('data/../x.db', '/home/ann')).toBe('/home/ann/x.db');
    expect(absolutePath('~/a.db', '/home/ann')).toBe('/home/ann/a.db');
    expect(absolutePath('/srv/a.db', '/home/ann')).toBe('/srv/a.db');
    expect(absolutePath(':memory:', '/home/ann')).toBe(':memory:');
    expect(pathHint('', '/home/ann')).toBe(
      'A path in your home folder (/home/ann), e.g. data/sales.db'
    );
  });

  it('sends the visible fields only, keeping a stored password', () => {
    const values = {
      name: 'w',
      host: 'db',
      port: '6543',
      database: '',
      user: 'ann',
      password: ''
    };
    expect(formBody('postgresql', values, false, true)).toEqual({
      dialect: 'postgresql',
      host: 'db',
      port: 6543,
      database: null,
      user: 'ann'
    });
    expect(
      formBody('sqlite', { ...values, database: 'a.db' }, true, false)
    ).toEqual({
      dialect: 'sqlite',
      database: 'a.db'
    });
  });

  function form(answer: IDialects, dialect?: string): HTMLElement {
    serve(true);
    const client = new ConnectionsClient() as IConnections;
    const existing = dialect
      ? {
          name: 'shop',
          dialect,
          read_only: false,
          host: 'db',
          port: null,
          database: 'shop',
          user: null,
          has_password: true
        }
      : null;
    return connectionForm(client, answer, existing, () => undefined);
  }

  it("offers the registry's dialects and hides server fields for files", () => {
    const node = form({ dialects, error: null });
    const select = node.querySelector<HTMLSelectElement>(
      'select[name=dialect]'
    )!;
    expect(Array.from(select.options).map(o => o.value)).toEqual([
      'postgresql',
      'mariadb',
      'mysql',
      'sqlite',
      'duckdb'
    ]);
    expect(select.value).toBe('postgresql');
    expect(node.dataset.kind).toBe('server');
    select.value = 'sqlite';
    select.dispatchEvent(new Event('change'));
    expect(node.dataset.kind).toBe('file');
    const host = node.querySelector('input[name=host]')!.parentElement!;
    expect(host.hidden).toBe(true);
  });

  it('shows a mysql connection as mariadb, with its password unchanged', () => {
    const node = form({ dialects, error: null }, 'mysql');
    const select = node.querySelector<HTMLSelectElement>(
      'select[name=dialect]'
    )!;
    expect(select.value).toBe('mariadb');
    const password = node.querySelector<HTMLInputElement>(
      'input[name=password]'
    )!;
    expect(password.placeholder).toBe('(unchanged)');
  });

  it('says why there is no dialect to choose', () => {
    const node = form({ dialects: [], error: 'no dialects' });
    const status = node.querySelector('.galilean-ConnectionForm-status')!;
    expect(status.textContent).toBe('✗ no dialects');
  });
});
