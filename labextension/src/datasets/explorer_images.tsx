/**
 * A labelled-image set in the explorer: a grid of 128 px thumbnails (boxes drawn by the
 * service) filtered by split, label, score range and a text in the path, with paging;
 * a click selects an image (Ctrl toggles, Shift a range) and previews it at 512 px with
 * its boxes listed; writers edit the selection at the head (explorer_actions.tsx). Its
 * Stats tab draws images per split × class, sizes, boxes per image, box areas, scores.
 */
import * as React from 'react';

import { IImageStats, imageCharts } from './charts';
import { VegaChart } from './charts_view';
import { IExplorerPart } from './explorer';
import { ImageActions } from './explorer_actions';
import {
  clickMode,
  Edit,
  IImageItem,
  IImagesPage,
  IImagesQuery,
  itemsParams,
  scoreOf,
  selectAfter
} from './explorer_model';
import { Pager } from './explorer_table';
import { Alert } from './fieldset';
import { errorFor, errorsByField } from './model';

export const THUMBNAIL = 128;
export const PREVIEW = 512;
export const IMAGES_PAGE = 48;

interface IFilters {
  split: string;
  label: string;
  min: string;
  max: string;
  q: string;
}

const NO_FILTERS: IFilters = { split: '', label: '', min: '', max: '', q: '' };

function queryOf(
  filters: IFilters,
  snapshot: number | null,
  offset: number
): IImagesQuery {
  return {
    snapshot,
    offset,
    limit: IMAGES_PAGE,
    split: filters.split,
    label: filters.label,
    min_score: scoreOf(filters.min),
    max_score: scoreOf(filters.max),
    q: filters.q,
    thumbnails: THUMBNAIL
  };
}

function ImageFilters(props: {
  splits: string[];
  classes: string[];
  errors: Record<string, string>;
  onApply(filters: IFilters): void;
}): JSX.Element {
  const [f, setF] = React.useState<IFilters>(NO_FILTERS);
  const set = (key: keyof IFilters, value: string, now = false) => {
    const next = { ...f, [key]: value };
    setF(next);
    if (now) {
      props.onApply(next);
    }
  };
  const choice = (key: 'split' | 'label', label: string, values: string[]) => (
    <select
      className="jp-mod-styled"
      aria-label={label}
      aria-invalid={Boolean(props.errors[key])}
      value={f[key]}
      onChange={e => set(key, e.currentTarget.value, true)}
    >
      <option value="">any {key}</option>
      {values.map(v => (
        <option key={v}>{v}</option>
      ))}
    </select>
  );
  const text = (key: 'min' | 'max' | 'q', label: string, field: string) => (
    <input
      className="jp-mod-styled"
      aria-label={label}
      placeholder={label}
      aria-invalid={Boolean(props.errors[field])}
      value={f[key]}
      onChange={e => set(key, e.currentTarget.value)}
    />
  );
  return (
    <form
      className="jp-GalileanExplorer-bar"
      aria-label="Image filters"
      onSubmit={e => {
        e.preventDefault();
        props.onApply(f);
      }}
    >
      {choice('split', 'Split filter', props.splits)}
      {choice('label', 'Label filter', props.classes)}
      {text('min', 'Minimum score', 'min_score')}
      {text('max', 'Maximum score', 'max_score')}
      {text('q', 'Search paths', 'q')}
      <button type="submit" className="jp-mod-styled">
        Filter
      </button>
    </form>
  );
}

function Tile(props: {
  item: IImageItem;
  selected: boolean;
  onClick(event: React.MouseEvent): void;
}): JSX.Element {
  const { item } = props;
  return (
    <li
      className={`jp-GalileanExplorer-tile${props.selected ? ' jp-mod-selected' : ''}`}
    >
      <button
        aria-label={`Image ${item.id}`}
        aria-pressed={props.selected}
        onClick={props.onClick}
      >
        {item.thumbnail && <img src={item.thumbnail} alt="" />}
        <span className="jp-GalileanExplorer-caption">
          {item.id.split('/').pop()}
        </span>
        <span className="jp-GalileanExplorer-meta">
          {item.split || '(no split)'} · {item.labels.join(', ') || 'no labels'}
        </span>
      </button>
    </li>
  );
}

function Preview(props: {
  part: IExplorerPart;
  item: IImageItem;
}): JSX.Element {
  const { client, dataset, snapshot } = props.part;
  const { item } = props;
  const [src, setSrc] = React.useState('');
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    const query: IImagesQuery = {
      snapshot,
      offset: 0,
      limit: 50,
      q: item.id,
      split: item.split,
      thumbnails: PREVIEW
    };
    client.items<IImagesPage>(dataset.id, itemsParams(query)).then(
      page => setSrc(page.items.find(i => i.id === item.id)?.thumbnail ?? ''),
      e => setError(errorFor(errorsByField(e), '', 'thumbnails'))
    );
  }, [item.id, snapshot]);
  return (
    <aside
      className="jp-GalileanExplorer-preview"
      aria-label={`Preview ${item.id}`}
    >
      <h3>{item.id}</h3>
      {src && <img src={src} alt={`${item.id} with its boxes`} />}
      <Alert text={error} />
      <p className="jp-GalileanExplorer-meta">
        {item.width}×{item.height} px · split {item.split || '(none)'}
        {item.score !== null ? ` · best score ${item.score}` : ''}
      </p>
      <ul aria-label="Boxes">
        {item.boxes.map((b, i) => (
          <li key={i}>
            {b.label} at ({b.x}, {b.y}), {b.width}×{b.height}
            {b.score !== undefined ? `, score ${b.score}` : ''}
          </li>
        ))}
      </ul>
      {item.boxes.length === 0 && <p>No boxes.</p>}
    </aside>
  );
}

