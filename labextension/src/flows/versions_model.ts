/**
 * The pure logic of the versions panel: the service's diff of two versions as rows to
 * list and as a drawing for the canvas, the two versions picked, and a version's stored
 * content as a flow. No React here, so jest tests it directly.
 */
import { IFlow, parseFlow } from './model';
import { IFromTo, IServiceDiff } from './service_client';
import { INodeDecoration } from './tokens';

/** One line of a diff: a node (or flow parameter) added, removed or changed. */
export interface IDiffRow {
  change: 'added' | 'removed' | 'changed';
  /** What: `node` or `parameter`. */
  what: 'node' | 'parameter' | 'flow';
  id: string;
  /** For a change: each field (a node's param, `kind`, `position`) before → after. */
  fields: { name: string; from: string; to: string }[];
}

/** A value as a short text for the diff list (absent: "—"). */
export function shown(value: unknown): string {
  if (value === null || value === undefined) {
    return '—';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const pair = (name: string, c: IFromTo) => ({
  name,
  from: shown(c.from),
  to: shown(c.to)
});

/** The service's diff as rows: nodes first, then flow parameters and flow fields. */
export function diffRows(diff: IServiceDiff): IDiffRow[] {
  const rows: IDiffRow[] = [];
  const { nodes, parameters } = diff;
  for (const id of nodes.added) {
    rows.push({ change: 'added', what: 'node', id, fields: [] });
  }
  for (const id of nodes.removed) {
    rows.push({ change: 'removed', what: 'node', id, fields: [] });
  }
  for (const c of nodes.changed) {
    const fields = Object.entries(c.params).map(([k, v]) => pair(k, v));
    if (c.kind) {
      fields.unshift(pair('kind', c.kind));
    }
    if (c.moved) {
      fields.push({ name: 'position', from: 'moved', to: '' });
    }
    rows.push({ change: 'changed', what: 'node', id: c.id, fields });
  }
  for (const id of parameters.added) {
    rows.push({ change: 'added', what: 'parameter', id, fields: [] });
  }
  for (const id of parameters.removed) {
    rows.push({ change: 'removed', what: 'parameter', id, fields: [] });
  }
  for (const c of parameters.changed) {
    const fields = Object.entries(c.fields).map(([k, v]) => pair(k, v));
    rows.push({ change: 'changed', what: 'parameter', id: c.name, fields });
  }
  for (const [name, c] of Object.entries(diff.flow)) {
    rows.push({
      change: 'changed',
      what: 'flow',
      id: name,
      fields: [pair(name, c)]
    });
  }
  return rows;
}

/** Edges added and removed, counted (the list names nodes; edges are a summary). */
export function edgeSummary(diff: IServiceDiff): string {
  const { added, removed } = diff.edges;
  if (added.length + removed.length === 0) {
    return '';
  }
  return `Edges: ${added.length} added, ${removed.length} removed`;
}

/** A version's stored content (the .flow text, or its JSON) as a flow. */
export function contentAsFlow(content: unknown): IFlow {
  return parseFlow(
    typeof content === 'string' ? content : JSON.stringify(content)
  );
}

/** The two picked versions, older first, when two are picked. */
export function pickedPair(picked: number[]): [number, number] | null {
  if (picked.length !== 2) {
    return null;
  }
  const [a, b] = [...picked].sort((x, y) => x - y);
  return [a, b];
}

/** The versions picked after ticking (`on`) or unticking `n`: the last two ticked. */
export function togglePick(picked: number[], n: number, on: boolean): number[] {
  const others = picked.filter(x => x !== n);
  return on ? [...others, n].slice(-2) : others;
}

/** What the diff canvas draws: both versions' nodes, each marked by its change. */
export interface IDiffDrawing {
  flow: IFlow;
  decorations: Map<string, INodeDecoration>;
}

/**
 * The newer version with the older one's removed nodes (and their edges) put back,
 * each node added, removed or changed decorated (status `diff-added`, … and a badge;
 * a changed node's params before → after pinned under it).
 */
export function diffDrawing(
  older: IFlow,
  newer: IFlow,
  diff: IServiceDiff
): IDiffDrawing {
  const removed = new Set(diff.nodes.removed);
  const nodes = [...newer.nodes, ...older.nodes.filter(n => removed.has(n.id))];
  const ids = new Set(nodes.map(n => n.id));
  const back = older.edges
    .filter(e => removed.has(e.from.node) || removed.has(e.to.node))
    .filter(e => ids.has(e.from.node) && ids.has(e.to.node))
    .map((e, i) => ({ ...e, id: `removed-${i}-${e.id}` }));
  const decorations = new Map<string, INodeDecoration>();
  for (const id of diff.nodes.added) {
    decorations.set(id, { status: 'diff-added', badge: 'added' });
  }
  for (const id of removed) {
    decorations.set(id, { status: 'diff-removed', badge: 'removed' });
  }
  for (const c of diff.nodes.changed) {
    const params = Object.entries(c.params).map(
      ([k, v]) => `${k}: ${shown(v.from)} → ${shown(v.to)}`
    );
    const only = params.length === 0 && !c.kind;
    decorations.set(c.id, {
      status: only ? 'diff-moved' : 'diff-changed',
      badge: only ? 'moved' : 'changed',
      message: params.join('\n') || undefined
    });
  }
  return {
    flow: { ...newer, nodes, edges: [...newer.edges, ...back] },
    decorations
  };
}
