/**
 * The Parameters panel (toolbar "Parameters"): the flow's parameters listed, added,
 * edited and removed, each field checked as the engine checks it with the message next
 * to the field. Every change is one edit of the document (undoable, saveable, the
 * dirty marker). A parameter still used by nodes is removed only after a confirmation
 * naming them; a rename renames its uses.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { FlowDocument } from './document';
import { useDocument } from './editorparts';
import { IFlow, IFlowParameter } from './model';
import {
  addParameter,
  defaultText,
  DraftField,
  draftOf,
  draftProblems,
  freshName,
  IParameterDraft,
  PARAMETER_TYPES,
  parameterOf,
  parameterUses,
  removalWarning,
  removeParameter,
  replaceParameter
} from './parameters_model';
import { IPanelProps } from './versions';

/** Which parameter the form edits: its index, 'new', or none. */
type Editing = number | 'new' | null;

interface IFieldProps {
  field: DraftField | 'description';
  label: string;
  problem?: string;
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby'?: string;
  }) => JSX.Element;
}

function Field(props: IFieldProps): JSX.Element {
  const id = React.useId();
  const error = `${id}-error`;
  const invalid = props.problem !== undefined;
  return (
    <div className="jp-GalileanFlow-paramField">
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        'aria-invalid': invalid,
        'aria-describedby': invalid ? error : undefined
      })}
      {invalid && (
        <div id={error} className="jp-GalileanFlow-fieldError" role="alert">
          {props.problem}
        </div>
      )}
    </div>
  );
}

