/**
 * The flow designer's public face: the client of the server extension's flow endpoints
 * (`IFlowsDesigner`: the kind catalogue, validation, previews and the SQL of a node) and
 * the designer's command ids. Other features require this token and never build a
 * /galilean/flows URL themselves.
 */
import { Token } from '@lumino/coreutils';

/** An input or output of a node kind: its name (or an object naming it). */
export type KindPort = string | { name: string };

export type KindCategory = 'source' | 'transform' | 'destination' | 'control';

/** One entry of the kind catalogue (built-ins and third-party kinds alike). */
export interface IKindInfo {
  kind: string;
  title: string;
  category: KindCategory;
  inputs: KindPort[];
  outputs: KindPort[];
  params_schema: Record<string, unknown>;
  description?: string;
}

/** A problem the validator found (Issue.as_dict): `node`, `nodes`, `edge` say where. */
export interface IFlowIssue {
  code: string;
  message: string;
  node?: string;
  edge?: string;
  /** Several nodes at fault together (a cycle). */
  nodes?: string[];
  /** Where in the node's parameters or the file. */
  path?: string;
}

/** The answer of POST /galilean/flows/validate. */
export interface IValidation {
  ok: boolean;
  issues: IFlowIssue[];
  /** Per node, its columns when knowable before a run (null when not). */
  columns: Record<string, string[] | null>;
}

export interface IPreviewColumn {
  name: string;
  type: string;
}

/** The answer of POST /galilean/flows/preview. */
export interface IPreview {
  node: string;
  columns: IPreviewColumn[];
  rows: unknown[][];
  rows_shown: number;
  elapsed_ms: number;
  reused: string[];
  engine: 'polars' | 'duckdb';
}

/** What to preview: a node of a (possibly unsaved) flow. */
export interface IPreviewRequest {
  /** The .flow file's path relative to the server root (relative paths start there). */
  path: string;
  content: unknown;
  node: string;
  limit?: number;
  params?: Record<string, unknown>;
}

/**
 * What the canvas shows on a node besides the flow: a status (a CSS modifier
 * `jp-mod-flow-<status>`: running, done, reused, failed; a diff's added, changed…), a
 * short badge ("1,234 rows") and a message pinned under the node.
 */
export interface INodeDecoration {
  status: string;
  badge?: string;
  message?: string;
}

/** What a column of a node is to the node: a role on its lineage path. */
export type LineageRole =
  'source' | 'passes' | 'renames' | 'derives' | 'filters' | 'groups' | 'joins';

/** One node on a column's way: its name there and what the node does to it. */
export interface ILineageStep {
  node: string;
  column: string;
  role: LineageRole;
  /** The select expression that makes the column at this node (SQL). */
  expression?: string;
}

/** Where a node's column comes from (POST /galilean/flows/lineage). */
export interface ILineage {
  node: string;
  column: string;
  origins: { node: string; column: string }[];
  path: ILineageStep[];
  /** Nodes only a run could tell about (eager code, columns not known before a run). */
  unknown: string[];
}

/** The server extension's flow endpoints, for the designer. */
export interface IFlowsDesigner {
  /** The kind catalogue, read once per session (`refresh` reads it again). */
  kinds(refresh?: boolean): Promise<IKindInfo[]>;
  validate(path: string, content: unknown): Promise<IValidation>;
  preview(request: IPreviewRequest): Promise<IPreview>;
  /** The SQL the engine runs for `node`, or for the flow's displayed outputs; or
   * (`language` "polars") the same as a Polars script. */
  code(
    path: string,
    content: unknown,
    node?: string,
    language?: 'sql' | 'polars'
  ): Promise<string>;
  /** Where `column` of `node` comes from, read off the compiled query. */
  lineage(
    path: string,
    content: unknown,
    node: string,
    column: string
  ): Promise<ILineage>;
}

export const IFlowsDesigner = new Token<IFlowsDesigner>(
  '@galilean/labextension:IFlowsDesigner',
  "The server extension's flow endpoints: kinds, validate, preview, code."
);

export namespace CommandIDs {
  export const create = 'galilean-flows:new';
  export const openExample = 'galilean-flows:open-example';
}

/** The example flows every home gets (galilean_server/examples.py), for the launcher. */
export const EXAMPLE_FLOWS: ReadonlyArray<{ path: string; label: string }> = [
  { path: 'examples/flows/sales_by_region.flow', label: 'Sales by region' },
  { path: 'examples/flows/customer_segments.flow', label: 'Customer segments' },
  { path: 'examples/flows/quote_endpoint.flow', label: 'Quote endpoint' }
];

/** The file type and the designer's widget factory name. */
export const FLOW_FILE_TYPE = 'flow';
export const FLOW_FACTORY = 'Galilean Flow Designer';
