import { autoLayout } from '../src/flows/layout';
import { parseFlow } from '../src/flows/model';
import dumped from './flows_dumped.json';

// dagre uses structuredClone, which browsers and Node have and jest's jsdom lacks; it
// clones plain arrays and objects, which JSON copies as well.
if (typeof globalThis.structuredClone === 'undefined') {
  globalThis.structuredClone = (value: unknown) =>
    JSON.parse(JSON.stringify(value));
}

const cases = dumped as Record<string, { dumped: string }>;

describe('auto-layout', () => {
  it.each(Object.keys(cases))(
    'places each node of %s right of its inputs',
    name => {
      const flow = parseFlow(cases[name].dumped);
      const at = autoLayout(flow);
      expect([...at.keys()]).toEqual(flow.nodes.map(n => n.id));
      for (const edge of flow.edges) {
        expect(at.get(edge.to.node)!.x).toBeGreaterThan(
          at.get(edge.from.node)!.x
        );
      }
    }
  );
});
