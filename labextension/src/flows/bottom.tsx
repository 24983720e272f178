/**
 * The designer's bottom panel (tabs: the selected node's preview, the run history) and
 * the controls that feed it: Run / Cancel in the editor's toolbar, Preview and Run up
 * to here for the selected node in the side panel.
 */
import * as React from 'react';

import { PreviewState, PreviewView } from './preview';
import { RunHistory } from './runs';
import { IFlowsRuns } from './runs_client';

export type BottomTab = 'preview' | 'runs';

const TABS: [BottomTab, string][] = [
  ['preview', 'Preview'],
  ['runs', 'Run history']
];

/**
 * The tabs under the canvas; `tab` null: closed to its tab strip (the canvas keeps the
 * room until a preview, a run or a click on a tab opens it; a click on the open tab
 * closes it).
 */
export function BottomPanel(props: {
  tab: BottomTab | null;
  onTab(tab: BottomTab | null): void;
  preview: PreviewState;
  runs: IFlowsRuns;
  path: () => string;
  refresh: unknown;
  /** A preview column's header was clicked (show its lineage). */
  onColumn?: (node: string, column: string) => void;
}): JSX.Element {
  const { tab, onTab, preview, runs, path, refresh, onColumn } = props;
  return (
    <div className={`jp-GalileanFlow-bottom${tab ? ' jp-mod-open' : ''}`}>
      <div role="tablist" aria-label="Preview and runs">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            id={`jp-GalileanFlow-tab-${id}`}
            aria-selected={tab === id}
            className={tab === id ? 'jp-mod-current' : ''}
            onClick={() => onTab(tab === id ? null : id)}
          >
            {label}
          </button>
        ))}
      </div>
      {tab && (
        <div
          role="tabpanel"
          className="jp-GalileanFlow-tabBody"
          aria-label={tab}
        >
          {tab === 'preview' ? (
            <PreviewView state={preview} onColumn={onColumn} />
          ) : (
            <RunHistory runs={runs} path={path} refresh={refresh} />
          )}
        </div>
      )}
    </div>
  );
}

/** Run and Cancel, for the editor's toolbar. */
export function RunButtons(props: {
  running: boolean;
  onRun(): void;
  onCancel(): void;
}): JSX.Element {
  const { running, onRun, onCancel } = props;
  return (
    <>
      <button
        aria-label="Run the flow"
        title="Run the flow in the flows service (saved as a new version when changed)"
        disabled={running}
        onClick={onRun}
      >
        Run
      </button>
      {running && (
        <button aria-label="Cancel the run" onClick={onCancel}>
          Cancel
        </button>
      )}
    </>
  );
}

/** Preview and Run up to here, for the node selected (in the side panel). */
export function NodeActions(props: {
  node: string;
  onPreview(): void;
  onRunTo(): void;
}): JSX.Element {
  const { node, onPreview, onRunTo } = props;
  return (
    <div className="jp-GalileanFlow-nodeActions" role="group">
      <button
        aria-label={`Preview ${node}`}
        title="Preview this node's first rows (Shift+P)"
        aria-keyshortcuts="Shift+P"
        onClick={onPreview}
      >
        Preview
      </button>
      <button
        aria-label={`Run up to ${node}`}
        title="Run this node and what it needs"
        onClick={onRunTo}
      >
        Run up to here
      </button>
    </div>
  );
}
