import {
  editorMime,
  findDialect,
  formChoice,
  formDialects,
  IDialect,
  isFileDialect,
  quoteIdentifier,
  SQL_MIME
} from '../src/dialects';
import { tableQuery } from '../src/schema/query';
import registry from './dialects.json';

const dialects = registry.dialects as IDialect[];
const named = (name: string) => findDialect(dialects, name);

describe('the dialect registry in the UI', () => {
  it('offers the offered dialects in the server order', () => {
    expect(formDialects(dialects).map(d => d.name)).toEqual([
      'postgresql',
      'mariadb',
      'mysql',
      'sqlite',
      'duckdb'
    ]);
    const hidden = dialects.map(d => ({ ...d, offered: d.name !== 'mysql' }));
    expect(formDialects(hidden).map(d => d.name)).not.toContain('mysql');
  });

  it('shows a saved connection as its shown_as, a new one as the first', () => {
    expect(formChoice(dialects, 'mysql')).toBe('mariadb');
    expect(formChoice(dialects, 'sqlite')).toBe('sqlite');
    expect(formChoice(dialects, undefined)).toBe('postgresql');
    expect(formChoice(dialects, 'oracle')).toBe('oracle');
    expect(formChoice([], undefined)).toBe('');
  });

  it('knows the file databases', () => {
    expect(isFileDialect(dialects, 'sqlite')).toBe(true);
    expect(isFileDialect(dialects, 'duckdb')).toBe(true);
    expect(isFileDialect(dialects, 'postgresql')).toBe(false);
    expect(isFileDialect([], 'sqlite')).toBe(false);
  });

  it('highlights each dialect as before the registry', () => {
    const mimes = Object.fromEntries(
      dialects.map(d => [d.name, editorMime(d)])
    );
    expect(mimes).toEqual({
      postgresql: 'text/x-pgsql',
      mysql: 'text/x-mysql',
      mariadb: 'text/x-mariadb',
      sqlite: 'text/x-sqlite',
      duckdb: SQL_MIME
    });
    expect(editorMime(undefined)).toBe(SQL_MIME);
  });

  it('quotes identifiers as the dialect wants, doubling the quote inside', () => {
    expect(quoteIdentifier(named('mysql'), 'a`b')).toBe('`a``b`');
    expect(quoteIdentifier(named('mariadb'), 'sales')).toBe('`sales`');
    expect(quoteIdentifier(named('postgresql'), 'say "hi"')).toBe(
      '"say ""hi"""'
    );
    expect(quoteIdentifier(undefined, 'x')).toBe('"x"');
  });

  it('writes the schema browser query', () => {
    expect(tableQuery(named('mariadb'), 'shop', 'sales')).toBe(
      'SELECT *\nFROM `shop`.`sales`\nLIMIT 100'
    );
    expect(tableQuery(named('sqlite'), '', 'sales')).toBe(
      'SELECT *\nFROM "sales"\nLIMIT 100'
    );
  });
});
