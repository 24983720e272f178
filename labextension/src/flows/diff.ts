/**
 * The difference between two flows, as the designer draws it: nodes added, removed and
 * changed (which of kind, params, position; which param keys), edges added and removed
 * (matched by what they connect, not by id), and the flow's own fields that changed.
 */
import { IFlow, IFlowEdge, IFlowNode } from './model';

export interface INodeChange {
  id: string;
  /** Which of the node's fields differ. */
  fields: ('kind' | 'params' | 'position')[];
  /** The params keys whose values differ (added, removed or changed). */
  params: string[];
}

export interface IFlowDiff {
  added: string[];
  removed: string[];
  changed: INodeChange[];
  edgesAdded: IFlowEdge[];
  edgesRemoved: IFlowEdge[];
  /** Flow-level fields that differ: name, description, parameters. */
  flow: ('name' | 'description' | 'parameters')[];
}

/** JSON with object keys sorted: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map(k => [k, o[k]])
      );
    }
    return v;
  });
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

function paramChanges(a: IFlowNode, b: IFlowNode): string[] {
  const keys = new Set([...Object.keys(a.params), ...Object.keys(b.params)]);
  return [...keys].filter(k => !same(a.params[k], b.params[k])).sort();
}

function nodeChange(a: IFlowNode, b: IFlowNode): INodeChange | null {
  const params = paramChanges(a, b);
  const fields: INodeChange['fields'] = [];
  if (a.kind !== b.kind) {
    fields.push('kind');
  }
  if (params.length > 0) {
    fields.push('params');
  }
  if (!same(a.position ?? null, b.position ?? null)) {
    fields.push('position');
  }
  return fields.length > 0 ? { id: a.id, fields, params } : null;
}

const edgeKey = (e: IFlowEdge) =>
  canonical([e.from.node, e.from.port, e.to.node, e.to.port]);

function edgesOnlyIn(a: IFlow, b: IFlow): IFlowEdge[] {
  const inB = new Set(b.edges.map(edgeKey));
  return a.edges.filter(e => !inB.has(edgeKey(e)));
}

/** What changed from `before` to `after`. */
export function diffFlows(before: IFlow, after: IFlow): IFlowDiff {
  const old = new Map(before.nodes.map(n => [n.id, n]));
  const now = new Map(after.nodes.map(n => [n.id, n]));
  const changed: INodeChange[] = [];
  for (const [id, node] of now) {
    const was = old.get(id);
    const change = was ? nodeChange(was, node) : null;
    if (change) {
      changed.push(change);
    }
  }
  const flow: IFlowDiff['flow'] = [];
  for (const field of ['name', 'description', 'parameters'] as const) {
    if (!same(before[field], after[field])) {
      flow.push(field);
    }
  }
  return {
    added: after.nodes.filter(n => !old.has(n.id)).map(n => n.id),
    removed: before.nodes.filter(n => !now.has(n.id)).map(n => n.id),
    changed,
    edgesAdded: edgesOnlyIn(after, before),
    edgesRemoved: edgesOnlyIn(before, after),
    flow
  };
}

/** Whether the diff finds nothing. */
export function isEmptyDiff(diff: IFlowDiff): boolean {
  return (
    diff.added.length +
      diff.removed.length +
      diff.changed.length +
      diff.edgesAdded.length +
      diff.edgesRemoved.length +
      diff.flow.length ===
    0
  );
}
