/**
 * The `.flow` document as data: its types, parse, and serialize (the same bytes as the
 * engine's `dump_flow` in services/galilean_services/flows/model.py). The editing
 * operations are in edit.ts, the diff of two flows in diff.ts.
 */
import {
  keepFloats,
  parseJsonKeepingFloats,
  stringifyLikePython
} from './json';

export const FLOW_VERSION = 1;

/** Node and edge ids, as the engine's schema allows them. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export interface IPortRef {
  node: string;
  port: string;
}

export interface IPosition {
  x: number;
  y: number;
}

export interface IFlowNode {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  position?: IPosition;
}

export interface IFlowEdge {
  id: string;
  from: IPortRef;
  to: IPortRef;
}

export interface IFlowParameter {
  name: string;
  type: string;
  default: unknown;
  description: string;
  shared?: boolean;
}

export interface IFlow {
  galilean_flow: number;
  name: string;
  description: string;
  parameters: IFlowParameter[];
  nodes: IFlowNode[];
  edges: IFlowEdge[];
}

/** A text that is not a flow: what is wrong and where (`$.nodes[2].id`). */
export class FlowParseError extends Error {
  constructor(
    readonly reason: string,
    readonly location: string
  ) {
    super(`${location}: ${reason}`);
    this.name = 'FlowParseError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function need(ok: boolean, reason: string, location: string): void {
  if (!ok) {
    throw new FlowParseError(reason, location);
  }
}

function text(value: unknown, location: string): string {
  need(typeof value === 'string', 'must be a string', location);
  return value as string;
}

function list(value: unknown, location: string): unknown[] {
  if (value === undefined) {
    return [];
  }
  need(Array.isArray(value), 'must be a list', location);
  return value as unknown[];
}

function parseId(value: unknown, location: string): string {
  const id = text(value, location);
  need(ID_PATTERN.test(id), `"${id}" is not a valid id`, location);
  return id;
}

function parsePort(value: unknown, fallback: string, at: string): IPortRef {
  need(isObject(value), 'must be an object', at);
  const ref = value as Json;
  const port = ref.port === undefined ? fallback : text(ref.port, `${at}.port`);
  return { node: parseId(ref.node, `${at}.node`), port };
}

function parseParameter(value: unknown, at: string): IFlowParameter {
  need(isObject(value), 'must be an object', at);
  const p = value as Json;
  const parameter: IFlowParameter = {
    name: text(p.name, `${at}.name`),
    type: text(p.type, `${at}.type`),
    default: p.default === undefined ? null : p.default,
    description:
      p.description === undefined
        ? ''
        : text(p.description, `${at}.description`)
  };
  if (p.shared === true) {
    parameter.shared = true;
  }
  keepFloats(parameter, p);
  return parameter;
}

export function parseNode(value: unknown, at: string): IFlowNode {
  need(isObject(value), 'must be an object', at);
  const n = value as Json;
  const params = n.params === undefined ? {} : n.params;
  need(isObject(params), 'must be an object', `${at}.params`);
  const node: IFlowNode = {
    id: parseId(n.id, `${at}.id`),
    kind: text(n.kind, `${at}.kind`),
    params: params as Json
  };
  if (isObject(n.position) && Object.keys(n.position).length > 0) {
    node.position = n.position as unknown as IPosition;
  }
  return node;
}

export function parseEdge(value: unknown, at: string): IFlowEdge {
  need(isObject(value), 'must be an object', at);
  const e = value as Json;
  return {
    id: parseId(e.id, `${at}.id`),
    from: parsePort(e.from, 'out', `${at}.from`),
    to: parsePort(e.to, 'in', `${at}.to`)
  };
}

/** The flow in `source`; FlowParseError says where it is not one. */
export function parseFlow(source: string): IFlow {
  let data: unknown;
  try {
    data = parseJsonKeepingFloats(source);
  } catch (error) {
    throw new FlowParseError(`not JSON: ${(error as Error).message}`, '$');
  }
  need(isObject(data), 'a flow is a JSON object', '$');
  const d = data as Json;
  need(
    d.galilean_flow === FLOW_VERSION,
    `unsupported flow version ${JSON.stringify(d.galilean_flow)}: ` +
      `this designer reads version ${FLOW_VERSION}`,
    '$.galilean_flow'
  );
  return {
    galilean_flow: FLOW_VERSION,
    name: text(d.name, '$.name'),
    description:
      d.description === undefined ? '' : text(d.description, '$.description'),
    parameters: list(d.parameters, '$.parameters').map((p, i) =>
      parseParameter(p, `$.parameters[${i}]`)
    ),
    nodes: list(d.nodes, '$.nodes').map((n, i) =>
      parseNode(n, `$.nodes[${i}]`)
    ),
    edges: list(d.edges, '$.edges').map((e, i) => parseEdge(e, `$.edges[${i}]`))
  };
}

/** The file text, key for key and byte for byte as the engine's `dump_flow` writes it. */
export function serializeFlow(flow: IFlow): string {
  const data = {
    galilean_flow: flow.galilean_flow,
    name: flow.name,
    description: flow.description,
    parameters: flow.parameters.map(p => {
      const built = {
        name: p.name,
        type: p.type,
        default: p.default,
        description: p.description,
        ...(p.shared ? { shared: true } : {})
      };
      keepFloats(built, p);
      return built;
    }),
    nodes: flow.nodes.map(n => ({
      id: n.id,
      kind: n.kind,
      params: n.params,
      ...(n.position ? { position: n.position } : {})
    })),
    edges: flow.edges.map(e => ({
      id: e.id,
      from: { node: e.from.node, port: e.from.port },
      to: { node: e.to.node, port: e.to.port }
    }))
  };
  return stringifyLikePython(data) + '\n';
}

/** A new, empty flow (what New → Flow writes). */
export function emptyFlow(name = 'Untitled flow'): IFlow {
  return {
    galilean_flow: FLOW_VERSION,
    name,
    description: '',
    parameters: [],
    nodes: [],
    edges: []
  };
}
