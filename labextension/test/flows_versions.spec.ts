import { GalileanRequestError } from '../src/request';
import { IServiceDiff } from '../src/flows/service_client';
import {
  contentAsFlow,
  diffDrawing,
  diffRows,
  edgeSummary,
  pickedPair,
  shown,
  togglePick
} from '../src/flows/versions_model';
import { fieldErrors } from '../src/flows/service_client';

/** What services/galilean_services/flows/diff.py answers for two versions. */
const DIFF: IServiceDiff = {
  from: 1,
  to: 2,
  nodes: {
    added: ['top'],
    removed: ['old'],
    changed: [
      {
        id: 'big_orders',
        params: { condition: { from: 'amount > 100', to: 'amount > 500' } },
        moved: true
      },
      {
        id: 'orders',
        kind: { from: 'read_csv', to: 'read_parquet' },
        params: { header: { from: true, to: null } },
        moved: false
      }
    ]
  },
  edges: { added: [{}], removed: [] },
  parameters: {
    added: ['limit'],
    removed: [],
    changed: [{ name: 'min', fields: { default: { from: 1, to: 2 } } }]
  },
  flow: { name: { from: 'a', to: 'b' } }
};

describe('the diff of two versions as rows', () => {
  it('lists nodes added, removed and changed with params before and after', () => {
    const rows = diffRows(DIFF);
    expect(rows.map(r => [r.change, r.what, r.id])).toEqual([
      ['added', 'node', 'top'],
      ['removed', 'node', 'old'],
      ['changed', 'node', 'big_orders'],
      ['changed', 'node', 'orders'],
      ['added', 'parameter', 'limit'],
      ['changed', 'parameter', 'min'],
      ['changed', 'flow', 'name']
    ]);
    expect(rows[2].fields).toEqual([
      { name: 'condition', from: 'amount > 100', to: 'amount > 500' },
      { name: 'position', from: 'moved', to: '' }
    ]);
    expect(rows[3].fields).toEqual([
      { name: 'kind', from: 'read_csv', to: 'read_parquet' },
      { name: 'header', from: 'true', to: '—' }
    ]);
    expect(rows[5].fields).toEqual([{ name: 'default', from: '1', to: '2' }]);
  });

  it('gives no rows for equal versions and counts edges apart', () => {
    const empty: IServiceDiff = {
      from: 1,
      to: 2,
      nodes: { added: [], removed: [], changed: [] },
      edges: { added: [], removed: [] },
      parameters: { added: [], removed: [], changed: [] },
      flow: {}
    };
    expect(diffRows(empty)).toEqual([]);
    expect(edgeSummary(empty)).toBe('');
    expect(edgeSummary(DIFF)).toBe('Edges: 1 added, 0 removed');
  });

  it('shows values as short text', () => {
    expect(shown(undefined)).toBe('—');
    expect(shown('x')).toBe('x');
    expect(shown({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('picking two versions', () => {
  it('keeps the last two ticked and orders them older first', () => {
    let picked = togglePick([], 3, true);
    picked = togglePick(picked, 5, true);
    expect(pickedPair(picked)).toEqual([3, 5]);
    picked = togglePick(picked, 1, true);
    expect(picked).toEqual([5, 1]);
    expect(pickedPair(picked)).toEqual([1, 5]);
    expect(pickedPair(togglePick(picked, 5, false))).toBeNull();
  });
});

describe("a restored version's content", () => {
  const flow = {
    galilean_flow: 1,
    name: 'f',
    description: '',
    parameters: [],
    nodes: [{ id: 'a', kind: 'read_csv', params: { path: 'x.csv' } }],
    edges: []
  };

  it('reads as a flow from its JSON or its text', () => {
    expect(contentAsFlow(flow).nodes[0].id).toBe('a');
    expect(contentAsFlow(JSON.stringify(flow)).nodes[0].params).toEqual({
      path: 'x.csv'
    });
  });
});

describe('errors per field', () => {
  it('puts each message under the field the service names', () => {
    const body = {
      ok: false as const,
      error: 'name: taken',
      errors: [{ field: 'name' }, { field: 'cron', message: 'bad cron' }],
      status: 400
    };
    const error = new GalileanRequestError('name: taken', 400, body);
    expect(fieldErrors(error)).toEqual({
      name: 'name: taken',
      cron: 'bad cron'
    });
    expect(fieldErrors(new Error('down'))).toEqual({ '': 'down' });
  });
});

describe('the diff drawn on a canvas', () => {
  const node = (id: string, params = {}) => ({ id, kind: 'k', params });
  const edge = (id: string, a: string, b: string) => ({
    id,
    from: { node: a, port: 'out' },
    to: { node: b, port: 'in' }
  });
  const base = { galilean_flow: 1, name: 'f', description: '', parameters: [] };
  const older = {
    ...base,
    nodes: [node('a'), node('gone'), node('f', { c: 1 })],
    edges: [edge('e1', 'a', 'gone'), edge('e2', 'a', 'f')]
  };
  const newer = {
    ...base,
    nodes: [node('a'), node('f', { c: 2 }), node('new')],
    edges: [edge('e2', 'a', 'f'), edge('e3', 'f', 'new')]
  };
  const diff: IServiceDiff = {
    from: 1,
    to: 2,
    nodes: {
      added: ['new'],
      removed: ['gone'],
      changed: [
        { id: 'f', params: { c: { from: 1, to: 2 } }, moved: false },
        { id: 'a', params: {}, moved: true }
      ]
    },
    edges: { added: [], removed: [] },
    parameters: { added: [], removed: [], changed: [] },
    flow: {}
  };

  it('puts removed nodes and their edges back and marks every change', () => {
    const { flow, decorations } = diffDrawing(older, newer, diff);
    expect(flow.nodes.map(n => n.id)).toEqual(['a', 'f', 'new', 'gone']);
    expect(flow.edges.map(e => [e.from.node, e.to.node])).toEqual([
      ['a', 'f'],
      ['f', 'new'],
      ['a', 'gone']
    ]);
    expect(new Set(flow.edges.map(e => e.id)).size).toBe(3);
    expect(decorations.get('new')).toEqual({
      status: 'diff-added',
      badge: 'added'
    });
    expect(decorations.get('gone')?.status).toBe('diff-removed');
    expect(decorations.get('f')).toEqual({
      status: 'diff-changed',
      badge: 'changed',
      message: 'c: 1 → 2'
    });
    expect(decorations.get('a')?.status).toBe('diff-moved');
  });
});
