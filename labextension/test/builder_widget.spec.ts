import { IConnections } from '../src/connections/tokens';
import { QueryBuilder } from '../src/sql/builder';
import { IBuilderTable } from '../src/sql/builderspec';

const sales: IBuilderTable = {
  schema: '',
  name: 'sales',
  columns: [
    { name: 'region', type: 'TEXT' },
    { name: 'amount', type: 'INTEGER' }
  ]
};

describe('the query builder widget', () => {
  it('shows and inserts the answer to the latest change, whatever order answers come in', async () => {
    const pending: ((sql: string) => void)[] = [];
    const connections = {
      build: () => new Promise<string>(resolve => pending.push(resolve))
    } as unknown as IConnections;
    const inserted: string[] = [];
    const builder = new QueryBuilder('shop', [sales], {
      connections,
      insert: (_connection, sql) => inserted.push(sql)
    });
    const node = builder.node;
    const descending = node.querySelector(
      '.galilean-Builder-descending'
    ) as HTMLInputElement;
    descending.checked = true;
    descending.dispatchEvent(new Event('change'));
    const latest = pending.length - 1;
    // The latest request is answered first, an earlier one after it.
    pending[latest]('SELECT 1 ORDER BY total DESC');
    await Promise.resolve();
    for (const answer of pending.slice(0, latest)) {
      answer('SELECT 1 ORDER BY total');
    }
    await new Promise(resolve => setTimeout(resolve, 0));
    const view = node.querySelector('.galilean-Builder-sql') as HTMLElement;
    expect(view.textContent).toBe('SELECT 1 ORDER BY total DESC');
    (node.querySelector('.galilean-Builder-insert') as HTMLElement).click();
    expect(inserted).toEqual(['SELECT 1 ORDER BY total DESC']);
  });
});
