import { DatasetsClient } from '../src/datasets/client';
import {
  clickMode,
  conditionOf,
  conditionText,
  editNote,
  IImageItem,
  itemsParams,
  moveEdits,
  nextSort,
  pageText,
  relabelEdits,
  removeEdits,
  addEdit,
  selectAfter,
  typedValue
} from '../src/datasets/explorer_model';
import { errorFor, errorsByField } from '../src/datasets/model';
import { GalileanRequestError, requestAPI } from '../src/request';

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

function item(id: string, labels: string[]): IImageItem {
  return {
    id,
    split: 'train',
    width: 10,
    height: 10,
    labels,
    score: null,
    boxes: [],
    label_file: null
  };
}

describe('the explorer requests', () => {
  beforeEach(() => {
    request.mockReset();
    request.mockResolvedValue({ number: 4 });
  });

  it('asks the bridge for items, stats and edits', async () => {
    const client = new DatasetsClient();
    await client.items(
      3,
      itemsParams({ snapshot: 2, offset: 100, limit: 100, where: [] })
    );
    await client.stats(3, { table: 'sales' });
    const made = await client.edit(3, moveEdits(['images/train/a.png'], 'val'));
    expect(made.number).toBe(4);
    // no cache buster: the items and stats routes refuse parameters not theirs
    expect(request.mock.calls[0][1]?.cache).toBe('no-cache');
    expect(request.mock.calls[1][1]?.cache).toBe('no-cache');
    const calls = request.mock.calls.map(([url, init]) => [
      url,
      init?.method ?? 'GET',
      init?.body === undefined ? undefined : JSON.parse(String(init.body))
    ]);
    expect(calls).toEqual([
      [
        'datasets/service/datasets/3/items?snapshot=2&offset=100&limit=100',
        'GET',
        undefined
      ],
      ['datasets/service/datasets/3/stats?table=sales', 'GET', undefined],
      [
        'datasets/service/datasets/3/edits',
        'POST',
        { edits: [{ op: 'move', item: 'images/train/a.png', split: 'val' }] }
      ]
    ]);
  });

  it('sends filters as JSON, leaves out what is unset, says desc only when true', () => {
    expect(
      itemsParams({
        snapshot: null,
        offset: 0,
        limit: 100,
        table: 'sales',
        sort: 'amount',
        desc: true,
        where: [{ column: 'amount', op: '>', value: 10 }]
      })
    ).toEqual({
      offset: '0',
      limit: '100',
      table: 'sales',
      sort: 'amount',
      desc: 'true',
      where: '[{"column":"amount","op":">","value":10}]'
    });
    expect(
      itemsParams({
        snapshot: 1,
        offset: 0,
        limit: 48,
        split: '',
        label: 'cat',
        min_score: undefined,
        q: '',
        thumbnails: 128
      })
    ).toEqual({
      snapshot: '1',
      offset: '0',
      limit: '48',
      label: 'cat',
      thumbnails: '128'
    });
  });

  it("shows the service's refusal of a filter at the filter", () => {
    const refused = new GalileanRequestError('where[0].op: one of =', 400, {
      ok: false,
      error: 'where[0].op: one of =',
      errors: [{ field: 'where', message: 'where[0].op: one of =, !=' }]
    } as any);
    const errors = errorsByField(refused);
    expect(errorFor(errors, 'where')).toBe('where[0].op: one of =, !=');
    expect(errorFor(errors, 'table')).toBe('');
  });
});

