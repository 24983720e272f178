/**
 * Add, edit, test and delete named connections. The password field is never filled
 * from the server (it does not send it); left empty on an edit, the stored one is kept.
 * The form shows the fields of the chosen database only: a file path for file databases
 * (relative paths are in the user's home, shown as the absolute path), a server's host,
 * port, database, user and password otherwise. The dialects are the server's registry.
 * A server's password may instead be one of the user's secrets (the vault): the form then
 * sends the secret's name, and the password is read from the vault when connecting.
 */
import { formChoice, formDialects, isFileDialect } from '../dialects';
import { errorText } from '../request';
import { listSecrets } from '../vault';
import { IConnectionInfo, IConnections, IDialects } from './tokens';

const FIELDS = [
  'name',
  'host',
  'port',
  'database',
  'user',
  'password'
] as const;
const SERVER_ONLY = new Set(['host', 'port', 'user', 'password']);

type Inputs = Record<string, HTMLInputElement>;

/** `path` made absolute against `home` (as the server resolves it), for display. */
export function absolutePath(path: string, home: string): string {
  if (!path || path === ':memory:') {
    return path;
  }
  const relative =
    path === '~' ? '' : path.startsWith('~/') ? path.slice(2) : path;
  const parts: string[] = [];
  const joined = path.startsWith('/') ? path : `${home}/${relative}`;
  for (const part of joined.split('/')) {
    if (part === '..') {
      parts.pop();
    } else if (part && part !== '.') {
      parts.push(part);
    }
  }
  return '/' + parts.join('/');
}

/** The line under the file field: the absolute path, or what to type. */
export function pathHint(value: string, home: string): string {
  return value && value !== ':memory:'
    ? `File: ${absolutePath(value, home)}`
    : `A path in your home folder${home ? ` (${home})` : ''}, e.g. data/sales.db`;
}

/**
 * The body a save or test sends: the visible fields (a file database has no server
 * fields), empty ones as null, the port as a number; an empty password on an edit is
 * left out so the server keeps the stored one.
 */
export function formBody(
  dialect: string,
  values: Record<string, string>,
  file: boolean,
  keepPassword: boolean
): Record<string, unknown> {
  const data: Record<string, unknown> = { dialect };
  for (const field of FIELDS) {
    if (file && SERVER_ONLY.has(field)) {
      continue; // hidden: a file database has no server fields
    }
    const value = (values[field] ?? '').trim();
    if (field !== 'name' && (value || field !== 'password')) {
      data[field] = field === 'port' && value ? Number(value) : value || null;
    }
  }
  if (!values.password && keepPassword && 'password' in data) {
    delete data.password; // the server keeps the stored one
  }
  if (!file && 'password_secret' in values) {
    const secret = values.password_secret.trim();
    data.password_secret = secret || null; // null: no secret (a typed password)
    if (secret) {
      delete data.password; // the secret's value is the password
    }
  }
  return data;
}

/** "Password from": typed in the form, or one of the user's secrets (names only). */
function secretSelect(existing: IConnectionInfo | null): HTMLSelectElement {
  const select = document.createElement('select');
  select.name = 'password_secret';
  select.classList.add('jp-mod-styled');
  const typed = document.createElement('option');
  typed.value = '';
  typed.textContent = 'typed here';
  select.appendChild(typed);
  const current = existing?.password_secret ?? '';
  const add = (name: string) => {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    option.title = `Your secret ${name}`;
    select.appendChild(option);
  };
  if (current) {
    add(current);
  }
  select.value = current;
  void listSecrets()
    .then(secrets => {
      for (const secret of secrets) {
        if (secret.name !== current) {
          add(secret.name);
        }
      }
    })
    .catch(() => undefined); // no vault here: typed passwords only
  return select;
}

function dialectSelect(
  registry: IDialects,
  current: string
): HTMLSelectElement {
  const select = document.createElement('select');
  select.name = 'dialect';
  for (const dialect of formDialects(registry.dialects)) {
    const option = document.createElement('option');
    option.value = option.textContent = dialect.name;
    select.appendChild(option);
  }
  select.value = current;
  select.classList.add('jp-mod-styled');
  return select;
}

function fieldInput(
  field: (typeof FIELDS)[number],
  existing: IConnectionInfo | null
): HTMLInputElement {
  const input = document.createElement('input');
  input.name = field;
  input.type =
    field === 'password' ? 'password' : field === 'port' ? 'number' : 'text';
  input.autocomplete = field === 'password' ? 'new-password' : 'off';
  const value = existing && field !== 'password' ? existing[field] : null;
  input.value = value === null || value === undefined ? '' : String(value);
  if (field === 'password' && existing?.has_password) {
    input.placeholder = '(unchanged)';
  }
  if (field === 'name' && existing) {
    input.readOnly = true;
  }
  input.classList.add('jp-mod-styled');
  return input;
}

