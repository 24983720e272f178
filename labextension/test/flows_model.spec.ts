import { diffFlows, isEmptyDiff } from '../src/flows/diff';
import {
  JsonSyntaxError,
  parseJsonKeepingFloats,
  pythonFloat
} from '../src/flows/json';
import {
  addNode,
  connect,
  copyNodes,
  deleteEdges,
  deleteNodes,
  duplicateNodes,
  moveNodes,
  parseClip,
  pasteNodes,
  setParams,
  uniqueId
} from '../src/flows/edit';
import {
  emptyFlow,
  FlowParseError,
  IFlow,
  parseFlow,
  serializeFlow
} from '../src/flows/model';
import dumped from './flows_dumped.json';

/** Written by the engine's dump_flow (services/galilean_services/flows/model.py). */
const cases = dumped as Record<string, { source: string; dumped: string }>;

/** source → filter → show, built through the operations under test. */
function chain(): IFlow {
  let flow = addNode(emptyFlow('t'), 'source.file', { x: 0, y: 0 }).flow;
  flow = addNode(flow, 'transform.filter', { x: 200, y: 0 }).flow;
  flow = addNode(flow, 'destination.display', { x: 400, y: 0 }).flow;
  const one = connect(
    flow,
    { node: 'file', port: 'out' },
    { node: 'filter', port: 'in' }
  );
  if (!one.ok) {
    throw new Error(one.reason);
  }
  const two = connect(
    one.flow,
    { node: 'filter', port: 'out' },
    { node: 'display', port: 'in' }
  );
  if (!two.ok) {
    throw new Error(two.reason);
  }
  return two.flow;
}

describe('the .flow file', () => {
  it.each(Object.keys(cases))('serializes %s as dump_flow does', name => {
    const { source, dumped } = cases[name];
    expect(serializeFlow(parseFlow(source))).toBe(dumped);
    expect(serializeFlow(parseFlow(dumped))).toBe(dumped);
  });

  it('says where a file is not a flow', () => {
    const bad = (text: string) => {
      try {
        parseFlow(text);
      } catch (error) {
        return (error as FlowParseError).location;
      }
      return 'parsed';
    };
    expect(bad('{')).toBe('$');
    expect(bad('{"galilean_flow": 2, "name": "x"}')).toBe('$.galilean_flow');
    expect(
      bad('{"galilean_flow": 1, "name": "x", "nodes": [{"id": "1a"}]}')
    ).toBe('$.nodes[0].id');
    expect(
      bad(
        '{"galilean_flow": 1, "name": "x", "edges": [{"id": "e", "from": {}}]}'
      )
    ).toBe('$.edges[0].from.node');
  });

  it('writes an empty flow the engine reads', () => {
    expect(parseFlow(serializeFlow(emptyFlow()))).toEqual(emptyFlow());
  });
});

describe('editing a flow', () => {
  it('adds nodes with unique ids from their kind', () => {
    const flow = chain();
    expect(flow.nodes.map(n => n.id)).toEqual(['file', 'filter', 'display']);
    const again = addNode(flow, 'transform.filter');
    expect(again.id).toBe('filter_2');
    expect(addNode(again.flow, 'transform.filter').id).toBe('filter_3');
    expect(uniqueId('x.2col', new Set())).toBe('n_2col');
  });

  it('connects ports and refuses a second edge into one input', () => {
    const flow = chain();
    expect(flow.edges.map(e => e.id)).toEqual(['e1', 'e2']);
    const second = addNode(flow, 'source.file').flow;
    const refused = connect(
      second,
      { node: 'file_2', port: 'out' },
      { node: 'filter', port: 'in' }
    );
    expect(refused).toEqual({
      ok: false,
      reason: 'input "in" of "filter" is already fed by "file"'
    });
    const join = addNode(second, 'transform.join').flow;
    const left = connect(
      join,
      { node: 'file', port: 'out' },
      { node: 'join', port: 'left' }
    );
    expect(left.ok).toBe(true);
  });

  it('refuses cycles, self loops and unknown nodes', () => {
    const flow = chain();
    const cycle = connect(
      flow,
      { node: 'display', port: 'out' },
      { node: 'file', port: 'in' }
    );
    expect(cycle).toEqual({
      ok: false,
      reason: 'this edge would make a cycle'
    });
    const self = connect(
      flow,
      { node: 'file', port: 'out' },
      { node: 'file', port: 'x' }
    );
    expect(self.ok).toBe(false);
    const unknown = connect(
      flow,
      { node: 'nope', port: 'out' },
      { node: 'file', port: 'x' }
    );
    expect(unknown).toEqual({
      ok: false,
      reason: 'no node "nope" in the flow'
    });
  });

  it('deletes nodes with their edges, and edges alone', () => {
    const flow = chain();
    const without = deleteNodes(flow, ['filter']);
    expect(without.nodes.map(n => n.id)).toEqual(['file', 'display']);
    expect(without.edges).toEqual([]);
    expect(deleteEdges(flow, ['e1']).edges.map(e => e.id)).toEqual(['e2']);
    expect(flow.edges).toHaveLength(2);
  });

  it('pastes with new ids, keeping only edges inside the selection', () => {
    const flow = chain();
    const clip = copyNodes(flow, ['filter', 'display']);
    expect(clip.edges.map(e => e.id)).toEqual(['e2']);
    const text = JSON.stringify(clip);
    const pasted = pasteNodes(flow, parseClip(text)!, { x: 10, y: 20 });
    expect(pasted.ids).toEqual(['filter_2', 'display_2']);
    const added = pasted.flow.edges.slice(2);
    expect(added).toEqual([
      {
        id: 'e3',
        from: { node: 'filter_2', port: 'out' },
        to: { node: 'display_2', port: 'in' }
      }
    ]);
    expect(pasted.flow.nodes[3].position).toEqual({ x: 210, y: 20 });
    expect(parseClip('{"nodes": []}')).toBeNull();
  });

  it('duplicates a selection next to itself', () => {
    const flow = setParams(chain(), 'filter', { condition: 'a > 1' });
    const copy = duplicateNodes(flow, ['filter']);
    expect(copy.ids).toEqual(['filter_2']);
    const node = copy.flow.nodes.find(n => n.id === 'filter_2')!;
    expect(node.params).toEqual({ condition: 'a > 1' });
    expect(node.params).not.toBe(flow.nodes[1].params);
    expect(copy.flow.edges).toHaveLength(2);
  });

  it('moves nodes to whole pixels', () => {
    const moved = moveNodes(chain(), new Map([['file', { x: 10.4, y: -3.6 }]]));
    expect(moved.nodes[0].position).toEqual({ x: 10, y: -4 });
  });
});

