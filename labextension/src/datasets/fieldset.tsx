/**
 * The controls the Datasets panel's dialogs share: a labelled text field or choice with
 * its error under it (aria-invalid, aria-describedby), and an alert for the rest.
 */
import * as React from 'react';

export function Alert(props: { text: string }): JSX.Element | null {
  return props.text ? (
    <div className="jp-GalileanDatasets-error" role="alert">
      {props.text}
    </div>
  ) : null;
}

/** An id for a field's error text, unique per form. */
function errorId(form: string, field: string): string {
  return `galilean-datasets-${form}-${field.replace(/[^a-zA-Z0-9_-]/g, '-')}-error`;
}

export interface IFieldProps {
  /** The form's name, for ids. */
  form: string;
  /** The field the service names in its errors. */
  field: string;
  label: string;
  value: string;
  error: string;
  hint?: string;
  placeholder?: string;
  /** A choice of these instead of a text. */
  choices?: string[];
  onChange(value: string): void;
}

export function Field(props: IFieldProps): JSX.Element {
  const id = errorId(props.form, props.field);
  const common = {
    'aria-label': props.label,
    'aria-invalid': props.error !== '',
    'aria-describedby': props.error ? id : undefined,
    value: props.value
  };
  return (
    <label className="jp-GalileanDatasets-field">
      <span>
        {props.label}
        {props.hint && (
          <span className="jp-GalileanDatasets-hint"> ({props.hint})</span>
        )}
      </span>
      {props.choices ? (
        <select
          className="jp-mod-styled"
          {...common}
          onChange={e => props.onChange(e.currentTarget.value)}
        >
          {props.choices.map(c => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : (
        <input
          className="jp-mod-styled"
          {...common}
          placeholder={props.placeholder}
          onChange={e => props.onChange(e.currentTarget.value)}
        />
      )}
      {props.error && (
        <div className="jp-GalileanDatasets-error" role="alert" id={id}>
          {props.error}
        </div>
      )}
    </label>
  );
}

/** Seconds since `running` became true, every half second (a busy state's clock). */
export function useElapsed(running: boolean, now: () => number): number {
  const [elapsed, setElapsed] = React.useState(0);
  React.useEffect(() => {
    if (!running) {
      return;
    }
    const start = now();
    setElapsed(0);
    const timer = window.setInterval(
      () => setElapsed((now() - start) / 1000),
      500
    );
    return () => window.clearInterval(timer);
  }, [running]);
  return elapsed;
}
