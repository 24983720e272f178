/**
 * The visual query builder: pick a table, columns, a join (on a foreign key or chosen
 * columns), filters, grouping and aggregates, order and limit; the server writes the SQL
 * for the connection's dialect (identifiers quoted as it wants) and it goes into a cell.
 */
import { Widget } from '@lumino/widgets';

import { IConnections } from '../connections/tokens';
import { errorText } from '../request';
import {
  columnOptions,
  columnRef,
  filterValue,
  foreignKeyJoin,
  FUNCTIONS,
  IBuilderTable,
  joinSpec,
  OPERATORS,
  tableKey,
  tableRef
} from './builderspec';

/** What the builder needs: the connection API, and a way into the SQL cells. */
export interface IBuilderHost {
  connections: IConnections;
  insert(connection: string, sql: string): void;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

function choose(
  className: string,
  options: [string, string][],
  onChange: () => void
): HTMLSelectElement {
  const select = element('select', className);
  for (const [value, label] of options) {
    const option = element('option', '', label);
    option.value = value;
    select.appendChild(option);
  }
  select.onchange = onChange;
  return select;
}

export class QueryBuilder extends Widget {
  private sqlView = element('pre', 'galilean-Builder-sql');
  private form = element('div', 'galilean-Builder-form');
  private main: HTMLSelectElement;
  private joinTable: HTMLSelectElement;
  private joinHow = choose(
    'galilean-Builder-joinHow',
    [
      ['inner', 'inner'],
      ['left', 'left'],
      ['right', 'right'],
      ['full', 'full']
    ],
    () => this.refresh()
  );
  private joinLeft = element('select', 'galilean-Builder-joinLeft');
  private joinRight = element('select', 'galilean-Builder-joinRight');
  private columns = element('select', 'galilean-Builder-columns');
  private groupBy = element('select', 'galilean-Builder-groupBy');
  private filters = element('div', 'galilean-Builder-filters');
  private aggregates = element('div', 'galilean-Builder-aggregates');
  private orderBy = element('input', 'galilean-Builder-orderBy');
  private descending = element('input', 'galilean-Builder-descending');
  private asked = 0; // refresh requests made: the latest one's answer counts
  private limit = element('input', 'galilean-Builder-limit');
  private error = element('div', 'galilean-Builder-error');
  private sql = '';

  constructor(
    private connection: string,
    private tables: IBuilderTable[],
    private host: IBuilderHost
  ) {
    super();
    this.id = `galilean-builder-${connection}`;
    this.title.label = `Query: ${connection}`;
    this.title.closable = true;
    this.addClass('galilean-Builder');
    const options: [string, string][] = tables.map(t => [
      tableKey(t),
      t.schema ? `${t.schema}.${t.name}` : t.name
    ]);
    this.main = choose('galilean-Builder-table', options, () =>
      this.changedTables()
    );
    this.joinTable = choose(
      'galilean-Builder-joinTable',
      [['', '(no join)'], ...options],
      () => this.changedTables()
    );
    this.columns.multiple = true;
    this.groupBy.multiple = true;
    for (const select of [
      this.joinLeft,
      this.joinRight,
      this.columns,
      this.groupBy
    ]) {
      select.onchange = () => this.refresh();
    }
    this.orderBy.placeholder = 'column or result name';
    this.descending.type = 'checkbox';
    this.limit.type = 'number';
    this.limit.value = '100';
    for (const input of [this.orderBy, this.descending, this.limit]) {
      input.onchange = () => this.refresh();
    }
    const addFilter = element(
      'button',
      'jp-Button galilean-Builder-addFilter',
      '+ filter'
    );
    addFilter.onclick = () => this.addFilter();
    const addAggregate = element(
      'button',
      'jp-Button galilean-Builder-addAggregate',
      '+ aggregate'
    );
    addAggregate.onclick = () => this.addAggregate();
    const insert = element(
      'button',
      'jp-Button galilean-Builder-insert',
      'Insert into SQL cell'
    );
    insert.onclick = () => {
      if (this.sql) {
        this.host.insert(this.connection, this.sql);
      }
    };
    const row = (label: string, ...children: HTMLElement[]) => {
      const line = element('div', 'galilean-Builder-row');
      line.append(element('label', '', label), ...children);
      return line;
    };
    this.form.append(
      row('Table', this.main),
      row(
        'Join',
        this.joinTable,
        this.joinHow,
        element('span', '', 'on'),
        this.joinLeft,
        element('span', '', '='),
        this.joinRight
      ),
      row('Columns', this.columns),
      row('Filters', this.filters, addFilter),
      row('Group by', this.groupBy),
      row('Aggregates', this.aggregates, addAggregate),
      row(
        'Order by',
        this.orderBy,
        this.descending,
        element('span', '', 'descending')
      ),
      row('Limit', this.limit)
    );
    this.node.append(this.form, this.sqlView, this.error, insert);
    this.changedTables();
  }

