/**
 * The side panel's own form widgets (rjsf), chosen by fields.ts from the kinds'
 * annotations: a column picker offering the columns reaching the node's input port (any
 * text is still accepted: validation names a column that does not exist), and a SQL
 * editor (CodeMirror 6, as JupyterLab's editors, with its theme) highlighting SQL and
 * completing the input's column names, keywords and the flow's `:parameters`, with a
 * list to insert a parameter at the cursor; and rjsf's standard widgets with their
 * controls named for screen readers.
 */
import { autocompletion, CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { sql } from '@codemirror/lang-sql';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { jupyterTheme } from '@jupyterlab/codemirror';
import { getDefaultRegistry } from '@rjsf/core';
import { RegistryWidgetsType, Widget, WidgetProps } from '@rjsf/utils';
import * as React from 'react';

import {
  COLUMN_WIDGET,
  fieldName,
  IFieldContext,
  insertParameter,
  SQL_WIDGET
} from './fields';

function context(props: WidgetProps): IFieldContext {
  const given = props.registry.formContext as IFieldContext | undefined;
  return given ?? { columns: {}, parameters: [] };
}

/** The field's accessible name: its label, or its place in the form. */
function nameOf(props: WidgetProps): string {
  return fieldName(props.label, props.id);
}

/** Whether a form control already has an accessible name. */
function hasName(control: HTMLElement): boolean {
  if (control.getAttribute('aria-labelledby')) {
    return true;
  }
  const labels = (control as HTMLInputElement).labels ?? [];
  return Array.from(labels).some(l => (l.textContent ?? '').trim() !== '');
}

/**
 * rjsf's own `widget`, its controls named after the field: JupyterLab's form templates
 * draw a field's title as text, not as a <label> of its control, so a screen reader
 * would read "edit text" alone. A control the widget names itself keeps its name.
 */
export function named(widget: Widget): Widget {
  const Inner = widget as React.ComponentType<WidgetProps>;
  function Named(props: WidgetProps): JSX.Element {
    const box = React.useRef<HTMLDivElement>(null);
    const name = nameOf(props);
    React.useLayoutEffect(() => {
      const controls = box.current?.querySelectorAll<HTMLElement>(
        'input, select, textarea'
      );
      for (const control of Array.from(controls ?? [])) {
        if (control.dataset.galileanNamed === 'true' || !hasName(control)) {
          control.setAttribute('aria-label', name);
          control.dataset.galileanNamed = 'true';
        }
      }
    });
    return (
      <div ref={box} className="jp-GalileanFlow-named">
        <Inner {...props} />
      </div>
    );
  }
  return Named;
}

export function ColumnWidget(props: WidgetProps): JSX.Element {
  const port = String(props.options.port ?? 'in');
  const columns = context(props).columns[port] ?? [];
  const list = `${props.id}-columns`;
  return (
    <span className="jp-GalileanFlow-column">
      <input
        id={props.id}
        className="form-control"
        list={list}
        aria-label={nameOf(props)}
        value={typeof props.value === 'string' ? props.value : ''}
        placeholder={columns.length > 0 ? 'a column' : props.placeholder}
        disabled={props.disabled || props.readonly}
        onChange={event =>
          props.onChange(
            event.target.value === '' ? undefined : event.target.value
          )
        }
        onBlur={event => props.onBlur(props.id, event.target.value)}
        onFocus={event => props.onFocus(props.id, event.target.value)}
      />
      <datalist id={list}>
        {columns.map(column => (
          <option key={column} value={column} />
        ))}
      </datalist>
    </span>
  );
}

/** Completions of `:name` for the flow's parameters (not after `::`, a cast). */
function parameterSource(parameters: () => string[]) {
  return (at: CompletionContext) => {
    const word = at.matchBefore(/(?<!:):[A-Za-z_][A-Za-z0-9_]*$|(?<!:):$/);
    if (word === null) {
      return null;
    }
    const options = parameters().map(name => ({
      label: `:${name}`,
      type: 'variable',
      detail: 'flow parameter'
    }));
    return { from: word.from, options };
  };
}

/** SQL over the node's input: its columns complete bare or as `input.<column>`. */
function sqlLanguage(columns: string[]) {
  return sql({
    schema: { input: columns },
    defaultTable: 'input',
    upperCaseKeywords: true
  });
}

export function SqlWidget(props: WidgetProps): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const view = React.useRef<EditorView | null>(null);
  const language = React.useRef(new Compartment());
  const latest = React.useRef(props);
  latest.current = props;
  const { columns, parameters } = context(props);
  const inputColumns = columns.in ?? [];
  const text = typeof props.value === 'string' ? props.value : '';

  React.useEffect(() => {
    const made = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: text,
        extensions: [
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          language.current.of(sqlLanguage(inputColumns)),
          autocompletion(),
          EditorState.languageData.of(() => [
            {
              autocomplete: parameterSource(
                () => context(latest.current).parameters
              )
            }
          ]),
          jupyterTheme,
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({
            'aria-label': nameOf(props),
            id: props.id
          }),
          EditorView.updateListener.of(update => {
            if (update.docChanged) {
              const value = update.state.doc.toString();
              latest.current.onChange(value === '' ? undefined : value);
            }
          })
        ]
      })
    });
    view.current = made;
    return () => {
      made.destroy();
      view.current = null;
    };
  }, []);

  React.useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(sqlLanguage(inputColumns))
    });
  }, [inputColumns.join('\u0000')]);

  React.useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== text) {
      current.dispatch({
        changes: { from: 0, to: current.state.doc.length, insert: text }
      });
    }
  }, [text]);

  const insert = (name: string) => {
    const current = view.current;
    if (!current || name === '') {
      return;
    }
    const { from, to } = current.state.selection.main;
    const doc = current.state.doc.toString();
    const made = insertParameter(doc, from, to, name);
    current.dispatch({
      changes: { from: 0, to: doc.length, insert: made.text },
      selection: { anchor: made.cursor }
    });
    current.focus();
  };

  return (
    <div className="jp-GalileanFlow-sql">
      <div ref={host} className="jp-GalileanFlow-sqlEditor" />
      {parameters.length > 0 && (
        <select
          className="jp-GalileanFlow-insertParameter"
          aria-label={`Insert a parameter into ${nameOf(props)}`}
          value=""
          onChange={event => insert(event.target.value)}
        >
          <option value="">Insert a parameter…</option>
          {parameters.map(name => (
            <option key={name} value={name}>
              :{name}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

/** rjsf's standard widgets, each control named (see `named`). */
function namedStandardWidgets(): RegistryWidgetsType {
  const standard = getDefaultRegistry().widgets;
  return Object.fromEntries(
    Object.entries(standard).map(([key, widget]) => [key, named(widget)])
  );
}

export const FIELD_WIDGETS: RegistryWidgetsType = {
  ...namedStandardWidgets(),
  [COLUMN_WIDGET]: ColumnWidget,
  [SQL_WIDGET]: SqlWidget
};
