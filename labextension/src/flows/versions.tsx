/**
 * The versions panel: the flow's saved versions (newest first), two of them compared
 * (nodes and flow parameters added, removed and changed, with each parameter before →
 * after, from the service's diff), and restore: a new version on the service with an old
 * one's content, written into the document as an undoable, saveable edit.
 */
import * as React from 'react';

import { errorText } from '../request';
import { showDiffCanvas } from './diffcanvas';
import { FlowDocument } from './document';
import { IFlowService, IServiceDiff, IVersionInfo } from './service_client';
import { whenText } from './service_views';
import { IFlowsDesigner } from './tokens';
import {
  contentAsFlow,
  diffRows,
  edgeSummary,
  IDiffRow,
  pickedPair,
  togglePick
} from './versions_model';

export interface IPanelProps {
  service: IFlowService;
  doc: FlowDocument;
  path: () => string;
  /** For the diff canvas (its node kinds); without it the diff is a list only. */
  designer?: IFlowsDesigner;
  /** How many versions the toolbar saved: a change reads the versions again. */
  saved?: number;
}

function DiffRow({ row }: { row: IDiffRow }): JSX.Element {
  const label = `${row.change} ${row.what} ${row.id}`;
  return (
    <li
      className={`jp-GalileanFlow-versionsDiff-${row.change}`}
      aria-label={label}
    >
      <span className="jp-GalileanFlow-versionsChange">{row.change}</span>{' '}
      {row.what === 'node' ? '' : `${row.what} `}
      <strong>{row.id}</strong>
      {row.fields.length > 0 && (
        <ul>
          {row.fields.map(f => (
            <li key={f.name}>
              <code>{f.name}</code>: <del>{f.from}</del> → <ins>{f.to}</ins>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function DiffView({ diff }: { diff: IServiceDiff }): JSX.Element {
  const rows = diffRows(diff);
  const edges = edgeSummary(diff);
  return (
    <section
      className="jp-GalileanFlow-versionsDiff"
      aria-label={`Changes from version ${diff.from} to version ${diff.to}`}
    >
      <h4>
        Version {diff.from} → version {diff.to}
      </h4>
      {rows.length === 0 && edges === '' && <p>No differences.</p>}
      <ul>
        {rows.map(r => (
          <DiffRow key={`${r.what}:${r.id}:${r.change}`} row={r} />
        ))}
      </ul>
      {edges && <p>{edges}</p>}
    </section>
  );
}

function VersionRow(props: {
  v: IVersionInfo;
  picked: boolean;
  onPick(checked: boolean): void;
  onRestore(): void;
}): JSX.Element {
  const { v } = props;
  return (
    <li className="jp-GalileanFlow-versionsItem">
      <label>
        <input
          type="checkbox"
          checked={props.picked}
          aria-label={`Compare version ${v.number}`}
          onChange={e => props.onPick(e.currentTarget.checked)}
        />{' '}
        <strong>v{v.number}</strong> {v.message || <em>(no message)</em>}
      </label>
      <div className="jp-GalileanFlow-versionsMeta">
        {v.author} · {whenText(v.created)}
      </div>
      <button
        className="jp-mod-styled jp-mod-reject"
        aria-label={`Restore version ${v.number}`}
        onClick={props.onRestore}
      >
        Restore
      </button>
    </li>
  );
}

export function VersionsPanel(props: IPanelProps): JSX.Element {
  const { service, doc, path, saved } = props;
  const [versions, setVersions] = React.useState<IVersionInfo[] | null>(null);
  const [picked, setPicked] = React.useState<number[]>([]);
  const [diff, setDiff] = React.useState<IServiceDiff | null>(null);
  const [note, setNote] = React.useState('');
  const [error, setError] = React.useState('');

  const load = React.useCallback(() => {
    service.state(path()).then(
      s => setVersions(s.versions),
      e => setError(errorText(e))
    );
  }, [service, path, saved]);
  React.useEffect(load, [load]);

  React.useEffect(() => {
    const pair = pickedPair(picked);
    setDiff(null);
    if (pair) {
      service.diff(path(), pair[1], pair[0]).then(setDiff, e => {
        setError(errorText(e));
      });
    }
  }, [picked, service, path]);

  const pick = (n: number, on: boolean) => setPicked(p => togglePick(p, n, on));

  const restore = async (n: number) => {
    setError('');
    try {
      const restored = await service.restore(path(), n);
      doc.write(contentAsFlow(restored.content));
      setNote(`Version ${n} restored as v${restored.number}`);
      load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="jp-GalileanFlow-versions">
      <button className="jp-mod-styled" onClick={load}>
        Refresh
      </button>
      {note && (
        <p className="jp-GalileanFlow-note" role="status">
          {note}
        </p>
      )}
      {error && (
        <p className="jp-GalileanFlow-error" role="alert">
          {error}
        </p>
      )}
      {versions === null && !error && <p>Reading the versions…</p>}
      {versions !== null && versions.length === 0 && (
        <p>No version is saved yet: "Save version" in the toolbar saves one.</p>
      )}
      {versions !== null && versions.length > 0 && (
        <>
          <p className="jp-GalileanFlow-hint">
            Tick two versions to compare them.
          </p>
          <ul aria-label="Versions">
            {versions.map(v => (
              <VersionRow
                key={v.number}
                v={v}
                picked={picked.includes(v.number)}
                onPick={on => pick(v.number, on)}
                onRestore={() => void restore(v.number)}
              />
            ))}
          </ul>
        </>
      )}
      {diff && props.designer && (
        <button
          className="jp-mod-styled"
          onClick={() =>
            showDiffCanvas(
              service,
              props.designer as IFlowsDesigner,
              path(),
              diff
            )
          }
        >
          Show the changes on a canvas
        </button>
      )}
      {diff && <DiffView diff={diff} />}
    </div>
  );
}
