/**
 * DataFrames as interactive tables whose rows stay in the kernel.
 *
 * The output (application/vnd.galilean.table+json) holds the row count, the column types
 * and the first page. Other pages, sorting, filtering, export and profiling are asked of
 * the kernel over the `galilean.table` comm (see galilean_server/kernel/tables.py).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PathExt, URLExt, PageConfig } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

export const TABLE_MIME = 'application/vnd.galilean.table+json';
const COMM_TARGET = 'galilean.table';

interface IColumn {
  name: string;
  type: string;
}

interface ITableData {
  view: string;
  total: number;
  columns: IColumn[];
  rows: unknown[][];
  page_size: number;
}

interface ISort {
  column: string;
  descending: boolean;
}

interface IReply {
  ok: boolean;
  error?: string;
  rows?: unknown[][];
  total?: number;
  offset?: number;
  path?: string;
  sampled?: boolean;
}

/** One comm per kernel, shared by the tables of its notebook; replies by request id. */
class TableChannel {
  private comm: Kernel.IComm;
  private waiting = new Map<number, (reply: IReply) => void>();
  private next = 1;

  constructor(kernel: Kernel.IKernelConnection) {
    this.comm = kernel.createComm(COMM_TARGET);
    this.comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => {
      const data = msg.content.data as unknown as IReply & { request: number };
      const done = this.waiting.get(data.request);
      if (done) {
        this.waiting.delete(data.request);
        done(data);
      }
    };
    this.comm.open();
  }

  ask(request: Record<string, unknown>): Promise<IReply> {
    const id = this.next++;
    return new Promise(resolve => {
      this.waiting.set(id, resolve);
      this.comm.send({ ...request, request: id } as any);
    });
  }
}

const channels = new WeakMap<Kernel.IKernelConnection, TableChannel>();

export class TableWidget extends Widget implements IRenderMime.IRenderer {
  private data: ITableData | null = null;
  private rows: unknown[][] = [];
  private offset = 0;
  private total = 0;
  private sort: ISort[] = [];
  private filterColumn = '';
  private filterText = '';
  private message = '';

  constructor(
    private tracker: INotebookTracker,
    private mimeType: string
  ) {
    super();
    this.addClass('galilean-Table');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.data = model.data[this.mimeType] as unknown as ITableData;
    this.rows = this.data.rows;
    this.total = this.data.total;
    this.offset = 0;
    this.filterColumn = this.data.columns[0]?.name ?? '';
    this.draw();
  }

  /** The notebook this output belongs to (its kernel answers the table's requests). */
  private panel() {
    return this.tracker.find(panel => panel.node.contains(this.node)) ?? null;
  }

  private channel(): TableChannel | null {
    const kernel = this.panel()?.sessionContext.session?.kernel ?? null;
    if (!kernel) {
      return null;
    }
    let channel = channels.get(kernel);
    if (!channel) {
      channel = new TableChannel(kernel);
      channels.set(kernel, channel);
    }
    return channel;
  }

  private query(): Record<string, unknown> {
    const filter = this.filterText
      ? [{ column: this.filterColumn, op: 'contains', value: this.filterText }]
      : [];
    return { view: this.data?.view, sort: this.sort, filter };
  }

  private async load(offset: number): Promise<void> {
    const channel = this.channel();
    if (!channel || !this.data) {
      this.message = 'Start the kernel and run the cell again to page this table.';
      this.draw();
      return;
    }
    const reply = await channel.ask({
      action: 'page',
      offset,
      limit: this.data.page_size,
      ...this.query()
    });
    if (!reply.ok) {
      this.message = reply.error ?? 'the kernel refused';
    } else {
      this.rows = reply.rows ?? [];
      this.total = reply.total ?? 0;
      this.offset = reply.offset ?? offset;
      this.message = '';
    }
    this.draw();
  }

  private async export(format: string): Promise<void> {
    const channel = this.channel();
    const panel = this.panel();
    if (!channel || !panel) {
      return;
    }
    const name = PathExt.basename(panel.context.path, '.ipynb') || 'table';
    const reply = await channel.ask({ action: 'export', format, name, ...this.query() });
    if (!reply.ok || !reply.path) {
      this.message = reply.error ?? 'export failed';
      this.draw();
      return;
    }
    const file = PathExt.join(
      PathExt.dirname(panel.context.path),
      'exports',
      PathExt.basename(reply.path)
    );
    this.message = `Exported to ${file}`;
    this.draw();
    const link = document.createElement('a');
    link.href = URLExt.join(PageConfig.getBaseUrl(), 'files', URLExt.encodeParts(file));
    link.download = PathExt.basename(file);
    link.className = 'galilean-Table-download';
    link.textContent = `Download ${PathExt.basename(file)}`;
    this.node.querySelector('.galilean-Table-message')?.appendChild(link);
  }

