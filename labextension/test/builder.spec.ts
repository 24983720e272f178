import {
  columnOptions,
  columnRef,
  filterValue,
  foreignKeyJoin,
  IBuilderTable,
  joinSpec
} from '../src/sql/builderspec';

const orders: IBuilderTable = {
  schema: 'shop',
  name: 'orders',
  columns: [
    { name: 'id', type: 'INTEGER' },
    { name: 'customer_id', type: 'INTEGER' }
  ],
  foreign_keys: [
    {
      columns: ['customer_id'],
      schema: 'shop',
      table: 'customers',
      referred_columns: ['id']
    }
  ]
};
const customers: IBuilderTable = {
  schema: 'shop',
  name: 'customers',
  columns: [{ name: 'id', type: 'INTEGER' }]
};

describe('the query builder spec', () => {
  it('names columns by their table in the query', () => {
    expect(columnOptions([customers])).toEqual([['0:id', 'id']]);
    expect(columnOptions([orders, customers])).toEqual([
      ['0:id', 'orders.id'],
      ['0:customer_id', 'orders.customer_id'],
      ['1:id', 'customers.id']
    ]);
    expect(columnRef('1:a:b')).toEqual({ table: 1, column: 'a:b' });
  });

  it('joins on a foreign key, whichever table holds it', () => {
    expect(foreignKeyJoin(orders, customers)).toEqual(['customer_id', 'id']);
    expect(foreignKeyJoin(customers, orders)).toEqual(['id', 'customer_id']);
    expect(foreignKeyJoin(customers, customers)).toBeNull();
    expect(joinSpec(customers, 'left', 'customer_id', 'id')).toEqual({
      table: { schema: 'shop', name: 'customers' },
      how: 'left',
      on: [
        {
          left: { table: 0, column: 'customer_id' },
          right: { table: 1, column: 'id' }
        }
      ]
    });
  });

  it('sends numbers as numbers, anything else as text', () => {
    expect(filterValue('42')).toBe(42);
    expect(filterValue('4.5')).toBe(4.5);
    expect(filterValue(' ')).toBe(' ');
    expect(filterValue('north')).toBe('north');
  });
});
