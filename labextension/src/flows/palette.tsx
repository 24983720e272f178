/**
 * The palette: the server's kind catalogue, searchable, grouped by category. A kind is
 * added by a click (or Enter) or dragged onto the canvas.
 */
import * as React from 'react';

import { KIND_MIME } from './canvas';
import { paletteGroups } from './catalogue';
import { IKindInfo } from './tokens';

export interface IPaletteProps {
  kinds: IKindInfo[];
  /** Why the catalogue could not be read, or null. */
  error: string | null;
  onPick(kind: string): void;
}

function KindItem(props: {
  kind: IKindInfo;
  onPick(kind: string): void;
}): JSX.Element {
  const { kind, onPick } = props;
  const onDragStart = (event: React.DragEvent) => {
    event.dataTransfer.setData(KIND_MIME, kind.kind);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button
        className="jp-GalileanFlow-kind"
        draggable
        onDragStart={onDragStart}
        onClick={() => onPick(kind.kind)}
        title={kind.description ?? kind.kind}
        aria-label={`Add ${kind.title} (${kind.kind})`}
      >
        {kind.title}
      </button>
    </li>
  );
}

export function Palette(props: IPaletteProps): JSX.Element {
  const { kinds, error, onPick } = props;
  const [query, setQuery] = React.useState('');
  const groups = paletteGroups(kinds, query);
  return (
    <div className="jp-GalileanFlow-palette" aria-label="Node kinds">
      <input
        className="jp-GalileanFlow-search"
        type="search"
        placeholder="Search nodes"
        aria-label="Search node kinds"
        value={query}
        onChange={event => setQuery(event.target.value)}
      />
      {error && <div className="jp-GalileanFlow-error">{error}</div>}
      {groups.map(group => (
        <section key={group.category} aria-label={group.title}>
          <h3 className="jp-GalileanFlow-category">{group.title}</h3>
          <ul>
            {group.kinds.map(kind => (
              <KindItem key={kind.kind} kind={kind} onPick={onPick} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