function DefaultInput(props: {
  draft: IParameterDraft;
  set: (value: string) => void;
  attrs: Record<string, unknown>;
}): JSX.Element {
  const { draft, set, attrs } = props;
  if (draft.type === 'boolean') {
    return (
      <select
        className="jp-mod-styled"
        {...attrs}
        value={draft.default}
        onChange={e => set(e.target.value)}
      >
        <option value="">no default</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  return (
    <input
      className="jp-mod-styled"
      {...attrs}
      value={draft.default}
      placeholder="no default"
      onChange={e => set(e.target.value)}
    />
  );
}

function ParameterForm(props: {
  flow: IFlow;
  index: number | null;
  onSave: (parameter: IFlowParameter) => void;
  onCancel: () => void;
}): JSX.Element {
  const { flow, index } = props;
  const old = index === null ? null : (flow.parameters[index] ?? null);
  const [draft, setDraft] = React.useState<IParameterDraft>(() =>
    old === null ? { ...draftOf(null), name: freshName(flow) } : draftOf(old)
  );
  const problems = draftProblems(flow, draft, index);
  const ok = Object.keys(problems).length === 0;
  const set = (patch: Partial<IParameterDraft>) =>
    setDraft(d => ({ ...d, ...patch }));
  const title = old === null ? 'New parameter' : `Edit parameter ${old.name}`;
  return (
    <form
      className="jp-GalileanFlow-paramForm"
      aria-label={title}
      onSubmit={event => {
        event.preventDefault();
        if (ok) {
          props.onSave(parameterOf(draft, old));
        }
      }}
    >
      <Field field="name" label="Name" problem={problems.name}>
        {attrs => (
          <input
            className="jp-mod-styled"
            {...attrs}
            value={draft.name}
            onChange={e => set({ name: e.target.value })}
          />
        )}
      </Field>
      <Field field="type" label="Type" problem={problems.type}>
        {attrs => (
          <select
            className="jp-mod-styled"
            {...attrs}
            value={draft.type}
            onChange={e => set({ type: e.target.value })}
          >
            {PARAMETER_TYPES.map(t => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field field="default" label="Default" problem={problems.default}>
        {attrs => (
          <DefaultInput
            draft={draft}
            attrs={attrs}
            set={value => set({ default: value })}
          />
        )}
      </Field>
      <Field field="description" label="Description">
        {attrs => (
          <input
            className="jp-mod-styled"
            {...attrs}
            value={draft.description}
            onChange={e => set({ description: e.target.value })}
          />
        )}
      </Field>
      <label className="jp-GalileanFlow-paramShared">
        <input
          type="checkbox"
          checked={draft.shared}
          onChange={e => set({ shared: e.target.checked })}
        />{' '}
        Others who may run the flow may set it
      </label>
      <div className="jp-GalileanFlow-paramButtons">
        <button type="submit" className="jp-mod-styled" disabled={!ok}>
          {old === null ? 'Add' : 'Save'}
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

function ParameterRow(props: {
  parameter: IFlowParameter;
  uses: string[];
  onEdit: () => void;
  onRemove: () => void;
}): JSX.Element {
  const p = props.parameter;
  return (
    <li aria-label={`Parameter ${p.name}`}>
      <div>
        <code>{p.name}</code> <small>{p.type}</small>, {defaultText(p)}
        {p.shared ? ', shared' : ''}
      </div>
      {p.description && <div>{p.description}</div>}
      <div className="jp-GalileanFlow-hint">
        {props.uses.length > 0
          ? `Used by ${props.uses.join(', ')}`
          : 'Not used by any node'}
      </div>
      <div className="jp-GalileanFlow-paramButtons">
        <button
          className="jp-mod-styled"
          aria-label={`Edit ${p.name}`}
          onClick={props.onEdit}
        >
          Edit
        </button>
        <button
          className="jp-mod-styled"
          aria-label={`Remove ${p.name}`}
          onClick={props.onRemove}
        >
          Remove
        </button>
      </div>
    </li>
  );
}

/** Ask before removing a parameter nodes still use; true: go ahead. */
async function mayRemove(flow: IFlow, name: string): Promise<boolean> {
  const warning = removalWarning(name, parameterUses(flow, name));
  if (warning === null) {
    return true;
  }
  const answer = await showDialog({
    title: `Remove the parameter "${name}"?`,
    body: warning,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Remove' })]
  });
  return answer.button.accept;
}

async function remove(doc: FlowDocument, name: string): Promise<void> {
  if (doc.flow === null || !(await mayRemove(doc.flow, name))) {
    return;
  }
  const flow = doc.flow; // as it is now, after the question
  if (flow !== null && flow.parameters.some(p => p.name === name)) {
    doc.write(removeParameter(flow, name));
  }
}

export function ParametersPanel(props: IPanelProps): JSX.Element {
  const { doc } = props;
  const { flow } = useDocument(doc);
  const [editing, setEditing] = React.useState<Editing>(null);
  if (flow === null) {
    return <p>The file is not a flow: fix it to edit its parameters.</p>;
  }
  const save = (parameter: IFlowParameter) => {
    const now = doc.flow ?? flow;
    doc.write(
      editing === 'new' || editing === null
        ? addParameter(now, parameter)
        : replaceParameter(now, editing, parameter)
    );
    setEditing(null);
  };
  const form = (index: number | null) => (
    <ParameterForm
      key={index ?? 'new'}
      flow={flow}
      index={index}
      onSave={save}
      onCancel={() => setEditing(null)}
    />
  );
  return (
    <section className="jp-GalileanFlow-parameters">
      <p className="jp-GalileanFlow-hint">
        A node uses a parameter as <code>:name</code> in SQL; a run or an
        endpoint call may set it.
      </p>
      {flow.parameters.length === 0 && <p>The flow has no parameters.</p>}
      <ul aria-label="Flow parameters">
        {flow.parameters.map((p, i) =>
          editing === i ? (
            <li key={`edit-${i}`}>{form(i)}</li>
          ) : (
            <ParameterRow
              key={`${i}-${p.name}`}
              parameter={p}
              uses={parameterUses(flow, p.name)}
              onEdit={() => setEditing(i)}
              onRemove={() => void remove(doc, p.name)}
            />
          )
        )}
      </ul>
      {editing === 'new' ? (
        form(null)
      ) : (
        <button className="jp-mod-styled" onClick={() => setEditing('new')}>
          Add a parameter
        </button>
      )}
    </section>
  );
}
