/**
 * The designer's React root: palette | canvas | side panel over one FlowDocument. Every
 * edit is a model.ts operation whose result the document writes to the text model;
 * the view re-renders from the document's `changed` signal (so revert, undo and other
 * collaborators' edits show the same way). Keyboard: Delete, Ctrl+Z / Ctrl+Shift+Z
 * (or Ctrl+Y), Ctrl+C / Ctrl+V, Ctrl+D (duplicate), Ctrl+A (select all), Ctrl/Cmd+click
 * (add to the selection), Shift+drag (select in a box), Shift+P (preview the selected
 * node), Shift+L (auto-layout), Shift+F (fit into view). Under the canvas, the preview
 * and the run history.
 */
import { ReactFlowProvider } from '@xyflow/react';
import * as React from 'react';

import { BottomPanel, BottomTab, NodeActions, RunButtons } from './bottom';
import { FlowCanvas } from './canvas';
import { CodePanel } from './code';
import { canonical } from './diff';
import {
  isTyping,
  nextPosition,
  NotAFlow,
  useDocument,
  useKinds
} from './editorparts';
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
import { inputColumns } from './fields';
import { lineageSummary, useLineage } from './lineage';
import { ParamsForm } from './paramsform';
import { usePreview } from './preview';
import { problemsByEdge, problemsByNode } from './problems';
import { ProblemsList, useValidation } from './problemsview';
import { runSummary, useRun } from './runs';
import { FlowsRunsClient, IFlowsRuns } from './runs_client';
import { runDecorations } from './runs_model';
import { IFlowsDesigner } from './tokens';

/** The last copied nodes, for a paste without access to the system clipboard. */
let lastClip: IFlowClip | null = null;

export interface IFlowEditorProps {
  doc: FlowDocument;
  designer: IFlowsDesigner;
  /** The .flow file's path now (it changes on rename). */
  path: () => string;
  /** The flows service, through the server's bridge (a client of it by default). */
  runs?: IFlowsRuns;
}