describe('filter chips', () => {
  it('types a value by its column', () => {
    expect(typedValue('10', 'BIGINT')).toBe(10);
    expect(typedValue('2.5', 'DECIMAL(9,2)')).toBe(2.5);
    expect(typedValue('ten', 'DOUBLE')).toBe('ten');
    expect(typedValue('10', 'VARCHAR')).toBe('10');
    expect(typedValue('True', 'BOOLEAN')).toBe(true);
  });

  it('makes the condition each operator takes', () => {
    expect(conditionOf('note', 'is_null', 'x', 'VARCHAR')).toEqual({
      column: 'note',
      op: 'is_null'
    });
    expect(conditionOf('id', 'in', '1, 2,3', 'INTEGER')).toEqual({
      column: 'id',
      op: 'in',
      value: [1, 2, 3]
    });
    expect(conditionOf('id', 'contains', '12', 'INTEGER').value).toBe('12');
    expect(conditionText(conditionOf('region', '=', 'north', 'VARCHAR'))).toBe(
      'region = "north"'
    );
    expect(conditionText({ column: 'id', op: 'in', value: [1, 2] })).toBe(
      'id in 1, 2'
    );
  });

  it('sorts ascending, then descending, then not', () => {
    expect(nextSort(undefined, false, 'a')).toEqual({ sort: 'a', desc: false });
    expect(nextSort('a', false, 'a')).toEqual({ sort: 'a', desc: true });
    expect(nextSort('a', true, 'a')).toEqual({ desc: false });
    expect(nextSort('a', true, 'b')).toEqual({ sort: 'b', desc: false });
  });

  it('counts the page shown', () => {
    expect(pageText(100, 100, 345)).toBe('Rows 101–200 of 345');
    expect(pageText(0, 0, 0, 'images')).toBe('No images');
  });
});

describe('selecting thumbnails', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  it('reads the mode from the keys', () => {
    const keys = { shiftKey: false, ctrlKey: false, metaKey: false };
    expect(clickMode(keys)).toBe('single');
    expect(clickMode({ ...keys, ctrlKey: true })).toBe('toggle');
    expect(clickMode({ ...keys, metaKey: true })).toBe('toggle');
    expect(clickMode({ ...keys, shiftKey: true, ctrlKey: true })).toBe('range');
  });

  it('selects one, toggles, and extends a range from the anchor', () => {
    expect(selectAfter(['a', 'c'], ids, 'b', 'single', 'a')).toEqual(['b']);
    expect(selectAfter(['a'], ids, 'c', 'toggle', 'a')).toEqual(['a', 'c']);
    expect(selectAfter(['a', 'c'], ids, 'c', 'toggle', 'a')).toEqual(['a']);
    expect(selectAfter(['b'], ids, 'd', 'range', 'b')).toEqual(['b', 'c', 'd']);
    expect(selectAfter(['e'], ids, 'c', 'range', 'e')).toEqual(['c', 'd', 'e']);
    expect(selectAfter([], ids, 'c', 'range', null)).toEqual(['c']);
  });
});

describe('the edits of an action', () => {
  it('moves, removes, adds', () => {
    expect(moveEdits(['a', 'b'], 'val')).toEqual([
      { op: 'move', item: 'a', split: 'val' },
      { op: 'move', item: 'b', split: 'val' }
    ]);
    expect(removeEdits(['a'])).toEqual([{ op: 'remove', item: 'a' }]);
    expect(addEdit('new/x.png', 'train')).toEqual([
      { op: 'add', from: 'new/x.png', split: 'train' }
    ]);
  });

  it('relabels only the items that have the label', () => {
    const picked = [item('a', ['cat', 'dog']), item('b', ['bird'])];
    expect(relabelEdits(picked, 'cat', 'kitten')).toEqual([
      { op: 'relabel', item: 'a', from: 'cat', to: 'kitten' }
    ]);
    expect(relabelEdits(picked, 'fish', 'x')).toEqual([]);
  });

  it('says which snapshot the edit made', () => {
    expect(editNote(moveEdits(['a'], 'val'), 4)).toBe(
      '1 item moved to val: snapshot 4'
    );
    expect(editNote(removeEdits(['a', 'b']), 5)).toBe(
      '2 items removed: snapshot 5'
    );
    expect(editNote(relabelEdits([item('a', ['cat'])], 'cat', 'kit'), 6)).toBe(
      '1 item relabelled cat → kit: snapshot 6'
    );
    expect(editNote(addEdit('x.png', 'train'), 7)).toBe(
      'x.png added to train: snapshot 7'
    );
  });
});
