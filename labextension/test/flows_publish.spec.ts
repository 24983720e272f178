import { IFlow } from '../src/flows/model';
import {
  curlExample,
  endpointBody,
  endpointNameProblem,
  endpointUrl,
  otherErrors,
  sharedDefaults,
  suggestedName,
  withShared
} from '../src/flows/service_views';

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