/** The splits and classes of the picked snapshot (for the filters and the actions). */
function useStats(part: IExplorerPart): IImageStats | null {
  const { client, dataset, snapshot, revision } = part;
  const [stats, setStats] = React.useState<IImageStats | null>(null);
  React.useEffect(() => {
    const params: Record<string, string> =
      snapshot === null ? {} : { snapshot: String(snapshot) };
    client.stats<IImageStats>(dataset.id, params).then(setStats, () => {
      setStats(null); // the items call shows the error
    });
  }, [client, dataset.id, snapshot, revision]);
  return stats;
}

export function ImageItems(props: IExplorerPart): JSX.Element {
  const { client, dataset, snapshot, revision } = props;
  const stats = useStats(props);
  const [filters, setFilters] = React.useState<IFilters>(NO_FILTERS);
  const [page, setPage] = React.useState<IImagesPage | null>(null);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [selected, setSelected] = React.useState<string[]>([]);
  const [anchor, setAnchor] = React.useState<string | null>(null);
  const [previewed, setPreviewed] = React.useState<IImageItem | null>(null);
  const [note, setNote] = React.useState('');
  const run = (next: IFilters, offset: number) => {
    const query = queryOf(next, snapshot, offset);
    client.items<IImagesPage>(dataset.id, itemsParams(query)).then(
      found => {
        setPage(found);
        setFilters(next);
        setErrors({});
      },
      e => setErrors(errorsByField(e))
    );
  };
  React.useEffect(() => {
    run(filters, 0);
    setSelected([]);
    setPreviewed(null);
  }, [snapshot, revision]);
  const items = page?.items ?? [];
  const click = (item: IImageItem, event: React.MouseEvent) => {
    const mode = clickMode(event);
    const ids = items.map(i => i.id);
    setSelected(selectAfter(selected, ids, item.id, mode, anchor));
    if (mode !== 'range') {
      setAnchor(item.id);
    }
    setPreviewed(item);
  };
  const post = async (edits: Edit[]) =>
    (await client.edit(dataset.id, edits)).number;
  return (
    <div className="jp-GalileanExplorer-images">
      <ImageFilters
        splits={stats?.splits ?? []}
        classes={page?.classes ?? stats?.classes ?? []}
        errors={errors}
        onApply={next => run(next, 0)}
      />
      <Alert text={Object.values(errors).join('; ')} />
      {props.writable && snapshot === null && (
        <ImageActions
          selected={items.filter(i => selected.includes(i.id))}
          splits={stats?.splits ?? []}
          classes={page?.classes ?? []}
          post={post}
          done={(text, number) => {
            setNote(text);
            props.edited(number);
          }}
        />
      )}
      {props.writable && snapshot !== null && (
        <p className="jp-GalileanExplorer-meta">
          Edits apply to the head: pick “head” to edit.
        </p>
      )}
      {note && (
        <p className="jp-GalileanDatasets-note" role="status" aria-label="Edit">
          {note}
        </p>
      )}
      {page && (
        <Pager
          offset={page.offset}
          shown={items.length}
          total={page.total}
          size={IMAGES_PAGE}
          noun="images"
          onGo={offset => run(filters, offset)}
        />
      )}
      <div className="jp-GalileanExplorer-split">
        <ul className="jp-GalileanExplorer-thumbs" aria-label="Images">
          {items.map(item => (
            <Tile
              key={item.id}
              item={item}
              selected={selected.includes(item.id)}
              onClick={e => click(item, e)}
            />
          ))}
        </ul>
        {previewed && <Preview part={props} item={previewed} />}
      </div>
    </div>
  );
}

export function ImageStats(props: IExplorerPart): JSX.Element {
  const { client, dataset, snapshot, revision } = props;
  const [stats, setStats] = React.useState<IImageStats | null>(null);
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    const params: Record<string, string> =
      snapshot === null ? {} : { snapshot: String(snapshot) };
    client.stats<IImageStats>(dataset.id, params).then(
      found => {
        setStats(found);
        setError('');
      },
      e => setError(errorFor(errorsByField(e), '', 'snapshot'))
    );
  }, [client, dataset.id, snapshot, revision]);
  return (
    <div className="jp-GalileanExplorer-stats">
      <Alert text={error} />
      {stats && (
        <p className="jp-GalileanExplorer-summary">
          Snapshot {stats.snapshot} ({stats.format}): {stats.images} images,{' '}
          {stats.boxes} boxes, {stats.classes.length} classes, splits{' '}
          {stats.splits.join(', ') || '(none)'}
        </p>
      )}
      <div className="jp-GalileanExplorer-charts">
        {stats &&
          imageCharts(stats).map(chart => (
            <VegaChart
              key={chart.title}
              rendermime={props.rendermime}
              chart={chart}
            />
          ))}
      </div>
    </div>
  );
}
