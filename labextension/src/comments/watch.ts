/**
 * Which cells of a notebook have comments, kept current as cells come and go and their
 * metadata changes (locally or from a collaborator): a badge on each cell with open
 * threads (click: the Comments panel, that cell active), and a signal for the panel.
 */
import { Cell, ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { METADATA_KEY, openCount, threadsOf } from './threads';

const BADGE = 'jp-GalileanComments-badge';

export class CommentsWatch {
  private readonly watched = new Set<ICellModel>();
  private readonly changedSignal = new Signal<this, void>(this);
  private scheduled = false;

  constructor(
    readonly panel: NotebookPanel,
    private readonly openCell: (panel: NotebookPanel, cell: Cell) => void
  ) {
    void panel.context.ready.then(() => this.start());
  }

  /** Comments changed somewhere in the notebook. */
  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  private start(): void {
    const model = this.panel.content.model;
    if (!model || this.panel.isDisposed) {
      return;
    }
    model.cells.changed.connect(this.cellsChanged, this);
    for (const cell of model.cells) {
      this.watch(cell);
    }
    this.schedule();
  }

  private watch(cell: ICellModel): void {
    if (!this.watched.has(cell)) {
      this.watched.add(cell);
      cell.metadataChanged.connect(this.schedule, this);
    }
  }

  private cellsChanged(
    _: unknown,
    change: { newValues: ICellModel[]; oldValues: ICellModel[] }
  ): void {
    for (const cell of change.newValues) {
      this.watch(cell);
    }
    for (const cell of change.oldValues) {
      this.watched.delete(cell);
      cell.metadataChanged.disconnect(this.schedule, this);
    }
    this.schedule();
  }

  /** One update per frame, whatever the number of changes in it. */
  private schedule(): void {
    if (this.scheduled) {
      return;
    }
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (!this.panel.isDisposed) {
        this.updateBadges();
        this.changedSignal.emit();
      }
    });
  }

  private updateBadges(): void {
    for (const cell of this.panel.content.widgets) {
      const open = openCount(threadsOf(cell.model.getMetadata(METADATA_KEY)));
      let badge = cell.node.querySelector<HTMLButtonElement>(
        `:scope > .${BADGE}`
      );
      if (!open) {
        badge?.remove();
        continue;
      }
      if (!badge) {
        badge = document.createElement('button');
        badge.className = BADGE;
        badge.addEventListener('click', event => {
          event.stopPropagation();
          this.openCell(this.panel, cell);
        });
        cell.node.appendChild(badge);
      }
      const text = `${open} comment${open > 1 ? 's' : ''}`;
      if (badge.textContent !== text) {
        badge.textContent = text;
        badge.title = `${open} open comment thread${open > 1 ? 's' : ''}: show`;
      }
    }
  }
}
