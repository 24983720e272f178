/**
 * The designer's React root: palette | canvas | side panel over one FlowDocument. Every
 * edit is a model.ts operation whose result the document writes to the text model;
 * the view re-renders from the document's `changed` signal (so revert, undo and other
 * collaborators' edits show the same way). Keyboard: Delete, Ctrl+Z / Ctrl+Shift+Z
 * (or Ctrl+Y), Ctrl+C / Ctrl+V, Ctrl+D (duplicate), Ctrl+A (select all).
 */
import { ReactFlowProvider } from '@xyflow/react';
import * as React from 'react';

import { errorText } from '../request';
import { FlowCanvas } from './canvas';
import { canonical } from './diff';
import { FlowDocument } from './document';
import { autoLayout } from './layout';
import {
  addNode,
  copyNodes,
  deleteNodes,
  duplicateNodes,
  IFlowClip,
  moveNodes,
  parseClip,
  pasteNodes,
  setParams
} from './edit';
import { IFlow, IPosition } from './model';
import { Palette } from './palette';
import { ParamsForm } from './paramsform';
import { problemsByEdge, problemsByNode } from './problems';
import { ProblemsList, useValidation } from './problemsview';
import { IFlowsDesigner, IKindInfo } from './tokens';

/** The last copied nodes, for a paste without access to the system clipboard. */
let lastClip: IFlowClip | null = null;

function useDocument(doc: FlowDocument) {
  const [state, setState] = React.useState({
    flow: doc.flow,
    problem: doc.problem
  });
  React.useEffect(() => {
    const changed = () => setState({ flow: doc.flow, problem: doc.problem });
    doc.changed.connect(changed);
    changed();
    return () => {
      doc.changed.disconnect(changed);
    };
  }, [doc]);
  return state;
}

function useKinds(designer: IFlowsDesigner) {
  const [kinds, setKinds] = React.useState<IKindInfo[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    designer
      .kinds()
      .then(setKinds, reason =>
        setError(`The node kinds could not be read: ${errorText(reason)}`)
      );
  }, [designer]);
  const byName = React.useMemo(
    () => new Map(kinds.map(k => [k.kind, k])),
    [kinds]
  );
  return { kinds, byName, error };
}

/** Where a clicked kind goes: right of the rightmost node. */
function nextPosition(flow: IFlow): IPosition {
  const xs = flow.nodes.map(n => n.position?.x ?? 0);
  return { x: xs.length > 0 ? Math.max(...xs) + 220 : 40, y: 40 };
}

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

function NotAFlow(props: { message: string }): JSX.Element {
  return (
    <div className="jp-GalileanFlow-notFlow" role="alert">
      <h3>This file is not a flow the designer can draw</h3>
      <pre>{props.message}</pre>
      <p>
        Fix it with Open With → Editor; the designer redraws as soon as the text
        is a flow again. Nothing was changed in the file.
      </p>
    </div>
  );
}

export interface IFlowEditorProps {
  doc: FlowDocument;
  designer: IFlowsDesigner;
  /** The .flow file's path now (it changes on rename). */
  path: () => string;
}

export function FlowEditor(props: IFlowEditorProps): JSX.Element {
  const { doc, designer, path } = props;
  const { flow, problem } = useDocument(doc);
  const { kinds, byName, error } = useKinds(designer);
  const [selection, setSelection] = React.useState<string[]>([]);
  const [message, setMessage] = React.useState('');
  const [focus, setFocus] = React.useState<{ id: string } | null>(null);
  const { issues, error: checkError } = useValidation(designer, path, flow);
  const problems = React.useMemo(() => problemsByNode(issues), [issues]);
  const edgeProblems = React.useMemo(() => problemsByEdge(issues), [issues]);

  if (flow === null) {
    return <NotAFlow message={problem?.message ?? 'The file is empty.'} />;
  }
  const edit = (next: IFlow) => {
    setMessage('');
    doc.write(next);
  };
  const add = (kind: string, position?: IPosition) =>
    edit(addNode(flow, kind, position ?? nextPosition(flow)).flow);
  const paste = (clip: IFlowClip | null) => {
    if (clip) {
      edit(pasteNodes(flow, clip).flow);
    }
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (isTyping(event.target) || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    const key = event.key.toLowerCase();
    const actions: Record<string, () => void> = {
      z: () => (event.shiftKey ? doc.redo() : doc.undo()),
      y: () => doc.redo(),
      d: () => edit(duplicateNodes(flow, selection).flow)
    };
    if (actions[key]) {
      event.preventDefault();
      event.stopPropagation();
      actions[key]();
    }
  };
  const onCopy = (event: React.ClipboardEvent) => {
    if (isTyping(event.target) || selection.length === 0) {
      return;
    }
    lastClip = copyNodes(flow, selection);
    event.clipboardData.setData(
      'text/plain',
      JSON.stringify(lastClip, null, 2)
    );
    event.preventDefault();
  };
  const onPaste = (event: React.ClipboardEvent) => {
    if (isTyping(event.target)) {
      return;
    }
    event.preventDefault();
    paste(parseClip(event.clipboardData.getData('text/plain')) ?? lastClip);
  };
  const selected =
    selection.length === 1
      ? (flow.nodes.find(n => n.id === selection[0]) ?? null)
      : null;

  return (
    <div
      className="jp-GalileanFlow-editor"
      onKeyDown={onKeyDown}
      onCopy={onCopy}
      onPaste={onPaste}
    >
      <Palette kinds={kinds} error={error} onPick={kind => add(kind)} />
      <div className="jp-GalileanFlow-main">
        <div className="jp-GalileanFlow-toolbar" role="toolbar">
          <button onClick={() => edit(moveNodes(flow, autoLayout(flow)))}>
            Auto-layout
          </button>
          <button onClick={() => doc.undo()}>Undo</button>
          <button onClick={() => doc.redo()}>Redo</button>
          <button
            disabled={selection.length === 0}
            onClick={() => edit(duplicateNodes(flow, selection).flow)}
          >
            Duplicate
          </button>
          <button
            disabled={selection.length === 0}
            onClick={() => edit(deleteNodes(flow, selection))}
          >
            Delete
          </button>
          <span className="jp-GalileanFlow-message" role="status">
            {message}
          </span>
        </div>
        <div className="jp-GalileanFlow-canvas">
          <ReactFlowProvider>
            <FlowCanvas
              flow={flow}
              kinds={byName}
              problems={problems}
              edgeProblems={edgeProblems}
              focus={focus}
              onChange={edit}
              onSelect={setSelection}
              onMessage={setMessage}
              onAdd={add}
            />
          </ReactFlowProvider>
        </div>
        <ProblemsList
          issues={issues}
          error={checkError}
          onGo={id => setFocus({ id })}
        />
      </div>
      <aside className="jp-GalileanFlow-side" aria-label="Node parameters">
        <ParamsForm
          node={selected}
          kind={selected ? byName.get(selected.kind) : undefined}
          selected={selection.length}
          onChange={(id, params) => {
            const next = setParams(flow, id, params);
            if (canonical(next) !== canonical(flow)) {
              edit(next);
            }
          }}
        />
      </aside>
    </div>
  );
}
