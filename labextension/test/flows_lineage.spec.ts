import { lineageDecorations, lineageSummary } from '../src/flows/lineage';
import { ILineage } from '../src/flows/tokens';

const revenue: ILineage = {
  node: 'show',
  column: 'revenue',
  origins: [{ node: 'orders', column: 'amount' }],
  path: [
    { node: 'orders', column: 'amount', role: 'source' },
    { node: 'big_orders', column: 'amount', role: 'filters' },
    {
      node: 'per_region',
      column: 'revenue',
      role: 'derives',
      expression: 'SUM("amount")'
    },
    { node: 'biggest_first', column: 'revenue', role: 'passes' },
    { node: 'show', column: 'revenue', role: 'passes' }
  ],
  unknown: []
};

describe('column lineage on the canvas', () => {
  it('marks the source, the nodes that change the column and those it passes', () => {
    const shown = lineageDecorations(revenue);
    expect(shown.get('orders')).toEqual({
      status: 'lineage-source',
      badge: 'amount: from source'
    });
    expect(shown.get('big_orders')?.status).toBe('lineage-changes');
    expect(shown.get('per_region')).toEqual({
      status: 'lineage-changes',
      badge: 'revenue: derived',
      message: 'revenue = SUM("amount")'
    });
    expect(shown.get('show')?.status).toBe('lineage-passes');
    expect(shown.has('elsewhere')).toBe(false);
  });

  it('names each column a node gives on the way and its strongest role', () => {
    const joined: ILineage = {
      node: 'j',
      column: 'x',
      origins: [],
      path: [
        { node: 'j', column: 'x', role: 'passes' },
        { node: 'j', column: 'y', role: 'renames' }
      ],
      unknown: ['py']
    };
    const shown = lineageDecorations(joined);
    expect(shown.get('j')).toEqual({
      status: 'lineage-changes',
      badge: 'x: passes, y: renamed'
    });
    expect(shown.get('py')?.status).toBe('lineage-unknown');
  });

  it('says in a line where the column comes from and what changes it', () => {
    expect(lineageSummary(revenue)).toBe(
      'show.revenue comes from orders.amount; changed by big_orders, per_region'
    );
    expect(
      lineageSummary({ ...revenue, origins: [], path: [], unknown: ['py'] })
    ).toBe(
      'show.revenue comes from no source column; not known before a run: py'
    );
  });
});
