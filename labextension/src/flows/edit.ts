/**
 * The designer's editing operations over a flow (model.ts): add a node (a new id from
 * its kind), connect ports (one edge per input port, no cycle), delete nodes with their
 * edges, move, set params, copy/paste with new ids keeping the edges inside the
 * selection, and duplicate. Pure: each answers a new flow and never changes its input.
 */
import {
  FLOW_VERSION,
  IFlow,
  IFlowEdge,
  IFlowNode,
  IPortRef,
  IPosition,
  parseEdge,
  parseNode
} from './model';

/** `base` made a valid id stem: `transform.filter` → `filter`. */
function idStem(base: string): string {
  const last = base.split('.').pop() ?? '';
  let stem = last.replace(/[^A-Za-z0-9_-]/g, '_').replace(/_\d+$/, '');
  if (!/^[A-Za-z_]/.test(stem)) {
    stem = `n_${stem}`;
  }
  return stem.slice(0, 56);
}

/** The first id from `base` that is not in `taken`: `filter`, `filter_2`, … */
export function uniqueId(base: string, taken: Set<string>): string {
  const stem = idStem(base);
  if (!taken.has(stem)) {
    return stem;
  }
  let n = 2;
  while (taken.has(`${stem}_${n}`)) {
    n += 1;
  }
  return `${stem}_${n}`;
}

/** The first free edge id `e<n>`. */
export function newEdgeId(taken: Set<string>): string {
  let n = 1;
  while (taken.has(`e${n}`)) {
    n += 1;
  }
  return `e${n}`;
}

const nodeIds = (flow: IFlow) => new Set(flow.nodes.map(n => n.id));
const edgeIds = (flow: IFlow) => new Set(flow.edges.map(e => e.id));

/** The flow with a new `kind` node (id from the kind); answers its id too. */
export function addNode(
  flow: IFlow,
  kind: string,
  position?: IPosition,
  params: Record<string, unknown> = {}
): { flow: IFlow; id: string } {
  const id = uniqueId(kind, nodeIds(flow));
  const node: IFlowNode = { id, kind, params };
  if (position) {
    node.position = { x: Math.round(position.x), y: Math.round(position.y) };
  }
  return { flow: { ...flow, nodes: [...flow.nodes, node] }, id };
}

/** Whether `to` is reachable from `from` along the flow's edges. */
function reaches(flow: IFlow, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const at = stack.pop() as string;
    if (at === to) {
      return true;
    }
    if (!seen.has(at)) {
      seen.add(at);
      flow.edges
        .filter(e => e.from.node === at)
        .forEach(e => stack.push(e.to.node));
    }
  }
  return false;
}

/** Why `from` → `to` cannot be drawn, or null when it can. */
export function connectProblem(
  flow: IFlow,
  from: IPortRef,
  to: IPortRef
): string | null {
  const ids = nodeIds(flow);
  for (const ref of [from, to]) {
    if (!ids.has(ref.node)) {
      return `no node "${ref.node}" in the flow`;
    }
  }
  if (from.node === to.node) {
    return 'a node cannot feed itself';
  }
  const busy = flow.edges.find(
    e => e.to.node === to.node && e.to.port === to.port
  );
  if (busy) {
    return `input "${to.port}" of "${to.node}" is already fed by "${busy.from.node}"`;
  }
  if (reaches(flow, to.node, from.node)) {
    return 'this edge would make a cycle';
  }
  return null;
}

export type ConnectResult =
  { ok: true; flow: IFlow; edge: IFlowEdge } | { ok: false; reason: string };

/** The flow with an edge `from` → `to`, or why not (one edge per input port, no cycle). */
export function connect(
  flow: IFlow,
  from: IPortRef,
  to: IPortRef
): ConnectResult {
  const reason = connectProblem(flow, from, to);
  if (reason !== null) {
    return { ok: false, reason };
  }
  const edge: IFlowEdge = {
    id: newEdgeId(edgeIds(flow)),
    from: { ...from },
    to: { ...to }
  };
  return { ok: true, flow: { ...flow, edges: [...flow.edges, edge] }, edge };
}