/** A form that saves one connection; `done` is called after a save or a cancel. */
export function connectionForm(
  connections: IConnections,
  registry: IDialects,
  existing: IConnectionInfo | null,
  done: (saved: boolean) => void
): HTMLElement {
  const form = document.createElement('form');
  form.className = 'galilean-ConnectionForm';
  const dialect = dialectSelect(
    registry,
    formChoice(registry.dialects, existing?.dialect)
  );
  form.appendChild(labelled('database type', dialect));
  const inputs: Inputs = {};
  const rows: Record<string, HTMLElement> = {};
  for (const field of FIELDS) {
    inputs[field] = fieldInput(field, existing);
    rows[field] = labelled(field, inputs[field]);
    form.appendChild(rows[field]);
  }
  const secret = secretSelect(existing);
  const secretRow = labelled('password from', secret);
  rows.password.before(secretRow);
  const showPassword = () => {
    rows.password.hidden = isFile() || secret.value !== '';
  };
  secret.onchange = showPassword;
  const where = document.createElement('div');
  where.className = 'galilean-ConnectionForm-path';
  rows.database.after(where);
  let home = '';
  const showPath = () => {
    where.textContent = pathHint(inputs.database.value.trim(), home);
  };
  const isFile = () => isFileDialect(registry.dialects, dialect.value);
  const arrange = () => {
    const file = isFile();
    form.dataset.kind = file ? 'file' : 'server';
    for (const field of SERVER_ONLY) {
      rows[field].hidden = file;
    }
    secretRow.hidden = file;
    showPassword();
    rows.database.querySelector('span')!.textContent = file
      ? 'file'
      : 'database';
    inputs.database.placeholder = file ? 'data/sales.db' : 'database name';
    where.hidden = !file;
    showPath();
  };
  dialect.onchange = arrange;
  inputs.database.oninput = showPath;
  arrange();
  void connections.listing().then(answer => {
    home = answer.home ?? '';
    showPath();
  });
  const status = document.createElement('div');
  status.className = 'galilean-ConnectionForm-status';
  if (registry.error) {
    status.textContent = '✗ ' + registry.error;
    status.dataset.ok = 'false';
  }
  const body = () => {
    const values: Record<string, string> = {};
    for (const field of FIELDS) {
      values[field] = inputs[field].value;
    }
    if (secret.value || existing?.password_secret) {
      values.password_secret = secret.value;
    }
    const keep = existing?.has_password ?? false;
    return formBody(dialect.value, values, isFile(), keep);
  };
  const failed = (error: unknown) => {
    status.textContent = '✗ ' + errorText(error);
    status.dataset.ok = 'false';
  };
  const test = button(
    'Test',
    'jp-mod-reject galilean-ConnectionForm-test',
    async () => {
      status.textContent = 'Testing…';
      try {
        // Editing with the password unchanged: the server uses the stored one.
        const answer = await connections.test({
          ...body(),
          existing: existing?.name
        });
        status.textContent = (answer.ok ? '✓ ' : '✗ ') + answer.message;
        status.dataset.ok = String(answer.ok);
      } catch (error) {
        failed(error);
      }
    }
  );
  const save = button(
    'Save',
    'jp-mod-accept galilean-ConnectionForm-save',
    async () => {
      try {
        await connections.save(inputs.name.value.trim(), body());
        done(true);
      } catch (error) {
        failed(error);
      }
    }
  );
  const cancel = button(
    'Cancel',
    'jp-mod-reject galilean-ConnectionForm-cancel',
    async () => done(false)
  );
  const actions = document.createElement('div');
  actions.className = 'galilean-ConnectionForm-actions';
  actions.append(test, save, cancel);
  form.append(actions, status);
  form.onsubmit = event => event.preventDefault();
  return form;
}

function labelled(text: string, input: HTMLElement): HTMLElement {
  const label = document.createElement('label');
  label.className = 'galilean-ConnectionForm-field';
  const caption = document.createElement('span');
  caption.textContent = text;
  label.append(caption, input);
  return label;
}

function button(
  text: string,
  className: string,
  onClick: () => Promise<void>
): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = `jp-Button jp-mod-styled ${className}`;
  element.textContent = text;
  element.onclick = () => void onClick();
  return element;
}
