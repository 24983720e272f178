/**
 * Runs in the designer: Run (or Run up to here) sends the flow as it is in the editor to
 * the flows service through the server's bridge (saved as a new version when it
 * changed) and follows the run, whose per-node progress the canvas shows; Cancel stops
 * it. The run history lists the linked flow's runs; a run chosen shows its logs and its
 * displayed outputs.
 */
import * as React from 'react';

import { errorText } from '../request';
import { IFlow } from './model';
import { RowsGrid } from './preview';
import { IFlowsRuns, RunPoller } from './runs_client';
import { historyRows, IRun, isFinished, rowsText } from './runs_model';

export interface IRunState {
  run: IRun | null;
  /** The nodes the run was asked for (none: the whole flow). */
  targets?: string[];
  /** Why starting or following the run failed. */
  error: string | null;
  /** The version run, and whether it was saved for this run. */
  version: number | null;
  newVersion: boolean;
}

const NO_RUN: IRunState = {
  run: null,
  error: null,
  version: null,
  newVersion: false
};

/** Start, follow and cancel runs of the flow in the editor. */
export function useRun(
  runs: IFlowsRuns,
  path: () => string,
  flow: IFlow | null
) {
  const [state, setState] = React.useState<IRunState>(NO_RUN);
  const poller = React.useRef<RunPoller | null>(null);
  React.useEffect(() => () => poller.current?.dispose(), []);
  const follow = (run: IRun) => setState(old => ({ ...old, run }));
  const fail = (reason: unknown) =>
    setState(old => ({ ...old, error: errorText(reason) }));
  const start = (targets?: string[]) => {
    if (flow === null) {
      return;
    }
    poller.current?.dispose();
    const mine = new RunPoller(runs, follow, fail);
    poller.current = mine;
    setState({ ...NO_RUN, targets });
    runs.start({ path: path(), content: flow, targets }).then(
      started => {
        if (!mine.isDisposed) {
          setState(old => ({
            ...old,
            version: started.version,
            newVersion: started.new_version
          }));
          mine.follow(started.run);
        }
      },
      reason => !mine.isDisposed && fail(reason)
    );
  };
  const cancel = () => {
    const run = state.run;
    if (run !== null && !isFinished(run.status)) {
      runs.cancel(run.id).then(follow, fail);
    }
  };
  const running =
    poller.current !== null &&
    state.error === null &&
    (state.run === null || !isFinished(state.run.status));
  return { state, start, cancel, running };
}

/** "Run 3 (v2): succeeded" and the run's error, for the toolbar's status. */
export function runSummary(state: IRunState): string {
  if (state.error !== null) {
    return `The run failed to start or to report: ${state.error}`;
  }
  const run = state.run;
  if (run === null) {
    return state.version === null ? '' : 'Starting the run…';
  }
  const saved = state.newVersion ? ' (saved as a new version)' : '';
  const why = run.error ? `: ${run.error.message}` : '';
  return `Run of v${run.version}${saved}: ${run.status}${why}`;
}

function RunDetail(props: { run: IRun }): JSX.Element {
  const { run } = props;
  const outputs = Object.entries(run.outputs ?? {});
  return (
    <div className="jp-GalileanFlow-runDetail">
      <h4>Logs of run {run.id}</h4>
      <pre className="jp-GalileanFlow-logs" aria-label="Run logs">
        {run.logs || '(no logs)'}
      </pre>
      {outputs.map(([node, output]) => (
        <section key={node} aria-label={`Output ${node}`}>
          <h4>
            {node} ({rowsText(output.total)})
          </h4>
          <RowsGrid
            columns={output.columns}
            rows={output.rows}
            label={`Output ${node}`}
          />
        </section>
      ))}
    </div>
  );
}

const COLUMNS = [
  'who',
  'when',
  'version',
  'engine',
  'duration',
  'rows',
  'status'
] as const;

/** The linked flow's runs, newest first; `refresh` changes when a run ends. */
export function RunHistory(props: {
  runs: IFlowsRuns;
  path: () => string;
  refresh: unknown;
}): JSX.Element {
  const { runs, path, refresh } = props;
  const [list, setList] = React.useState<IRun[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [chosen, setChosen] = React.useState<IRun | null>(null);
  React.useEffect(() => {
    let live = true;
    runs.linked(path()).then(
      linked => live && (setList(linked.runs), setError(null)),
      reason => live && setError(errorText(reason))
    );
    return () => {
      live = false;
    };
  }, [runs, refresh]);
  const choose = (id: string) =>
    runs.run(id).then(setChosen, reason => setError(errorText(reason)));
  if (error !== null) {
    return <p className="jp-GalileanFlow-error">{error}</p>;
  }
  if (list === null) {
    return <p className="jp-GalileanFlow-hint">Reading the runs…</p>;
  }
  if (list.length === 0) {
    return <p className="jp-GalileanFlow-hint">This flow has not run yet.</p>;
  }
  return (
    <div className="jp-GalileanFlow-history">
      <table className="jp-GalileanFlow-rows" aria-label="Run history">
        <thead>
          <tr>
            {COLUMNS.map(c => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {historyRows(list).map(row => (
            <tr
              key={row.id}
              className={chosen?.id === row.id ? 'jp-mod-selected' : ''}
              tabIndex={0}
              aria-label={`Run ${row.id}`}
              onClick={() => void choose(row.id)}
              onKeyDown={e => e.key === 'Enter' && void choose(row.id)}
            >
              {COLUMNS.map(c => (
                <td key={c}>{row[c]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {chosen && <RunDetail run={chosen} />}
    </div>
  );
}
