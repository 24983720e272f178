import { IFlow } from '../src/flows/model';
import {
  callRows,
  curlExample,
  endpointBody,
  endpointNameProblem,
  endpointUrl,
  otherErrors,
  publishedVersion,
  sharedDefaults,
  suggestedName,
  unpublishQuestion,
  versionChoice,
  whenText,
  withShared
} from '../src/flows/service_views';
import { IEndpoint } from '../src/flows/service_client';

const FLOW: IFlow = {
  galilean_flow: 1,
  name: 'f',
  description: '',
  parameters: [
    { name: 'min', type: 'number', default: 100, description: '' },
    {
      name: 'region',
      type: 'string',
      default: 'EU',
      description: '',
      shared: true
    }
  ],
  nodes: [],
  edges: []
};

describe('the endpoint name', () => {
  it('follows the service rule', () => {
    expect(endpointNameProblem('sales-by_region2')).toBeNull();
    expect(endpointNameProblem('')).toBe('A name is required.');
    expect(endpointNameProblem('Sales')).toContain('Lower-case');
    expect(endpointNameProblem('-x')).toContain('Lower-case');
    expect(endpointNameProblem('a'.repeat(65))).toContain('Lower-case');
  });

  it('is suggested from the file name', () => {
    expect(suggestedName('reports/Sales by Region.flow')).toBe(
      'sales-by-region'
    );
    expect(suggestedName('!!.flow')).toBe('flow');
    expect(endpointNameProblem(suggestedName('a/B c_d.flow'))).toBeNull();
  });
});

describe('the URL and the curl example', () => {
  it('makes the service URL absolute', () => {
    const origin = 'https://hub.example';
    expect(endpointUrl('/services/flows/', 'sales', origin)).toBe(
      'https://hub.example/services/flows/execute/sales'
    );
    expect(endpointUrl('http://other/services/flows', 'a', origin)).toBe(
      'http://other/services/flows/execute/a'
    );
  });

  it('has a token placeholder for a private endpoint, never a token', () => {
    const curl = curlExample('https://h/x', false, { region: 'EU', min: 5 });
    expect(curl).toBe(
      "curl -H 'Authorization: token <token>' 'https://h/x?region=EU&min=5'"
    );
  });

  it('has no header for a public endpoint, and quotes for the shell', () => {
    expect(curlExample('https://h/x', true, {})).toBe("curl 'https://h/x'");
    expect(curlExample("https://h/it's", true, {})).toBe(
      "curl 'https://h/it'\\''s'"
    );
    expect(curlExample('https://h/x', true, { q: 'a b&c' })).toBe(
      "curl 'https://h/x?q=a%20b%26c'"
    );
  });
});

describe('settable parameters and the PUT body', () => {
  it('marks exactly the ticked parameters shared', () => {
    const flow = withShared(FLOW, new Set(['min']));
    expect(flow.parameters.map(p => p.shared)).toEqual([true, undefined]);
    expect('shared' in flow.parameters[1]).toBe(false);
    expect(sharedDefaults(flow)).toEqual({ min: 100 });
    expect(sharedDefaults(FLOW)).toEqual({ region: 'EU' });
  });

  it('gives the service its body', () => {
    expect(endpointBody(' sales ', true, 3)).toEqual({
      name: 'sales',
      public: true,
      version: 3
    });
  });

  it('lists errors of fields shown nowhere else', () => {
    const errors = { name: 'name: taken', version: 'no version 9', '': 'x' };
    expect(otherErrors(errors, ['name'])).toBe('version: no version 9; x');
    expect(otherErrors({ name: 'n' }, ['name'])).toBe('');
  });
});

describe('which version the endpoint serves', () => {
  const endpoint = (version: number | null): IEndpoint => ({
    name: 'sales',
    flow_id: 1,
    version,
    public: false,
    created: 0
  });

  it('pins the version saved now, or follows the latest (null)', () => {
    expect(publishedVersion('saved', 4)).toBe(4);
    expect(publishedVersion('latest', 4)).toBeNull();
    expect(endpointBody('sales', false, publishedVersion('latest', 4))).toEqual(
      { name: 'sales', public: false, version: null }
    );
  });

  it('reads the choice back from the endpoint', () => {
    expect(versionChoice(null)).toBe('saved');
    expect(versionChoice(endpoint(3))).toBe('saved');
    expect(versionChoice(endpoint(null))).toBe('latest');
  });
});

describe('the recent calls', () => {
  it('are rows of time, who, status and milliseconds, in the order given', () => {
    const rows = callRows([
      { at: 20, caller: 'public', status: 422, ms: 3.25, endpoint: 's' },
      { at: 10, caller: 'alice', status: 200, ms: 41.6, endpoint: 's' }
    ]);
    expect(rows.map(r => [r.when, r.who, r.status, r.ms, r.failed])).toEqual([
      [whenText(20), 'public (no token)', '422', '3.3 ms', true],
      [whenText(10), 'alice', '200', '42 ms', false]
    ]);
    expect(new Set(rows.map(r => r.key)).size).toBe(2);
  });

  it('are none before the first call', () => {
    expect(callRows(undefined)).toEqual([]);
    expect(callRows([])).toEqual([]);
  });

  it('unpublishing asks first, naming the endpoint and what follows', () => {
    const question = unpublishQuestion('sales');
    expect(question).toContain('"sales"');
    expect(question).toContain('404');
  });
});