  private selected(): IBuilderTable[] {
    const main = this.tables.find(t => tableKey(t) === this.main.value);
    const joined = this.tables.find(t => tableKey(t) === this.joinTable.value);
    return [main, joined].filter((t): t is IBuilderTable => t !== undefined);
  }

  /** Columns of the tables in the query, as `<index>:<column>` options. */
  private columnOptions(): [string, string][] {
    return columnOptions(this.selected());
  }

  private changedTables(): void {
    const options = this.columnOptions();
    const [main, joined] = this.selected();
    for (const select of [this.columns, this.groupBy]) {
      select.textContent = '';
      for (const [value, label] of options) {
        const option = element('option', '', label);
        option.value = value;
        select.appendChild(option);
      }
    }
    this.joinLeft.textContent = '';
    this.joinRight.textContent = '';
    if (main && joined) {
      for (const c of main.columns) {
        this.joinLeft.appendChild(
          Object.assign(element('option', '', c.name), { value: c.name })
        );
      }
      for (const c of joined.columns) {
        this.joinRight.appendChild(
          Object.assign(element('option', '', c.name), { value: c.name })
        );
      }
      // A foreign key between the two tables chooses the columns.
      const chosen = foreignKeyJoin(main, joined);
      if (chosen) {
        [this.joinLeft.value, this.joinRight.value] = chosen;
      }
    }
    this.filters.textContent = '';
    this.aggregates.textContent = '';
    this.refresh();
  }

  private addFilter(): void {
    const line = element('div', 'galilean-Builder-filter');
    const column = choose(
      'galilean-Builder-filterColumn',
      this.columnOptions(),
      () => this.refresh()
    );
    const op = choose(
      'galilean-Builder-filterOp',
      OPERATORS.map(o => [o, o]),
      () => this.refresh()
    );
    const value = element('input', 'galilean-Builder-filterValue');
    value.onchange = () => this.refresh();
    const remove = element('button', 'jp-Button', '×');
    remove.onclick = () => {
      line.remove();
      this.refresh();
    };
    line.append(column, op, value, remove);
    this.filters.appendChild(line);
    this.refresh();
  }

  private addAggregate(): void {
    const line = element('div', 'galilean-Builder-aggregate');
    const fn = choose(
      'galilean-Builder-function',
      FUNCTIONS.map(f => [f, f]),
      () => this.refresh()
    );
    const column = choose(
      'galilean-Builder-aggregateColumn',
      this.columnOptions(),
      () => this.refresh()
    );
    const name = element('input', 'galilean-Builder-as');
    name.placeholder = 'result name';
    name.onchange = () => this.refresh();
    line.append(fn, column, element('span', '', 'as'), name);
    this.aggregates.appendChild(line);
    this.refresh();
  }

  private spec(): Record<string, unknown> {
    const picked = (select: HTMLSelectElement) =>
      Array.from(select.selectedOptions).map(o => columnRef(o.value));
    const [main, joined] = this.selected();
    const filters = Array.from(this.filters.children).map(line => {
      const [column, op, value] = Array.from(line.children) as [
        HTMLSelectElement,
        HTMLSelectElement,
        HTMLInputElement
      ];
      return {
        column: columnRef(column.value),
        op: op.value,
        value: filterValue(value.value)
      };
    });
    const aggregates = Array.from(this.aggregates.children).map(line => {
      const [fn, column, , name] = Array.from(line.children) as [
        HTMLSelectElement,
        HTMLSelectElement,
        HTMLElement,
        HTMLInputElement
      ];
      return {
        function: fn.value,
        column: columnRef(column.value),
        as: name.value || undefined
      };
    });
    const order = this.orderBy.value.trim();
    return {
      table: main ? tableRef(main) : undefined,
      joins: joined
        ? [
            joinSpec(
              joined,
              this.joinHow.value,
              this.joinLeft.value,
              this.joinRight.value
            )
          ]
        : [],
      columns: picked(this.columns),
      filters,
      group_by: picked(this.groupBy),
      aggregates,
      order_by: order
        ? [{ column: order, descending: this.descending.checked }]
        : [],
      limit: this.limit.value ? Number(this.limit.value) : undefined
    };
  }

  /**
   * Asks the server for the SQL of the form as it is now. Answers can come back out of
   * order (a change made while an earlier one is being built): only the latest request's
   * answer is shown and inserted.
   */
  private async refresh(): Promise<void> {
    const asked = ++this.asked;
    try {
      const sql = await this.host.connections.build(
        this.connection,
        this.spec()
      );
      if (asked !== this.asked) {
        return;
      }
      this.sql = sql;
      this.sqlView.textContent = sql;
      this.error.textContent = '';
    } catch (error) {
      if (asked !== this.asked) {
        return;
      }
      this.sql = '';
      this.error.textContent = errorText(error);
    }
  }
}
