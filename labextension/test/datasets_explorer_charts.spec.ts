import {
  columnChart,
  columnSummary,
  IImageStats,
  imageCharts,
  splitClassRows,
  VEGALITE_SCHEMA,
  vegaLiteMime
} from '../src/datasets/charts';

/** The labels/stats.py reply for 3 train and 2 val images of cat and dog. */
const STATS: IImageStats = {
  snapshot: 2,
  format: 'yolo',
  classes: ['cat', 'dog'],
  splits: ['train', 'val'],
  images: 5,
  boxes: 6,
  per_split: [
    {
      split: 'train',
      images: 3,
      boxes: 4,
      classes: {
        cat: { images: 2, boxes: 2 },
        dog: { images: 1, boxes: 2 }
      }
    },
    {
      split: 'val',
      images: 2,
      boxes: 2,
      classes: { cat: { images: 0, boxes: 0 }, dog: { images: 2, boxes: 2 } }
    }
  ],
  per_class: [],
  unlabelled: { train: 0, val: 0 },
  image_sizes: [
    { size: '64x48', images: 3 },
    { size: '40x40', images: 2 }
  ],
  boxes_per_image: [
    { boxes: '0', images: 0 },
    { boxes: '1', images: 4 },
    { boxes: '2', images: 1 }
  ],
  box_area: [
    { from: 0, to: 0.01, boxes: 1 },
    { from: 0.01, to: 0.05, boxes: 5 }
  ],
  scores: null
};

describe('the table column charts', () => {
  it('draws a number column as a binned histogram of its rows', () => {
    const spec = columnChart({
      name: 'amount',
      type: 'BIGINT',
      kind: 'number',
      histogram: [
        { low: 0, high: 10, count: 3 },
        { low: 10, high: 20, count: 1 }
      ]
    });
    expect(spec).toMatchObject({
      $schema: VEGALITE_SCHEMA,
      mark: { type: 'bar' },
      data: { values: [{ low: 0, high: 10, count: 3 }, expect.anything()] },
      encoding: {
        x: { field: 'low', type: 'quantitative', bin: { binned: true } },
        x2: { field: 'high' },
        y: { field: 'count', type: 'quantitative' }
      }
    });
  });

  it('draws a date histogram on a time axis', () => {
    const spec = columnChart({
      name: 'day',
      type: 'DATE',
      kind: 'date',
      histogram: [
        { low: '2026-01-01T00:00:00+00:00', high: '2026-01-02', count: 1 }
      ]
    });
    expect((spec?.encoding as any).x.type).toBe('temporal');
  });

  it('draws text as its top values, largest first, nulls named', () => {
    const spec = columnChart({
      name: 'region',
      type: 'VARCHAR',
      kind: 'text',
      top: [
        { value: 'north', count: 10 },
        { value: null, count: 2 }
      ]
    });
    expect(spec?.data).toEqual({
      values: [
        { value: 'north', count: 10 },
        { value: '(null)', count: 2 }
      ]
    });
    expect((spec?.encoding as any).y).toMatchObject({
      field: 'value',
      sort: '-x'
    });
  });

  it('has no chart for a column with neither', () => {
    expect(columnChart({ name: 's', type: 'STRUCT', kind: 'other' })).toBe(
      null
    );
    expect(
      columnChart({ name: 'n', type: 'INTEGER', kind: 'number', histogram: [] })
    ).toBe(null);
  });

  it('sums a column up in one line', () => {
    expect(
      columnSummary({
        name: 'score',
        type: 'DOUBLE',
        kind: 'number',
        count: 40,
        nulls: 0,
        distinct: 40,
        min: 0,
        max: 0.975,
        mean: 0.4875
      })
    ).toBe('40 values, 0 nulls, 40 distinct, min 0, max 0.975, mean 0.4875');
  });
});

describe('the labelled-image charts', () => {
  it('groups images per class by split, one row per pair', () => {
    expect(splitClassRows(STATS)).toEqual([
      { split: 'train', class: 'cat', images: 2 },
      { split: 'train', class: 'dog', images: 1 },
      { split: 'val', class: 'cat', images: 0 },
      { split: 'val', class: 'dog', images: 2 }
    ]);
    const grouped = imageCharts(STATS)[0].spec.encoding as any;
    expect(grouped.xOffset.field).toBe('split');
    expect(grouped.color.field).toBe('split');
    expect(grouped.x.field).toBe('class');
  });

  it('draws sizes, boxes per image and box areas; scores only when there are', () => {
    const titles = imageCharts(STATS).map(c => c.title);
    expect(titles).toEqual([
      'Images per split and class',
      'Image sizes',
      'Boxes per image',
      'Box areas'
    ]);
    const areas = imageCharts(STATS)[3].spec.data as any;
    expect(areas.values).toEqual([
      { area: '0%–1%', boxes: 1 },
      { area: '1%–5%', boxes: 5 }
    ]);
    const scored = imageCharts({
      ...STATS,
      scores: { min: 0.2, max: 0.9, bins: [{ from: 0, to: 0.1, boxes: 1 }] }
    });
    expect(scored.map(c => c.title)).toContain('Scores');
    expect((scored[4].spec.encoding as any).x.bin).toEqual({ binned: true });
  });

  it('finds the newest Vega-Lite mime type the app renders', () => {
    expect(
      vegaLiteMime([
        'text/html',
        'application/vnd.vegalite.v4+json',
        'application/vnd.vegalite.v5+json',
        'application/vnd.vega.v5+json'
      ])
    ).toBe('application/vnd.vegalite.v5+json');
    expect(vegaLiteMime(['text/plain'])).toBe(null);
  });
});
