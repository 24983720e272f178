/**
 * A tables dataset in the explorer: its rows at a snapshot (100 a page, a click on a
 * header sorts, filter chips the service checks: its refusal shows at the filter bar and
 * the chip is not kept) and its Stats tab (one small chart per column).
 */
import * as React from 'react';

import { columnChart, columnSummary, ITableStats } from './charts';
import { VegaChart } from './charts_view';
import { IExplorerPart } from './explorer';
import {
  cellText,
  conditionOf,
  conditionText,
  ICondition,
  itemsParams,
  ITablePage,
  ITableQuery,
  nextSort,
  OPS,
  pageText
} from './explorer_model';
import { Alert } from './fieldset';
import { errorFor, errorsByField } from './model';

export const TABLE_PAGE = 100;

function TableField(props: {
  initial: string;
  error: string;
  onShow(table: string): void;
}): JSX.Element {
  const [text, setText] = React.useState(props.initial);
  React.useEffect(() => setText(t => t || props.initial), [props.initial]);
  return (
    <form
      className="jp-GalileanExplorer-bar"
      onSubmit={e => {
        e.preventDefault();
        props.onShow(text.trim());
      }}
    >
      <input
        className="jp-mod-styled"
        aria-label="Table"
        aria-invalid={props.error !== ''}
        placeholder="table (needed when there are several)"
        value={text}
        onChange={e => setText(e.currentTarget.value)}
      />
      <button type="submit" className="jp-mod-styled">
        Show
      </button>
      <Alert text={props.error} />
    </form>
  );
}

