/**
 * The preview of a node: its first rows in a paged grid (each column's name and type in
 * the header; 25, 50 or 100 rows a page), with how many rows came back in how long, the
 * engine, and which held results were reused. The rows come from the server extension's
 * engine (POST /galilean/flows/preview), over the flow as it is in the editor.
 */
import * as React from 'react';

import { errorText } from '../request';
import { errorNode } from './client';
import { IFlow } from './model';
import { IPage, PAGE_SIZES, pageOf, rowsText } from './runs_model';
import { IFlowsDesigner, IPreview, IPreviewColumn } from './tokens';

/** How many rows a preview asks for (the grid pages through them). */
export const PREVIEW_LIMIT = 500;

export type PreviewState =
  | { kind: 'none' }
  | { kind: 'loading'; node: string }
  | { kind: 'shown'; preview: IPreview }
  | { kind: 'failed'; node: string; message: string; at: string | null };

/** A cell as text: null as "null", objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** "100 rows in 12 ms · duckdb · reused: orders, big_orders". */
export function previewSummary(preview: IPreview): string {
  const parts = [
    `${rowsText(preview.rows_shown)} in ${Math.round(preview.elapsed_ms)} ms`,
    preview.engine
  ];
  if (preview.reused.length > 0) {
    parts.push(`reused: ${preview.reused.join(', ')}`);
  }
  return parts.join(' · ');
}

function Pager(props: {
  page: IPage<unknown>;
  total: number;
  size: number;
  onPage(page: number): void;
  onSize(size: number): void;
}): JSX.Element {
  const { page, total, size, onPage, onSize } = props;
  return (
    <div className="jp-GalileanFlow-pager" role="group" aria-label="Pages">
      <button
        aria-label="Previous page"
        disabled={page.page === 0}
        onClick={() => onPage(page.page - 1)}
      >
        ‹
      </button>
      <span>
        {page.first}–{page.last} of {total}
      </span>
      <button
        aria-label="Next page"
        disabled={page.page >= page.pages - 1}
        onClick={() => onPage(page.page + 1)}
      >
        ›
      </button>
      <label>
        Rows per page{' '}
        <select
          value={size}
          onChange={event => onSize(Number(event.target.value))}
        >
          {PAGE_SIZES.map(n => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** A column's header: its name and type; with `onColumn`, a button that asks where the
 * column comes from (named after the column first, then "Show where … comes from"). */
function ColumnHeader(props: {
  column: IPreviewColumn;
  onColumn?: (name: string) => void;
}): JSX.Element {
  const { column, onColumn } = props;
  const type = <small className="jp-GalileanFlow-type">{column.type}</small>;
  if (!onColumn) {
    return (
      <th scope="col">
        {column.name}
        {type}
      </th>
    );
  }
  return (
    <th scope="col">
      <button
        className="jp-GalileanFlow-columnButton"
        title={`Show where ${column.name} comes from on the canvas (Escape clears)`}
        onClick={() => onColumn(column.name)}
      >
        {column.name}
        {type}
        <span className="jp-GalileanFlow-srOnly">
          Show where {column.name} comes from
        </span>
      </button>
    </th>
  );
}

/** Rows in a paged table; the header names each column and its type (with `onColumn`,
 * a click on a column's header shows its lineage). */
export function RowsGrid(props: {
  columns: IPreviewColumn[];
  rows: unknown[][];
  label: string;
  onColumn?: (name: string) => void;
}): JSX.Element {
  const { columns, rows, label, onColumn } = props;
  const [size, setSize] = React.useState(PAGE_SIZES[0]);
  const [pageNumber, setPage] = React.useState(0);
  React.useEffect(() => setPage(0), [rows]);
  const page = pageOf(rows, pageNumber, size);
  return (
    <div className="jp-GalileanFlow-grid">
      <table className="jp-GalileanFlow-rows" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <ColumnHeader
                key={`${i}:${c.name}`}
                column={c}
                onColumn={onColumn}
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {page.items.map((row, i) => (
            <tr key={page.first + i}>
              {row.map((cell, j) => (
                <td key={j}>{cellText(cell)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager
        page={page}
        total={rows.length}
        size={size}
        onPage={setPage}
        onSize={n => {
          setSize(n);
          setPage(0);
        }}
      />
    </div>
  );
}

/** The preview tab's content; `onColumn(node, column)`: a column header was clicked. */
export function PreviewView(props: {
  state: PreviewState;
  onColumn?: (node: string, column: string) => void;
}): JSX.Element {
  const { state, onColumn } = props;
  switch (state.kind) {
    case 'none':
      return (
        <p className="jp-GalileanFlow-hint">
          Select a node and press Preview (Shift+P) to see its first rows.
        </p>
      );
    case 'loading':
      return <p className="jp-GalileanFlow-hint">Previewing {state.node}…</p>;
    case 'failed':
      return (
        <p className="jp-GalileanFlow-error" role="alert">
          {state.at ? `${state.at}: ` : ''}
          {state.message}
        </p>
      );
    case 'shown':
      return (
        <>
          <p className="jp-GalileanFlow-summary" role="status">
            {state.preview.node}: {previewSummary(state.preview)}
          </p>
          <RowsGrid
            columns={state.preview.columns}
            rows={state.preview.rows}
            label={`Preview of ${state.preview.node}`}
            onColumn={
              onColumn
                ? column => onColumn(state.preview.node, column)
                : undefined
            }
          />
        </>
      );
  }
}

/**
 * Previews of the flow in the editor: `preview(node)` shows the node's rows (a newer
 * preview replaces an older one still under way); a failure names the node at fault,
 * which `onFault` selects on the canvas.
 */
export function usePreview(
  designer: IFlowsDesigner,
  path: () => string,
  flow: IFlow | null,
  onFault: (node: string) => void
): { state: PreviewState; preview(node: string): void } {
  const [state, setState] = React.useState<PreviewState>({ kind: 'none' });
  const latest = React.useRef(0);
  const preview = (node: string) => {
    if (flow === null) {
      return;
    }
    const ticket = ++latest.current;
    setState({ kind: 'loading', node });
    const request = { path: path(), content: flow, node, limit: PREVIEW_LIMIT };
    designer.preview(request).then(
      answer => {
        if (ticket === latest.current) {
          setState({ kind: 'shown', preview: answer });
        }
      },
      reason => {
        if (ticket === latest.current) {
          const at = errorNode(reason);
          setState({ kind: 'failed', node, message: errorText(reason), at });
          if (at !== null) {
            onFault(at);
          }
        }
      }
    );
  };
  return { state, preview };
}