/** The flow without the nodes `ids` and every edge that touches them. */
export function deleteNodes(flow: IFlow, ids: Iterable<string>): IFlow {
  const gone = new Set(ids);
  return {
    ...flow,
    nodes: flow.nodes.filter(n => !gone.has(n.id)),
    edges: flow.edges.filter(
      e => !gone.has(e.from.node) && !gone.has(e.to.node)
    )
  };
}

/** The flow without the edges `ids`. */
export function deleteEdges(flow: IFlow, ids: Iterable<string>): IFlow {
  const gone = new Set(ids);
  return { ...flow, edges: flow.edges.filter(e => !gone.has(e.id)) };
}

/** The flow with the nodes in `positions` moved (rounded to whole pixels). */
export function moveNodes(
  flow: IFlow,
  positions: Map<string, IPosition>
): IFlow {
  return {
    ...flow,
    nodes: flow.nodes.map(n => {
      const at = positions.get(n.id);
      return at
        ? { ...n, position: { x: Math.round(at.x), y: Math.round(at.y) } }
        : n;
    })
  };
}

/** The flow with node `id`'s params replaced. */
export function setParams(
  flow: IFlow,
  id: string,
  params: Record<string, unknown>
): IFlow {
  return {
    ...flow,
    nodes: flow.nodes.map(n => (n.id === id ? { ...n, params } : n))
  };
}

/** What copy puts on the clipboard: the nodes, and the edges inside the selection. */
export interface IFlowClip {
  galilean_flow_clip: number;
  nodes: IFlowNode[];
  edges: IFlowEdge[];
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The clip of nodes `ids` with the edges between two of them. */
export function copyNodes(flow: IFlow, ids: Iterable<string>): IFlowClip {
  const chosen = new Set(ids);
  return clone({
    galilean_flow_clip: FLOW_VERSION,
    nodes: flow.nodes.filter(n => chosen.has(n.id)),
    edges: flow.edges.filter(
      e => chosen.has(e.from.node) && chosen.has(e.to.node)
    )
  });
}

/** A clip read back from clipboard text, or null when the text is not one. */
export function parseClip(source: string): IFlowClip | null {
  try {
    const data = JSON.parse(source) as IFlowClip;
    if (data.galilean_flow_clip !== FLOW_VERSION) {
      return null;
    }
    const nodes = data.nodes.map((n, i) => parseNode(n, `$.nodes[${i}]`));
    const edges = data.edges.map((e, i) => parseEdge(e, `$.edges[${i}]`));
    return { galilean_flow_clip: FLOW_VERSION, nodes, edges };
  } catch {
    return null;
  }
}

/** The flow with `clip` pasted under new ids, `offset` away; answers the new ids. */
export function pasteNodes(
  flow: IFlow,
  clip: IFlowClip,
  offset: IPosition = { x: 40, y: 40 }
): { flow: IFlow; ids: string[] } {
  const taken = nodeIds(flow);
  const renamed = new Map<string, string>();
  const nodes = clip.nodes.map(n => {
    const id = uniqueId(n.id, taken);
    taken.add(id);
    renamed.set(n.id, id);
    const copy: IFlowNode = { ...clone(n), id };
    if (n.position) {
      copy.position = {
        x: n.position.x + offset.x,
        y: n.position.y + offset.y
      };
    }
    return copy;
  });
  const takenEdges = edgeIds(flow);
  const edges = clip.edges
    .filter(e => renamed.has(e.from.node) && renamed.has(e.to.node))
    .map(e => {
      const id = newEdgeId(takenEdges);
      takenEdges.add(id);
      const from = {
        node: renamed.get(e.from.node) as string,
        port: e.from.port
      };
      const to = { node: renamed.get(e.to.node) as string, port: e.to.port };
      return { id, from, to };
    });
  return {
    flow: {
      ...flow,
      nodes: [...flow.nodes, ...nodes],
      edges: [...flow.edges, ...edges]
    },
    ids: nodes.map(n => n.id)
  };
}

/** The flow with a copy of nodes `ids` (and their inner edges) next to them. */
export function duplicateNodes(
  flow: IFlow,
  ids: Iterable<string>,
  offset?: IPosition
): { flow: IFlow; ids: string[] } {
  return pasteNodes(flow, copyNodes(flow, ids), offset);
}
