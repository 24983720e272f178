/**
 * One dataset: its snapshot timeline (newest first: number, message, author, when,
 * tags, what made it), "Take snapshot", a diff of any two picked, "Restore" (confirmed:
 * the current head stays as a snapshot) and "Tag"; each error next to its control.
 * Someone else's dataset (shared with a group) is read-only here.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { DiffView } from './diffview';
import {
  errorFor,
  errorsByField,
  newestFirst,
  originText,
  pickedPair,
  relativeTime,
  restoreQuestion,
  statsText,
  togglePick
} from './model';
import { Alert } from './fieldset';
import { NodeAction } from './lineage_model';
import { DatasetDiff, IDataset, IDatasets, ISnapshot } from './tokens';
import { DatasetTools } from './tools';

export interface IDatasetViewProps {
  client: IDatasets;
  dataset: IDataset;
  /** The owner and the members of its writer groups change it; others read. */
  writable: boolean;
  /** The owner: exports, samples, cleans up and shares it (default: `writable`). */
  owner?: boolean;
  /** Milliseconds since the epoch (relative times). */
  now(): number;
  /** After a restore rewrote the folder: the file browser reads it again. */
  onRestored(): void;
  onBack(): void;
  /** Open another dataset (a sample just made, a sample's source). */
  onOpenDataset(dataset: IDataset): void;
  /** A lineage node clicked that leads out of this dataset (a flow, a notebook, …). */
  onLineageAction(action: NodeAction): void;
  openLineage(dataset: IDataset, onAction: (action: NodeAction) => void): void;
}

function TagForm(props: {
  n: number;
  onTag(tag: string): Promise<Record<string, string>>;
  onDone(): void;
}): JSX.Element {
  const [tag, setTag] = React.useState('');
  const [error, setError] = React.useState('');
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const errors = await props.onTag(tag);
    const text = errorFor(errors, 'tag', '', 'number');
    setError(text);
    if (Object.keys(errors).length === 0) {
      props.onDone();
    }
  };
  return (
    <form className="jp-GalileanDatasets-inline" onSubmit={e => void submit(e)}>
      <input
        className="jp-mod-styled"
        aria-label={`Tag for snapshot ${props.n}`}
        aria-invalid={error !== ''}
        value={tag}
        autoFocus
        onChange={e => setTag(e.currentTarget.value)}
      />
      <button type="submit" className="jp-mod-styled jp-mod-accept">
        Add tag
      </button>
      <Alert text={error} />
    </form>
  );
}

function SnapshotRow(props: {
  s: ISnapshot;
  head: boolean;
  picked: boolean;
  selected: boolean;
  writable: boolean;
  now: number;
  onPick(on: boolean): void;
  onRestore(): void;
  onTag(tag: string): Promise<Record<string, string>>;
}): JSX.Element {
  const { s } = props;
  const [tagging, setTagging] = React.useState(false);
  const row = React.useRef<HTMLLIElement>(null);
  React.useEffect(() => {
    if (props.selected) {
      row.current?.scrollIntoView?.({ block: 'nearest' });
    }
  }, [props.selected]);
  return (
    <li
      ref={row}
      className={`jp-GalileanDatasets-snapshot${props.selected ? ' jp-mod-selected' : ''}`}
      aria-label={`Snapshot ${s.number}`}
      aria-current={props.selected ? 'true' : undefined}
    >
      <label className="jp-GalileanDatasets-snapshotTitle">
        <input
          type="checkbox"
          checked={props.picked}
          aria-label={`Compare snapshot ${s.number}`}
          onChange={e => props.onPick(e.currentTarget.checked)}
        />
        <strong>#{s.number}</strong>
        <span>{s.message || <em>(no message)</em>}</span>
      </label>
      <div className="jp-GalileanDatasets-meta">
        {s.author} ·{' '}
        <time dateTime={s.created_at} title={s.created_at}>
          {relativeTime(s.created_at, props.now)}
        </time>{' '}
        · {originText(s.origin)}
        {statsText(s.stats) ? ` · ${statsText(s.stats)}` : ''}
      </div>
      <div className="jp-GalileanDatasets-tags" aria-label="Tags">
        {props.head && <span className="jp-GalileanDatasets-head">head</span>}
        {s.tags.map(t => (
          <span key={t} className="jp-GalileanDatasets-tag">
            {t}
          </span>
        ))}
      </div>
      {props.writable && (
        <div className="jp-GalileanDatasets-buttons">
          <button
            className="jp-mod-styled"
            aria-label={`Tag snapshot ${s.number}`}
            onClick={() => setTagging(!tagging)}
          >
            Tag
          </button>
          {!props.head && (
            <button
              className="jp-mod-styled"
              aria-label={`Restore snapshot ${s.number}`}
              onClick={props.onRestore}
            >
              Restore
            </button>
          )}
        </div>
      )}
      {tagging && (
        <TagForm
          n={s.number}
          onTag={props.onTag}
          onDone={() => setTagging(false)}
        />
      )}
    </li>
  );
}

function TakeSnapshot(props: {
  onTake(message: string): Promise<Record<string, string>>;
}): JSX.Element {
  const [message, setMessage] = React.useState('');
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const errors = await props.onTake(message);
    setBusy(false);
    setError(
      errorFor(errors, 'message', 'origin', '', 'conflict', 'dataset_id')
    );
    if (Object.keys(errors).length === 0) {
      setMessage('');
    }
  };
  return (
    <form
      className="jp-GalileanDatasets-take"
      aria-label="Take snapshot"
      onSubmit={e => void submit(e)}
    >
      <input
        className="jp-mod-styled"
        aria-label="Snapshot message"
        aria-invalid={error !== ''}
        placeholder="What changed?"
        value={message}
        onChange={e => setMessage(e.currentTarget.value)}
      />
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept"
        disabled={busy}
      >
        {busy ? 'Taking…' : 'Take snapshot'}
      </button>
      <Alert text={error} />
    </form>
  );
}

