/**
 * Cleanup: keep the last N snapshots and/or those newer than D days (the rules add up;
 * the head and tagged snapshots are always kept, as the form says), then garbage
 * collection of the stored data no kept snapshot refers to; says which snapshots went
 * and how many bytes were freed.
 */
import * as React from 'react';

import { gcText, otherErrors, retentionBody, retentionText } from './actions';
import { Alert, Field } from './fieldset';
import { errorsByField } from './model';
import { IDataset, IDatasets } from './tokens';

export interface IRetentionFormProps {
  client: IDatasets;
  dataset: IDataset;
  /** After snapshots were removed: the timeline reads them again. */
  onCleaned(): void;
  onCancel(): void;
}

const SHOWN = ['keep_last', 'older_than_days'];

export function RetentionForm(props: IRetentionFormProps): JSX.Element {
  const { client, dataset } = props;
  const [keepLast, setKeepLast] = React.useState('');
  const [days, setDays] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);
  const [report, setReport] = React.useState<string[]>([]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const checked = retentionBody(keepLast, days);
    setReport([]);
    if (checked.errors) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const kept = await client.retain(dataset.id, checked.body);
      setReport([retentionText(kept)]);
      props.onCleaned();
      const freed = await client.gc(dataset.id);
      setReport([retentionText(kept), gcText(freed)]);
    } catch (e) {
      setErrors(errorsByField(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="jp-GalileanDatasets-form"
      aria-label="Clean up"
      aria-busy={busy}
      onSubmit={e => void submit(e)}
    >
      <h3>Clean up old snapshots</h3>
      <p className="jp-GalileanDatasets-hint">
        The head and tagged snapshots are always kept. Either rule keeps a
        snapshot; the others are removed, then the data no kept snapshot uses is
        deleted.
      </p>
      <Field
        form="retention"
        field="keep_last"
        label="Keep the last"
        hint="snapshots"
        value={keepLast}
        error={errors.keep_last ?? ''}
        onChange={setKeepLast}
      />
      <Field
        form="retention"
        field="older_than_days"
        label="Keep those newer than"
        hint="days"
        value={days}
        error={errors.older_than_days ?? ''}
        onChange={setDays}
      />
      <Alert text={otherErrors(errors, SHOWN)} />
      {report.length > 0 && (
        <div className="jp-GalileanDatasets-note" role="status">
          {report.map(line => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}
      <div className="jp-GalileanDatasets-buttons">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-warn"
          disabled={busy}
        >
          {busy ? 'Cleaning up…' : 'Remove and collect'}
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
