import { flowBounds } from '../src/flows/canvas';
import { NODE_HEIGHT, NODE_WIDTH } from '../src/flows/layout';
import { emptyFlow, IFlow } from '../src/flows/model';

const flow = (positions: Record<string, { x: number; y: number }>): IFlow => ({
  ...emptyFlow(),
  nodes: Object.entries(positions).map(([id, position]) => ({
    id,
    kind: 'transform.sort',
    params: {},
    position
  }))
});

describe('the box around a flow (the view after auto-layout)', () => {
  it('spans the nodes at their places with their measured sizes', () => {
    const sizes = new Map([
      ['a', { width: 150, height: 40 }],
      ['b', { width: 200, height: 60 }]
    ]);
    const at = flow({ a: { x: -10, y: 20 }, b: { x: 300, y: 500 } });
    expect(flowBounds(at, sizes)).toEqual({
      x: -10,
      y: 20,
      width: 510,
      height: 540
    });
  });

  it("takes the layout's size for a node not measured yet", () => {
    const at = flow({ a: { x: 0, y: 0 }, b: { x: 400, y: 0 } });
    const bounds = flowBounds(at, new Map([['a', { width: 10, height: 10 }]]));
    expect(bounds).toEqual({
      x: 0,
      y: 0,
      width: 400 + NODE_WIDTH,
      height: NODE_HEIGHT
    });
  });

  it('is empty for an empty flow', () => {
    expect(flowBounds(emptyFlow(), new Map())).toEqual({
      x: 0,
      y: 0,
      width: 0,
      height: 0
    });
  });
});
