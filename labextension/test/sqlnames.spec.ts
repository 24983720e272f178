import {
  isResultName,
  lineOptions,
  sqlSource,
  withFormatted,
  withoutMagic
} from '../src/sql/magic';
import { freshName } from '../src/sql/sqlnames';

describe('result names of new SQL cells', () => {
  it('takes the first sql_N not taken', () => {
    expect(freshName(new Set())).toBe('sql_1');
    expect(freshName(new Set(['sql_1', 'sql_2']))).toBe('sql_3');
    expect(freshName(new Set(['sql_2', 'df']))).toBe('sql_1');
    expect(freshName(new Set(['sql_1', 'sql_3']))).toBe('sql_2');
    expect(freshName(new Set(['sql_01', 'sql_1']))).toBe('sql_2');
  });

  it('accepts Python names only', () => {
    expect(isResultName('sales_df')).toBe(true);
    expect(isResultName('_x1')).toBe(true);
    expect(isResultName('1x')).toBe(false);
    expect(isResultName('a-b')).toBe(false);
    expect(isResultName('')).toBe(false);
  });
});

describe('the magic line', () => {
  const source = '%%galilean_sql shop sales --overwrite\nSELECT 1\n';

  it('is dropped from the SQL', () => {
    expect(withoutMagic(source)).toBe('SELECT 1\n');
    expect(withoutMagic('SELECT 1')).toBe('SELECT 1');
  });

  it('keeps hand-written options when rewritten', () => {
    expect(lineOptions(source)).toEqual(['--overwrite']);
    expect(lineOptions('SELECT 1')).toEqual([]);
    const choice = { connection: 'duckdb', variable: 'sql_2' };
    expect(sqlSource(choice, 'SELECT 2', source)).toBe(
      '%%galilean_sql duckdb sql_2 --overwrite\nSELECT 2'
    );
    expect(sqlSource(choice, 'SELECT 2')).toBe(
      '%%galilean_sql duckdb sql_2\nSELECT 2'
    );
  });

  it('stays as it was when the SQL is formatted', () => {
    expect(withFormatted(source, 'SELECT\n  1')).toBe(
      '%%galilean_sql shop sales --overwrite\nSELECT\n  1\n'
    );
    expect(withFormatted('%%galilean_sql a b', 'SELECT 1')).toBe(
      '%%galilean_sql a b\nSELECT 1'
    );
  });
});
