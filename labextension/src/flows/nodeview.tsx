/**
 * A node as the canvas draws it: its id and kind, its ports (handles to connect), its
 * problems outlined, and its decoration (a status class, a badge, a pinned message).
 */
import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import * as React from 'react';

import { INodePorts } from './catalogue';
import { INodeDecoration } from './tokens';

export type GalileanNodeData = {
  title: string;
  kind: string;
  ports: INodePorts;
  problems: string[];
  decoration?: INodeDecoration;
};

export type GalileanNode = Node<GalileanNodeData, 'galilean'>;

function spread(i: number, n: number): React.CSSProperties {
  return { top: `${((i + 1) / (n + 1)) * 100}%` };
}

function PortHandles(props: {
  ports: string[];
  type: 'source' | 'target';
}): JSX.Element {
  const { ports, type } = props;
  const side = type === 'target' ? Position.Left : Position.Right;
  return (
    <>
      {ports.map((port, i) => (
        <Handle
          key={port}
          id={port}
          type={type}
          position={side}
          style={spread(i, ports.length)}
          title={port}
          aria-label={`${type === 'target' ? 'input' : 'output'} ${port}`}
        >
          <span className={`jp-GalileanFlow-port jp-mod-${type}`}>{port}</span>
        </Handle>
      ))}
    </>
  );
}

/** A node's decoration: its badge at the top right, its message pinned under it. */
function Decoration(props: { decoration: INodeDecoration }): JSX.Element {
  const { status, badge, message } = props.decoration;
  return (
    <>
      {badge && (
        <span
          className="jp-GalileanFlow-badge"
          role="status"
          aria-label={`${status}: ${badge}`}
        >
          {badge}
        </span>
      )}
      {message && <div className="jp-GalileanFlow-pinned">{message}</div>}
    </>
  );
}

/** The class names of a node: its problems outlined, its decoration's status. */
export function nodeClass(data: GalileanNodeData): string {
  const problem = data.problems.length > 0 ? ' jp-mod-problem' : '';
  const status = data.decoration
    ? ` jp-mod-flow-${data.decoration.status}`
    : '';
  return `jp-GalileanFlow-node${problem}${status}`;
}

/** A node on the canvas: its id, kind, ports, its problems outlined, its decoration. */
export function GalileanNodeView(props: NodeProps<GalileanNode>): JSX.Element {
  const { data, id } = props;
  const rows = Math.max(data.ports.inputs.length, data.ports.outputs.length, 1);
  const problem = data.problems.length > 0;
  return (
    <div
      className={nodeClass(data)}
      style={{ minHeight: 24 + rows * 18 }}
      title={problem ? data.problems.join('\n') : data.kind}
    >
      <PortHandles ports={data.ports.inputs} type="target" />
      <div className="jp-GalileanFlow-nodeTitle">{id}</div>
      <div className="jp-GalileanFlow-nodeKind">{data.title}</div>
      {data.decoration && <Decoration decoration={data.decoration} />}
      <PortHandles ports={data.ports.outputs} type="source" />
    </div>
  );
}
