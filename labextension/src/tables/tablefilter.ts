/**
 * The table's filter: a column, an operator fitting the column's kind (numbers and dates
 * compare, text matches), one or two values. It applies as you type (debounced) and on
 * Enter; keys typed here never reach JupyterLab's notebook shortcuts. The kernel binds
 * the values (never SQL text) and says in words what it cannot read.
 */
import { IColumn } from './tableformat';

export interface IFilter {
  column: string;
  op: string;
  value?: string;
  value2?: string;
}

const DEBOUNCE_MS = 300;
const NO_VALUE = new Set(['empty', 'not empty']);
const COMPARE: [string, string][] = [
  ['=', '='],
  ['!=', '≠'],
  ['<', '<'],
  ['<=', '≤'],
  ['>', '>'],
  ['>=', '≥'],
  ['between', 'between'],
  ['empty', 'is empty'],
  ['not empty', 'not empty']
];
const MATCH: [string, string][] = [
  ['contains', 'contains'],
  ['=', '='],
  ['!=', '≠'],
  ['empty', 'is empty'],
  ['not empty', 'not empty']
];

export function operators(column: IColumn | undefined): [string, string][] {
  return column && (column.kind === 'number' || column.kind === 'date')
    ? COMPARE
    : MATCH;
}

/** The filter's controls; `changed` gets the filter to apply (or null for none). */
export class FilterBar {
  readonly node: HTMLElement;
  private column: HTMLSelectElement;
  private op: HTMLSelectElement;
  private value: HTMLInputElement;
  private value2: HTMLInputElement;
  private timer = 0;
  private applied = '';
  private kindOps: [string, string][] | null = null;

  constructor(
    private columns: IColumn[],
    private changed: (filter: IFilter | null) => void
  ) {
    this.node = document.createElement('span');
    this.node.className = 'galilean-Table-filterBar';
    // Lumino skips its keyboard shortcuts for keys typed inside this element.
    this.node.dataset.lmSuppressShortcuts = 'true';
    this.column = document.createElement('select');
    this.column.className = 'galilean-Table-filterColumn';
    this.column.title = 'Filter on column';
    for (const c of columns) {
      const option = document.createElement('option');
      option.value = c.id;
      option.textContent = c.name || '(index)';
      this.column.appendChild(option);
    }
    this.op = document.createElement('select');
    this.op.className = 'galilean-Table-filterOp';
    this.op.title = 'Comparison';
    this.value = this.input('galilean-Table-filter', 'filter…');
    this.value2 = this.input('galilean-Table-filter2', 'and…');
    const clear = document.createElement('button');
    clear.className =
      'jp-Button galilean-Table-button galilean-Table-filterClear';
    clear.textContent = '×';
    clear.title = 'Clear the filter';
    clear.onclick = () => {
      this.value.value = this.value2.value = '';
      this.apply();
    };
    this.column.onchange = () => {
      this.fillOperators();
      this.apply();
    };
    this.op.onchange = () => {
      this.showValues();
      this.apply();
    };
    this.fillOperators();
    this.node.append(this.column, this.op, this.value, this.value2, clear);
  }

  private input(className: string, placeholder: string): HTMLInputElement {
    const input = document.createElement('input');
    input.className = className;
    input.placeholder = placeholder;
    input.addEventListener('keydown', event => {
      event.stopPropagation(); // the notebook's Enter, A, B, D D... stay out of here
      if (event.key === 'Enter') {
        event.preventDefault();
        this.apply();
      }
    });
    input.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.apply(), DEBOUNCE_MS);
    });
    return input;
  }

  private fillOperators(): void {
    const column = this.columns.find(c => c.id === this.column.value);
    const previous = this.op.value;
    this.op.textContent = '';
    for (const [value, label] of operators(column)) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      this.op.appendChild(option);
    }
    // Keep the operator while the kind of column stays (numbers to numbers...).
    if (operators(column) === this.kindOps) {
      this.op.value = previous;
    }
    this.kindOps = operators(column);
    const kind = column?.kind ?? 'text';
    this.value.placeholder =
      kind === 'number'
        ? 'number…'
        : kind === 'date'
          ? '2024-01-31…'
          : 'filter…';
    this.value2.placeholder = this.value.placeholder.replace('…', '') + ' (to)';
    this.showValues();
  }

  private showValues(): void {
    this.value.hidden = NO_VALUE.has(this.op.value);
    this.value2.hidden = this.op.value !== 'between';
  }

  /** The filter now, or null when it has no value to apply. */
  current(): IFilter | null {
    const op = this.op.value;
    const filter: IFilter = { column: this.column.value, op };
    if (NO_VALUE.has(op)) {
      return filter;
    }
    if (this.value.value === '') {
      return null;
    }
    filter.value = this.value.value;
    if (op === 'between') {
      if (this.value2.value === '') {
        return null;
      }
      filter.value2 = this.value2.value;
    }
    return filter;
  }

  private apply(): void {
    window.clearTimeout(this.timer);
    const filter = this.current();
    const key = JSON.stringify(filter);
    if (key !== this.applied) {
      this.applied = key;
      this.changed(filter);
    }
  }
}
