/** What an inline completion request sends (kept apart from the provider so tests need no
 * JupyterLab). */

/** A request of JupyterLab's inline completer: the editor's text and the cursor. */
export interface ITextAtCursor {
  text: string;
  offset: number;
}

/** The text before and after the cursor, as the server wants them. */
export function split(request: ITextAtCursor): {
  prefix: string;
  suffix: string;
} {
  return {
    prefix: request.text.slice(0, request.offset),
    suffix: request.text.slice(request.offset)
  };
}

/** The language of the editor's MIME type ("text/x-ipython" → "python"). */
export function languageOf(mimeType: string | undefined): string {
  if (!mimeType || /python/.test(mimeType)) {
    return 'python';
  }
  if (/sql/.test(mimeType)) {
    return 'sql';
  }
  const name = mimeType.replace(/^text\/(x-)?/, '');
  return /^[A-Za-z0-9_+#.\- ]{1,40}$/.test(name) ? name : 'python';
}
