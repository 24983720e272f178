/**
 * The side panel's field for a value an HTTP node sends (a header, a query value): text,
 * one of the flow's parameters (`{"$param": name}`) or one of the user's secrets
 * (`{"$secret": name}`, listed by name from the vault; the value is read only when the
 * node runs, as the user, and never reaches the flow file or the browser).
 */
import { FieldProps } from '@rjsf/utils';
import * as React from 'react';

import { listSecrets } from '../vault';
import { fieldName, IFieldContext, SENT_FIELD } from './fields';

type Source = 'text' | 'param' | 'secret';

const isRef = (value: unknown, key: string): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  key in value;

/** Where a value comes from, by its form. */
export function sourceOf(value: unknown): Source {
  if (isRef(value, '$secret')) {
    return 'secret';
  }
  return isRef(value, '$param') ? 'param' : 'text';
}

/** The value a field takes when the user switches it to `source`. */
export function switched(
  source: Source,
  parameters: string[],
  secrets: string[]
): unknown {
  if (source === 'param') {
    return { $param: parameters[0] ?? '' };
  }
  if (source === 'secret') {
    return { $secret: secrets[0] ?? '' };
  }
  return '';
}

/**
 * The user's secrets' names, and a function that (re)loads them and resolves to them (one
 * may have been added since; none when the vault does not answer).
 */
function useSecretNames(
  wanted: boolean
): [string[] | null, () => Promise<string[]>] {
  const [names, setNames] = React.useState<string[] | null>(null);
  const load = React.useCallback(async () => {
    const found = await listSecrets().then(
      secrets => secrets.map(s => s.name),
      () => []
    );
    setNames(found);
    return found;
  }, []);
  React.useEffect(() => {
    if (wanted && names === null) {
      void load();
    }
  }, [wanted, names, load]);
  return [names, load];
}

export function SentField(props: FieldProps): JSX.Element {
  const value: unknown = props.formData;
  const source = sourceOf(value);
  const given = props.registry.formContext as IFieldContext | undefined;
  const parameters = given?.parameters ?? [];
  const [secrets, reload] = useSecretNames(source === 'secret');
  const name = fieldName(props.schema.title ?? props.name, props.idSchema.$id);
  const disabled = props.disabled || props.readonly;
  const change = (next: unknown) => props.onChange(next as never);
  const choose = async (next: Source) => {
    const names =
      next === 'secret' && secrets === null ? await reload() : secrets;
    change(switched(next, parameters, names ?? []));
  };
  const chosen = isRef(value, '$secret')
    ? value.$secret
    : isRef(value, '$param')
      ? value.$param
      : '';
  const names = source === 'secret' ? (secrets ?? []) : parameters;
  const listed = chosen && !names.includes(chosen) ? [...names, chosen] : names;
  return (
    <span className="jp-GalileanFlow-sent">
      <select
        aria-label={`${name}: from`}
        value={source}
        disabled={disabled}
        onChange={event => void choose(event.target.value as Source)}
      >
        <option value="text">text</option>
        <option value="param">parameter</option>
        <option value="secret">secret</option>
      </select>
      {source === 'text' ? (
        <input
          id={props.idSchema.$id}
          className="form-control"
          aria-label={name}
          value={value === undefined || value === null ? '' : String(value)}
          disabled={disabled}
          onChange={event => change(event.target.value)}
        />
      ) : (
        <select
          id={props.idSchema.$id}
          aria-label={
            source === 'secret' ? `${name}: secret` : `${name}: parameter`
          }
          value={chosen}
          disabled={disabled}
          onFocus={source === 'secret' ? () => void reload() : undefined}
          onChange={event =>
            change(
              source === 'secret'
                ? { $secret: event.target.value }
                : { $param: event.target.value }
            )
          }
        >
          {chosen === '' && <option value="">choose…</option>}
          {listed.map(item => (
            <option key={item} value={item}>
              {names.includes(item) ? item : `${item} (not found)`}
            </option>
          ))}
        </select>
      )}
      {source === 'secret' && secrets !== null && secrets.length === 0 && (
        <small className="jp-GalileanFlow-hint">
          You have no secrets yet: add one in the Secrets panel.
        </small>
      )}
    </span>
  );
}

/** The form's own fields (rjsf `fields`), by the names fields.ts gives them. */
export const FORM_FIELDS = { [SENT_FIELD]: SentField };
