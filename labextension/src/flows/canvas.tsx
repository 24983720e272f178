/**
 * The canvas (@xyflow/react): the flow's nodes with their ports and edges. Dragging
 * moves nodes (the positions are written when the drag ends), dragging from an output
 * to an input connects them (refused with the reason when the model refuses it), Delete
 * or Backspace removes the selection, and a kind dropped from the palette is added where
 * it is dropped. The canvas holds only view state; the flow is the document's.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Connection,
  Controls,
  Edge,
  EdgeChange,
  MiniMap,
  NodeChange,
  ReactFlow,
  Rect,
  useNodesInitialized,
  useReactFlow
} from '@xyflow/react';
import * as React from 'react';

import { nodePorts } from './catalogue';
import {
  connect,
  connectProblem,
  deleteEdges,
  deleteNodes,
  moveNodes
} from './edit';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';
import { IFlow, IPosition } from './model';
import { GalileanNode, GalileanNodeView } from './nodeview';
import { IKindInfo, INodeDecoration } from './tokens';
import { openingViewport } from './viewport';

export type { GalileanNode } from './nodeview';
export { GalileanNodeView, nodeClass } from './nodeview';

/** The MIME type of a kind dragged from the palette. */
export const KIND_MIME = 'application/x-galilean-flow-kind';

const NODE_TYPES = { galilean: GalileanNodeView };

const NO_DECORATIONS = new Map<string, INodeDecoration>();

/** The canvas nodes of `flow`; `selected` keeps the selection across edits. */
export function canvasNodes(
  flow: IFlow,
  kinds: Map<string, IKindInfo>,
  problems: Map<string, string[]>,
  selected: Set<string>,
  decorations: Map<string, INodeDecoration> = NO_DECORATIONS
): GalileanNode[] {
  return flow.nodes.map((node, i) => {
    const kind = kinds.get(node.kind);
    return {
      id: node.id,
      type: 'galilean',
      position: node.position ?? {
        x: 40 + (i % 5) * 220,
        y: 40 + Math.floor(i / 5) * 140
      },
      selected: selected.has(node.id),
      ariaLabel: `${node.id} (${kind?.title ?? node.kind})`,
      data: {
        title: kind?.title ?? node.kind,
        kind: node.kind,
        ports: nodePorts(flow, node.id, kind),
        problems: problems.get(node.id) ?? [],
        decoration: decorations.get(node.id)
      }
    };
  });
}

export function canvasEdges(
  flow: IFlow,
  selected: Set<string>,
  problems: Map<string, string[]> = new Map()
): Edge[] {
  return flow.edges.map(edge => ({
    className: problems.has(edge.id) ? 'jp-mod-problem' : undefined,
    ariaLabel: problems.get(edge.id)?.join('\n'),
    id: edge.id,
    source: edge.from.node,
    sourceHandle: edge.from.port,
    target: edge.to.node,
    targetHandle: edge.to.port,
    selected: selected.has(edge.id)
  }));
}

/** A node's drawn size, once the canvas has measured it. */
export interface ISize {
  width?: number;
  height?: number;
}

/**
 * The box around `flow`'s nodes where the flow puts them, each of its measured size
 * (the layout's size until it is measured); an empty flow's box is empty at 0, 0.
 */
