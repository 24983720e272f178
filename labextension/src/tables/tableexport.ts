/**
 * Exporting a table's rows (as filtered and sorted) to a file the kernel writes under
 * the notebook's `exports` folder: progress after a second, a Cancel button, then a
 * download link from the user's server.
 */
import { PathExt, URLExt } from '@jupyterlab/coreutils';

import { IProgress, IReply, TableChannel } from './tablechannel';

const SHOW_PROGRESS_AFTER_MS = 1000;

export function button(
  label: string,
  title: string,
  onClick: () => void
): HTMLButtonElement {
  const element = document.createElement('button');
  element.className = 'jp-Button galilean-Table-button';
  element.textContent = label;
  element.title = title;
  element.onclick = onClick;
  return element;
}

/** Where the file the kernel wrote (`path`) is: next to the notebook, under
 * `exports/`, and its URL on the user's server (`baseUrl`). */
export function exportedFile(
  notebook: string,
  path: string,
  baseUrl: string
): { file: string; url: string } {
  const file = PathExt.join(
    PathExt.dirname(notebook),
    'exports',
    PathExt.basename(path)
  );
  const url = URLExt.join(baseUrl, 'files', URLExt.encodeParts(file));
  return { file, url };
}

/** The status line while an export runs longer than a moment. */
export function progressText(
  label: string,
  progress: IProgress,
  seconds: number
): string {
  return `Exporting to ${label}: ${progress.phase ?? 'starting'}… ${seconds} s`;
}

/** Ask the kernel for the export; `status` shows its progress until it answers. */
export async function runExport(
  channel: TableChannel,
  request: Record<string, unknown>,
  label: string,
  status: HTMLElement
): Promise<IReply> {
  const started = Date.now();
  let last: IProgress = {};
  const job = channel.start(request, p => {
    last = p;
  });
  const show = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const bar = document.createElement('progress');
    bar.className = 'galilean-Table-progress';
    if (last.total && last.done) {
      bar.max = last.total;
      bar.value = last.done;
    }
    const text = document.createElement('span');
    text.textContent = progressText(label, last, seconds);
    const cancel = button('Cancel', 'Stop this export', () => {
      text.textContent = 'Cancelling…';
      void channel.cancel(job.id);
    });
    cancel.classList.add('galilean-Table-cancel');
    status.className = 'galilean-Table-status galilean-Table-running';
    status.replaceChildren(text, bar, cancel);
  };
  let ticker = 0;
  const delay = window.setTimeout(() => {
    show();
    ticker = window.setInterval(show, 1000);
  }, SHOW_PROGRESS_AFTER_MS);
  try {
    return await job.reply;
  } finally {
    window.clearTimeout(delay);
    window.clearInterval(ticker);
  }
}

/** The status line once the file is written: where, and a download link. */
export function showDownload(
  status: HTMLElement,
  file: string,
  url: string
): void {
  const text = document.createElement('span');
  text.textContent = `✓ Exported to ${file}`;
  const link = document.createElement('a');
  link.href = url;
  link.download = PathExt.basename(file);
  link.className = 'galilean-Table-download';
  link.textContent = `Download ${PathExt.basename(file)}`;
  status.className =
    'galilean-Table-status galilean-Table-message galilean-Table-done';
  status.replaceChildren(text, link);
}
