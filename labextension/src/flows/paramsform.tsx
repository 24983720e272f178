/**
 * The side panel: the selected node's params as a form rendered from its kind's
 * `params_schema`: @rjsf with JupyterLab's own templates (FormComponent, as in the
 * settings editor). Each change is written to the flow at once; the form shows
 * the schema's errors as the user types.
 */
import { FormComponent } from '@jupyterlab/ui-components';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { IChangeEvent } from '@rjsf/core';
import { RJSFSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import * as React from 'react';

import { FIELD_WIDGETS } from './fieldwidgets';
import { FORM_FIELDS } from './sentfield';
import { nameAddButtons } from './a11y';
import { IFieldContext, uiSchemaFor } from './fields';
import { IFlowNode } from './model';
import { canonical, withoutFilledDefaults } from './params';
import { IKindInfo } from './tokens';

type Params = ReadonlyJSONObject;

const validator = customizeValidator<Params>();

export interface IParamsFormProps {
  node: IFlowNode | null;
  kind: IKindInfo | undefined;
  /** How many nodes are selected (the form shows for exactly one). */
  selected: number;
  /** Columns reaching each of the node's input ports (column pickers, SQL completion). */
  columns?: Record<string, string[] | null>;
  /** The flow's parameter names (insertable into SQL fields as `:name`). */
  parameters?: string[];
  onChange(id: string, params: Record<string, unknown>): void;
}

export function ParamsForm(props: IParamsFormProps): JSX.Element {
  const { node, kind, selected, onChange } = props;
  const schema = kind?.params_schema;
  const uiSchema = React.useMemo(() => uiSchemaFor(schema), [schema]);
  const formRef = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => nameAddButtons(formRef.current));
  const fieldContext: IFieldContext = {
    columns: props.columns ?? {},
    parameters: props.parameters ?? []
  };
  if (node === null) {
    const text =
      selected > 1
        ? `${selected} nodes selected.`
        : 'Select a node to edit its parameters.';
    return <div className="jp-GalileanFlow-hint">{text}</div>;
  }
  const header = (
    <h3 className="jp-GalileanFlow-formTitle">
      {node.id} <small>{kind?.title ?? node.kind}</small>
    </h3>
  );
  if (!kind) {
    return (
      <div>
        {header}
        <div className="jp-GalileanFlow-error">
          The server does not know the kind "{node.kind}".
        </div>
      </div>
    );
  }
  const change = (event: IChangeEvent<ReadonlyJSONObject>) => {
    const params = withoutFilledDefaults(
      (event.formData ?? {}) as Record<string, unknown>,
      node.params as Record<string, unknown>,
      kind.params_schema
    );
    if (canonical(params) !== canonical(node.params)) {
      onChange(node.id, params);
    }
  };
  return (
    <div ref={formRef}>
      {header}
      {kind.description && <p>{kind.description}</p>}
      <FormComponent
        key={node.id}
        schema={kind.params_schema as RJSFSchema}
        uiSchema={uiSchema}
        widgets={FIELD_WIDGETS}
        fields={FORM_FIELDS}
        formContext={fieldContext}
        formData={node.params as ReadonlyJSONObject}
        validator={validator}
        onChange={change}
        liveValidate
        showErrorList={false}
        compact
      />
    </div>
  );
}
