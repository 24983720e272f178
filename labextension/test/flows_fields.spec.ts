import catalogue from './flows_kinds.json';
import {
  COLUMN_WIDGET,
  fieldWidgets,
  inputColumns,
  insertParameter,
  SQL_WIDGET,
  uiSchemaFor
} from '../src/flows/fields';
import { IFlow } from '../src/flows/model';

const schemaOf = (kind: string): unknown =>
  catalogue.kinds.find(k => k.kind === kind)!.params_schema;

const column = (port = 'in') => ({
  'ui:widget': COLUMN_WIDGET,
  'ui:options': { port }
});

describe('the form widgets chosen from the kinds', () => {
  it('picks columns for an aggregation, in lists and in objects of lists', () => {
    expect(fieldWidgets(schemaOf('transform.aggregate'))).toEqual({
      group_by: { items: column() },
      aggregations: { items: { column: column() } }
    });
  });

  it("picks a join's keys from the port each side comes in on", () => {
    expect(fieldWidgets(schemaOf('transform.join'))).toEqual({
      on: { items: { left: column('left'), right: column('right') } }
    });
  });

  it('edits conditions, expressions and SQL queries as SQL', () => {
    const sql = (query: boolean) => ({
      'ui:widget': SQL_WIDGET,
      'ui:options': { query }
    });
    expect(fieldWidgets(schemaOf('transform.filter'))).toEqual({
      condition: sql(false)
    });
    expect(fieldWidgets(schemaOf('transform.sql'))).toEqual({
      query: sql(true)
    });
  });

  it('leaves other fields to the schema, and hides the submit button', () => {
    expect(fieldWidgets(schemaOf('source.file'))).toEqual({});
    expect(uiSchemaFor(schemaOf('source.file'))).toEqual({
      'ui:submitButtonOptions': { norender: true }
    });
  });
});

describe('the columns reaching a node', () => {
  const flow: IFlow = {
    galilean_flow: 1,
    name: 'f',
    description: '',
    parameters: [],
    nodes: [],
    edges: [
      {
        id: 'e0',
        from: { node: 'orders', port: 'out' },
        to: { node: 'j', port: 'left' }
      },
      {
        id: 'e1',
        from: { node: 'people', port: 'out' },
        to: { node: 'j', port: 'right' }
      },
      {
        id: 'e2',
        from: { node: 'j', port: 'out' },
        to: { node: 'show', port: 'in' }
      }
    ]
  };

  it('come per input port from the upstream node, null when not known', () => {
    const columns = { orders: ['id', 'amount'], people: null };
    expect(inputColumns(flow, 'j', columns)).toEqual({
      left: ['id', 'amount'],
      right: null
    });
    expect(inputColumns(flow, 'show', {})).toEqual({ in: null });
    expect(inputColumns(flow, 'orders', columns)).toEqual({});
  });
});

describe('inserting a parameter', () => {
  it('puts :name at the cursor, spaced from a word before it', () => {
    expect(insertParameter('amount >', 8, 8, 'least')).toEqual({
      text: 'amount > :least',
      cursor: 15
    });
    expect(insertParameter('f()', 2, 2, 'x')).toEqual({
      text: 'f(:x)',
      cursor: 4
    });
    expect(insertParameter('a = 1', 4, 5, 'n')).toEqual({
      text: 'a = :n',
      cursor: 6
    });
  });
});
