import { parseFlow, serializeFlow } from '../src/flows/model';
import {
  addParameter,
  defaultValue,
  draftOf,
  draftProblems,
  freshName,
  IParameterDraft,
  parameterOf,
  parameterUses,
  removalWarning,
  removeParameter,
  replaceParameter
} from '../src/flows/parameters_model';
import { FIT_MIN_ZOOM, openingViewport } from '../src/flows/viewport';

const FLOW = `{
  "galilean_flow": 1,
  "name": "p",
  "description": "",
  "parameters": [
    {"name": "min_amount", "type": "number", "default": 50.0, "description": "at least"},
    {"name": "region", "type": "string", "default": null, "description": ""}
  ],
  "nodes": [
    {"id": "src", "kind": "source.file", "params": {"path": "a.csv"}},
    {"id": "big", "kind": "transform.filter", "params": {"condition": "amount >= :min_amount AND x::int > 1"}},
    {"id": "pick", "kind": "transform.select", "params": {"columns": [{"$param": "region"}]}},
    {"id": "cast", "kind": "transform.filter", "params": {"condition": "y::min_amount = 1 AND '\\\\:min_amount' = z"}}
  ],
  "edges": []
}`;

const flow = () => parseFlow(FLOW);
const draft = (patch: Partial<IParameterDraft>): IParameterDraft => ({
  ...draftOf(null),
  name: 'n',
  ...patch
});

describe('a parameter draft, checked as the engine checks it', () => {
  it('wants a name by the file schema, once per flow', () => {
    const f = flow();
    expect(draftProblems(f, draft({ name: '' }), null).name).toBe(
      'a name is needed'
    );
    expect(draftProblems(f, draft({ name: '1st' }), null).name).toMatch(
      /a letter or _ first/
    );
    expect(draftProblems(f, draft({ name: 'a b' }), null).name).toBeDefined();
    expect(draftProblems(f, draft({ name: 'x'.repeat(65) }), null).name).toBe(
      'a letter or _ first, then letters, digits, _ or - (at most 64)'
    );
    expect(draftProblems(f, draft({ name: 'region' }), null).name).toBe(
      'the flow already has a parameter "region"'
    );
    // Editing "region" itself keeps its name.
    expect(draftProblems(f, draft({ name: 'region' }), 1)).toEqual({});
    expect(
      draftProblems(f, draft({ name: 'min_amount' }), 1).name
    ).toBeDefined();
  });

  it('wants a default that fits the type (or none)', () => {
    const f = flow();
    const problem = (type: string, text: string) =>
      draftProblems(f, draft({ type, default: text }), null).default;
    expect(problem('integer', '12')).toBeUndefined();
    expect(problem('integer', '1.5')).toBe('must be an integer (no fraction)');
    expect(problem('integer', 'ten')).toBe('must be an integer');
    expect(problem('number', '0x10')).toBe('must be a number');
    expect(problem('number', '-2.5e3')).toBeUndefined();
    expect(problem('boolean', 'yes')).toBe('must be true or false');
    expect(problem('boolean', '')).toBeUndefined();
    expect(problem('string', 'anything')).toBeUndefined();
    expect(draftProblems(f, draft({ type: 'date' }), null).type).toBe(
      'one of string, integer, number, boolean'
    );
    expect(defaultValue('true', 'boolean')).toEqual({ value: true });
    expect(defaultValue(' 7 ', 'integer')).toEqual({ value: 7 });
    expect(defaultValue('', 'string')).toEqual({ value: null });
    expect(defaultValue(' a ', 'string')).toEqual({ value: ' a ' });
  });
});

describe('the flow edited through the panel', () => {
  it('adds a parameter written as the engine writes it', () => {
    const f = flow();
    const name = freshName(f);
    expect(name).toBe('param_1');
    const added = addParameter(
      f,
      parameterOf(draft({ name, type: 'number', default: '2.0', shared: true }))
    );
    const text = serializeFlow(added);
    expect(text).toContain(
      '{\n      "name": "param_1",\n      "type": "number",\n      "default": 2.0,\n' +
        '      "description": "",\n      "shared": true\n    }'
    );
    expect(parseFlow(text).parameters).toHaveLength(3);
  });

  it('keeps a default written as a float when only the description changes', () => {
    const f = flow();
    const edited = { ...draftOf(f.parameters[0]), description: 'lowest' };
    expect(edited.default).toBe('50');
    const text = serializeFlow(
      replaceParameter(f, 0, parameterOf(edited, f.parameters[0]))
    );
    expect(text).toContain('"default": 50.0,\n      "description": "lowest"');
  });

  it('finds the nodes using a parameter, in SQL and as $param', () => {
    const f = flow();
    expect(parameterUses(f, 'min_amount')).toEqual(['big']);
    expect(parameterUses(f, 'region')).toEqual(['pick']);
    expect(parameterUses(f, 'int')).toEqual([]);
    expect(removalWarning('min_amount', ['big'])).toBe(
      '"min_amount" is used by the node big: without it they will not validate ' +
        'until they are changed.'
    );
    expect(removalWarning('x', [])).toBeNull();
    expect(removalWarning('y', ['a', 'b'])).toMatch(/the nodes a, b:/);
  });

  it('renames the uses of a renamed parameter, and removes one', () => {
    const f = flow();
    const renamed = replaceParameter(
      f,
      0,
      parameterOf({ ...draftOf(f.parameters[0]), name: 'least' })
    );
    const params = Object.fromEntries(renamed.nodes.map(n => [n.id, n.params]));
    expect(params.big.condition).toBe('amount >= :least AND x::int > 1');
    expect(params.cast).toBe(f.nodes[3].params); // casts and escapes are not uses
    expect(renamed.parameters.map(p => p.name)).toEqual(['least', 'region']);
    const again = replaceParameter(
      renamed,
      1,
      parameterOf({ ...draftOf(renamed.parameters[1]), name: 'area' })
    );
    expect(again.nodes[2].params).toEqual({ columns: [{ $param: 'area' }] });
    expect(removeParameter(again, 'area').parameters.map(p => p.name)).toEqual([
      'least'
    ]);
  });
});

describe('the opening viewport', () => {
  it('fits a small flow, centred, at most at zoom 1', () => {
    const bounds = { x: 0, y: 0, width: 400, height: 70 };
    expect(openingViewport(bounds, 1000, 500)).toEqual({
      x: 300,
      y: 215,
      zoom: 1
    });
  });

  it('keeps a wide flow readable and shows its start', () => {
    const bounds = { x: 100, y: 0, width: 5000, height: 70 };
    const at = openingViewport(bounds, 600, 400);
    expect(at.zoom).toBe(FIT_MIN_ZOOM);
    expect(at.x).toBe(24 - 100 * FIT_MIN_ZOOM); // its left edge, not its middle
    expect(at.y).toBe(200 - 35 * FIT_MIN_ZOOM); // still centred the other way
  });

  it('zooms out down to the floor when that fits', () => {
    const bounds = { x: 0, y: 0, width: 1000, height: 70 };
    const at = openingViewport(bounds, 600, 400);
    expect(at.zoom).toBeCloseTo(0.51, 5);
    expect(at.x).toBeCloseTo(300 - 500 * 0.51, 5);
  });
});
