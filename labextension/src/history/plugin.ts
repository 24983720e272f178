/**
 * Notebooks' version history: the History panel (right sidebar, "Version history" in the
 * palette and the notebook's context menu), a version compared with the notebook now in
 * nbdime's diff view (left: the version, right: now, cell by cell), and restore (after a
 * confirm; the state it replaces is kept as a version first). With collaboration on, a
 * restored notebook reaches everyone who has it open: the server writes the file and the
 * collaboration room reloads it.
 */
import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  showDialog,
  ToolbarButton
} from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';
import { NotebookDiffModel } from 'nbdime/lib/diff/model';
import { NotebookDiffWidget } from 'nbdime/lib/diff/widget';

import { HistoryClient, ISnapshot } from './client';
import { historyIcon, HistorySidebar, snapshotTime } from './panel';

export const OPEN_HISTORY = 'galilean:notebook-history';

function legend(snapshot: ISnapshot, deleted: boolean): Widget {
  const node = document.createElement('p');
  node.className = 'jp-GalileanHistory-legend';
  node.textContent =
    `Left: the version of ${snapshotTime(snapshot)} (${snapshot.reason}); ` +
    (deleted
      ? 'right: nothing — the notebook was deleted since. '
      : 'right: the notebook now. ') +
    'Green is what was added since, red what was removed.';
  return new Widget({ node });
}

class HistoryActions {
  private readonly open = new Map<string, MainAreaWidget>();

  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly client: HistoryClient,
    private readonly rendermime: IRenderMimeRegistry,
    private readonly refresh: () => Promise<void>
  ) {}

  async compare(path: string, snapshot: ISnapshot): Promise<void> {
    const key = `${path}\n${snapshot.id}`;
    this.open.get(key)?.dispose();
    const data = await this.client.diff(path, snapshot.id);
    const model = new NotebookDiffModel(data.base, data.diff);
    const diff = new NotebookDiffWidget({ model, rendermime: this.rendermime });
    await diff.init();
    const content = new Panel();
    content.addClass('jp-GalileanHistory-compare');
    content.addWidget(legend(snapshot, data.deleted));
    content.addWidget(diff);
    const main = new MainAreaWidget({ content });
    main.id = `galilean-history-${snapshot.id}`;
    main.title.label = `${path.split('/').pop()} — ${snapshotTime(snapshot)}`;
    main.title.icon = historyIcon;
    main.title.closable = true;
    main.toolbar.addItem(
      'restore',
      new ToolbarButton({
        label: 'Restore this version',
        tooltip:
          'The notebook becomes this version; what it is now is kept first',
        onClick: () => void this.restore(path, snapshot)
      })
    );
    main.disposed.connect(() => this.open.delete(key));
    this.open.set(key, main);
    this.app.shell.add(main, 'main', { mode: 'split-right' });
  }

  async restore(path: string, snapshot: ISnapshot): Promise<boolean> {
    const answer = await showDialog({
      title: 'Restore this version?',
      body:
        `${path} becomes the version of ${snapshotTime(snapshot)} ` +
        `(${snapshot.cells} cells). What it is now is kept as a version first, ` +
        'so you can come back to it.',
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Restore' })]
    });
    if (!answer.button.accept) {
      return false;
    }
    await this.client.restore(path, snapshot.id);
    this.open.get(`${path}\n${snapshot.id}`)?.dispose();
    Notification.success(
      `Restored the version of ${snapshotTime(snapshot)}; the one it replaced is in the history.`,
      { autoClose: 5000 }
    );
    await this.refresh();
    return true;
  }
}

export const historyPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:history',
  description:
    "Notebooks' version history: kept versions, compared with now (nbdime), restored.",
  autoStart: true,
  requires: [ILabShell, INotebookTracker, IRenderMimeRegistry],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    palette: ICommandPalette | null
  ): void => {
    const client = new HistoryClient();
    let sidebar: HistorySidebar | null = null;
    const actions = new HistoryActions(app, client, rendermime, () =>
      sidebar ? sidebar.refresh() : Promise.resolve()
    );
    sidebar = new HistorySidebar(tracker, client, actions);
    shell.add(sidebar, 'right', { rank: 900 });
    app.commands.addCommand(OPEN_HISTORY, {
      label: 'Version history',
      caption: "The notebook's kept versions: compare with now, restore",
      icon: historyIcon,
      execute: () => shell.activateById('galilean-history')
    });
    palette?.addItem({
      command: OPEN_HISTORY,
      category: 'Notebook Operations'
    });
    app.contextMenu.addItem({
      command: OPEN_HISTORY,
      selector: '.jp-Notebook',
      rank: 90
    });
  }
};