export function FlowEditor(props: IFlowEditorProps): JSX.Element {
  const { doc, designer, path } = props;
  const { flow, problem } = useDocument(doc);
  const { kinds, byName, error } = useKinds(designer);
  const [selection, setSelection] = React.useState<string[]>([]);
  const [message, setMessage] = React.useState('');
  const [focus, setFocus] = React.useState<{ id: string } | null>(null);
  const [fitAll, setFitAll] = React.useState<object | null>(null);
  const [selectAll, setSelectAll] = React.useState<object | null>(null);
  const {
    issues,
    error: checkError,
    columns
  } = useValidation(designer, path, flow);
  const problems = React.useMemo(() => problemsByNode(issues), [issues]);
  const edgeProblems = React.useMemo(() => problemsByEdge(issues), [issues]);
  const runs = React.useMemo(
    () => props.runs ?? new FlowsRunsClient(),
    [props.runs]
  );
  const [tab, setTab] = React.useState<BottomTab | null>(null);
  const previews = usePreview(designer, path, flow, id => setFocus({ id }));
  const running = useRun(runs, path, flow);
  const run = running.state.run;
  const lineage = useLineage(designer, path, flow);
  const [showCode, setShowCode] = React.useState(false);
  const runDrawn = React.useMemo(
    () =>
      run && flow
        ? runDecorations(run, flow, running.state.targets)
        : undefined,
    [run, flow, running.state.targets]
  );
  const decorations = lineage.decorations ?? runDrawn;

  if (flow === null) {
    return <NotAFlow message={problem?.message ?? 'The file is empty.'} />;
  }
  const edit = (next: IFlow) => {
    setMessage('');
    lineage.clear(); // traced over the flow before the edit
    doc.write(next);
  };
  const add = (kind: string, position?: IPosition) =>
    edit(addNode(flow, kind, position ?? nextPosition(flow)).flow);
  const paste = (clip: IFlowClip | null) => {
    if (clip) {
      edit(pasteNodes(flow, clip).flow);
    }
  };
  const preview = (node: string) => {
    setTab('preview');
    previews.preview(node);
  };
  const start = (targets?: string[]) => {
    setTab('runs');
    running.start(targets);
  };
  const layOut = () => {
    edit(moveNodes(flow, autoLayout(flow)));
    setFitAll({});
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape' && lineage.state.kind !== 'none') {
      lineage.clear();
      return;
    }
    if (isTyping(event.target)) {
      return;
    }
    if (event.shiftKey && !(event.ctrlKey || event.metaKey || event.altKey)) {
      // Shift+P previews the node selected, Shift+L lays the flow out, Shift+F fits it
      // into view.
      const shifted: Record<string, () => void> = {
        p: () => selection.length === 1 && preview(selection[0]),
        l: layOut,
        f: () => setFitAll({})
      };
      const action = shifted[event.key.toLowerCase()];
      if (action) {
        event.preventDefault();
        action();
      }
      return;
    }
    if (!(event.ctrlKey || event.metaKey)) {
      return;
    }
    const key = event.key.toLowerCase();
    const actions: Record<string, () => void> = {
      z: () => (event.shiftKey ? doc.redo() : doc.undo()),
      y: () => doc.redo(),
      a: () => setSelectAll({}),
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
          <button
            onClick={layOut}
            title="Lay the flow out and fit it into view (Shift+L; Shift+F only fits)"
            aria-keyshortcuts="Shift+L"
          >
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
          <button
            aria-pressed={showCode}
            title="The SQL the engine runs for the selected node or the flow"
            onClick={() => setShowCode(!showCode)}
          >
            Show as code
          </button>
          <RunButtons
            running={running.running}
            onRun={() => start()}
            onCancel={running.cancel}
          />
          <span className="jp-GalileanFlow-message" role="status">
            {message}
          </span>
          <span className="jp-GalileanFlow-runStatus" role="status">
            {runSummary(running.state)}
          </span>
        </div>
        <LineageBar state={lineage.state} onClear={lineage.clear} />
        <div className="jp-GalileanFlow-canvas">
          <ReactFlowProvider>
            <FlowCanvas
              flow={flow}
              kinds={byName}
              problems={problems}
              edgeProblems={edgeProblems}
              focus={focus}
              fitAll={fitAll}
              selectAll={selectAll}
              onChange={edit}
              onSelect={setSelection}
              onMessage={setMessage}
              onAdd={add}
              decorations={decorations}
            />
          </ReactFlowProvider>
        </div>
        {showCode && (
          <CodePanel
            designer={designer}
            path={path}
            flow={flow}
            selected={selected?.id ?? null}
            onClose={() => setShowCode(false)}
          />
        )}
        <ProblemsList
          issues={issues}
          error={checkError}
          onGo={id => setFocus({ id })}
        />
        <BottomPanel
          tab={tab}
          onTab={setTab}
          preview={previews.state}
          runs={runs}
          path={path}
          refresh={`${run?.id}:${run?.status}`}
          onColumn={lineage.show}
        />
      </div>
      <aside className="jp-GalileanFlow-side" aria-label="Node parameters">
        {selected && (
          <NodeActions
            node={selected.id}
            onPreview={() => preview(selected.id)}
            onRunTo={() => start([selected.id])}
          />
        )}
        <ParamsForm
          node={selected}
          kind={selected ? byName.get(selected.kind) : undefined}
          selected={selection.length}
          columns={selected ? inputColumns(flow, selected.id, columns) : {}}
          parameters={flow.parameters.map(p => p.name)}
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

/** What the lineage on the canvas says, and Clear lineage (Escape does it too). */
function LineageBar(props: {
  state: ReturnType<typeof useLineage>['state'];
  onClear(): void;
}): JSX.Element | null {
  const { state, onClear } = props;
  if (state.kind === 'none') {
    return null;
  }
  const said =
    state.kind === 'loading'
      ? `Tracing ${state.node}.${state.column}…`
      : state.kind === 'failed'
        ? state.message
        : lineageSummary(state.lineage);
  return (
    <div className="jp-GalileanFlow-lineage">
      <button aria-label="Clear lineage" onClick={onClear}>
        Clear lineage
      </button>
      <span role="status" aria-label="Lineage">
        {said}
      </span>
    </div>
  );
}
