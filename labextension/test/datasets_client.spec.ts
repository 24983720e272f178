import { DatasetsClient } from '../src/datasets/client';
import { GalileanRequestError, requestAPI } from '../src/request';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

/** The endpoint, method and JSON body of the `i`th call to the bridge. */
function call(i: number): [string, string, unknown] {
  const [endPoint, init] = request.mock.calls[i];
  const body =
    init?.body === undefined ? undefined : JSON.parse(String(init.body));
  return [endPoint ?? '', init?.method ?? 'GET', body];
}

describe('the datasets client', () => {
  beforeEach(() => {
    request.mockReset();
    request.mockResolvedValue({});
  });

  it('calls the bridge of this server for every operation', async () => {
    const client = new DatasetsClient();
    await client.list();
    await client.create({ name: 'photos', path: 'work/photos' });
    await client.get(3);
    await client.snapshots(3);
    await client.take(3, 'first');
    await client.diff(3, 2, 1);
    await client.restore(3, 1);
    await client.tag(3, 1, 'v1');
    expect([...Array(8).keys()].map(call)).toEqual([
      ['datasets/service/datasets', 'GET', undefined],
      [
        'datasets/service/datasets',
        'POST',
        { name: 'photos', path: 'work/photos' }
      ],
      ['datasets/service/datasets/3', 'GET', undefined],
      ['datasets/service/datasets/3/snapshots', 'GET', undefined],
      [
        'datasets/service/datasets/3/snapshots',
        'POST',
        { message: 'first', origin: {} }
      ],
      [
        'datasets/service/datasets/3/snapshots/2/diff?against=1',
        'GET',
        undefined
      ],
      ['datasets/service/datasets/3/snapshots/1/restore', 'POST', {}],
      ['datasets/service/datasets/3/snapshots/1/tags', 'POST', { tag: 'v1' }]
    ]);
  });

  it('samples, exports, reads the lineage, keeps and collects', async () => {
    const client = new DatasetsClient();
    const sample = {
      table: 'sales',
      snapshot: null,
      strategy: 'random',
      params: { fraction: 0.1, seed: 0 },
      into: 'sales-sample'
    };
    const exported = {
      table: 'sales',
      path: 'sales.csv',
      format: 'csv',
      snapshot: 2,
      overwrite: false
    };
    await client.sample(3, sample);
    await client.export(3, exported);
    await client.lineage(3);
    await client.retain(3, { keep_last: 2, older_than_days: null });
    await client.gc(3);
    expect([...Array(5).keys()].map(call)).toEqual([
      ['datasets/service/datasets/3/sample', 'POST', sample],
      ['datasets/service/datasets/3/export', 'POST', exported],
      ['datasets/service/datasets/3/lineage', 'GET', undefined],
      [
        'datasets/service/datasets/3/retention',
        'POST',
        { keep_last: 2, older_than_days: null }
      ],
      ['datasets/service/datasets/3/gc', 'POST', {}]
    ]);
  });

  it("passes the bridge's errors on as they are", async () => {
    const body = {
      ok: false as const,
      error: 'tag: taken',
      errors: [{ field: 'tag' }],
      status: 409
    };
    request.mockRejectedValueOnce(
      new GalileanRequestError('tag: taken', 409, body)
    );
    await expect(new DatasetsClient().tag(3, 1, 'v1')).rejects.toMatchObject({
      status: 409,
      body
    });
  });
});
