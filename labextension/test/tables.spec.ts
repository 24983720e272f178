import { FilterBar, IFilter, operators } from '../src/tables/tablefilter';
import { exportedFile, progressText } from '../src/tables/tableexport';
import { formatCell, IColumn } from '../src/tables/tableformat';

const column = (kind: IColumn['kind'], id = 'c'): IColumn => ({
  id,
  name: id,
  type: kind,
  kind
});

describe('cells as people read them', () => {
  const number = column('number');

  it('rounds floats, keeping the full value', () => {
    expect(formatCell(1.23456789, number, 2)).toEqual({
      text: '1.23',
      full: '1.23456789'
    });
    expect(formatCell(0.5, number, 6)).toEqual({ text: '0.5', full: null });
    expect(formatCell(12345678, number, 2)).toEqual({
      text: '12345678',
      full: null
    });
  });

  it('writes very large and very small floats in exponent form', () => {
    expect(formatCell(1e15 + 0.5, number, 2).text).toBe('1.00e+15');
    expect(formatCell(0.000001, number, 3).text).toBe('1.000e-6');
  });

  it('marks missing values and shortens ISO timestamps', () => {
    expect(formatCell(null, number, 2)).toEqual({ text: '', full: null });
    const date = column('date');
    expect(formatCell('2024-01-31T00:00:00', date, 2)).toEqual({
      text: '2024-01-31',
      full: '2024-01-31T00:00:00'
    });
    expect(formatCell('2024-01-31T10:30:00', date, 2).text).toBe(
      '2024-01-31 10:30:00'
    );
  });
});

describe('the table filter', () => {
  it('compares numbers and dates, matches text', () => {
    const ops = (kind: IColumn['kind']) =>
      operators(column(kind)).map(([op]) => op);
    expect(ops('number')).toContain('between');
    expect(ops('date')).toContain('<=');
    expect(ops('text')).toEqual(['contains', '=', '!=', 'empty', 'not empty']);
    expect(operators(undefined)).toBe(operators(column('bool')));
  });

  function bar(): { node: HTMLElement; filters: (IFilter | null)[] } {
    const filters: (IFilter | null)[] = [];
    const filter = new FilterBar(
      [column('number', 'amount'), column('text', 'region')],
      value => filters.push(value)
    );
    document.body.appendChild(filter.node);
    return { node: filter.node, filters };
  }

  function set(node: HTMLElement, selector: string, value: string): void {
    const input = node.querySelector<HTMLInputElement | HTMLSelectElement>(
      selector
    )!;
    input.value = value;
    input.dispatchEvent(new Event('change'));
  }

  it('applies a filter with its value, none without', () => {
    const { node, filters } = bar();
    const value = node.querySelector<HTMLInputElement>(
      '.galilean-Table-filter'
    )!;
    value.value = '10';
    value.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(filters).toEqual([{ column: 'amount', op: '=', value: '10' }]);
    set(node, '.galilean-Table-filterOp', 'between');
    expect(filters[1]).toBeNull(); // no upper bound yet: no filter
    set(node, '.galilean-Table-filterOp', 'empty');
    expect(filters[2]).toEqual({ column: 'amount', op: 'empty' });
  });

  it('offers text operators on a text column', () => {
    const { node } = bar();
    set(node, '.galilean-Table-filterColumn', 'region');
    const ops = Array.from(
      node.querySelectorAll<HTMLOptionElement>(
        '.galilean-Table-filterOp option'
      )
    ).map(o => o.value);
    expect(ops[0]).toBe('contains');
  });
});

describe('exports', () => {
  it('are next to the notebook, under exports/, on the user server', () => {
    expect(
      exportedFile(
        'work/sales.ipynb',
        '/home/ann/work/exports/sales.csv',
        '/user/ann/'
      )
    ).toEqual({
      file: 'work/exports/sales.csv',
      url: '/user/ann/files/work/exports/sales.csv'
    });
    expect(exportedFile('a b.ipynb', '/x/a b.xlsx', '/').url).toBe(
      '/files/exports/a%20b.xlsx'
    );
  });

  it('say how far they are', () => {
    expect(progressText('Excel', { phase: 'writing' }, 3)).toBe(
      'Exporting to Excel: writing… 3 s'
    );
    expect(progressText('CSV', {}, 0)).toBe('Exporting to CSV: starting… 0 s');
  });
});
