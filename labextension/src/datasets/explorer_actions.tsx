/**
 * The edits of a labelled set in the explorer, on the selected images: Move to split…,
 * Remove (confirmed), Relabel (from → to), and Add image (a path in the user's folder,
 * a split). Each posts its edits, which make a new snapshot, and says which.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import {
  addEdit,
  Edit,
  editNote,
  IImageItem,
  moveEdits,
  relabelEdits,
  removeEdits
} from './explorer_model';
import { Alert } from './fieldset';
import { errorsByField } from './model';

type Action = 'move' | 'relabel' | 'add';

export interface IActionsProps {
  selected: IImageItem[];
  splits: string[];
  classes: string[];
  /** Post the edits; the new snapshot's number. */
  post(edits: Edit[]): Promise<number>;
  /** The edits made snapshot `number`; `note` says so. */
  done(note: string, number: number): void;
}

function Text(props: {
  label: string;
  value: string;
  list?: string;
  onChange(value: string): void;
}): JSX.Element {
  return (
    <input
      className="jp-mod-styled"
      aria-label={props.label}
      placeholder={props.label}
      list={props.list}
      value={props.value}
      onChange={e => props.onChange(e.currentTarget.value)}
    />
  );
}

export function ImageActions(props: IActionsProps): JSX.Element {
  const { selected } = props;
  const [open, setOpen] = React.useState<Action | null>(null);
  const [split, setSplit] = React.useState('');
  const [from, setFrom] = React.useState('');
  const [to, setTo] = React.useState('');
  const [path, setPath] = React.useState('');
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const ids = selected.map(item => item.id);

  const submit = async (edits: Edit[]) => {
    if (edits.length === 0) {
      setError(`No selected image has a box labelled ${from || '…'}.`);
      return;
    }
    setBusy(true);
    try {
      const number = await props.post(edits);
      setError('');
      setOpen(null);
      props.done(editNote(edits, number), number);
    } catch (e) {
      setError(Object.values(errorsByField(e)).join('; '));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    const answer = await showDialog({
      title: `Remove ${ids.length} image${ids.length === 1 ? '' : 's'}?`,
      body:
        'They leave the dataset as a new snapshot; the current head stays a ' +
        'snapshot you can restore.',
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Remove' })]
    });
    if (answer.button.accept) {
      await submit(removeEdits(ids));
    }
  };
  const toggle = (action: Action) => {
    setOpen(open === action ? null : action);
    setError('');
  };
  const none = ids.length === 0;
  return (
    <div className="jp-GalileanExplorer-actions" aria-label="Edit images">
      <datalist id="galilean-explorer-splits">
        {props.splits.map(s => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <div className="jp-GalileanExplorer-bar">
        <span>{ids.length} selected</span>
        <button
          className="jp-mod-styled"
          disabled={none}
          aria-pressed={open === 'move'}
          onClick={() => toggle('move')}
        >
          Move to split…
        </button>
        <button
          className="jp-mod-styled"
          disabled={none || busy}
          onClick={() => void remove()}
        >
          Remove
        </button>
        <button
          className="jp-mod-styled"
          disabled={none}
          aria-pressed={open === 'relabel'}
          onClick={() => toggle('relabel')}
        >
          Relabel
        </button>
        <button
          className="jp-mod-styled"
          aria-pressed={open === 'add'}
          onClick={() => toggle('add')}
        >
          Add image
        </button>
      </div>
      {open && (
        <form
          className="jp-GalileanExplorer-bar"
          aria-label={
            open === 'move' ? 'Move' : open === 'add' ? 'Add' : 'Relabel'
          }
          onSubmit={e => {
            e.preventDefault();
            const edits =
              open === 'move'
                ? moveEdits(ids, split)
                : open === 'add'
                  ? addEdit(path, split)
                  : relabelEdits(selected, from, to);
            void submit(edits);
          }}
        >
          {open === 'add' && (
            <Text label="Image path" value={path} onChange={setPath} />
          )}
          {open !== 'relabel' && (
            <Text
              label="Split"
              value={split}
              list="galilean-explorer-splits"
              onChange={setSplit}
            />
          )}
          {open === 'relabel' && (
            <>
              <select
                className="jp-mod-styled"
                aria-label="Relabel from"
                value={from}
                onChange={e => setFrom(e.currentTarget.value)}
              >
                <option value="">label…</option>
                {props.classes.map(c => (
                  <option key={c}>{c}</option>
                ))}
              </select>
              <Text label="Relabel to" value={to} onChange={setTo} />
            </>
          )}
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept"
            disabled={busy}
          >
            {busy ? 'Saving…' : 'Apply'}
          </button>
        </form>
      )}
      <Alert text={error} />
    </div>
  );
}
