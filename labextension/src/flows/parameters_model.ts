/**
 * The flow's parameters (the `.flow` file's `parameters` list) as the Parameters panel
 * edits them: a draft of one parameter checked as the engine checks it (the file
 * schema's name pattern, one declaration per name — validate.py; a default the engine
 * can convert to the type — compiler.convert), the nodes using a parameter
 * (`{"$param": name}` or `:name` in SQL text, as settable.py finds them), and the
 * edits: add, replace (a rename renames its uses too) and remove.
 */
import { keepFloats, parseJsonKeepingFloats } from './json';
import { IFlow, IFlowNode, IFlowParameter } from './model';

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean'];

/** The file schema's pattern for ids and parameter names. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** A JSON number (what the file can hold). */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** `:name` in SQL text (not `::type`, not an escaped `\:`), as the engine reads it. */
const COLON_NAME = /(?<![:\w\\]):(\w+)/g;

/** A parameter as its form holds it: the default as typed. */
export interface IParameterDraft {
  name: string;
  type: string;
  default: string;
  description: string;
  shared: boolean;
}

export type DraftField = 'name' | 'type' | 'default';
export type DraftProblems = Partial<Record<DraftField, string>>;

/** The draft of an existing parameter (its default as text), or of a new one. */
export function draftOf(parameter: IFlowParameter | null): IParameterDraft {
  if (parameter === null) {
    return {
      name: '',
      type: 'string',
      default: '',
      description: '',
      shared: false
    };
  }
  const value = parameter.default;
  return {
    name: parameter.name,
    type: parameter.type,
    default: value === null || value === undefined ? '' : String(value),
    description: parameter.description,
    shared: parameter.shared === true
  };
}

/** The default typed as `text` for `type`: its value, or why it does not fit. */
export function defaultValue(
  text: string,
  type: string
): { value: unknown } | { problem: string } {
  const trimmed = text.trim();
  if (type === 'string') {
    return { value: text === '' ? null : text };
  }
  if (trimmed === '') {
    return { value: null };
  }
  if (type === 'boolean') {
    if (trimmed === 'true' || trimmed === 'false') {
      return { value: trimmed === 'true' };
    }
    return { problem: 'must be true or false' };
  }
  const number = Number(trimmed);
  if (!JSON_NUMBER.test(trimmed) || !Number.isFinite(number)) {
    return {
      problem: `must be ${type === 'integer' ? 'an integer' : 'a number'}`
    };
  }
  if (type === 'integer' && !Number.isInteger(number)) {
    return { problem: 'must be an integer (no fraction)' };
  }
  return { value: number };
}

/** The draft's problems by field (none: it can be saved); `index` is the edited one. */
export function draftProblems(
  flow: IFlow,
  draft: IParameterDraft,
  index: number | null
): DraftProblems {
  const problems: DraftProblems = {};
  if (draft.name === '') {
    problems.name = 'a name is needed';
  } else if (!NAME_PATTERN.test(draft.name)) {
    problems.name =
      'a letter or _ first, then letters, digits, _ or - (at most 64)';
  } else if (
    flow.parameters.some((p, i) => i !== index && p.name === draft.name)
  ) {
    problems.name = `the flow already has a parameter "${draft.name}"`;
  }
  if (!PARAMETER_TYPES.includes(draft.type)) {
    problems.type = `one of ${PARAMETER_TYPES.join(', ')}`;
  }
  const given = defaultValue(draft.default, draft.type);
  if ('problem' in given) {
    problems.default = given.problem;
  }
  return problems;
}

/**
 * The parameter a draft without problems stands for; the default of `old` (the
 * parameter edited) is kept as it was written when the draft did not change it.
 */