function FilterBar(props: {
  columns: ITablePage['columns'];
  where: ICondition[];
  error: string;
  onAdd(condition: ICondition): void;
  onRemove(index: number): void;
}): JSX.Element {
  const [column, setColumn] = React.useState('');
  const [op, setOp] = React.useState('=');
  const [value, setValue] = React.useState('');
  const chosen = column || props.columns[0]?.name || '';
  const type = props.columns.find(c => c.name === chosen)?.type ?? '';
  return (
    <div className="jp-GalileanExplorer-filters" aria-label="Filters">
      <form
        className="jp-GalileanExplorer-bar"
        onSubmit={e => {
          e.preventDefault();
          props.onAdd(conditionOf(chosen, op, value, type));
        }}
      >
        <select
          className="jp-mod-styled"
          aria-label="Filter column"
          value={chosen}
          onChange={e => setColumn(e.currentTarget.value)}
        >
          {props.columns.map(c => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <select
          className="jp-mod-styled"
          aria-label="Filter operator"
          value={op}
          onChange={e => setOp(e.currentTarget.value)}
        >
          {OPS.map(o => (
            <option key={o}>{o}</option>
          ))}
        </select>
        <input
          className="jp-mod-styled"
          aria-label="Filter value"
          aria-invalid={props.error !== ''}
          value={value}
          onChange={e => setValue(e.currentTarget.value)}
        />
        <button type="submit" className="jp-mod-styled">
          Add filter
        </button>
      </form>
      <Alert text={props.error} />
      <ul className="jp-GalileanExplorer-chips" aria-label="Active filters">
        {props.where.map((c, i) => (
          <li key={i} className="jp-GalileanExplorer-chip">
            {conditionText(c)}
            <button
              aria-label={`Remove filter ${conditionText(c)}`}
              onClick={() => props.onRemove(i)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Grid(props: {
  page: ITablePage;
  query: ITableQuery;
  onSort(column: string): void;
}): JSX.Element {
  const { page, query } = props;
  const arrow = (name: string) =>
    query.sort === name ? (query.desc ? ' ▼' : ' ▲') : '';
  return (
    <div className="jp-GalileanExplorer-gridScroll">
      <table className="jp-GalileanExplorer-grid" aria-label="Rows">
        <thead>
          <tr>
            {page.columns.map(c => (
              <th
                key={c.name}
                aria-sort={
                  query.sort === c.name
                    ? query.desc
                      ? 'descending'
                      : 'ascending'
                    : undefined
                }
              >
                <button
                  title={`${c.type}: click to sort`}
                  onClick={() => props.onSort(c.name)}
                >
                  {c.name}
                  {arrow(c.name)}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row, i) => (
            <tr key={page.offset + i}>
              {page.columns.map(c => (
                <td key={c.name}>{cellText(row[c.name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Pager(props: {
  offset: number;
  shown: number;
  total: number;
  size: number;
  noun: string;
  onGo(offset: number): void;
}): JSX.Element {
  const { offset, shown, total, size } = props;
  return (
    <div className="jp-GalileanExplorer-bar" aria-label="Pages">
      <button
        className="jp-mod-styled"
        disabled={offset === 0}
        onClick={() => props.onGo(Math.max(0, offset - size))}
      >
        Previous
      </button>
      <span role="status" aria-label="Shown">
        {pageText(offset, shown, total, props.noun)}
      </span>
      <button
        className="jp-mod-styled"
        disabled={offset + shown >= total}
        onClick={() => props.onGo(offset + size)}
      >
        Next
      </button>
    </div>
  );
}

export { Pager };

export function TableItems(props: IExplorerPart): JSX.Element {
  const { client, dataset, snapshot, revision } = props;
  const [query, setQuery] = React.useState<ITableQuery>({
    snapshot,
    offset: 0,
    limit: TABLE_PAGE,
    where: []
  });
  const [page, setPage] = React.useState<ITablePage | null>(null);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const run = React.useCallback(
    (next: ITableQuery) => {
      client.items<ITablePage>(dataset.id, itemsParams(next)).then(
        found => {
          setPage(found);
          setQuery(next);
          setErrors({});
        },
        e => setErrors(errorsByField(e))
      );
    },
    [client, dataset.id]
  );
  React.useEffect(() => {
    run({ ...query, snapshot, offset: 0, table: query.table || props.table });
  }, [snapshot, revision, props.table]);
  return (
    <div className="jp-GalileanExplorer-table">
      <TableField
        initial={page?.table ?? props.table}
        error={errorFor(errors, 'table')}
        onShow={table => run({ ...query, table, offset: 0, where: [] })}
      />
      {page && (
        <FilterBar
          columns={page.columns}
          where={query.where}
          error={errorFor(errors, 'where')}
          onAdd={c => run({ ...query, offset: 0, where: [...query.where, c] })}
          onRemove={i =>
            run({
              ...query,
              offset: 0,
              where: query.where.filter((_, j) => j !== i)
            })
          }
        />
      )}
      <Alert
        text={errorFor(errors, '', 'sort', 'snapshot', 'offset', 'limit')}
      />
      {page && (
        <>
          <Pager
            offset={page.offset}
            shown={page.rows.length}
            total={page.total}
            size={TABLE_PAGE}
            noun="rows"
            onGo={offset => run({ ...query, offset })}
          />
          <Grid
            page={page}
            query={query}
            onSort={column =>
              run({
                ...query,
                ...nextSort(query.sort, query.desc ?? false, column),
                offset: 0
              })
            }
          />
        </>
      )}
    </div>
  );
}

export function TableStats(props: IExplorerPart): JSX.Element {
  const { client, dataset, snapshot, revision } = props;
  const [stats, setStats] = React.useState<ITableStats | null>(null);
  const [table, setTable] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const read = (name: string) => {
    const params: Record<string, string> = {};
    if (snapshot !== null) {
      params.snapshot = String(snapshot);
    }
    if (name) {
      params.table = name;
    }
    client.stats<ITableStats>(dataset.id, params).then(
      found => {
        setStats(found);
        setErrors({});
      },
      e => setErrors(errorsByField(e))
    );
  };
  React.useEffect(
    () => read(table || props.table),
    [snapshot, revision, props.table]
  );
  return (
    <div className="jp-GalileanExplorer-stats">
      <TableField
        initial={stats?.table ?? props.table}
        error={errorFor(errors, 'table')}
        onShow={name => {
          setTable(name);
          read(name);
        }}
      />
      <Alert text={errorFor(errors, '', 'snapshot')} />
      {stats && (
        <p className="jp-GalileanExplorer-summary">
          {stats.table} at snapshot {stats.snapshot}:{' '}
          {stats.rows.toLocaleString('en')} rows, {stats.columns.length} columns
          {stats.distinct_approx ? ' (distinct counts estimated)' : ''}
        </p>
      )}
      <div className="jp-GalileanExplorer-charts">
        {stats?.columns.map(column => {
          const spec = columnChart(column);
          return (
            <section
              key={column.name}
              className="jp-GalileanExplorer-column"
              aria-label={`Column ${column.name}`}
            >
              {spec ? (
                <VegaChart
                  rendermime={props.rendermime}
                  chart={{ title: `${column.name} (${column.type})`, spec }}
                />
              ) : (
                <strong>
                  {column.name} ({column.type})
                </strong>
              )}
              <p className="jp-GalileanExplorer-meta">
                {columnSummary(column)}
              </p>
            </section>
          );
        })}
      </div>
    </div>
  );
}
