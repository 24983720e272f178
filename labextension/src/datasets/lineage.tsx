/**
 * A dataset's lineage drawn as a graph (@xyflow/react, placed by dagre in
 * lineage_model.ts): datasets, snapshots, flow versions, runs, notebooks and whatever kind
 * the service adds. Each node is a button named "<kind> <label>"; clicking it does what
 * `nodeAction` says (open the flow, the notebook, select a snapshot, …) through `onAction`.
 */
import {
  Background,
  Controls,
  Edge,
  Handle,
  Node,
  NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider
} from '@xyflow/react';
import * as React from 'react';

import { Alert } from './fieldset';
import {
  lineageDrawing,
  NodeAction,
  nodeAction,
  nodeName
} from './lineage_model';
import { errorFor, errorsByField } from './model';
import { IDataset, IDatasets, ILineage, ILineageNode } from './tokens';

type LineageNodeData = {
  node: ILineageNode;
  title: string;
  className: string;
  onClick(): void;
};

type LineageNode = Node<LineageNodeData, 'lineage'>;

function LineageNodeView(props: NodeProps<LineageNode>): JSX.Element {
  const { node, title, className, onClick } = props.data;
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <button
        type="button"
        className={`jp-GalileanDatasets-lineageNode ${className}`}
        aria-label={nodeName(node)}
        title={`${title}: ${node.label}`}
        onClick={onClick}
      >
        <span className="jp-GalileanDatasets-lineageKind">{title}</span>
        <span className="jp-GalileanDatasets-lineageLabel">{node.label}</span>
      </button>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
}

const NODE_TYPES = { lineage: LineageNodeView };

/** The drawing as xyflow's nodes and edges, each node's click bound to `onAction`. */
function flowElements(
  lineage: ILineage,
  datasetName: string,
  onAction: (action: NodeAction) => void
): { nodes: LineageNode[]; edges: Edge[] } {
  const drawing = lineageDrawing(lineage);
  return {
    nodes: drawing.nodes.map(placed => ({
      id: placed.id,
      type: 'lineage',
      position: placed.position,
      draggable: false,
      connectable: false,
      data: {
        node: placed.node,
        title: placed.kind.title,
        className: placed.kind.className,
        onClick: () => onAction(nodeAction(lineage, placed.node, datasetName))
      }
    })),
    edges: drawing.edges.map(e => ({
      id: e.id,
      source: e.source,
      target: e.target,
      label: e.label,
      ariaLabel: `Edge from ${e.source} to ${e.target} (${e.label})`
    }))
  };
}

export interface ILineageViewProps {
  client: IDatasets;
  dataset: IDataset;
  onAction(action: NodeAction): void;
  onClose(): void;
}

export function LineageView(props: ILineageViewProps): JSX.Element {
  const { client, dataset, onAction } = props;
  const [lineage, setLineage] = React.useState<ILineage | null>(null);
  const [error, setError] = React.useState('');
  const [reads, setReads] = React.useState(0);
  React.useEffect(() => {
    client.lineage(dataset.id).then(
      found => {
        setLineage(found);
        setError('');
      },
      e => setError(errorFor(errorsByField(e), '', 'dataset_id'))
    );
  }, [client, dataset.id, reads]);
  const elements = React.useMemo(
    () => (lineage ? flowElements(lineage, dataset.name, onAction) : null),
    [lineage, dataset.name, onAction]
  );
  return (
    <section className="jp-GalileanDatasets-lineage" aria-label="Lineage">
      <div className="jp-GalileanDatasets-header">
        <h3>Lineage of {dataset.name}</h3>
        <button
          type="button"
          className="jp-mod-styled"
          aria-label="Refresh the lineage"
          onClick={() => setReads(n => n + 1)}
        >
          Refresh
        </button>
        <button type="button" className="jp-mod-styled" onClick={props.onClose}>
          Close
        </button>
      </div>
      <Alert text={error} />
      {!elements && !error && <p>Reading the lineage…</p>}
      {elements && (
        <div className="jp-GalileanDatasets-graph">
          <ReactFlowProvider>
            <ReactFlow<LineageNode, Edge>
              nodes={elements.nodes}
              edges={elements.edges}
              nodeTypes={NODE_TYPES}
              nodesDraggable={false}
              nodesConnectable={false}
              fitView
              fitViewOptions={{ maxZoom: 1.2 }}
              minZoom={0.1}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </ReactFlowProvider>
        </div>
      )}
    </section>
  );
}
