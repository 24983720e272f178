import {
  kindOf,
  LINEAGE_NODE_WIDTH,
  lineageDrawing,
  nodeAction,
  nodeName
} from '../src/datasets/lineage_model';
import { ILineage, ILineageNode } from '../src/datasets/tokens';

import cases from './datasets_lineage_experiments.json';

// dagre uses structuredClone, which jest's jsdom lacks (see datasets_lineage_graph.spec.ts).
if (typeof globalThis.structuredClone === 'undefined') {
  globalThis.structuredClone = (value: unknown) =>
    JSON.parse(JSON.stringify(value));
}

// The service's lineage() of a dataset with MLflow runs trained on its snapshots
// (tests/unit/test_datasets_lineage_experiments.py keeps it so).
const LINEAGE = (cases as unknown as Record<string, { lineage: ILineage }>)
  .experiments.lineage;
const BASELINE = 'experiment_run:21a45d6c8aae400eabbf87bb15ce6ed9';
const UNNAMED = 'experiment_run:cbda1419cefa4950beb0e8b00f642730';

const byId = (id: string): ILineageNode => {
  const found = LINEAGE.nodes.find(n => n.id === id);
  if (!found) {
    throw new Error(`no node ${id}`);
  }
  return found;
};

describe('MLflow runs in the lineage', () => {
  it('are drawn as experiment runs, named by their run name or id', () => {
    expect(kindOf('experiment_run')).toEqual({
      title: 'Experiment run',
      className: 'jp-mod-experiment'
    });
    expect(nodeName(byId(BASELINE))).toBe('Experiment run churn-baseline');
    expect(nodeName(byId(UNNAMED))).toBe('Experiment run run cbda1419');
  });

  it('stand right of the snapshot they trained on', () => {
    const drawing = lineageDrawing(LINEAGE);
    const x = (id: string) => drawing.nodes.find(n => n.id === id)!.position.x;
    expect(x(BASELINE)).toBeGreaterThanOrEqual(
      x('snapshot:alice/churn#1') + LINEAGE_NODE_WIDTH
    );
    expect(x(UNNAMED)).toBeGreaterThan(x('snapshot:alice/churn#2'));
    const trained = drawing.edges.filter(e => e.label === 'trained');
    expect(trained.map(e => e.target).sort()).toEqual(
      LINEAGE.nodes
        .filter(n => n.kind === 'experiment_run')
        .map(n => n.id)
        .sort()
    );
  });

  it('open their run in the MLflow UI when clicked', () => {
    expect(nodeAction(LINEAGE, byId(BASELINE), 'churn')).toEqual({
      kind: 'open-mlflow',
      url: '/services/mlflow/#/experiments/1/runs/21a45d6c8aae400eabbf87bb15ce6ed9'
    });
  });

  it('open nothing for a link that is not a path on this host', () => {
    for (const link of ['https://evil.example/x', '//evil.example/x', 3, '']) {
      const node = { ...byId(BASELINE), link };
      expect(nodeAction(LINEAGE, node, 'churn')).toEqual({ kind: 'none' });
    }
  });
});
