import { ServerConnection } from '@jupyterlab/services';

import { FlowServiceClient } from '../src/flows/service_client';
import { scheduleBody, whenText } from '../src/flows/service_views';

describe('the schedule form', () => {
  it('gives the PUT body, cron trimmed, the latest version', () => {
    expect(scheduleBody(' 0 6 * * * ', 'skip', false)).toEqual({
      cron: '0 6 * * *',
      missed: 'skip',
      enabled: false,
      version: null
    });
  });

  it('shows times, or a dash when there is none', () => {
    expect(whenText(null)).toBe('—');
    expect(whenText(0)).toBe(new Date(0).toLocaleString());
  });
});

describe("the bridge client's calls", () => {
  const calls: { url: string; init: RequestInit }[] = [];
  beforeEach(() => {
    calls.length = 0;
    jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockImplementation(async (url, init) => {
        calls.push({ url, init });
        return new Response('{}', { status: 200 });
      });
  });
  afterEach(() => jest.restoreAllMocks());

  it('builds every URL under /galilean/flows/service/', async () => {
    const client = new FlowServiceClient();
    const path = 'a b/f.flow';
    await client.state(path);
    await client.diff(path, 3, 1);
    await client.restore(path, 2);
    await client.schedule(path, scheduleBody('0 6 * * *', 'once', true));
    await client.schedulePreview('0 6 * * *');
    await client.publish(path, { name: 'x', public: false, version: 2 });
    await client.unpublish(path);
    await client.unschedule(path);
    const seen = calls.map(c => [
      c.init.method ?? 'GET',
      c.url.replace(/^.*\/galilean\//, '')
    ]);
    expect(seen).toEqual([
      ['GET', 'flows/service/flow?path=a%20b%2Ff.flow'],
      ['GET', 'flows/service/versions/3/diff?path=a%20b%2Ff.flow&against=1'],
      ['POST', 'flows/service/versions/2/restore?path=a%20b%2Ff.flow'],
      ['PUT', 'flows/service/schedule?path=a%20b%2Ff.flow'],
      ['POST', 'flows/service/schedule-preview'],
      ['PUT', 'flows/service/endpoint?path=a%20b%2Ff.flow'],
      ['DELETE', 'flows/service/endpoint?path=a%20b%2Ff.flow'],
      ['DELETE', 'flows/service/schedule?path=a%20b%2Ff.flow']
    ]);
    expect(calls[6].init.body).toBeUndefined();
    expect(JSON.parse(calls[3].init.body as string)).toEqual({
      cron: '0 6 * * *',
      missed: 'once',
      enabled: true,
      version: null
    });
  });
});
