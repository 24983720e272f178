/**
 * Comments on cells: the Comments panel (right sidebar), a badge on every cell with open
 * threads, and "Comment on this cell" in a cell's context menu and the palette. Comments
 * are kept in the cells' metadata (threads.ts): they travel with the notebook and reach
 * collaborators through jupyter-collaboration like any edit. Authors are the signed-in
 * user's name (the hub's, under JupyterHub).
 */
import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { CommentsSidebar } from './panel';
import { CommentsWatch } from './watch';

export const COMMENT_ON_CELL = 'galilean:comment-on-cell';

export const commentsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:comments',
  description:
    'Comments on cells: threads, replies, resolve; kept in the notebook.',
  autoStart: true,
  requires: [ILabShell, INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ): void => {
    const watches = new Map<NotebookPanel, CommentsWatch>();
    const focusComposer = () =>
      requestAnimationFrame(() =>
        document
          .querySelector<HTMLTextAreaElement>('#galilean-comments textarea')
          ?.focus()
      );
    const openCell = (panel: NotebookPanel, cell: Cell) => {
      const index = panel.content.widgets.indexOf(cell);
      if (index >= 0) {
        panel.content.activeCellIndex = index;
      }
      shell.activateById('galilean-comments');
      focusComposer();
    };
    const watchOf = (panel: NotebookPanel): CommentsWatch => {
      let watch = watches.get(panel);
      if (!watch) {
        watch = new CommentsWatch(panel, openCell);
        watches.set(panel, watch);
        panel.disposed.connect(() => watches.delete(panel));
      }
      return watch;
    };
    tracker.widgetAdded.connect((_, panel) => void watchOf(panel));
    tracker.forEach(panel => void watchOf(panel));
    const me = () => app.serviceManager.user.identity?.username ?? 'me';
    const sidebar = new CommentsSidebar(tracker, watchOf, me);
    shell.add(sidebar, 'right', { rank: 910 });
    app.commands.addCommand(COMMENT_ON_CELL, {
      label: 'Comment on this cell',
      caption: 'Start a comment thread on the active cell',
      isEnabled: () => !!tracker.activeCell,
      execute: () => {
        shell.activateById('galilean-comments');
        focusComposer();
      }
    });
    palette?.addItem({
      command: COMMENT_ON_CELL,
      category: 'Notebook Operations'
    });
    app.contextMenu.addItem({
      command: COMMENT_ON_CELL,
      selector: '.jp-Notebook .jp-Cell',
      rank: 91
    });
  }
};
