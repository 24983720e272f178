import { FlowsRunsClient, ITimers, RunPoller } from '../src/flows/runs_client';
import {
  durationText,
  historyRows,
  IRun,
  neededNodes,
  pageOf,
  rowsText,
  runDecorations
} from '../src/flows/runs_model';
import { IFlow } from '../src/flows/model';
import { requestAPI } from '../src/request';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

const edge = (from: string, to: string, port = 'in') => ({
  id: `${from}-${to}`,
  from: { node: from, port: 'out' },
  to: { node: to, port }
});

/** orders → big → per_region → show, and a side branch orders → other. */
const flow: IFlow = {
  galilean_flow: 1,
  name: 'f',
  description: '',
  parameters: [],
  nodes: ['orders', 'big', 'per_region', 'show', 'other'].map(id => ({
    id,
    kind: 'filter',
    params: {}
  })),
  edges: [
    edge('orders', 'big'),
    edge('big', 'per_region'),
    edge('per_region', 'show'),
    edge('orders', 'other')
  ]
};

function run(fields: Partial<IRun> = {}): IRun {
  return {
    id: 'r1',
    flow_id: 1,
    version: 2,
    caller: 'ada',
    status: 'running',
    created: 1000,
    started: 1000.5,
    ended: null,
    nodes: {},
    error: null,
    ...fields
  };
}

describe('a run on the canvas', () => {
  it('shows every needed node running while the run is queued or running', () => {
    const shown = runDecorations(run({ status: 'queued' }), flow, ['big']);
    expect([...shown.keys()].sort()).toEqual(['big', 'orders']);
    expect(shown.get('big')?.status).toBe('running');
    expect(neededNodes(flow).size).toBe(5);
  });

  it('shows rows when done, reused nodes apart, and pins the error on its node', () => {
    const failed = run({
      status: 'failed',
      ended: 1002,
      nodes: {
        orders: { rows_out: 1234, reused: true },
        big: { rows_in: 1234, rows_out: 1 }
      },
      error: { node: 'per_region', message: "column 'x' does not exist" }
    });
    const shown = runDecorations(failed, flow);
    expect(shown.get('orders')).toEqual({
      status: 'reused',
      badge: '1,234 rows',
      message: 'reused from the cache'
    });
    expect(shown.get('big')).toEqual({ status: 'done', badge: '1 row' });
    expect(shown.get('per_region')).toEqual({
      status: 'failed',
      badge: 'failed',
      message: "column 'x' does not exist"
    });
    // Nodes the failed run never reached show nothing.
    expect(shown.has('show')).toBe(false);
  });
});

describe('the run history', () => {
  it('lists runs newest first with who, when, version, duration and rows', () => {
    const rows = historyRows([
      run({
        id: 'old',
        status: 'succeeded',
        created: 10,
        started: 10,
        ended: 10.25,
        nodes: { a: { rows_out: 5 } }
      }),
      run({ id: 'new', created: 20, started: null, engine: 'polars' })
    ]);
    expect(rows.map(r => r.id)).toEqual(['new', 'old']);
    expect(rows[0]).toMatchObject({
      duration: '',
      rows: '',
      engine: 'polars',
      status: 'running'
    });
    expect(rows[1]).toMatchObject({
      who: 'ada',
      version: 'v2',
      duration: '0.25 s',
      rows: '5 rows',
      status: 'succeeded'
    });
    expect(rows[1].when).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('writes durations and counts for people', () => {
    expect(durationText(42.4)).toBe('42 s');
    expect(durationText(185)).toBe('3 min 05 s');
    expect(rowsText(1234567)).toBe('1,234,567 rows');
  });
});

describe('paging', () => {
  const items = Array.from({ length: 60 }, (_, i) => i);

  it('cuts the rows into pages and keeps the page within them', () => {
    expect(pageOf(items, 1, 25)).toMatchObject({
      page: 1,
      pages: 3,
      first: 26,
      last: 50
    });
    expect(pageOf(items, 9, 25)).toMatchObject({
      page: 2,
      first: 51,
      last: 60
    });
    expect(pageOf(items, 2, 25).items).toHaveLength(10);
    expect(pageOf([], 0, 25)).toMatchObject({
      page: 0,
      pages: 1,
      first: 0,
      last: 0
    });
  });
});

/** Timers the test fires by hand. */
class HandTimers implements ITimers {
  pending: (() => void)[] = [];
  cleared = 0;
  set(fn: () => void): unknown {
    this.pending.push(fn);
    return fn;
  }
  clear(): void {
    this.cleared++;
    this.pending = [];
  }
  fire(): void {
    const due = this.pending;
    this.pending = [];
    due.forEach(fn => fn());
  }
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('following a run', () => {
  it('polls until the run finishes, reporting each state', async () => {
    const states = [
      run({ status: 'running' }),
      run({ status: 'succeeded', ended: 1001 })
    ];
    const client = {
      run: jest.fn(() => Promise.resolve(states.shift() as IRun))
    };
    const seen: string[] = [];
    const timers = new HandTimers();
    const poller = new RunPoller(
      client,
      r => seen.push(r.status),
      fail,
      500,
      timers
    );
    poller.follow(run({ status: 'queued' }));
    expect(seen).toEqual(['queued']);
    timers.fire();
    await flush();
    timers.fire();
    await flush();
    expect(seen).toEqual(['queued', 'running', 'succeeded']);
    expect(timers.pending).toHaveLength(0);
    expect(client.run).toHaveBeenCalledWith('r1');
  });

  it('stops when disposed (the widget closed) and reports nothing after', async () => {
    const client = { run: jest.fn(() => Promise.resolve(run())) };
    const seen: string[] = [];
    const timers = new HandTimers();
    const poller = new RunPoller(
      client,
      r => seen.push(r.status),
      fail,
      500,
      timers
    );
    poller.follow(run());
    timers.fire();
    poller.dispose();
    await flush();
    expect(seen).toEqual(['running']);
    expect(timers.pending).toHaveLength(0);
  });

  it('reports a failed read once and stops', async () => {
    const client = { run: jest.fn(() => Promise.reject(new Error('gone'))) };
    const errors: unknown[] = [];
    const timers = new HandTimers();
    const poller = new RunPoller(
      client,
      () => undefined,
      e => errors.push(e),
      500,
      timers
    );
    poller.follow(run());
    timers.fire();
    await flush();
    expect(errors).toHaveLength(1);
    expect(timers.pending).toHaveLength(0);
  });
});

function fail(reason: unknown): void {
  throw reason;
}

describe('the bridge client', () => {
  beforeEach(() => request.mockReset());

  it('calls the bridge URLs of the contract', async () => {
    request.mockResolvedValue({});
    const client = new FlowsRunsClient();
    await client.linked('work/a b.flow');
    await client.start({ path: 'a.flow', content: flow, targets: ['big'] });
    await client.run('r1');
    await client.cancel('r1');
    const calls = request.mock.calls.map(c => [c[0], c[1]?.method ?? 'GET']);
    expect(calls).toEqual([
      ['flows/service/flow?path=work%2Fa%20b.flow', 'GET'],
      ['flows/service/run', 'POST'],
      ['flows/service/runs/r1', 'GET'],
      ['flows/service/runs/r1/cancel', 'POST']
    ]);
    expect(JSON.parse(request.mock.calls[1][1]?.body as string)).toMatchObject({
      path: 'a.flow',
      targets: ['big']
    });
  });
});