/** The snapshots' state: read, re-read after a write, and the note of the last write. */
function useSnapshots(client: IDatasets, id: number) {
  const [snapshots, setSnapshots] = React.useState<ISnapshot[] | null>(null);
  const [error, setError] = React.useState('');
  const load = React.useCallback(() => {
    client.snapshots(id).then(
      s => {
        setSnapshots(newestFirst(s));
        setError('');
      },
      e => setError(errorFor(errorsByField(e), '', 'dataset_id'))
    );
  }, [client, id]);
  React.useEffect(load, [load]);
  return { snapshots, error, load };
}

/** Run a write; its errors per field ({} when it worked). */
async function attempt(write: () => Promise<unknown>) {
  try {
    await write();
    return {};
  } catch (e) {
    return errorsByField(e);
  }
}

export function DatasetView(props: IDatasetViewProps): JSX.Element {
  const { client, dataset } = props;
  const { snapshots, error, load } = useSnapshots(client, dataset.id);
  const [picked, setPicked] = React.useState<number[]>([]);
  const [diff, setDiff] = React.useState<DatasetDiff | null>(null);
  const [diffError, setDiffError] = React.useState('');
  const [note, setNote] = React.useState('');
  const [restoreError, setRestoreError] = React.useState('');
  const [selected, setSelected] = React.useState<number | null>(null);
  const pair = pickedPair(picked);
  const onLineageAction = React.useCallback(
    (action: NodeAction) => {
      if (action.kind === 'select-snapshot') {
        setSelected(action.number);
        setPicked(p => togglePick(p, action.number, true));
      } else {
        props.onLineageAction(action);
      }
    },
    [props.onLineageAction]
  );

  React.useEffect(() => {
    setDiff(null);
    setDiffError('');
    if (pair) {
      client.diff(dataset.id, pair[1], pair[0]).then(setDiff, e => {
        setDiffError(errorFor(errorsByField(e), '', 'number', 'against'));
      });
    }
  }, [pair?.[0], pair?.[1], client, dataset.id]);

  const take = async (message: string) => {
    const errors = await attempt(async () => {
      const made = await client.take(dataset.id, message);
      setNote(`Snapshot ${made.number} taken`);
    });
    load();
    return errors;
  };
  const tag = async (n: number, text: string) => {
    const errors = await attempt(() => client.tag(dataset.id, n, text));
    load();
    return errors;
  };
  const restore = async (n: number) => {
    const answer = await showDialog({
      title: `Restore snapshot ${n} of ${dataset.name}?`,
      body: restoreQuestion(dataset, n),
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Restore' })]
    });
    if (!answer.button.accept) {
      return;
    }
    setRestoreError('');
    const errors = await attempt(async () => {
      const made = await client.restore(dataset.id, n);
      setNote(`Snapshot ${n} restored as snapshot ${made.number}`);
    });
    setRestoreError(errorFor(errors, '', 'number', 'conflict'));
    load();
    props.onRestored();
  };

  const head = snapshots?.[0]?.number;
  return (
    <div className="jp-GalileanDatasets-dataset">
      <div className="jp-GalileanDatasets-header">
        <button
          className="jp-mod-styled"
          aria-label="Back to all datasets"
          onClick={props.onBack}
        >
          ← Datasets
        </button>
        <button
          className="jp-mod-styled"
          aria-label="Refresh snapshots"
          onClick={load}
        >
          Refresh
        </button>
      </div>
      <h3>{dataset.name}</h3>
      <p className="jp-GalileanDatasets-meta">
        {dataset.driver}
        {dataset.folder ? ` · ${dataset.folder}` : ''} · owner {dataset.owner}
        {props.writable ? '' : ' · read-only'}
        {props.writable && props.owner === false ? ' · you can edit' : ''}
      </p>
      {dataset.description && (
        <p className="jp-GalileanDatasets-description">{dataset.description}</p>
      )}
      <DatasetTools
        client={client}
        dataset={dataset}
        writable={props.writable}
        owner={props.owner ?? props.writable}
        snapshots={snapshots}
        now={props.now}
        onOpenDataset={props.onOpenDataset}
        onChanged={() => {
          load();
          props.onRestored();
        }}
        onLineageAction={onLineageAction}
        openLineage={props.openLineage}
      />
      {props.writable && <TakeSnapshot onTake={take} />}
      {note && (
        <p className="jp-GalileanDatasets-note" role="status">
          {note}
        </p>
      )}
      <Alert text={error || restoreError} />
      {snapshots === null && !error && <p>Reading the snapshots…</p>}
      {snapshots !== null && snapshots.length === 0 && (
        <p className="jp-GalileanDatasets-hint">No snapshot yet.</p>
      )}
      {snapshots !== null && snapshots.length > 1 && (
        <p className="jp-GalileanDatasets-hint">
          Tick two snapshots to see what changed.
        </p>
      )}
      <Alert text={diffError} />
      {diff && pair && <DiffView diff={diff} older={pair[0]} newer={pair[1]} />}
      <ul className="jp-GalileanDatasets-timeline" aria-label="Snapshots">
        {(snapshots ?? []).map(s => (
          <SnapshotRow
            key={s.number}
            s={s}
            head={s.number === head}
            picked={picked.includes(s.number)}
            selected={s.number === selected}
            writable={props.writable}
            now={props.now()}
            onPick={on => setPicked(p => togglePick(p, s.number, on))}
            onRestore={() => void restore(s.number)}
            onTag={text => tag(s.number, text)}
          />
        ))}
      </ul>
    </div>
  );
}
