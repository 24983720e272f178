import { canvasNodes, nodeClass } from '../src/flows/canvas';
import { cellText, previewSummary } from '../src/flows/preview';
import { IFlow } from '../src/flows/model';
import { IPreview } from '../src/flows/tokens';

const preview: IPreview = {
  node: 'per_region',
  columns: [{ name: 'region', type: 'string' }],
  rows: [['north']],
  rows_shown: 1234,
  elapsed_ms: 12.4,
  reused: ['orders', 'big_orders'],
  engine: 'duckdb'
};

describe('the preview', () => {
  it('says how many rows in how long, the engine, and what was reused', () => {
    expect(previewSummary(preview)).toBe(
      '1,234 rows in 12 ms · duckdb · reused: orders, big_orders'
    );
    expect(previewSummary({ ...preview, reused: [], rows_shown: 1 })).toBe(
      '1 row in 12 ms · duckdb'
    );
  });

  it('writes cells as text', () => {
    expect(cellText(null)).toBe('null');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText(3.5)).toBe('3.5');
  });
});

describe('decorations on the canvas', () => {
  it('puts a decoration on its node, as a status class, badge and message', () => {
    const flow: IFlow = {
      galilean_flow: 1,
      name: 'f',
      description: '',
      parameters: [],
      nodes: [{ id: 'a', kind: 'filter', params: {} }],
      edges: []
    };
    const decorations = new Map([['a', { status: 'done', badge: '3 rows' }]]);
    const [node] = canvasNodes(
      flow,
      new Map(),
      new Map(),
      new Set(),
      decorations
    );
    expect(node.data.decoration).toEqual({ status: 'done', badge: '3 rows' });
    expect(nodeClass(node.data)).toBe('jp-GalileanFlow-node jp-mod-flow-done');
    const [plain] = canvasNodes(flow, new Map(), new Map(), new Set());
    expect(nodeClass(plain.data)).toBe('jp-GalileanFlow-node');
  });
});
