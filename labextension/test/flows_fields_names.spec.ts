/// <reference types="node" />
/**
 * Every control of the node form (the side panel) has an accessible name: the form
 * rendered as the designer renders it (JupyterLab's FormComponent, compact, with the
 * designer's widgets) for every node of the shipped example flows and every kind of the
 * catalogue, in jsdom.
 */
import * as fs from 'fs';
import * as path from 'path';

import { FormComponent } from '@jupyterlab/ui-components/lib/components/form';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { RegistryWidgetsType, RJSFSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import * as React from 'react';

import { FIELD_WIDGETS } from '../src/flows/fieldwidgets';
import { FORM_FIELDS } from '../src/flows/sentfield';

import { uiSchemaFor } from '../src/flows/fields';
import catalogue from './flows_kinds.json';

import { act, createRoot } from './react_root';

const EXAMPLES = path.join(
  __dirname,
  '..',
  '..',
  'extensions',
  'galilean_server',
  'examples',
  'flows'
);

interface ICase {
  label: string;
  kind: string;
  params: Record<string, unknown>;
}

const schemaOf = (kind: string): RJSFSchema =>
  catalogue.kinds.find(k => k.kind === kind)!.params_schema as RJSFSchema;

function exampleNodes(): ICase[] {
  const cases: ICase[] = [];
  for (const file of fs
    .readdirSync(EXAMPLES)
    .filter(f => f.endsWith('.flow'))) {
    const flow = JSON.parse(
      fs.readFileSync(path.join(EXAMPLES, file), 'utf-8')
    );
    for (const node of flow.nodes) {
      cases.push({
        label: `${file} ${node.id}`,
        kind: node.kind,
        params: node.params ?? {}
      });
    }
  }
  return cases;
}

/** The accessible name of a control, as far as jsdom can tell (aria-label, label). */
function nameOf(control: HTMLElement): string {
  const label = control.getAttribute('aria-label');
  if (label) {
    return label.trim();
  }
  const by = control.getAttribute('aria-labelledby');
  if (by) {
    return by
      .split(' ')
      .map(id => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim();
  }
  const labels = Array.from((control as HTMLInputElement).labels ?? []);
  return labels
    .map(l => l.textContent ?? '')
    .join(' ')
    .trim();
}

/** The controls of the form for `kind` over `params` without an accessible name. */
function unnamed(
  kind: string,
  params: Record<string, unknown>,
  widgets: RegistryWidgetsType
): string[] {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const root = createRoot(host);
  const schema = schemaOf(kind);
  act(() => {
    root.render(
      React.createElement(FormComponent, {
        schema,
        uiSchema: uiSchemaFor(schema),
        widgets,
        fields: FORM_FIELDS,
        formContext: { columns: { in: ['a', 'b'] }, parameters: ['p'] },
        formData: params as ReadonlyJSONObject,
        validator: customizeValidator<ReadonlyJSONObject>(),
        liveValidate: true,
        showErrorList: false,
        compact: true,
        onChange: () => undefined
      })
    );
  });
  const controls = Array.from(
    host.querySelectorAll<HTMLElement>('input, select, textarea')
  ).filter(c => c.getAttribute('type') !== 'hidden');
  const missing = controls
    .filter(c => nameOf(c) === '')
    .map(c => `${c.tagName.toLowerCase()}#${c.id}`);
  act(() => root.unmount());
  host.remove();
  return missing;
}

describe('the node form names every control', () => {
  const examples = exampleNodes();

  it('finds the example flows', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.map(c => [c.label, c] as const))('in %s', (_, c) => {
    expect(unnamed(c.kind, c.params, FIELD_WIDGETS)).toEqual([]);
  });

  it.each(catalogue.kinds.map(k => [k.kind] as const))(
    'in a new %s node',
    kind => {
      expect(unnamed(kind, {}, FIELD_WIDGETS)).toEqual([]);
    }
  );

  it("would leave rjsf's own widgets unnamed (what this test guards)", () => {
    const plain = Object.fromEntries(
      Object.entries(FIELD_WIDGETS).filter(([k]) => k.startsWith('galilean'))
    );
    expect(unnamed('source.file', { path: 'a.csv' }, plain)).toEqual([
      'input#root_path',
      'select#root_format'
    ]);
  });
});

describe('a control named by the field', () => {
  it('is named after its label, or its place in the form', () => {
    const host = document.createElement('div');
    document.body.appendChild(host);
    const root = createRoot(host);
    const schema: RJSFSchema = {
      type: 'object',
      properties: {
        path: { type: 'string', title: 'File path' },
        keys: { type: 'array', items: { type: 'string' } }
      }
    };
    act(() => {
      root.render(
        React.createElement(FormComponent, {
          schema,
          uiSchema: uiSchemaFor(schema),
          widgets: FIELD_WIDGETS,
          formData: { keys: ['a'] } as ReadonlyJSONObject,
          validator: customizeValidator<ReadonlyJSONObject>(),
          compact: true,
          onChange: () => undefined
        })
      );
    });
    const name = (id: string) =>
      host.querySelector(`#${id}`)?.getAttribute('aria-label');
    expect(name('root_path')).toBe('File path');
    expect(name('root_keys_0')).toBe('keys-0');
    act(() => root.unmount());
    host.remove();
  });
});
