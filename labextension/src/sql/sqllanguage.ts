/**
 * SQL highlighting of SQL cells: the cell's mimetype is a SQL flavour of CodeMirror
 * (@jupyterlab/codemirror's languages) for its connection's dialect (the registry's
 * `editor`), set again when the notebook resets every code cell's mimetype (on kernel
 * changes). jupysql-plugin's syntax-highlighting plugin, which forces Python on every
 * cell not starting with `%%sql`, is disabled by this package's
 * `jupyterlab.disabledExtensions` (package.json).
 */
import { Cell } from '@jupyterlab/cells';
import { Notebook } from '@jupyterlab/notebook';

import { SQL_MIME } from '../dialects';

/** What a SQL cell's highlighting depends on. */
export interface ISqlOf {
  /** The connection of a SQL cell; null for other cells. */
  connection(cell: Cell): string | null;
  /** The CodeMirror SQL flavour (@jupyterlab/codemirror's mimetype) of a connection. */
  mime(connection: string): string;
}

const watched = new WeakSet<Cell>();
const LANGUAGE_CHECKS = 30; // × 100 ms: how long a cell watches for a late language load

/** The part of CodeMirror's EditorView (cell.editor.editor) used here. */
interface IEditorView {
  state: { languageDataAt(name: string, pos: number): unknown[] };
}

/** Whether the cell's editor shows SQL (SQL's line comment is `--`); null: no editor. */
function editorShowsSql(cell: Cell): boolean | null {
  const view = (cell.editor as unknown as { editor?: IEditorView } | null)
    ?.editor;
  if (!view?.state?.languageDataAt) {
    return null;
  }
  const comments = view.state.languageDataAt('commentTokens', 0);
  return comments.some(c => (c as { line?: string }).line === '--');
}

/**
 * The editor loads a mimetype's language asynchronously and applies whichever load ends
 * last: after the notebook set Python and the cell set SQL back, a late Python load can
 * win. Watch for a short while and set the SQL language again if that happens.
 */
function watchLanguage(
  cell: Cell,
  sqlOf: ISqlOf,
  checks = LANGUAGE_CHECKS
): void {
  window.setTimeout(() => {
    const connection = sqlOf.connection(cell);
    if (connection === null || cell.isDisposed) {
      return;
    }
    if (editorShowsSql(cell) === false) {
      const mime = sqlOf.mime(connection);
      cell.model.mimeType = mime === SQL_MIME ? 'application/sql' : SQL_MIME;
      cell.model.mimeType = mime;
    }
    if (checks > 1) {
      watchLanguage(cell, sqlOf, checks - 1);
    }
  }, 100);
}

/** SQL cells highlight SQL; the notebook sets every code cell's mimetype on kernel
 * changes, so a SQL cell sets its own back. */
export function keepMime(cell: Cell, sqlOf: ISqlOf): void {
  const model = cell.model;
  const connection = sqlOf.connection(cell);
  if (connection !== null) {
    const mime = sqlOf.mime(connection);
    if (model.mimeType !== mime) {
      model.mimeType = mime;
      watchLanguage(cell, sqlOf);
    }
  } else if (watched.has(cell) && model.mimeType.includes('sql')) {
    const notebook = cell.parent instanceof Notebook ? cell.parent : null;
    model.mimeType = notebook?.codeMimetype ?? 'text/x-ipython';
  }
  if (!watched.has(cell)) {
    watched.add(cell);
    model.mimeTypeChanged.connect(() => {
      if (sqlOf.connection(cell) !== null && !model.mimeType.includes('sql')) {
        keepMime(cell, sqlOf);
      }
    });
  }
}
