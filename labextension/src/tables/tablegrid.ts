/**
 * The table element, laid out as pandas shows a frame: index levels as row headers (outer
 * levels shown once per run of equal labels), several levels of column labels as several
 * header rows (equal neighbours merged), each column's type under its name.
 */
import { IColumn } from './tableformat';

interface ISortKey {
  column: string;
  descending: boolean;
}

export interface IGrid {
  index: IColumn[];
  columns: IColumn[];
  columnNames: string[];
  rows: unknown[][];
  sort: ISortKey[];
  precision: number;
  empty: string;
  onSort: (column: string) => void;
  format: (
    value: unknown,
    column: IColumn,
    precision: number
  ) => { text: string; full: string | null };
}

function headerCell(
  grid: IGrid,
  column: IColumn,
  isIndex: boolean
): HTMLTableCellElement {
  const th = document.createElement('th');
  const sorted = grid.sort.find(s => s.column === column.id);
  th.dataset.column = column.name;
  th.dataset.id = column.id;
  th.dataset.sort = sorted ? (sorted.descending ? 'desc' : 'asc') : '';
  th.title = `Sort by ${column.name || 'the index'}`;
  th.className = isIndex ? 'galilean-Table-indexHeader' : '';
  const name = document.createElement('span');
  name.className = 'galilean-Table-name';
  const label = column.labels
    ? column.labels[column.labels.length - 1]
    : column.name;
  name.textContent = label + (sorted ? (sorted.descending ? ' ↓' : ' ↑') : '');
  const type = document.createElement('span');
  type.className = 'galilean-Table-type';
  type.textContent = column.type;
  th.append(name, type);
  th.onclick = () => grid.onSort(column.id);
  return th;
}

function header(grid: IGrid, table: HTMLTableElement): void {
  const head = table.createTHead();
  const levels = Math.max(1, ...grid.columns.map(c => c.labels?.length ?? 1));
  for (let level = 0; level < levels; level++) {
    const tr = head.insertRow();
    const leaf = level === levels - 1;
    if (!leaf) {
      grid.index.forEach((_, i) => {
        const th = document.createElement('th');
        th.className = 'galilean-Table-corner';
        th.textContent =
          i === grid.index.length - 1 ? (grid.columnNames[level] ?? '') : '';
        tr.appendChild(th);
      });
      let i = 0;
      while (i < grid.columns.length) {
        const prefix = JSON.stringify(
          grid.columns[i].labels?.slice(0, level + 1)
        );
        let span = 1;
        while (
          i + span < grid.columns.length &&
          JSON.stringify(grid.columns[i + span].labels?.slice(0, level + 1)) ===
            prefix
        ) {
          span++;
        }
        const th = document.createElement('th');
        th.className = 'galilean-Table-group';
        th.colSpan = span;
        th.textContent = grid.columns[i].labels?.[level] ?? '';
        tr.appendChild(th);
        i += span;
      }
      continue;
    }
    for (const column of grid.index) {
      tr.appendChild(headerCell(grid, column, true));
    }
    for (const column of grid.columns) {
      tr.appendChild(headerCell(grid, column, false));
    }
  }
}

export function drawTable(grid: IGrid): HTMLTableElement {
  const table = document.createElement('table');
  header(grid, table);
  const body = table.createTBody();
  const width = grid.index.length + grid.columns.length;
  if (grid.rows.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = width;
    td.className = 'galilean-Table-empty';
    td.textContent = grid.empty;
    return table;
  }
  let previous: unknown[] | null = null;
  for (const row of grid.rows) {
    const tr = body.insertRow();
    grid.index.forEach((column, level) => {
      const th = document.createElement('th');
      th.scope = 'row';
      th.className = 'galilean-Table-rowHeader';
      const { text, full } = grid.format(row[level], column, grid.precision);
      // Outer levels of a multi-level index show once per run, as pandas does.
      const repeated =
        level < grid.index.length - 1 &&
        previous !== null &&
        row.slice(0, level + 1).every((v, i) => v === previous![i]);
      th.textContent = repeated ? '' : text;
      th.dataset.full = full ?? text;
      if (full) {
        th.title = full;
      }
      tr.appendChild(th);
    });
    grid.columns.forEach((column, position) => {
      const value = row[grid.index.length + position];
      const td = tr.insertCell();
      const { text, full } = grid.format(value, column, grid.precision);
      td.textContent = text;
      if (full) {
        td.title = full;
        td.dataset.full = full;
      }
      const classes = [];
      if (column.kind === 'number' && value !== null) {
        classes.push('galilean-Table-number');
      }
      if (value === null || value === undefined) {
        classes.push('galilean-Table-null');
      }
      td.className = classes.join(' ');
    });
    previous = row;
  }
  return table;
}
