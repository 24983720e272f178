/**
 * Add, edit, test and delete named connections. The password field is never filled
 * from the server (it does not send it); left empty on an edit, the stored one is kept.
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
  form.appendChild(labelled('dialect', dialect));
  const inputs: Record<string, HTMLInputElement> = {};
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
    if (field === 'database') {
      input.placeholder = 'name, or file path for sqlite/duckdb';
    }
    if (field === 'name' && existing) {
      input.readOnly = true;
    }
    inputs[field] = input;
    form.appendChild(labelled(field, input));
  }
  const status = document.createElement('div');
  status.className = 'galilean-ConnectionForm-status';
  const body = () => {
    const data: Record<string, unknown> = { dialect: dialect.value };
    for (const field of FIELDS) {
      const value = inputs[field].value.trim();
      if (field !== 'name' && (value || field !== 'password')) {
        data[field] = field === 'port' && value ? Number(value) : value || null;
      }
    }
    if (!inputs.password.value && existing?.has_password) {
      delete data.password; // the server keeps the stored one
    }
    return data;
  };
  const test = button('Test', 'galilean-ConnectionForm-test', async () => {
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
  const save = button('Save', 'galilean-ConnectionForm-save', async () => {
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
  const cancel = button('Cancel', 'galilean-ConnectionForm-cancel', async () =>
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
  element.className = `jp-Button ${className}`;
  element.textContent = text;
  element.onclick = () => void onClick();
  return element;
}
