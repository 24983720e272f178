/**
 * The History panel (right sidebar): the kept versions of the notebook in front, newest
 * first — when, why (saved, before a guest joined, before a save that removed cells,
 * before a restore, by hand), who was in it, its cells and size. Each can be compared
 * with the notebook now (nbdime's cell-by-cell diff, in the main area) or restored; a
 * restore keeps the state it replaces first, so nothing is lost by trying one.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { errorText } from '../request';
import { HistoryClient, IHistory, ISnapshot, sizeText } from './client';

export const historyIcon = new LabIcon({
  name: 'galilean:history',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161"><path d="M13 3a9 9 0 0 0-9 9H1l3.9 3.9L9 12H6a7 ' +
    '7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3zm-1 5v5l4.25 2.52.77-1.28-3.52-2.09V8z"/>' +
    '</g></svg>'
});

/** What the panel's buttons do (the plugin: dialogs and the main area). */
export interface IHistoryActions {
  compare(path: string, snapshot: ISnapshot): Promise<void>;
  restore(path: string, snapshot: ISnapshot): Promise<boolean>;
}

/** "saved" → "Saved"; the rest as the server says. */
function reasonText(reason: string): string {
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

export function snapshotTime(snapshot: ISnapshot): string {
  return new Date(snapshot.time * 1000).toLocaleString();
}

const REFRESH_AFTER_SAVE_MS = 1500;

export class HistorySidebar extends ReactWidget {
  private path: string | null = null;
  private history: IHistory | null = null;
  private error = '';
  private busy = false;
  private watched: NotebookPanel | null = null;
  private timer: number | undefined;

  constructor(
    private readonly tracker: INotebookTracker,
    private readonly client: HistoryClient,
    private readonly actions: IHistoryActions
  ) {
    super();
    this.id = 'galilean-history';
    this.title.icon = historyIcon;
    this.title.caption = 'Version history';
    this.addClass('jp-GalileanHistory');
    tracker.currentChanged.connect(this.follow, this);
    this.follow();
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    super.dispose();
  }

  /** Follow the notebook in front; its saves refresh the list. */
  private follow(): void {
    const panel = this.tracker.currentWidget;
    if (this.watched) {
      this.watched.context.fileChanged.disconnect(this.saved, this);
    }
    this.watched = panel;
    panel?.context.fileChanged.connect(this.saved, this);
    this.path = panel ? panel.context.path : null;
    this.history = null;
    this.error = '';
    void this.refresh();
  }

  private saved(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(
      () => void this.refresh(),
      REFRESH_AFTER_SAVE_MS
    );
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const path = this.path;
    if (!path || !this.isVisible) {
      this.update();
      return;
    }
    try {
      const history = await this.client.list(path);
      if (path === this.path) {
        this.history = history;
        this.error = '';
      }
    } catch (error) {
      this.error = errorText(error);
    }
    this.update();
  }

  private async run(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.update();
    try {
      await work();
      this.error = '';
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.busy = false;
      await this.refresh();
    }
  }

  render(): JSX.Element {
    const path = this.path;
    if (!path) {
      return (
        <p className="jp-GalileanHistory-note">
          Open a notebook to see its versions.
        </p>
      );
    }
    const history = this.history;
    const keep = () => this.run(() => this.client.keep(path));
    return (
      <>
        <h2 title={path}>Versions of {path.split('/').pop()}</h2>
        <div className="jp-GalileanHistory-actions">
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={this.busy}
            onClick={keep}
          >
            Keep a version now
          </button>
          <button
            className="jp-mod-styled"
            disabled={this.busy}
            onClick={() => void this.refresh()}
          >
            Refresh
          </button>
        </div>
        {this.error && (
          <p className="jp-GalileanHistory-error" role="alert">
            {this.error}
          </p>
        )}
        {history && history.snapshots.length === 0 && (
          <p className="jp-GalileanHistory-note">
            No versions yet: one is kept when the notebook is saved.
          </p>
        )}
        <ol aria-label="Versions">
          {(history?.snapshots ?? []).map(snapshot => (
            <li key={snapshot.id} data-snapshot={snapshot.id}>
              <div className="jp-GalileanHistory-when">
                {snapshotTime(snapshot)}
              </div>
              <div className="jp-GalileanHistory-meta">
                {reasonText(snapshot.reason)} · {snapshot.author} ·{' '}
                {snapshot.cells} cells · {sizeText(snapshot.bytes)}
              </div>
              <div className="jp-GalileanHistory-actions">
                <button
                  className="jp-mod-styled"
                  disabled={this.busy}
                  onClick={() =>
                    this.run(() => this.actions.compare(path, snapshot))
                  }
                  title="Compare this version with the notebook now"
                >
                  Compare
                </button>
                <button
                  className="jp-mod-styled jp-mod-warn"
                  disabled={this.busy}
                  onClick={() =>
                    this.run(() => this.actions.restore(path, snapshot))
                  }
                >
                  Restore
                </button>
              </div>
            </li>
          ))}
        </ol>
        {history && (
          <p className="jp-GalileanHistory-note">
            Versions are kept when the notebook is saved (at most one every{' '}
            {Math.round(history.limits.min_interval_seconds / 60)} minutes),
            before a save that removes much of it, before a guest joins and
            before a restore; the last {history.limits.max_snapshots} are kept,
            for {history.limits.max_age_days} days.
          </p>
        )}
      </>
    );
  }
}
