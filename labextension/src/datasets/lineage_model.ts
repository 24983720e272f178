/**
 * A dataset's lineage (GET …/lineage, datasets/lineage.py) as a drawing: each node placed
 * by dagre (left to right along its edges), its kind's title and look from `NODE_KINDS`
 * (a kind not listed gets the generic look: node kinds are data; an MLflow run trained on
 * a snapshot is `experiment_run`),
 * and what clicking a node does. No React here, so jest tests it directly.
 */
import dagre from '@dagrejs/dagre';

import { ILineage, ILineageNode } from './tokens';

export const LINEAGE_NODE_WIDTH = 170;
export const LINEAGE_NODE_HEIGHT = 44;

/** How a kind of node is drawn: its title (shown and read out) and a CSS modifier. */
export interface INodeKind {
  title: string;
  className: string;
}

export const NODE_KINDS: Record<string, INodeKind> = {
  dataset: { title: 'Dataset', className: 'jp-mod-dataset' },
  snapshot: { title: 'Snapshot', className: 'jp-mod-snapshot' },
  flow_version: { title: 'Flow version', className: 'jp-mod-flow' },
  run: { title: 'Run', className: 'jp-mod-run' },
  notebook: { title: 'Notebook', className: 'jp-mod-notebook' },
  experiment: { title: 'Experiment', className: 'jp-mod-experiment' },
  experiment_run: { title: 'Experiment run', className: 'jp-mod-experiment' }
};

/** A kind's look; an unknown kind is titled after its name ("model_version" → "Model version"). */
export function kindOf(kind: string): INodeKind {
  const known = NODE_KINDS[kind];
  if (known) {
    return known;
  }
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return {
    title: words.charAt(0).toUpperCase() + words.slice(1),
    className: 'jp-mod-other'
  };
}

/** One node placed: its top-left corner, its lineage facts, its kind's look. */
export interface IPlacedNode {
  id: string;
  position: { x: number; y: number };
  node: ILineageNode;
  kind: INodeKind;
}

export interface IPlacedEdge {
  id: string;
  source: string;
  target: string;
  label: string;
}

export interface ILineageDrawing {
  nodes: IPlacedNode[];
  edges: IPlacedEdge[];
}

/** The lineage placed left to right; edges to unknown nodes are left out. */
export function lineageDrawing(lineage: ILineage): ILineageDrawing {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 20, ranksep: 60 });
  graph.setDefaultEdgeLabel(() => ({}));
  const known = new Set(lineage.nodes.map(n => n.id));
  lineage.nodes.forEach(n =>
    graph.setNode(n.id, {
      width: LINEAGE_NODE_WIDTH,
      height: LINEAGE_NODE_HEIGHT
    })
  );
  const edges = lineage.edges.filter(e => known.has(e.from) && known.has(e.to));
  edges.forEach(e => graph.setEdge(e.from, e.to));
  dagre.layout(graph);
  return {
    nodes: lineage.nodes.map(n => {
      const at = graph.node(n.id);
      return {
        id: n.id,
        position: {
          x: at.x - LINEAGE_NODE_WIDTH / 2,
          y: at.y - LINEAGE_NODE_HEIGHT / 2
        },
        node: n,
        kind: kindOf(n.kind)
      };
    }),
    edges: edges.map(e => ({
      id: `${e.from}->${e.to}:${e.how}`,
      source: e.from,
      target: e.to,
      label: e.how
    }))
  };
}

/** What clicking a node does. */
export type NodeAction =
  | { kind: 'open-file'; path: string }
  | { kind: 'open-run'; run: string; flow: string }
  | { kind: 'select-snapshot'; number: number }
  | { kind: 'open-dataset'; name: string }
  | { kind: 'open-mlflow'; url: string }
  | { kind: 'none' };

/** An MLflow UI link the service gave, kept only when it is a path on this host. */
function mlflowLink(node: ILineageNode): string {
  const link = node.link;
  return typeof link === 'string' &&
    link.startsWith('/') &&
    !link.startsWith('//')
    ? link
    : '';
}

/** The flow a run node ran: the flow version with a `ran` edge to it. */
function flowOfRun(lineage: ILineage, runId: string): string {
  const edge = lineage.edges.find(e => e.to === runId && e.how === 'ran');
  const version = lineage.nodes.find(n => n.id === edge?.from);
  return typeof version?.flow === 'string' ? version.flow : '';
}

/** Notebook node ids are "notebook:<owner>/<path>", the path relative to the owner's folder. */
function notebookPath(node: ILineageNode): string {
  return node.label;
}

/**
 * What clicking `node` of `lineage` (the lineage of dataset `datasetName`) does: a flow
 * version opens its .flow file, a run its run (or its flow), a notebook the notebook, a
 * snapshot of this dataset is selected in the timeline, one of another dataset (a sample's
 * source) opens that dataset, an experiment run its run in the MLflow UI.
 */
export function nodeAction(
  lineage: ILineage,
  node: ILineageNode,
  datasetName: string
): NodeAction {
  switch (node.kind) {
    case 'flow_version':
      return typeof node.flow === 'string' && node.flow
        ? { kind: 'open-file', path: node.flow }
        : { kind: 'none' };
    case 'run':
      return {
        kind: 'open-run',
        run: node.id.replace(/^run:/, ''),
        flow: flowOfRun(lineage, node.id)
      };
    case 'notebook':
      return { kind: 'open-file', path: notebookPath(node) };
    case 'snapshot':
      if (typeof node.dataset === 'string' && node.dataset !== datasetName) {
        return { kind: 'open-dataset', name: node.dataset };
      }
      return typeof node.number === 'number'
        ? { kind: 'select-snapshot', number: node.number }
        : { kind: 'none' };
    case 'experiment_run': {
      const url = mlflowLink(node);
      return url ? { kind: 'open-mlflow', url } : { kind: 'none' };
    }
    default:
      return { kind: 'none' };
  }
}

/** A node's accessible name: "<kind title> <label>", e.g. "Flow version keep.flow v1". */
export function nodeName(node: ILineageNode): string {
  return `${kindOf(node.kind).title} ${node.label}`;
}
