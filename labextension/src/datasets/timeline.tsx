/**
 * One dataset: its snapshot timeline (newest first: number, message, author, when,
 * tags, what made it), "Take snapshot", a diff of any two picked, "Restore" (confirmed:
 * the current head stays as a snapshot) and "Tag"; each error next to its control.
 * Someone else's dataset (shared with a group) is read-only here.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import {
  diffLines,
  diffSummary,
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
import { DatasetDiff, IDataset, IDatasets, ISnapshot } from './tokens';

export interface IDatasetViewProps {
  client: IDatasets;
  dataset: IDataset;
  /** The owner may write; others read. */
  writable: boolean;
  /** Milliseconds since the epoch (relative times). */
  now(): number;
  /** After a restore rewrote the folder: the file browser reads it again. */
  onRestored(): void;
  onBack(): void;
}

function Alert(props: { text: string }): JSX.Element | null {
  return props.text ? (
    <div className="jp-GalileanDatasets-error" role="alert">
      {props.text}
    </div>
  ) : null;
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
  writable: boolean;
  now: number;
  onPick(on: boolean): void;
  onRestore(): void;
  onTag(tag: string): Promise<Record<string, string>>;
}): JSX.Element {
  const { s } = props;
  const [tagging, setTagging] = React.useState(false);
  return (
    <li
      className="jp-GalileanDatasets-snapshot"
      aria-label={`Snapshot ${s.number}`}
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

export function DiffView(props: {
  diff: DatasetDiff;
  older: number;
  newer: number;
}): JSX.Element {
  const lines = diffLines(props.diff);
  return (
    <section
      className="jp-GalileanDatasets-diff"
      aria-label={`Changes from snapshot ${props.older} to snapshot ${props.newer}`}
    >
      <h4>
        #{props.older} → #{props.newer}
      </h4>
      <p>{diffSummary(props.diff)}</p>
      <ul>
        {lines.map(line => (
          <li
            key={`${line.change}:${line.name}`}
            className={`jp-GalileanDatasets-diff-${line.change}`}
            aria-label={`${line.change} ${line.name}`}
          >
            <span className="jp-GalileanDatasets-change">{line.change}</span>{' '}
            <code>{line.name}</code>
            {line.detail && (
              <span className="jp-GalileanDatasets-detail"> {line.detail}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
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
    setError(errorFor(errors, 'message', 'origin', '', 'conflict'));
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
  const pair = pickedPair(picked);

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
      </p>
      {dataset.description && (
        <p className="jp-GalileanDatasets-description">{dataset.description}</p>
      )}
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
