/**
 * One dataset's explorer (the main area, "Explore <name>"): a snapshot picker (the head
 * by default) and two tabs, Items (a table's rows, or a labelled set's thumbnails) and
 * Stats (charts). Edits (labelled images, the head, writers only) make a new snapshot:
 * the picker and the sidebar's timeline read theirs again.
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { ImageItems, ImageStats } from './explorer_images';
import { Edit } from './explorer_model';
import { TableItems, TableStats } from './explorer_table';
import { Alert } from './fieldset';
import { errorFor, errorsByField, newestFirst } from './model';
import { IDataset, ISnapshot } from './tokens';
import { lastTable } from './tools';

/** What the explorer asks of the datasets bridge (client.ts). */
export interface IExplorerClient {
  snapshots(id: number): Promise<ISnapshot[]>;
  items<T>(id: number, params: Record<string, string>): Promise<T>;
  stats<T>(id: number, params: Record<string, string>): Promise<T>;
  edit(id: number, edits: Edit[]): Promise<ISnapshot>;
}

export interface IExplorerProps {
  client: IExplorerClient;
  rendermime: IRenderMimeRegistry;
  dataset: IDataset;
  writable: boolean;
  /** An edit made snapshot `number` (the sidebar's timeline reads again). */
  onEdited(number: number): void;
}

/** What the items and stats views share: where to read and how to tell of an edit. */
export interface IExplorerPart extends IExplorerProps {
  /** The picked snapshot; null: the head. */
  snapshot: number | null;
  /** Changes after every edit, so the views read again. */
  revision: number;
  /** The table a tables dataset starts with (the newest snapshot's, if named). */
  table: string;
  edited(number: number): void;
}

function SnapshotPicker(props: {
  snapshots: ISnapshot[];
  value: number | null;
  onChange(value: number | null): void;
}): JSX.Element {
  const head = props.snapshots[0]?.number;
  return (
    <label className="jp-GalileanExplorer-field">
      Snapshot
      <select
        className="jp-mod-styled"
        aria-label="Snapshot"
        value={props.value === null ? '' : String(props.value)}
        onChange={e =>
          props.onChange(
            e.currentTarget.value === '' ? null : Number(e.currentTarget.value)
          )
        }
      >
        <option value="">head{head !== undefined ? ` (#${head})` : ''}</option>
        {props.snapshots.map(s => (
          <option key={s.number} value={String(s.number)}>
            #{s.number} {s.message}
          </option>
        ))}
      </select>
    </label>
  );
}

type Tab = 'items' | 'stats';

export function ExplorerView(props: IExplorerProps): JSX.Element {
  const { client, dataset } = props;
  const [tab, setTab] = React.useState<Tab>('items');
  const [snapshots, setSnapshots] = React.useState<ISnapshot[]>([]);
  const [snapshot, setSnapshot] = React.useState<number | null>(null);
  const [revision, setRevision] = React.useState(0);
  const [error, setError] = React.useState('');
  const readSnapshots = React.useCallback(
    () =>
      client.snapshots(dataset.id).then(
        found => {
          setSnapshots(newestFirst(found));
          setError('');
        },
        e => setError(errorFor(errorsByField(e), '', 'dataset_id'))
      ),
    [client, dataset.id]
  );
  React.useEffect(() => void readSnapshots(), [readSnapshots]);
  const part: IExplorerPart = {
    ...props,
    snapshot,
    revision,
    table: lastTable(snapshots),
    edited: number => {
      setRevision(r => r + 1);
      // One read of the snapshots at a time (the timeline reads them next).
      void readSnapshots().then(() => props.onEdited(number));
    }
  };
  const tabs: [Tab, string][] = [
    ['items', dataset.driver === 'tables' ? 'Rows' : 'Images'],
    ['stats', 'Stats']
  ];
  return (
    <div
      className="jp-GalileanExplorer"
      role="region"
      aria-label={`Explore ${dataset.name}`}
    >
      <div className="jp-GalileanExplorer-header">
        <h2>{dataset.name}</h2>
        <SnapshotPicker
          snapshots={snapshots}
          value={snapshot}
          onChange={setSnapshot}
        />
        <div role="tablist" aria-label="Explorer views">
          {tabs.map(([name, label]) => (
            <button
              key={name}
              role="tab"
              aria-selected={tab === name}
              className="jp-mod-styled"
              onClick={() => setTab(name)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <Alert text={error} />
      <div role="tabpanel" aria-label={tab === 'items' ? 'Items' : 'Stats'}>
        {dataset.driver === 'tables' ? (
          tab === 'items' ? (
            <TableItems {...part} />
          ) : (
            <TableStats {...part} />
          )
        ) : tab === 'items' ? (
          <ImageItems {...part} />
        ) : (
          <ImageStats {...part} />
        )}
      </div>
    </div>
  );
}