describe('the diff of two flows', () => {
  it('finds added, removed and changed nodes and edges', () => {
    const before = chain();
    let after = deleteNodes(before, ['display']);
    after = setParams(after, 'filter', { condition: 'x' });
    after = moveNodes(after, new Map([['file', { x: 5, y: 5 }]]));
    after = addNode(after, 'transform.sort').flow;
    const done = connect(
      after,
      { node: 'filter', port: 'out' },
      { node: 'sort', port: 'in' }
    );
    after = done.ok ? done.flow : after;
    const diff = diffFlows(before, { ...after, name: 'renamed' });
    expect(diff.added).toEqual(['sort']);
    expect(diff.removed).toEqual(['display']);
    expect(diff.changed).toEqual([
      { id: 'file', fields: ['position'], params: [] },
      { id: 'filter', fields: ['params'], params: ['condition'] }
    ]);
    expect(diff.edgesAdded.map(e => e.to.node)).toEqual(['sort']);
    expect(diff.edgesRemoved.map(e => e.to.node)).toEqual(['display']);
    expect(diff.flow).toEqual(['name']);
  });

  it('finds nothing between a flow and its reordered copy', () => {
    const flow = setParams(chain(), 'filter', { a: 1, b: { c: 2, d: 3 } });
    const reordered = setParams(flow, 'filter', { b: { d: 3, c: 2 }, a: 1 });
    expect(isEmptyDiff(diffFlows(flow, reordered))).toBe(true);
  });
});

describe('numbers as Python writes them', () => {
  it('keeps floats written as floats', () => {
    const source =
      '{"galilean_flow": 1, "name": "n", "parameters": [{"name": "p", "type": "number",' +
      ' "default": 2.0}], "nodes": [{"id": "a", "kind": "k", "params": {"v": [1, 1.0,' +
      ' 1e-05, 1.5E20, 0.0001, -0.0, 12.50], "w": 3}}]}';
    const text = serializeFlow(parseFlow(source));
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('"default":2.0,');
    expect(flat).toContain('"v":[1,1.0,1e-05,1.5e+20,0.0001,-0.0,12.5],"w":3');
  });

  it('writes pythonFloat like repr', () => {
    const cases: [number, string][] = [
      [249, '249.0'],
      [1e16, '1e+16'],
      [1.5e-7, '1.5e-07'],
      [1.2345678901234568e17, '1.2345678901234568e+17'],
      [0.00001, '1e-05'],
      [1e22, '1e+22'],
      [74.9, '74.9']
    ];
    cases.forEach(([x, repr]) => expect(pythonFloat(x)).toBe(repr));
  });

  it('says where text is not JSON', () => {
    expect(() => parseJsonKeepingFloats('{"a": [1, }')).toThrow(
      JsonSyntaxError
    );
    expect(() => parseJsonKeepingFloats('[1] x')).toThrow('at character 4');
    expect(
      parseJsonKeepingFloats(' {"a\\n": [true, null, "\\u00e9"]} ')
    ).toEqual({
      'a\n': [true, null, 'é']
    });
  });
});
