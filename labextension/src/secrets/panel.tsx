/**
 * The Secrets sidebar: your secrets by name, with when each was saved; add one (name and
 * value), replace a value, delete one (after a confirm). A value is typed into a password
 * field, sent once and never shown again: code reads it with `secrets.get("NAME")`. For
 * admins, a second section: the hub's secrets (the keys Galilean's services use for
 * everyone, such as the AI providers'), which no one can read back.
 */
import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorText, fieldErrors, GalileanRequestError } from '../request';
import { ISecretInfo, NAME_PATTERN, SecretsClient } from './client';

export const secretsIcon = new LabIcon({
  name: 'galilean:secrets',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161"><path d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 ' +
    '0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5zm-3 ' +
    '5a3 3 0 0 1 6 0v3H9V7zm3 7a2 2 0 0 1 1 3.7V19h-2v-1.3A2 2 0 0 1 12 14z"/></g></svg>'
});

const USE = 'from galilean_server.kernel.api import secrets';

function when(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString();
}

interface IFormProps {
  client: SecretsClient;
  /** What the name field suggests. */
  placeholder: string;
  /** Replacing this secret's value (its name fixed), or adding one (null). */
  replacing: string | null;
  onSaved(info: ISecretInfo): void;
  onCancel(): void;
}

function SecretForm(props: IFormProps) {
  const { client, replacing } = props;
  const [name, setName] = React.useState(replacing ?? '');
  const [value, setValue] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);
  const nameProblem =
    name && !NAME_PATTERN.test(name)
      ? 'A letter or _, then letters, digits or _ (at most 64).'
      : '';
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const saved = await client.save(name, value);
      setValue(''); // gone from the page as soon as it is saved
      props.onSaved(saved);
    } catch (error) {
      setErrors(fieldErrors(error));
    } finally {
      setBusy(false);
    }
  };
  const title = replacing
    ? `Replace ${replacing}`
    : client.collection === 'hub-secrets'
      ? 'New hub secret'
      : 'New secret';
  return (
    <form
      className="jp-GalileanSecrets-form"
      aria-label={title}
      onSubmit={submit}
      autoComplete="off"
    >
      <h3>{title}</h3>
      {replacing === null && (
        <label>
          Name
          <input
            type="text"
            value={name}
            spellCheck={false}
            placeholder={props.placeholder}
            onChange={e => setName(e.target.value)}
          />
        </label>
      )}
      {(nameProblem || errors.name) && (
        <p className="jp-GalileanSecrets-error" role="alert">
          {nameProblem || errors.name}
        </p>
      )}
      <label>
        Value
        <input
          type="password"
          value={value}
          autoComplete="new-password"
          onChange={e => setValue(e.target.value)}
        />
      </label>
      {errors.value && (
        <p className="jp-GalileanSecrets-error" role="alert">
          {errors.value}
        </p>
      )}
      {errors[''] && (
        <p className="jp-GalileanSecrets-error" role="alert">
          {errors['']}
        </p>
      )}
      <div className="jp-GalileanSecrets-buttons">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy || !name || !value || !!nameProblem}
        >
          Save
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

/** What tells the user's section from the hub's. */
interface ISectionText {
  title: string;
  help: React.ReactNode;
  add: string;
  list: string;
  empty: string;
  placeholder: string;
  /** The confirm's warning before a delete. */
  deleting: string;
}

const MINE: ISectionText = {
  title: 'Secrets',
  help: (
    <>
      Kept encrypted by the hub; never shown again once saved. In a notebook:{' '}
      <code>{USE}</code> then <code>secrets.get("NAME")</code>. In a flow, an
      HTTP node's header or query value can be one; a connection's password too.
    </>
  ),
  add: 'Add a secret',
  list: 'Your secrets',
  empty: 'No secrets yet.',
  placeholder: 'WAREHOUSE_PASSWORD',
  deleting:
    'Code that reads it with secrets.get will fail. This cannot be undone.'
};

const HUB: ISectionText = {
  title: 'Hub secrets',
  help: (
    <>
      Admins only: keys Galilean's services use for everyone, in place of
      stack.env's and without a restart (the AI gateway's providers; MLflow's S3
      artifact store). No one can read them back, admins included; users' own
      keys (AI_KEY_OPENAI, …) go in their own secrets.
    </>
  ),
  add: 'Add a hub secret',
  list: "The hub's secrets",
  empty: 'None saved: the services use stack.env.',
  placeholder: 'OPENAI_API_KEY',
  deleting:
    'The services go back to the key in stack.env, if any (MLflow: to none).'
};

