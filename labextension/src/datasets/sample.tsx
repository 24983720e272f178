/**
 * The sampling dialog of a tables dataset: a strategy (its parameters from `STRATEGIES`),
 * the table and snapshot to draw from (the head when empty), the new dataset's name. The
 * sample is saved as a new tables dataset, which then opens; each error shows at the
 * field it names (`params.fraction`, `into`, …), the rest above the buttons.
 */
import * as React from 'react';

import {
  ISampleDraft,
  otherErrors,
  paramKey,
  sampleBody,
  STRATEGIES
} from './actions';
import { Alert, Field } from './fieldset';
import { errorsByField } from './model';
import { IDataset, IDatasets } from './tokens';

export interface ISampleFormProps {
  client: IDatasets;
  dataset: IDataset;
  /** A table to start with (the one the dataset's last sample named, else ''). */
  table: string;
  onMade(made: IDataset): void;
  onCancel(): void;
}

function emptyDraft(props: ISampleFormProps): ISampleDraft {
  return {
    strategy: STRATEGIES[0].name,
    values: { seed: '0' },
    table: props.table,
    snapshot: '',
    into: `${props.dataset.name}-sample`.slice(0, 64)
  };
}

export function SampleForm(props: ISampleFormProps): JSX.Element {
  const [draft, setDraft] = React.useState<ISampleDraft>(() =>
    emptyDraft(props)
  );
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);
  const strategy =
    STRATEGIES.find(s => s.name === draft.strategy) ?? STRATEGIES[0];
  const set = (change: Partial<ISampleDraft>) =>
    setDraft(d => ({ ...d, ...change }));
  const setValue = (name: string, value: string) =>
    setDraft(d => ({ ...d, values: { ...d.values, [name]: value } }));

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const checked = sampleBody(draft);
    if (checked.errors) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      props.onMade(await props.client.sample(props.dataset.id, checked.body));
    } catch (e) {
      setErrors(errorsByField(e));
    } finally {
      setBusy(false);
    }
  };
  const at = (field: string) => errors[field] ?? '';
  const shown = ['strategy', 'table', 'snapshot', 'into'];
  shown.push(...strategy.fields.map(paramKey));
  return (
    <form
      className="jp-GalileanDatasets-form"
      aria-label="Sample"
      onSubmit={e => void submit(e)}
    >
      <h3>Sample into a new dataset</h3>
      <Field
        form="sample"
        field="strategy"
        label="Strategy"
        choices={STRATEGIES.map(s => s.name)}
        value={draft.strategy}
        error={at('strategy')}
        onChange={value => set({ strategy: value })}
      />
      <p className="jp-GalileanDatasets-hint">{strategy.title}</p>
      <Field
        form="sample"
        field="table"
        label="Table"
        value={draft.table}
        error={at('table')}
        onChange={value => set({ table: value })}
      />
      <Field
        form="sample"
        field="snapshot"
        label="Snapshot"
        hint="empty: the head"
        value={draft.snapshot}
        error={at('snapshot')}
        onChange={value => set({ snapshot: value })}
      />
      {strategy.fields.map(field => (
        <Field
          key={`${strategy.name}:${field.name}`}
          form="sample"
          field={paramKey(field)}
          label={field.label}
          hint={field.hint}
          choices={field.choices}
          value={draft.values[field.name] ?? field.choices?.[0] ?? ''}
          error={at(paramKey(field))}
          onChange={value => setValue(field.name, value)}
        />
      ))}
      <Field
        form="sample"
        field="into"
        label="New dataset name"
        value={draft.into}
        error={at('into')}
        onChange={value => set({ into: value })}
      />
      <Alert text={otherErrors(errors, shown)} />
      <div className="jp-GalileanDatasets-buttons">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy}
        >
          {busy ? 'Sampling…' : 'Draw sample'}
        </button>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={props.onCancel}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
