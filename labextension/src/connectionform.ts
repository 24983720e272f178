/**
 * Add, edit, test and delete named connections. The password field is never filled
 * from the server (it does not send it); left empty on an edit, the stored one is kept.
 * The form shows the fields of the chosen database only: a file path for SQLite and
 * DuckDB (relative paths are in the user's home, shown as the absolute path), a server's
 * host, port, database, user and password otherwise.
 */
import { requestAPI } from './request';

interface IPublicConnection {
  name: string;
  dialect: string;
  host: string | null;
  port: number | null;
  database: string | null;
  user: string | null;
  has_password: boolean;
}

const DIALECTS = ['postgresql', 'mariadb', 'mysql', 'sqlite', 'duckdb'];
const FIELDS = ['name', 'host', 'port', 'database', 'user', 'password'] as const;
const FILE_DIALECTS = new Set(['sqlite', 'duckdb']);
const SERVER_ONLY = new Set(['host', 'port', 'user', 'password']);

/** `path` made absolute against `home` (as the server resolves it), for display. */
export function absolutePath(path: string, home: string): string {
  if (!path || path === ':memory:') {
    return path;
  }
  const relative = path === '~' ? '' : path.startsWith('~/') ? path.slice(2) : path;
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

/** A form that saves one connection; `done` is called after a save or a cancel. */
export function connectionForm(
  existing: IPublicConnection | null,
  done: (saved: boolean) => void
): HTMLElement {
  const form = document.createElement('form');
  form.className = 'galilean-ConnectionForm';
  const dialect = document.createElement('select');
  dialect.name = 'dialect';
  for (const name of DIALECTS) {
    const option = document.createElement('option');
    option.value = option.textContent = name;
    dialect.appendChild(option);
  }
  dialect.value = existing?.dialect === 'mysql' ? 'mariadb' : (existing?.dialect ?? 'postgresql');
  dialect.classList.add('jp-mod-styled');
  form.appendChild(labelled('database type', dialect));
  const inputs: Record<string, HTMLInputElement> = {};
  const rows: Record<string, HTMLElement> = {};
  for (const field of FIELDS) {
    const input = document.createElement('input');
    input.name = field;
    input.type = field === 'password' ? 'password' : field === 'port' ? 'number' : 'text';
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
    inputs[field] = input;
    rows[field] = labelled(field, input);
    form.appendChild(rows[field]);
  }
  const where = document.createElement('div');
  where.className = 'galilean-ConnectionForm-path';
  rows.database.after(where);
  let home = '';
  const showPath = () => {
    const value = inputs.database.value.trim();
    where.textContent =
      value && value !== ':memory:'
        ? `File: ${absolutePath(value, home)}`
        : `A path in your home folder${home ? ` (${home})` : ''}, e.g. data/sales.db`;
  };
  const arrange = () => {
    const file = FILE_DIALECTS.has(dialect.value);
    form.dataset.kind = file ? 'file' : 'server';
    for (const field of SERVER_ONLY) {
      rows[field].hidden = file;
    }
    rows.database.querySelector('span')!.textContent = file ? 'file' : 'database';
    inputs.database.placeholder = file ? 'data/sales.db' : 'database name';
    where.hidden = !file;
    showPath();
  };
  dialect.onchange = arrange;
  inputs.database.oninput = showPath;
  arrange();
  void requestAPI<{ home?: string }>('connections').then(answer => {
    home = answer.home ?? '';
    showPath();
  });
  const status = document.createElement('div');
  status.className = 'galilean-ConnectionForm-status';
  const body = () => {
    const data: Record<string, unknown> = { dialect: dialect.value };
    for (const field of FIELDS) {
      if (FILE_DIALECTS.has(dialect.value) && SERVER_ONLY.has(field)) {
        continue; // hidden: a file database has no server fields
      }
      const value = inputs[field].value.trim();
      if (field !== 'name' && (value || field !== 'password')) {
        data[field] = field === 'port' && value ? Number(value) : value || null;
      }
    }
    if (!inputs.password.value && existing?.has_password && 'password' in data) {
      delete data.password; // the server keeps the stored one
    }
    return data;
  };
  const test = button('Test', 'jp-mod-reject galilean-ConnectionForm-test', async () => {
    status.textContent = 'Testing…';
    try {
      // Editing with the password unchanged: the server uses the stored one.
      const answer = await requestAPI<{ ok: boolean; message: string }>(
        'connection-test',
        { method: 'POST', body: JSON.stringify({ ...body(), existing: existing?.name }) }
      );
      status.textContent = (answer.ok ? '✓ ' : '✗ ') + answer.message;
      status.dataset.ok = String(answer.ok);
    } catch (error) {
      status.textContent = '✗ ' + String((error as Error).message ?? error);
      status.dataset.ok = 'false';
    }
  });
  const save = button('Save', 'jp-mod-accept galilean-ConnectionForm-save', async () => {
    const name = inputs.name.value.trim();
    try {
      await requestAPI(`connections/${encodeURIComponent(name)}`, {
        method: 'PUT',
        body: JSON.stringify(body())
      });
      done(true);
    } catch (error) {
      status.textContent = '✗ ' + String((error as Error).message ?? error);
      status.dataset.ok = 'false';
    }
  });
  const cancel = button('Cancel', 'jp-mod-reject galilean-ConnectionForm-cancel', async () =>
    done(false)
  );
  const actions = document.createElement('div');
  actions.className = 'galilean-ConnectionForm-actions';
  actions.append(test, save, cancel);
  form.append(actions, status);
  form.onsubmit = event => event.preventDefault();
  return form;
}

export async function deleteConnection(name: string): Promise<void> {
  await requestAPI(`connections/${encodeURIComponent(name)}`, { method: 'DELETE' });
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
