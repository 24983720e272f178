import { canonical, withoutFilledDefaults } from '../src/flows/params';

const SCHEMA = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    format: { type: 'string', default: 'auto' },
    header: { type: 'boolean', default: true }
  }
};

describe('the params form', () => {
  it('drops the defaults it filled in on opening a node', () => {
    const before = { path: 'sales.csv' };
    const filled = { path: 'sales.csv', format: 'auto', header: true };
    expect(withoutFilledDefaults(filled, before, SCHEMA)).toEqual(before);
  });

  it('keeps what the user set, a default value included when the node had the key', () => {
    const before = { path: 'sales.csv', format: 'csv' };
    const typed = { path: 'other.csv', format: 'auto', header: false };
    expect(withoutFilledDefaults(typed, before, SCHEMA)).toEqual(typed);
  });

  it('takes a value that was text and is now an object (a header from a secret)', () => {
    const before = { url: 'https://api', headers: { Authorization: 'typed' } };
    const now = {
      url: 'https://api',
      headers: { Authorization: { $secret: 'API_KEY' } }
    };
    expect(withoutFilledDefaults(now, before, SCHEMA)).toEqual(now);
  });

  it('drops defaults filled inside lists of objects too', () => {
    const schema = {
      type: 'object',
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              column: { type: 'string' },
              descending: { type: 'boolean', default: false }
            }
          }
        }
      }
    };
    const before = { keys: [{ column: 'month' }] };
    const filled = { keys: [{ column: 'month', descending: false }] };
    expect(withoutFilledDefaults(filled, before, schema)).toEqual(before);
  });

  it('compares values whatever their keys order', () => {
    expect(canonical({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(
      canonical({ a: [{ c: 3, d: 2 }], b: 1 })
    );
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: 2 }));
  });
});