export function parameterOf(
  draft: IParameterDraft,
  old: IFlowParameter | null = null
): IFlowParameter {
  const given = defaultValue(draft.default, draft.type);
  const parameter: IFlowParameter = {
    name: draft.name,
    type: draft.type,
    default: 'value' in given ? given.value : null,
    description: draft.description
  };
  if (draft.shared) {
    parameter.shared = true;
  }
  const unchanged = old !== null && old.type === draft.type;
  if (unchanged && draftOf(old).default === draft.default) {
    parameter.default = old.default;
    keepFloats(parameter, old);
    return parameter;
  }
  const typed = draft.default.trim();
  if (draft.type === 'number' && /[.eE]/.test(typed) && 'value' in given) {
    // Written as a float ("50.0"), it stays one in the file, as the engine writes it.
    keepFloats(
      parameter,
      parseJsonKeepingFloats(`{"default": ${typed}}`) as object
    );
  }
  return parameter;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isReference = (value: unknown): value is { $param: unknown } =>
  isObject(value) && Object.keys(value).length === 1 && '$param' in value;

/** Whether `value` (a node's params, at any depth) uses the parameter `name`. */
export function usesParameter(value: unknown, name: string): boolean {
  if (isReference(value)) {
    return value.$param === name;
  }
  if (Array.isArray(value)) {
    return value.some(v => usesParameter(v, name));
  }
  if (isObject(value)) {
    return Object.values(value).some(v => usesParameter(v, name));
  }
  if (typeof value === 'string') {
    let used = false;
    value.replace(COLON_NAME, (whole, found: string) => {
      used = used || found === name;
      return whole;
    });
    return used;
  }
  return false;
}

/** The ids of the nodes using the parameter `name`. */
export function parameterUses(flow: IFlow, name: string): string[] {
  return flow.nodes.filter(n => usesParameter(n.params, name)).map(n => n.id);
}

/** `value` with every use of the parameter `from` naming `to` instead. */
export function renameUses(value: unknown, from: string, to: string): unknown {
  if (isReference(value)) {
    return value.$param === from ? { $param: to } : value;
  }
  if (Array.isArray(value)) {
    return value.map(v => renameUses(v, from, to));
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renameUses(v, from, to)])
    );
  }
  if (typeof value === 'string') {
    return value.replace(COLON_NAME, (whole, name: string) =>
      name === from ? `:${to}` : whole
    );
  }
  return value;
}

export function addParameter(flow: IFlow, parameter: IFlowParameter): IFlow {
  return { ...flow, parameters: [...flow.parameters, parameter] };
}

/** The flow with parameter `index` replaced; a new name is given to its uses too. */
export function replaceParameter(
  flow: IFlow,
  index: number,
  parameter: IFlowParameter
): IFlow {
  const old = flow.parameters[index];
  const parameters = flow.parameters.map((p, i) =>
    i === index ? parameter : p
  );
  if (old === undefined || old.name === parameter.name) {
    return { ...flow, parameters };
  }
  const nodes = flow.nodes.map((n): IFlowNode =>
    usesParameter(n.params, old.name)
      ? {
          ...n,
          params: renameUses(n.params, old.name, parameter.name) as Record<
            string,
            unknown
          >
        }
      : n
  );
  return { ...flow, parameters, nodes };
}

export function removeParameter(flow: IFlow, name: string): IFlow {
  return {
    ...flow,
    parameters: flow.parameters.filter(p => p.name !== name)
  };
}

/** A name no parameter of `flow` has yet: param_1, param_2, … */
export function freshName(flow: IFlow): string {
  const taken = new Set(flow.parameters.map(p => p.name));
  let n = 1;
  while (taken.has(`param_${n}`)) {
    n += 1;
  }
  return `param_${n}`;
}

/** How the list shows a parameter's default. */
export function defaultText(parameter: IFlowParameter): string {
  const value = parameter.default;
  if (value === null || value === undefined) {
    return 'no default';
  }
  return `default ${JSON.stringify(value)}`;
}

/** What removing the parameter `name` breaks, for the confirmation (null: nothing). */
export function removalWarning(name: string, uses: string[]): string | null {
  if (uses.length === 0) {
    return null;
  }
  const nodes = uses.length === 1 ? 'the node' : 'the nodes';
  return (
    `"${name}" is used by ${nodes} ${uses.join(', ')}: ` +
    'without it they will not validate until they are changed.'
  );
}
