/**
 * Auto-layout (@dagrejs/dagre): the flow's nodes placed left to right in layers along
 * its edges, as positions for `moveNodes`.
 */
import dagre from '@dagrejs/dagre';

import { IFlow, IPosition } from './model';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 70;

/** A position (top-left corner) for every node of `flow`. */
export function autoLayout(flow: IFlow): Map<string, IPosition> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80 });
  graph.setDefaultEdgeLabel(() => ({}));
  flow.nodes.forEach(n =>
    graph.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT })
  );
  flow.edges.forEach(e => graph.setEdge(e.from.node, e.to.node));
  dagre.layout(graph);
  return new Map(
    flow.nodes.map(n => {
      const at = graph.node(n.id);
      return [n.id, { x: at.x - NODE_WIDTH / 2, y: at.y - NODE_HEIGHT / 2 }];
    })
  );
}