  private async profile(): Promise<void> {
    const channel = this.channel();
    const panel = this.panel();
    if (!channel || !panel) {
      return;
    }
    this.message = 'Profiling…';
    this.draw();
    const reply = await channel.ask({ action: 'profile', view: this.data?.view });
    if (!reply.ok || !reply.path) {
      this.message = reply.error ?? 'profiling failed';
    } else {
      const file = PathExt.join(
        PathExt.dirname(panel.context.path),
        'exports',
        PathExt.basename(reply.path)
      );
      this.message = `Profile${reply.sampled ? ' (of a sample)' : ''}: ${file}`;
      window.open(
        URLExt.join(PageConfig.getBaseUrl(), 'files', URLExt.encodeParts(file)),
        '_blank'
      );
    }
    this.draw();
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

  private draw(): void {
    if (!this.data) {
      return;
    }
    const data = this.data;
    const node = this.node;
    node.textContent = '';

    const bar = document.createElement('div');
    bar.className = 'galilean-Table-bar';
    const first = this.total === 0 ? 0 : this.offset + 1;
    const last = this.offset + this.rows.length;
    const count = document.createElement('span');
    count.className = 'galilean-Table-count';
    count.textContent = `rows ${first.toLocaleString()}–${last.toLocaleString()} of ${this.total.toLocaleString()}`;
    const prev = button('◀', 'Previous page', () => {
      void this.load(Math.max(0, this.offset - data.page_size));
    });
    prev.disabled = this.offset === 0;
    const next = button('▶', 'Next page', () => {
      void this.load(this.offset + data.page_size);
    });
    next.disabled = last >= this.total;
    const column = document.createElement('select');
    column.className = 'galilean-Table-filterColumn';
    for (const c of data.columns) {
      const option = document.createElement('option');
      option.value = option.textContent = c.name;
      option.selected = c.name === this.filterColumn;
      column.appendChild(option);
    }
    column.onchange = () => {
      this.filterColumn = column.value;
    };
    const filter = document.createElement('input');
    filter.className = 'galilean-Table-filter';
    filter.placeholder = 'contains…';
    filter.value = this.filterText;
    filter.onchange = () => {
      this.filterText = filter.value;
      void this.load(0);
    };
    bar.append(count, prev, next, column, filter);
    for (const [format, label] of [
      ['csv', 'CSV'],
      ['xlsx', 'Excel'],
      ['parquet', 'Parquet']
    ]) {
      const exporter = button(label, `Export as ${label}`, () => {
        void this.export(format);
      });
      exporter.dataset.format = format;
      exporter.classList.add('galilean-Table-export');
      bar.appendChild(exporter);
    }
    bar.appendChild(
      button('Profile', 'Profile with ydata-profiling', () => {
        void this.profile();
      })
    );
    node.appendChild(bar);

    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of data.columns) {
      const th = document.createElement('th');
      const sorted = this.sort.find(s => s.column === c.name);
      th.dataset.column = c.name;
      th.dataset.sort = sorted ? (sorted.descending ? 'desc' : 'asc') : '';
      th.title = 'Sort';
      th.innerHTML = '';
      const name = document.createElement('span');
      name.textContent = c.name + (sorted ? (sorted.descending ? ' ↓' : ' ↑') : '');
      const type = document.createElement('span');
      type.className = 'galilean-Table-type';
      type.textContent = c.type;
      th.append(name, type);
      th.onclick = () => this.toggleSort(c.name);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of this.rows) {
      const tr = body.insertRow();
      for (const value of row) {
        const td = tr.insertCell();
        td.textContent = value === null ? '' : String(value);
        if (value === null) {
          td.className = 'galilean-Table-null';
        }
      }
    }
    node.appendChild(table);
    const message = document.createElement('div');
    message.className = 'galilean-Table-message';
    message.textContent = this.message;
    node.appendChild(message);
  }
}

function button(
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

export const tablePlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:tables',
  description: 'DataFrames as tables paged, sorted and filtered in the kernel.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker
  ) => {
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [TABLE_MIME],
        defaultRank: 40,
        createRenderer: options => new TableWidget(tracker, options.mimeType)
      },
      40
    );
  }
};
