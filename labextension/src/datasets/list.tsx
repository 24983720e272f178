/**
 * The Datasets panel's first page: the user's datasets (a badge when shared with groups)
 * and those shared with them (owner shown, and whether they can edit), and the "New dataset" form (name, folder — by default the file
 * browser's folder —, description), with each error next to the field it names.
 */
import * as React from 'react';

import { newDatasetBody } from './actions';
import { errorFor, errorsByField, ownerText, suggestedName } from './model';
import { shareBadge } from './share_model';
import { IDataset, IDatasets } from './tokens';

/** A request to open the form filled in for a folder (`seq` tells repeats apart). */
export interface IDraft {
  folder: string;
  seq: number;
}

function FieldError(props: { text: string; id: string }): JSX.Element | null {
  return props.text ? (
    <div className="jp-GalileanDatasets-error" role="alert" id={props.id}>
      {props.text}
    </div>
  ) : null;
}

interface IFormProps {
  client: IDatasets;
  draft: IDraft | null;
  /** The file browser's current folder, when the form opens on its own. */
  currentFolder(): string;
  onCreated(dataset: IDataset): void;
  onCancel(): void;
}

export function NewDatasetForm(props: IFormProps): JSX.Element {
  const { client, draft } = props;
  const start = draft ? draft.folder : props.currentFolder();
  const [folder, setFolder] = React.useState(start);
  const [name, setName] = React.useState(suggestedName(start));
  const [description, setDescription] = React.useState('');
  const [driver, setDriver] = React.useState<IDataset['driver']>('files');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);

  React.useEffect(() => {
    if (draft) {
      setFolder(draft.folder);
      setName(suggestedName(draft.folder));
      setErrors({});
    }
  }, [draft?.seq]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body = newDatasetBody(driver, name, folder, description);
      props.onCreated(await client.create(body));
    } catch (e) {
      setErrors(errorsByField(e));
    } finally {
      setBusy(false);
    }
  };
  const nameError = errorFor(errors, 'name');
  const folderError = errorFor(errors, 'path', 'folder');
  const otherError = errorFor(errors, '', 'description', 'driver', 'groups');
  return (
    <form
      className="jp-GalileanDatasets-form"
      aria-label="New dataset"
      onSubmit={e => void submit(e)}
    >
      <h3>New dataset</h3>
      <label>
        Name
        <input
          className="jp-mod-styled"
          aria-label="Dataset name"
          aria-invalid={nameError !== ''}
          aria-describedby="galilean-datasets-name-error"
          value={name}
          placeholder="lower-case, e.g. photos"
          onChange={e => setName(e.currentTarget.value)}
        />
      </label>
      <FieldError text={nameError} id="galilean-datasets-name-error" />
      <label>
        Kind
        <select
          className="jp-mod-styled"
          aria-label="Dataset kind"
          value={driver}
          onChange={e => setDriver(e.currentTarget.value as IDataset['driver'])}
        >
          <option value="files">files: a folder</option>
          <option value="tables">tables: written by flows or Python</option>
        </select>
      </label>
      {driver === 'files' && (
        <label>
          Folder
          <input
            className="jp-mod-styled"
            aria-label="Dataset folder"
            aria-invalid={folderError !== ''}
            value={folder}
            placeholder="a folder in the file browser"
            onChange={e => setFolder(e.currentTarget.value)}
          />
        </label>
      )}
      <FieldError text={folderError} id="galilean-datasets-folder-error" />
      <label>
        Description
        <textarea
          className="jp-mod-styled"
          aria-label="Dataset description"
          value={description}
          onChange={e => setDescription(e.currentTarget.value)}
        />
      </label>
      <FieldError text={otherError} id="galilean-datasets-form-error" />
      <div className="jp-GalileanDatasets-buttons">
        <button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          onClick={props.onCancel}
        >
          Cancel
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy}
        >
          Create dataset
        </button>
      </div>
    </form>
  );
}

function DatasetItem(props: {
  dataset: IDataset;
  user: string;
  onOpen(): void;
}): JSX.Element {
  const { dataset } = props;
  // The user's groups are not on the page: a dataset shared for editing with some
  // group shows as editable, and the service's 403 decides.
  const badge = shareBadge(dataset, props.user, null);
  return (
    <li>
      <button
        className="jp-GalileanDatasets-item"
        aria-label={`Dataset ${dataset.name}${badge ? `, ${badge}` : ''}`}
        onClick={props.onOpen}
      >
        <span className="jp-GalileanDatasets-itemName">
          {dataset.name}
          {badge && (
            <span className="jp-GalileanDatasets-shareBadge">{badge}</span>
          )}
        </span>
        <span className="jp-GalileanDatasets-meta">
          {dataset.driver}
          {dataset.folder ? ` · ${dataset.folder}` : ''}
        </span>
        {dataset.description && (
          <span className="jp-GalileanDatasets-description">
            {dataset.description}
          </span>
        )}
      </button>
    </li>
  );
}

export function DatasetList(props: {
  datasets: IDataset[] | null;
  user: string;
  error: string;
  onOpen(dataset: IDataset): void;
}): JSX.Element {
  const { datasets } = props;
  const mine = (datasets ?? []).filter(d => !ownerText(d, props.user));
  const shared = (datasets ?? []).filter(d => ownerText(d, props.user));
  const items = (list: IDataset[], label: string) => (
    <ul className="jp-GalileanDatasets-list" aria-label={label}>
      {list.map(d => (
        <DatasetItem
          key={d.id}
          dataset={d}
          user={props.user}
          onOpen={() => props.onOpen(d)}
        />
      ))}
    </ul>
  );
  return (
    <>
      {props.error && (
        <p className="jp-GalileanDatasets-error" role="alert">
          {props.error}
        </p>
      )}
      {datasets === null && !props.error && <p>Reading the datasets…</p>}
      {datasets !== null && datasets.length === 0 && (
        <p className="jp-GalileanDatasets-hint">
          No dataset yet. "New dataset" makes one of a folder; so does "Make a
          dataset of this folder" on a folder in the file browser.
        </p>
      )}
      {mine.length > 0 && items(mine, 'Your datasets')}
      {shared.length > 0 && (
        <>
          <h3>Shared with you</h3>
          {items(shared, 'Datasets shared with you')}
        </>
      )}
    </>
  );
}