export function flowBounds(
  flow: IFlow,
  sizes: Map<string, ISize | undefined>
): Rect {
  const boxes = canvasNodes(flow, new Map(), new Map(), new Set()).map(n => {
    const size = sizes.get(n.id);
    return {
      x: n.position.x,
      y: n.position.y,
      right: n.position.x + (size?.width ?? NODE_WIDTH),
      bottom: n.position.y + (size?.height ?? NODE_HEIGHT)
    };
  });
  if (boxes.length === 0) {
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  const x = Math.min(...boxes.map(b => b.x));
  const y = Math.min(...boxes.map(b => b.y));
  return {
    x,
    y,
    width: Math.max(...boxes.map(b => b.right)) - x,
    height: Math.max(...boxes.map(b => b.bottom)) - y
  };
}

const selectedIds = (items: { id: string; selected?: boolean }[]) =>
  new Set(items.filter(item => item.selected).map(item => item.id));

function refs(c: Connection | Edge) {
  return {
    from: { node: c.source, port: c.sourceHandle ?? 'out' },
    to: { node: c.target, port: c.targetHandle ?? 'in' }
  };
}

/**
 * A deleted node takes the focus with it, to the page's body, once React and the
 * canvas's store have both removed it (a few frames later): then give it to `box`, so
 * the keys (undo, paste) keep working.
 */
function keepFocus(box: React.RefObject<HTMLElement>, tries = 20): void {
  if (document.activeElement === document.body) {
    box.current?.focus();
  } else if (tries > 0) {
    setTimeout(() => keepFocus(box, tries - 1), 25);
  }
}

export interface ICanvasProps {
  flow: IFlow;
  kinds: Map<string, IKindInfo>;
  problems: Map<string, string[]>;
  edgeProblems: Map<string, string[]>;
  /** A node to select and bring into view (a new object each time). */
  focus: { id: string } | null;
  /** Show the whole flow as it is now (a new object each time: after auto-layout). */
  fitAll?: object | null;
  /** Select every node (a new object each time: Ctrl+A). */
  selectAll?: object | null;
  onChange(flow: IFlow): void;
  onSelect(ids: string[]): void;
  /** Say why something was refused. */
  onMessage(text: string): void;
  /** Add a node of `kind` at `position` (a drop from the palette). */
  onAdd(kind: string, position: IPosition): void;
  /** Per node, what to show besides the flow (a run's progress, a diff's marks). */
  decorations?: Map<string, INodeDecoration>;
}

export function FlowCanvas(props: ICanvasProps): JSX.Element {
  const { flow, kinds, problems, edgeProblems, focus, fitAll, selectAll } =
    props;
  const decorations = props.decorations ?? NO_DECORATIONS;
  const { onChange, onSelect, onMessage, onAdd } = props;
  const none = new Set<string>();
  const [nodes, setNodes] = React.useState(() =>
    canvasNodes(flow, kinds, problems, none, decorations)
  );
  const [edges, setEdges] = React.useState(() => canvasEdges(flow, none));
  const {
    fitView,
    screenToFlowPosition,
    getNodes,
    getNodesBounds,
    setViewport
  } = useReactFlow<GalileanNode, Edge>();
  const measured = useNodesInitialized();
  const box = React.useRef<HTMLDivElement>(null);
  const moved = React.useRef(false);

  // Fit the flow into view (at a readable zoom: viewport.ts) until the user pans or
  // zooms: the canvas is sized by the dock panel after the first render, so fit again
  // when its box changes.
  React.useEffect(() => {
    const fit = () => {
      const frame = box.current;
      if (measured && !moved.current && frame) {
        const bounds = getNodesBounds(getNodes());
        void setViewport(
          openingViewport(bounds, frame.clientWidth, frame.clientHeight)
        );
      }
    };
    fit();
    const observer = new ResizeObserver(fit);
    if (box.current) {
      observer.observe(box.current);
    }
    return () => observer.disconnect();
  }, [measured, getNodes, getNodesBounds, setViewport]);
  const onMoveStart = (event: MouseEvent | TouchEvent | null) => {
    if (event) {
      moved.current = true;
    }
  };

  React.useEffect(() => {
    setNodes(old =>
      canvasNodes(flow, kinds, problems, selectedIds(old), decorations)
    );
    setEdges(old => canvasEdges(flow, selectedIds(old), edgeProblems));
  }, [flow, kinds, problems, edgeProblems, decorations]);

  // Asked to show the whole flow (the flow just laid out): its nodes' new places are
  // the flow's, not yet the canvas's, so the box is taken from the flow.
  React.useEffect(() => {
    const frame = box.current;
    if (fitAll && frame) {
      const sizes = new Map(getNodes().map(n => [n.id, n.measured]));
      const bounds = flowBounds(flow, sizes);
      void setViewport(
        openingViewport(bounds, frame.clientWidth, frame.clientHeight),
        { duration: 300 }
      );
    }
    // Only a new request fits: the flow is read as it is when one comes.
  }, [fitAll]);

  React.useEffect(() => {
    if (selectAll) {
      setNodes(old => old.map(n => ({ ...n, selected: true })));
      setEdges(old => old.map(e => ({ ...e, selected: true })));
    }
  }, [selectAll]);

  React.useEffect(() => {
    if (focus !== null) {
      moved.current = true;
      setNodes(old => old.map(n => ({ ...n, selected: n.id === focus.id })));
      void fitView({ nodes: [{ id: focus.id }], duration: 300, maxZoom: 1 });
      box.current?.focus(); // the keys (undo, delete) now act on the flow, not the list
    }
  }, [focus, fitView]);

  const onNodesChange = (changes: NodeChange<GalileanNode>[]) => {
    const kept = changes.filter(c => c.type !== 'remove');
    setNodes(old => applyNodeChanges(kept, old));
  };
  const onSelectionChange = (chosen: { nodes: GalileanNode[] }) =>
    onSelect(chosen.nodes.map(n => n.id));
  const onEdgesChange = (changes: EdgeChange[]) =>
    setEdges(old =>
      applyEdgeChanges(
        changes.filter(c => c.type !== 'remove'),
        old
      )
    );

  const onConnect = (c: Connection) => {
    const { from, to } = refs(c);
    const result = connect(flow, from, to);
    if (result.ok) {
      onChange(result.flow);
    } else {
      onMessage(result.reason);
    }
  };
  const isValidConnection = (c: Connection | Edge) => {
    const { from, to } = refs(c);
    return connectProblem(flow, from, to) === null;
  };
  const onDelete = (gone: { nodes: GalileanNode[]; edges: Edge[] }) => {
    const without = deleteNodes(
      flow,
      gone.nodes.map(n => n.id)
    );
    onChange(
      deleteEdges(
        without,
        gone.edges.map(e => e.id)
      )
    );
    keepFocus(box);
  };
  const onNodeDragStop = (
    _event: unknown,
    _node: GalileanNode,
    dragged: GalileanNode[]
  ) => onChange(moveNodes(flow, new Map(dragged.map(n => [n.id, n.position]))));

  const onDragOver = (event: React.DragEvent) => {
    if (event.dataTransfer.types.includes(KIND_MIME)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  };
  const onDrop = (event: React.DragEvent) => {
    const kind = event.dataTransfer.getData(KIND_MIME);
    if (kind) {
      event.preventDefault();
      // The user placed it: the view stays, so the node stays where it was dropped
      // (fitting the flow again would move every node on screen, and the next drop
      // would land on top of another).
      moved.current = true;
      onAdd(kind, screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    }
  };

  return (
    <div ref={box} className="jp-GalileanFlow-flow" tabIndex={-1}>
      <ReactFlow<GalileanNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onSelectionChange={onSelectionChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onDelete={onDelete}
        onNodeDragStop={onNodeDragStop}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onMoveStart={onMoveStart}
        deleteKeyCode={['Delete', 'Backspace']}
        // Ctrl/Cmd+click adds a node to the selection; Shift+drag draws a selection
        // box (xyflow's selectionKeyCode), so Shift is not also a click modifier.
        multiSelectionKeyCode={['Meta', 'Control']}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls />
        <MiniMap pannable zoomable />
      </ReactFlow>
    </div>
  );
}