function SecretsSection(props: {
  client: SecretsClient;
  text: ISectionText;
  /** Hidden when the hub refuses the listing (403: not an admin). */
  optional?: boolean;
}) {
  const { client, text } = props;
  const [secrets, setSecrets] = React.useState<ISecretInfo[] | null>(null);
  const [names, setNames] = React.useState<string[]>([]);
  const [hidden, setHidden] = React.useState(!!props.optional);
  const [error, setError] = React.useState('');
  const [editing, setEditing] = React.useState<string | null | undefined>(
    undefined
  ); // undefined: no form; null: adding; a name: replacing
  const [notice, setNotice] = React.useState('');
  const load = React.useCallback(async () => {
    try {
      const listing = await client.listing();
      setSecrets(listing.secrets);
      setNames(listing.names ?? []);
      setHidden(false);
      setError('');
    } catch (caught) {
      if (
        props.optional &&
        caught instanceof GalileanRequestError &&
        caught.status === 403
      ) {
        setHidden(true);
        return;
      }
      setError(errorText(caught));
    }
  }, [client, props.optional]);
  React.useEffect(() => void load(), [load]);

  const remove = async (name: string) => {
    const answer = await showDialog({
      title: `Delete ${name}?`,
      body: text.deleting,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!answer.button.accept) {
      return;
    }
    try {
      await client.remove(name);
      setNotice(`${name} deleted.`);
      await load();
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  if (hidden) {
    return null;
  }
  return (
    <section className="jp-GalileanSecrets-section" aria-label={text.title}>
      <header className="jp-GalileanSecrets-header">
        <h2>{text.title}</h2>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={() => {
            setNotice('');
            setEditing(null);
          }}
        >
          {text.add}
        </button>
      </header>
      <p className="jp-GalileanSecrets-help">{text.help}</p>
      {names.length > 0 && (
        <p className="jp-GalileanSecrets-help">
          Names kept: <code>{names.join(', ')}</code>
        </p>
      )}
      {editing !== undefined && (
        <SecretForm
          key={editing ?? ''}
          client={client}
          placeholder={text.placeholder}
          replacing={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={info => {
            setEditing(undefined);
            setNotice(`${info.name} saved.`);
            void load();
          }}
        />
      )}
      {notice && (
        <p className="jp-GalileanSecrets-notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="jp-GalileanSecrets-error" role="alert">
          {error}
        </p>
      )}
      {secrets !== null && secrets.length === 0 && (
        <p className="jp-GalileanSecrets-empty">{text.empty}</p>
      )}
      {secrets !== null && secrets.length > 0 && (
        <ul className="jp-GalileanSecrets-list" aria-label={text.list}>
          {secrets.map(secret => (
            <li key={secret.name} aria-label={`Secret ${secret.name}`}>
              <span className="jp-GalileanSecrets-name">{secret.name}</span>
              <span className="jp-GalileanSecrets-when">
                saved {when(secret.updated)}
              </span>
              <button
                type="button"
                className="jp-mod-styled"
                aria-label={`Replace ${secret.name}`}
                onClick={() => {
                  setNotice('');
                  setEditing(secret.name);
                }}
              >
                Replace
              </button>
              <button
                type="button"
                className="jp-mod-styled jp-mod-warn"
                aria-label={`Delete ${secret.name}`}
                onClick={() => void remove(secret.name)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function SecretsRoot(props: { client: SecretsClient; hub: SecretsClient }) {
  return (
    <div className="jp-GalileanSecrets">
      <SecretsSection client={props.client} text={MINE} />
      <SecretsSection client={props.hub} text={HUB} optional />
    </div>
  );
}

export class SecretsSidebar extends ReactWidget {
  private hub = new SecretsClient('hub-secrets');

  constructor(private client: SecretsClient) {
    super();
    this.id = 'galilean-secrets';
    this.title.icon = secretsIcon;
    this.title.caption = 'Secrets';
    this.addClass('jp-GalileanSecrets-sidebar');
  }

  render(): JSX.Element {
    return <SecretsRoot client={this.client} hub={this.hub} />;
  }
}
