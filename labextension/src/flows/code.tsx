/**
 * "Show as code": the SQL the engine runs (POST /galilean/flows/code) for the selected
 * node or the whole flow, in a panel with Copy. The SQL is read when the panel opens and
 * again when what it shows (the node, the flow) changes.
 */
import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorText } from '../request';
import { IFlow } from './model';
import { IFlowsDesigner } from './tokens';

type CodeState =
  | { kind: 'loading' }
  | { kind: 'shown'; sql: string }
  | { kind: 'failed'; message: string };

/** The SQL of `node` (or of the flow's outputs), read again when the flow changes. */
function useCode(
  designer: IFlowsDesigner,
  path: () => string,
  flow: IFlow,
  node: string | null
): CodeState {
  const [state, setState] = React.useState<CodeState>({ kind: 'loading' });
  React.useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    designer.code(path(), flow, node ?? undefined).then(
      sql => live && setState({ kind: 'shown', sql }),
      reason => live && setState({ kind: 'failed', message: errorText(reason) })
    );
    return () => {
      live = false;
    };
  }, [designer, flow, node]);
  return state;
}

/** The panel: the node's or the flow's SQL, Copy, Close. */
export function CodePanel(props: {
  designer: IFlowsDesigner;
  path: () => string;
  flow: IFlow;
  /** The selected node, if one is. */
  selected: string | null;
  onClose(): void;
}): JSX.Element {
  const { designer, path, flow, selected, onClose } = props;
  const [whole, setWhole] = React.useState(selected === null);
  const node = whole ? null : selected;
  const state = useCode(designer, path, flow, node);
  const title = node ? `SQL of ${node}` : 'SQL of the whole flow';
  return (
    <section className="jp-GalileanFlow-code" aria-label="Show as code">
      <div className="jp-GalileanFlow-codeBar" role="toolbar">
        <strong>{title}</strong>
        <label>
          <input
            type="checkbox"
            checked={whole || selected === null}
            disabled={selected === null}
            onChange={event => setWhole(event.target.checked)}
          />{' '}
          Whole flow
        </label>
        <button
          aria-label="Copy the SQL"
          disabled={state.kind !== 'shown'}
          onClick={() =>
            state.kind === 'shown' && Clipboard.copyToSystem(state.sql)
          }
        >
          Copy
        </button>
        <button aria-label="Close the code" onClick={onClose}>
          Close
        </button>
      </div>
      {state.kind === 'loading' && (
        <p className="jp-GalileanFlow-hint">Compiling…</p>
      )}
      {state.kind === 'failed' && (
        <p className="jp-GalileanFlow-error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'shown' && (
        <pre className="jp-GalileanFlow-sql" aria-label={title}>
          {state.sql}
        </pre>
      )}
    </section>
  );
}
