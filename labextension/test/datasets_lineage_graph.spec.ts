import {
  kindOf,
  LINEAGE_NODE_WIDTH,
  lineageDrawing,
  nodeAction,
  nodeName
} from '../src/datasets/lineage_model';
import { ILineage } from '../src/datasets/tokens';

import cases from './datasets_lineage.json';

// dagre uses structuredClone, which browsers and Node have and jest's jsdom lacks; it
// clones plain arrays and objects, which JSON copies as well.
if (typeof globalThis.structuredClone === 'undefined') {
  globalThis.structuredClone = (value: unknown) =>
    JSON.parse(JSON.stringify(value));
}

// Replies of the service's lineage() (tests/unit/test_datasets_lineage_fixture.py keeps
// them so).
const CASES = cases as unknown as Record<string, { lineage: ILineage }>;
const HISTORY = CASES.history.lineage;
const SAMPLE = CASES.sample.lineage;

const byId = (lineage: ILineage, id: string) => {
  const found = lineage.nodes.find(n => n.id === id);
  if (!found) {
    throw new Error(`no node ${id}`);
  }
  return found;
};

describe('the lineage drawing', () => {
  it('places every node of the reply, each edge between its nodes', () => {
    const drawing = lineageDrawing(HISTORY);
    expect(drawing.nodes.map(n => n.id).sort()).toEqual(
      HISTORY.nodes.map(n => n.id).sort()
    );
    expect(drawing.edges.map(e => [e.source, e.target, e.label])).toEqual(
      HISTORY.edges.map(e => [e.from, e.to, e.how])
    );
    expect(new Set(drawing.edges.map(e => e.id)).size).toBe(
      drawing.edges.length
    );
  });

  it('lays the graph out left to right along its edges', () => {
    const drawing = lineageDrawing(HISTORY);
    const x = (id: string) => drawing.nodes.find(n => n.id === id)!.position.x;
    const flow = 'flow:alice/reports/keep_sales.flow@1';
    const run = 'run:0f3c2a9e41d84b7f';
    const first = 'snapshot:alice/sales-history#1';
    const third = 'snapshot:alice/sales-history#3';
    expect(x(flow)).toBeLessThan(x(run));
    expect(x(run)).toBeLessThan(x(first));
    expect(x(first)).toBeLessThan(x(third));
    // no two nodes overlap
    const boxes = drawing.nodes.map(n => n.position);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart =
          Math.abs(a.x - b.x) >= LINEAGE_NODE_WIDTH ||
          Math.abs(a.y - b.y) >= 44;
        expect(apart).toBe(true);
      }
    }
  });

  it('leaves out an edge to a node the reply does not have', () => {
    const broken: ILineage = {
      nodes: HISTORY.nodes,
      edges: [
        ...HISTORY.edges,
        { from: 'run:gone', to: 'snapshot:x', how: 'wrote' }
      ]
    };
    expect(lineageDrawing(broken).edges).toHaveLength(HISTORY.edges.length);
  });

  it('draws each kind with its title, and a kind it does not know by its name', () => {
    const kinds = lineageDrawing(HISTORY).nodes.map(n => n.kind.title);
    expect(new Set(kinds)).toEqual(
      new Set(['Dataset', 'Snapshot', 'Flow version', 'Run', 'Notebook'])
    );
    expect(kindOf('model_version')).toEqual({
      title: 'Model version',
      className: 'jp-mod-other'
    });
    const withExperiment: ILineage = {
      nodes: [
        ...HISTORY.nodes,
        { id: 'experiment:7', kind: 'experiment', label: 'churn model' }
      ],
      edges: [
        ...HISTORY.edges,
        {
          from: 'snapshot:alice/sales-history#3',
          to: 'experiment:7',
          how: 'trained'
        }
      ]
    };
    const drawn = lineageDrawing(withExperiment);
    expect(drawn.nodes.find(n => n.id === 'experiment:7')?.kind.title).toBe(
      'Experiment'
    );
    expect(drawn.edges[drawn.edges.length - 1].label).toBe('trained');
    expect(
      nodeName(withExperiment.nodes[withExperiment.nodes.length - 1])
    ).toBe('Experiment churn model');
  });
});

describe('clicking a lineage node', () => {
  const click = (lineage: ILineage, id: string, dataset: string) =>
    nodeAction(lineage, byId(lineage, id), dataset);

  it('opens the flow a flow version names', () => {
    expect(
      click(HISTORY, 'flow:alice/reports/keep_sales.flow@1', 'sales-history')
    ).toEqual({ kind: 'open-file', path: 'reports/keep_sales.flow' });
  });

  it('opens a run with the flow that ran it', () => {
    expect(click(HISTORY, 'run:0f3c2a9e41d84b7f', 'sales-history')).toEqual({
      kind: 'open-run',
      run: '0f3c2a9e41d84b7f',
      flow: 'reports/keep_sales.flow'
    });
  });

  it('opens the notebook', () => {
    expect(
      click(HISTORY, 'notebook:alice/work/clean.ipynb', 'sales-history')
    ).toEqual({ kind: 'open-file', path: 'work/clean.ipynb' });
  });

  it("selects one of this dataset's snapshots, opens another's dataset", () => {
    expect(
      click(HISTORY, 'snapshot:alice/sales-history#2', 'sales-history')
    ).toEqual({ kind: 'select-snapshot', number: 2 });
    expect(click(SAMPLE, 'snapshot:sales-history#3', 'sales-sample')).toEqual({
      kind: 'open-dataset',
      name: 'sales-history'
    });
    expect(
      click(HISTORY, 'dataset:alice/sales-history', 'sales-history')
    ).toEqual({
      kind: 'none'
    });
  });
});
