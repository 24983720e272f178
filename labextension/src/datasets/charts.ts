/**
 * The explorer's charts as Vega-Lite specs (drawn by JupyterLab's own Vega renderer
 * through the rendermime registry, charts_view.tsx): one small chart per table column
 * (a histogram for numbers and dates, the top values for text and booleans) and, for a
 * labelled-image set, images per split × class (grouped bars), image sizes, boxes per
 * image, box areas and scores. Pure functions of the stats replies, tested with jest.
 */

export const VEGALITE_SCHEMA =
  'https://vega.github.io/schema/vega-lite/v5.json';

/** A Vega-Lite spec, as JSON (the renderer validates it). */
export type ChartSpec = Record<string, unknown>;

/** A chart with the title the explorer shows above it. */
export interface IChart {
  title: string;
  spec: ChartSpec;
}

const SMALL = { width: 220, height: 110 };
const WIDE = { width: 420, height: 180 };

function spec(
  title: string,
  values: unknown[],
  mark: unknown,
  encoding: Record<string, unknown>,
  size = SMALL
): ChartSpec {
  return {
    $schema: VEGALITE_SCHEMA,
    description: title,
    ...size,
    data: { values },
    mark,
    encoding
  };
}

const BAR = { type: 'bar', tooltip: true };

/** One column of a tables stats reply (table_stats.py, column_stats). */
export interface IColumnStats {
  name: string;
  type: string;
  kind: string;
  count?: number;
  nulls?: number;
  distinct?: number;
  min?: unknown;
  max?: unknown;
  mean?: number;
  stddev?: number;
  histogram?: { low: number | string; high: number | string; count: number }[];
  top?: { value: unknown; count: number }[];
}

export interface ITableStats {
  table: string;
  snapshot: number;
  rows: number;
  distinct_approx: boolean;
  columns: IColumnStats[];
}

/** A column's chart: its histogram or its top values; null when it has neither (a
 * nested column, or no values). */
export function columnChart(column: IColumnStats): ChartSpec | null {
  const title = column.name;
  if (column.histogram && column.histogram.length > 0) {
    const type = column.kind === 'date' ? 'temporal' : 'quantitative';
    return spec(title, column.histogram, BAR, {
      x: { field: 'low', type, bin: { binned: true }, title },
      x2: { field: 'high' },
      y: { field: 'count', type: 'quantitative', title: 'rows' }
    });
  }
  if (column.top && column.top.length > 0) {
    const values = column.top.map(t => ({
      value: t.value === null ? '(null)' : String(t.value),
      count: t.count
    }));
    return spec(title, values, BAR, {
      y: { field: 'value', type: 'nominal', sort: '-x', title },
      x: { field: 'count', type: 'quantitative', title: 'rows' }
    });
  }
  return null;
}

/** A column's numbers in one line: "40 values, 0 nulls, 4 distinct, min 0, max 390". */
export function columnSummary(column: IColumnStats): string {
  const parts = [
    `${column.count ?? 0} values`,
    `${column.nulls ?? 0} nulls`,
    `${column.distinct ?? 0} distinct`
  ];
  for (const key of ['min', 'max', 'mean'] as const) {
    const value = column[key];
    if (value !== undefined && value !== null) {
      const text =
        typeof value === 'number' && !Number.isInteger(value)
          ? String(Number(value.toPrecision(4)))
          : String(value);
      parts.push(`${key} ${text}`);
    }
  }
  return parts.join(', ');
}

/** A labelled-image set's stats reply (labels/stats.py). */
export interface IImageStats {
  snapshot: number;
  format: string;
  classes: string[];
  splits: string[];
  images: number;
  boxes: number;
  per_split: {
    split: string;
    images: number;
    boxes: number;
    classes: Record<string, { images: number; boxes: number }>;
  }[];
  per_class: { label: string; images: number; boxes: number }[];
  unlabelled: Record<string, number>;
  image_sizes: { size: string; images: number }[];
  boxes_per_image: { boxes: string; images: number }[];
  box_area: { from: number; to: number; boxes: number }[];
  scores: {
    min: number;
    max: number;
    bins: { from: number; to: number; boxes: number }[];
  } | null;
}

/** Images per split × class as rows {split, class, images}: one per pair. */
export function splitClassRows(
  stats: IImageStats
): { split: string; class: string; images: number }[] {
  return stats.per_split.flatMap(row =>
    Object.entries(row.classes).map(([name, counts]) => ({
      split: row.split,
      class: name,
      images: counts.images
    }))
  );
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** The labelled-image charts, in the order the Stats tab shows them (scores only when
 * the labels carry some). */
export function imageCharts(stats: IImageStats): IChart[] {
  const charts: IChart[] = [
    {
      title: 'Images per split and class',
      spec: spec(
        'Images per split and class',
        splitClassRows(stats),
        BAR,
        {
          x: { field: 'class', type: 'nominal', title: 'class' },
          xOffset: { field: 'split', type: 'nominal' },
          y: { field: 'images', type: 'quantitative', title: 'images' },
          color: { field: 'split', type: 'nominal', title: 'split' }
        },
        WIDE
      )
    },
    {
      title: 'Image sizes',
      spec: spec('Image sizes', stats.image_sizes, BAR, {
        x: {
          field: 'size',
          type: 'nominal',
          sort: null,
          title: 'width × height'
        },
        y: { field: 'images', type: 'quantitative', title: 'images' }
      })
    },
    {
      title: 'Boxes per image',
      spec: spec('Boxes per image', stats.boxes_per_image, BAR, {
        x: { field: 'boxes', type: 'ordinal', sort: null, title: 'boxes' },
        y: { field: 'images', type: 'quantitative', title: 'images' }
      })
    },
    {
      title: 'Box areas',
      spec: spec(
        'Box areas',
        stats.box_area.map(b => ({
          area: `${percent(b.from)}–${percent(b.to)}`,
          boxes: b.boxes
        })),
        BAR,
        {
          x: {
            field: 'area',
            type: 'ordinal',
            sort: null,
            title: 'box area / image area'
          },
          y: { field: 'boxes', type: 'quantitative', title: 'boxes' }
        }
      )
    }
  ];
  if (stats.scores) {
    charts.push({
      title: 'Scores',
      spec: spec('Scores', stats.scores.bins, BAR, {
        x: {
          field: 'from',
          type: 'quantitative',
          bin: { binned: true },
          title: 'score'
        },
        x2: { field: 'to' },
        y: { field: 'boxes', type: 'quantitative', title: 'boxes' }
      })
    });
  }
  return charts;
}

/** The Vega-Lite mime type this JupyterLab renders: the newest of those it lists. */
export function vegaLiteMime(mimeTypes: readonly string[]): string | null {
  const found = mimeTypes
    .map(m => /^application\/vnd\.vegalite\.v(\d+)\+json$/.exec(m))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  return found[0]?.[0] ?? null;
}
