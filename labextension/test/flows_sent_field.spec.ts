/// <reference types="node" />
/**
 * The field for a value an HTTP node sends (fields.ts marks `x-galilean: sent`): the
 * HTTP kinds' headers and query values get it; rendered in JupyterLab's form as the
 * designer renders it, it shows where a value comes from (text, a flow parameter, one of
 * the user's secrets listed by name from the vault) and writes `{"$secret": name}`.
 */
import { FormComponent } from '@jupyterlab/ui-components/lib/components/form';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { RJSFSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import * as React from 'react';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));
import { FIELD_WIDGETS } from '../src/flows/fieldwidgets';
import { fieldWidgets, SENT_FIELD, uiSchemaFor } from '../src/flows/fields';
import { FORM_FIELDS, sourceOf, switched } from '../src/flows/sentfield';
import { requestAPI } from '../src/request';
import catalogue from './flows_kinds.json';

import { act, createRoot, IRoot } from './react_root';

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;
const schemaOf = (kind: string): RJSFSchema =>
  catalogue.kinds.find(k => k.kind === kind)!.params_schema as RJSFSchema;
const SENT = { 'ui:field': SENT_FIELD, 'ui:fieldReplacesAnyOrOneOf': true };

describe('which fields are sent values', () => {
  it("are the HTTP kinds' headers and query values", () => {
    expect(fieldWidgets(schemaOf('source.http_json'))).toEqual({
      query: { additionalProperties: SENT },
      headers: { additionalProperties: SENT }
    });
    for (const kind of ['destination.http', 'destination.webhook']) {
      expect(fieldWidgets(schemaOf(kind))).toEqual({
        headers: { additionalProperties: SENT }
      });
    }
  });

  it('switch between text, a parameter and a secret', () => {
    expect(sourceOf('Bearer x')).toBe('text');
    expect(sourceOf(5)).toBe('text');
    expect(sourceOf({ $param: 'token' })).toBe('param');
    expect(sourceOf({ $secret: 'API_KEY' })).toBe('secret');
    expect(switched('secret', ['p'], ['API_KEY', 'B'])).toEqual({
      $secret: 'API_KEY'
    });
    expect(switched('secret', ['p'], [])).toEqual({ $secret: '' });
    expect(switched('param', ['p'], [])).toEqual({ $param: 'p' });
    expect(switched('text', ['p'], ['A'])).toBe('');
  });
});

describe('the sent-value field in the node form', () => {
  let host: HTMLDivElement;
  let root: IRoot;
  const changes: unknown[] = [];

  function render(params: Record<string, unknown>): void {
    const schema = schemaOf('source.http_json');
    act(() => {
      root.render(
        React.createElement(FormComponent, {
          schema,
          uiSchema: uiSchemaFor(schema),
          widgets: FIELD_WIDGETS,
          fields: FORM_FIELDS,
          formContext: { columns: {}, parameters: ['region'] },
          formData: params as ReadonlyJSONObject,
          validator: customizeValidator<ReadonlyJSONObject>(),
          liveValidate: true,
          showErrorList: false,
          compact: true,
          onChange: (event: { formData?: unknown }) =>
            changes.push(event.formData)
        })
      );
    });
  }

  const select = (label: string): HTMLSelectElement =>
    host.querySelector<HTMLSelectElement>(`select[aria-label="${label}"]`)!;

  beforeEach(() => {
    changes.length = 0;
    request.mockReset();
    request.mockImplementation(async endPoint => {
      expect(endPoint).toBe('secrets');
      return { secrets: [{ name: 'API_KEY', created: 1, updated: 1 }] };
    });
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  it('shows a secret by name and lists the user’s secrets', async () => {
    render({
      url: 'https://api.example/orders',
      headers: { Authorization: { $secret: 'API_KEY' } }
    });
    await act(async () => undefined); // the vault's list arrives
    const from = select('Authorization: from');
    expect(from.value).toBe('secret');
    const secret = select('Authorization: secret');
    expect(secret.value).toBe('API_KEY');
    expect(Array.from(secret.options).map(o => o.text)).toEqual(['API_KEY']);
    expect(host.textContent).not.toContain('is not valid');
  });

  it('turns a text header into a secret', async () => {
    render({
      url: 'https://api.example/orders',
      headers: { Authorization: 'Bearer typed-in' }
    });
    const from = select('Authorization: from');
    expect(from.value).toBe('text');
    await act(async () => {
      from.value = 'secret';
      from.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => undefined);
    expect(changes[changes.length - 1]).toEqual({
      url: 'https://api.example/orders',
      headers: { Authorization: { $secret: 'API_KEY' } }
    });
  });

  it('names a secret that is not in the vault (deleted since)', async () => {
    render({
      url: 'https://api.example/orders',
      query: { key: { $secret: 'GONE' } }
    });
    await act(async () => undefined);
    const secret = select('key: secret');
    expect(Array.from(secret.options).map(o => o.text)).toEqual([
      'API_KEY',
      'GONE (not found)'
    ]);
  });
});
