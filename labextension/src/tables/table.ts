/**
 * DataFrames as interactive tables whose rows stay in the kernel.
 *
 * The output (application/vnd.galilean.table+json) holds the row count, the index levels
 * and columns (labels, types, kinds) and the first page. Other pages, sorting, filtering,
 * export and profiling are asked of the kernel over the `galilean.table` comm (see
 * galilean_server/kernel/tables.py). Index levels show as row headers, as in pandas;
 * several levels of column labels as several header rows.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { channelFor, TableChannel } from './tablechannel';
import { button, exportedFile, runExport, showDownload } from './tableexport';
import { FilterBar, IFilter } from './tablefilter';
import { copyFullValues, formatCell, IColumn } from './tableformat';
import { drawTable } from './tablegrid';
import { openProfile } from './tableprofile';

export const TABLE_MIME = 'application/vnd.galilean.table+json';

export interface ITableData {
  view: string;
  total: number;
  index?: IColumn[];
  columns: IColumn[];
  column_names?: string[];
  rows: unknown[][];
  page_size: number;
  precision?: number;
}

export interface ISort {
  column: string;
  descending: boolean;
}

export class TableWidget extends Widget implements IRenderMime.IRenderer {
  private data: ITableData | null = null;
  private rows: unknown[][] = [];
  private offset = 0;
  private total = 0;
  private sort: ISort[] = [];
  private filter: IFilter | null = null;
  private precision = 6;
  private asked = 0;
  private bar = document.createElement('div');
  private count = document.createElement('span');
  private prev!: HTMLButtonElement;
  private next!: HTMLButtonElement;
  private grid = document.createElement('div');
  private status = document.createElement('div');

  constructor(
    private app: JupyterFrontEnd,
    private tracker: INotebookTracker,
    private mimeType: string
  ) {
    super();
    this.addClass('galilean-Table');
    this.grid.className = 'galilean-Table-grid';
    this.status.className = 'galilean-Table-status';
    this.grid.addEventListener('copy', event => {
      const table = this.grid.querySelector('table');
      if (table) {
        copyFullValues(table, event);
      }
    });
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.data = model.data[this.mimeType] as unknown as ITableData;
    this.rows = this.data.rows;
    this.total = this.data.total;
    this.offset = 0;
    this.precision = this.data.precision ?? 6;
    this.buildBar(this.data);
    this.node.textContent = '';
    this.node.append(this.bar, this.grid, this.status);
    this.draw();
  }

  /** Every column the table shows: index levels first. */
  private shown(): IColumn[] {
    return [...(this.data?.index ?? []), ...(this.data?.columns ?? [])];
  }

  /** The notebook this output belongs to (its kernel answers the table's requests). */
  private panel() {
    return this.tracker.find(panel => panel.node.contains(this.node)) ?? null;
  }

  private channel(): TableChannel | null {
    const kernel = this.panel()?.sessionContext.session?.kernel ?? null;
    return kernel ? channelFor(kernel) : null;
  }

  private query(): Record<string, unknown> {
    return {
      view: this.data?.view,
      sort: this.sort,
      filter: this.filter ? [this.filter] : []
    };
  }

  private async load(offset: number): Promise<void> {
    const channel = this.channel();
    if (!channel || !this.data) {
      this.say(
        'Start the kernel and run the cell again to page this table.',
        'error'
      );
      return;
    }
    const asked = ++this.asked;
    const reply = await channel.ask({
      action: 'page',
      offset,
      limit: this.data.page_size,
      ...this.query()
    });
    if (asked !== this.asked) {
      return; // a newer request (typing in the filter) answers instead
    }
    if (!reply.ok) {
      this.say(reply.error ?? 'the kernel refused', 'error');
      return;
    }
    this.rows = reply.rows ?? [];
    this.total = reply.total ?? 0;
    this.offset = reply.offset ?? offset;
    this.say('');
    this.draw();
  }

  /** The user's server URL of a file the kernel wrote under its `exports` folder. */
  private fileUrl(path: string): { file: string; url: string } {
    const notebook = this.panel()?.context.path ?? '';
    return exportedFile(notebook, path, PageConfig.getBaseUrl());
  }

  private async export(format: string, label: string): Promise<void> {
    const channel = this.channel();
    const panel = this.panel();
    if (!channel || !panel) {
      this.say(
        'Start the kernel and run the cell again to export this table.',
        'error'
      );
      return;
    }
    const name = PathExt.basename(panel.context.path, '.ipynb') || 'table';
    const buttons = this.bar.querySelectorAll<HTMLButtonElement>(
      '.galilean-Table-export'
    );
    buttons.forEach(b => (b.disabled = true));
    const request = { action: 'export', format, name, ...this.query() };
    const reply = await runExport(channel, request, label, this.status);
    buttons.forEach(b => (b.disabled = false));
    if (reply.cancelled) {
      this.say('Export cancelled: no file was written.');
      return;
    }
    if (!reply.ok || !reply.path) {
      this.say(reply.error ?? 'export failed', 'error');
      return;
    }
    const { file, url } = this.fileUrl(reply.path);
    showDownload(this.status, file, url);
  }

  private profile(): void {
    const channel = this.channel();
    const panel = this.panel();
    if (!channel || !panel || !this.data) {
      this.say(
        'Start the kernel and run the cell again to profile this table.',
        'error'
      );
      return;
    }
    const label = PathExt.basename(panel.context.path, '.ipynb') || 'table';
    const contents = this.app.serviceManager.contents;
    openProfile(this.app, channel, this.data.view, label, async path => {
      const model = await contents.get(this.fileUrl(path).file, {
        content: true,
        format: 'text',
        type: 'file'
      });
      return String(model.content);
    });
  }

  /** One line under the table: a message, or an error in words. */
  private say(text: string, kind: 'error' | '' = ''): void {
    this.status.className =
      'galilean-Table-status galilean-Table-message' +
      (kind ? ` galilean-Table-${kind}` : '');
    this.status.textContent = text;
  }

  private toggleSort(column: string): void {
    const current = this.sort.find(s => s.column === column);
    this.sort = current
      ? current.descending
        ? []
        : [{ column, descending: true }]
      : [{ column, descending: false }];
    void this.load(0);
  }

  private buildBar(data: ITableData): void {
    this.bar.textContent = '';
    this.bar.className = 'galilean-Table-bar';
    this.count.className = 'galilean-Table-count';
    this.prev = button('◀', 'Previous page', () => {
      void this.load(Math.max(0, this.offset - data.page_size));
    });
    this.next = button('▶', 'Next page', () => {
      void this.load(this.offset + data.page_size);
    });
    const filter = new FilterBar(this.shown(), value => {
      this.filter = value;
      void this.load(0);
    });
    const precision = document.createElement('select');
    precision.className = 'galilean-Table-precision';
    precision.title =
      'Decimals shown for floats (hover or copy a cell for its full value)';
    for (let p = 0; p <= 10; p++) {
      const option = document.createElement('option');
      option.value = String(p);
      option.textContent = `${p} dp`;
      option.selected = p === this.precision;
      precision.appendChild(option);
    }
    precision.onchange = () => {
      this.precision = Number(precision.value);
      this.draw();
    };
    this.bar.append(this.count, this.prev, this.next, filter.node, precision);
    for (const [format, label] of [
      ['csv', 'CSV'],
      ['xlsx', 'Excel'],
      ['parquet', 'Parquet']
    ]) {
      const exporter = button(
        label,
        `Export the rows (as filtered and sorted) as ${label}`,
        () => {
          void this.export(format, label);
        }
      );
      exporter.dataset.format = format;
      exporter.classList.add('galilean-Table-export');
      this.bar.appendChild(exporter);
    }
    const profile = button(
      'Profile',
      'Profile with ydata-profiling, in a new tab',
      () => this.profile()
    );
    profile.classList.add('galilean-Table-profile');
    this.bar.appendChild(profile);
  }

  private draw(): void {
    if (!this.data) {
      return;
    }
    const first = this.total === 0 ? 0 : this.offset + 1;
    const last = this.offset + this.rows.length;
    this.count.textContent =
      this.total === 0
        ? '0 rows'
        : `rows ${first.toLocaleString()}–${last.toLocaleString()} of ${this.total.toLocaleString()}`;
    this.prev.disabled = this.offset === 0;
    this.next.disabled = last >= this.total;
    const table = drawTable({
      index: this.data.index ?? [],
      columns: this.data.columns,
      columnNames: this.data.column_names ?? [],
      rows: this.rows,
      sort: this.sort,
      precision: this.precision,
      empty: this.filter ? 'No rows match the filter.' : 'No rows.',
      onSort: column => this.toggleSort(column),
      format: formatCell
    });
    this.grid.replaceChildren(table);
  }
}
