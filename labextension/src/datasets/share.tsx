/**
 * The Share dialog (the dataset's owner): the hub's groups it is shared with, each "can
 * read" or "can edit" (snapshot, restore, tag, edit its items), a group added by name
 * (the hub has no list of groups a user may read; the service keeps any name, a group
 * nobody is in shares with nobody), a group removed; Save sends them (PATCH) and says
 * what was saved. Errors show at the group field or under the form.
 */
import * as React from 'react';

import { Alert } from './fieldset';
import { errorFor, errorsByField } from './model';
import {
  addGroup,
  IShareRow,
  Permission,
  removeGroup,
  setPermission,
  shareBody,
  sharesOf,
  sharingChanged,
  sharingText
} from './share_model';
import { IDataset, IDatasets } from './tokens';

export interface IShareFormProps {
  client: IDatasets;
  dataset: IDataset;
  /** Saved: the dataset as the service now has it. */
  onShared(dataset: IDataset): void;
  onCancel(): void;
}

const GROUP_ERROR = 'galilean-datasets-share-group-error';

function ShareRow(props: {
  row: IShareRow;
  onPermission(permission: Permission): void;
  onRemove(): void;
}): JSX.Element {
  const { group, permission } = props.row;
  return (
    <li className="jp-GalileanDatasets-shareRow" aria-label={`Group ${group}`}>
      <span className="jp-GalileanDatasets-chip" title={group}>
        {group}
      </span>
      <select
        className="jp-mod-styled"
        aria-label={`Permission of ${group}`}
        value={permission}
        onChange={e => props.onPermission(e.currentTarget.value as Permission)}
      >
        <option value="read">can read</option>
        <option value="edit">can edit</option>
      </select>
      <button
        type="button"
        className="jp-mod-styled"
        aria-label={`Stop sharing with ${group}`}
        onClick={props.onRemove}
      >
        ✕
      </button>
    </li>
  );
}

export function ShareForm(props: IShareFormProps): JSX.Element {
  const { client, dataset } = props;
  const [rows, setRows] = React.useState<IShareRow[]>(() => sharesOf(dataset));
  const [name, setName] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);
  const [saved, setSaved] = React.useState('');
  const change = (next: IShareRow[]) => {
    setRows(next);
    setSaved('');
  };
  const add = () => {
    const added = addGroup(rows, name);
    setErrors(added.error ? { group: added.error } : {});
    if (!added.error) {
      change(added.rows);
      setName('');
    }
  };
  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      const updated = await client.share(dataset.id, shareBody(rows));
      const now = sharesOf(updated);
      setRows(now);
      setSaved(`Saved: ${sharingText(now)}`);
      props.onShared(updated);
    } catch (e) {
      setErrors(errorsByField(e));
    } finally {
      setBusy(false);
    }
  };
  const groupError = errorFor(errors, 'group', 'groups', 'writers');
  const otherError = errorFor(errors, '', 'dataset_id');
  return (
    <form
      className="jp-GalileanDatasets-form"
      aria-label="Share"
      aria-busy={busy}
      onSubmit={e => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>Share {dataset.name}</h3>
      <p className="jp-GalileanDatasets-hint">
        Groups that can read see it, its snapshots and lineage; groups that can
        edit also snapshot, restore, tag and edit it. Only you export, clean up
        and share it.
      </p>
      <ul className="jp-GalileanDatasets-shareList" aria-label="Shared with">
        {rows.map(row => (
          <ShareRow
            key={row.group}
            row={row}
            onPermission={p => change(setPermission(rows, row.group, p))}
            onRemove={() => change(removeGroup(rows, row.group))}
          />
        ))}
      </ul>
      {rows.length === 0 && (
        <p className="jp-GalileanDatasets-hint">Not shared: only you see it.</p>
      )}
      <div className="jp-GalileanDatasets-shareAdd">
        <input
          className="jp-mod-styled"
          aria-label="Group"
          aria-invalid={groupError !== ''}
          aria-describedby={groupError ? GROUP_ERROR : undefined}
          placeholder="a group of the hub"
          value={name}
          onChange={e => setName(e.currentTarget.value)}
          onKeyDown={e => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="jp-mod-styled" onClick={add}>
          Add group
        </button>
      </div>
      {groupError && (
        <div
          className="jp-GalileanDatasets-error"
          role="alert"
          id={GROUP_ERROR}
        >
          {groupError}
        </div>
      )}
      <Alert text={otherError} />
      {saved && (
        <p className="jp-GalileanDatasets-note" role="status">
          {saved}
        </p>
      )}
      <div className="jp-GalileanDatasets-buttons">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy || !sharingChanged(dataset, rows)}
        >
          Save sharing
        </button>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={props.onCancel}
        >
          Close
        </button>
      </div>
    </form>
  );
}
