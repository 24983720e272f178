import { Signal } from '@lumino/signaling';

import { paletteGroups, nodePorts } from '../src/flows/catalogue';
import { errorNode, FlowsDesignerClient } from '../src/flows/client';
import { changedSpan, FlowDocument } from '../src/flows/document';
import { addNode } from '../src/flows/edit';
import { emptyFlow, parseFlow, serializeFlow } from '../src/flows/model';
import {
  issueNode,
  problemsByEdge,
  problemsByNode
} from '../src/flows/problems';
import { IFlowIssue, IKindInfo } from '../src/flows/tokens';
import { GalileanRequestError, requestAPI } from '../src/request';
import dumped from './flows_dumped.json';
import catalogue from './flows_kinds.json';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;
const kinds = catalogue.kinds as IKindInfo[];
const example = (dumped as Record<string, { dumped: string }>)[
  'customer_segments.flow'
].dumped;

/** A text model as the designer sees it: a shared source with undo, and a signal. */
class FakeModel {
  contentChanged = new Signal<this, void>(this);
  history: string[] = [];
  updates: [number, number, string | undefined][] = [];
  constructor(private text: string) {}
  sharedModel = {
    getSource: () => this.text,
    updateSource: (start: number, end: number, value?: string) => {
      this.updates.push([start, end, value]);
      this.history.push(this.text);
      this.text =
        this.text.slice(0, start) + (value ?? '') + this.text.slice(end);
      this.contentChanged.emit();
    },
    undo: () => this.set(this.history.pop() ?? this.text),
    redo: () => undefined
  };
  set(text: string) {
    this.text = text;
    this.contentChanged.emit();
  }
}

describe('the palette', () => {
  it('groups the catalogue by category and searches it', () => {
    const groups = paletteGroups(kinds, '');
    expect(groups.map(g => g.title)).toEqual([
      'Sources',
      'Transforms',
      'Destinations',
      'Control'
    ]);
    const found = paletteGroups(kinds, 'JOIN');
    expect(found.flatMap(g => g.kinds.map(k => k.kind))).toContain(
      'transform.join'
    );
    expect(paletteGroups(kinds, 'no such kind at all')).toEqual([]);
  });

  it('puts a third-party category after the built-in ones', () => {
    const extra = { ...kinds[0], kind: 'acme.x', title: 'X', category: 'acme' };
    const groups = paletteGroups([...kinds, extra as IKindInfo], '');
    expect(groups[groups.length - 1].kinds.map(k => k.kind)).toEqual([
      'acme.x'
    ]);
  });

  it('gives a join its left and right inputs, and unknown kinds their edges', () => {
    const flow = parseFlow(example);
    const join = kinds.find(k => k.kind === 'transform.join');
    expect(nodePorts(flow, 'with_customer', join)).toEqual({
      inputs: ['left', 'right'],
      outputs: ['out']
    });
    expect(nodePorts(flow, 'with_customer', undefined)).toEqual({
      inputs: ['left', 'right'],
      outputs: ['out']
    });
  });
});

describe('the document over a text model', () => {
  it('reads the flow and writes edits as the smallest change', () => {
    const model = new FakeModel(example);
    const doc = new FlowDocument(model);
    const seen = jest.fn();
    doc.changed.connect(seen);
    const next = addNode(doc.flow!, 'transform.sort', { x: 1, y: 2 }).flow;
    doc.write(next);
    expect(model.sharedModel.getSource()).toBe(serializeFlow(next));
    const [[start, end, value]] = model.updates;
    expect(end).toBe(start);
    expect(value).toContain('"kind": "transform.sort"');
    expect(doc.flow).toBe(next);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('follows the text: undo, revert, another writer', () => {
    const model = new FakeModel(example);
    const doc = new FlowDocument(model);
    doc.write(addNode(doc.flow!, 'transform.sort').flow);
    doc.undo();
    expect(serializeFlow(doc.flow!)).toBe(example);
    model.set(serializeFlow(emptyFlow('other')));
    expect(doc.flow?.name).toBe('other');
  });

  it('reports a text that is not a flow and leaves it alone', () => {
    const model = new FakeModel('{"galilean_flow": 1, "name": 3}');
    const doc = new FlowDocument(model);
    expect(doc.flow).toBeNull();
    expect(doc.problem?.location).toBe('$.name');
    expect(model.updates).toEqual([]);
    model.set('');
    expect(doc.flow).toEqual(emptyFlow());
    doc.dispose();
  });

  it('finds the changed span', () => {
    expect(changedSpan('abcdef', 'abXYef')).toEqual([2, 4, 'XY']);
    expect(changedSpan('aaa', 'aaaa')).toEqual([3, 3, 'a']);
    expect(changedSpan('same', 'same')).toEqual([4, 4, '']);
  });
});

describe('the flows designer client', () => {
  beforeEach(() => {
    request.mockReset();
    request.mockImplementation(async (endPoint = '') =>
      endPoint === 'flows/kinds' ? { kinds } : { sql: 'select 1', ok: true }
    );
  });

  it('calls the server extension endpoints', async () => {
    const client = new FlowsDesignerClient();
    await client.kinds();
    await client.kinds();
    expect(request).toHaveBeenCalledTimes(1);
    expect(await client.code('a/b.flow', { x: 1 }, 'n')).toBe('select 1');
    const [endPoint, init] = request.mock.calls[1];
    expect(endPoint).toBe('flows/code');
    expect(JSON.parse(init!.body as string)).toEqual({
      path: 'a/b.flow',
      content: { x: 1 },
      language: 'sql',
      node: 'n'
    });
    await client.preview({ path: 'p.flow', content: {}, node: 'n' });
    const body = JSON.parse(request.mock.calls[2][1]!.body as string);
    expect(body).toEqual({
      limit: 100,
      path: 'p.flow',
      content: {},
      node: 'n'
    });
    await client.validate('p.flow', {});
    expect(request.mock.calls[3][0]).toBe('flows/validate');
  });

  it('reads the catalogue again after a failure', async () => {
    request.mockRejectedValueOnce(new GalileanRequestError('down', 500, null));
    const client = new FlowsDesignerClient();
    await expect(client.kinds()).rejects.toThrow('down');
    expect(await client.kinds()).toHaveLength(kinds.length);
  });

  it('names the node a failure is at', () => {
    const body = {
      ok: false as const,
      error: 'x',
      status: 400,
      errors: [{ node: 'f' }]
    };
    expect(errorNode(new GalileanRequestError('x', 400, body))).toBe('f');
    expect(errorNode(new Error('x'))).toBeNull();
  });
});

describe('the problems on the canvas', () => {
  const issues: IFlowIssue[] = [
    { code: 'param', message: 'no column x', node: 'f' },
    { code: 'cycle', message: 'a cycle', nodes: ['a', 'f'] },
    { code: 'missing-input', message: 'bad edge', edge: 'e2' },
    { code: 'file', message: 'the whole file' }
  ];

  it('outlines every node and edge at fault, all problems at once', () => {
    expect(problemsByNode(issues)).toEqual(
      new Map([
        ['f', ['no column x', 'a cycle']],
        ['a', ['a cycle']]
      ])
    );
    expect(problemsByEdge(issues)).toEqual(new Map([['e2', ['bad edge']]]));
  });

  it('goes to the node a problem is on', () => {
    expect(issues.map(issueNode)).toEqual(['f', 'a', null, null]);
  });
});
