import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';

import { IConnections } from '../connections/tokens';
import { LAUNCHER_CATEGORY } from '../tokens';
import { sqlChoice } from './magic';
import { SqlCells } from './sqlcell';
import { CommandIDs, ISqlCells } from './tokens';

function addToggle(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  cells: SqlCells
): void {
  app.commands.addCommand(CommandIDs.toggleSqlCell, {
    label: args => (args.toolbar ? 'SQL' : 'Toggle SQL cell'),
    caption: 'Run this cell as SQL on a named connection',
    isEnabled: () => tracker.activeCell instanceof CodeCell,
    execute: async () => {
      const cell = tracker.activeCell;
      const panel = tracker.currentWidget;
      if (!cell || !panel) {
        return;
      }
      if (sqlChoice(cell)) {
        cells.unset(cell);
      } else {
        await cells.create(panel, cell, 'duckdb');
      }
    }
  });
}

/** SQL cells with a connection picker and a named DataFrame result. */
export const sqlCellPlugin: JupyterFrontEndPlugin<ISqlCells> = {
  id: '@galilean/labextension:sql-cells',
  description:
    'SQL cells with a connection picker and a named DataFrame result.',
  autoStart: true,
  requires: [INotebookTracker, IConnections],
  optional: [ICommandPalette],
  provides: ISqlCells,
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    connections: IConnections,
    palette: ICommandPalette | null
  ): ISqlCells => {
    const cells = new SqlCells(connections, tracker, app);
    addToggle(app, tracker, cells);
    palette?.addItem({
      command: CommandIDs.toggleSqlCell,
      category: LAUNCHER_CATEGORY
    });
    tracker.widgetAdded.connect((_, panel) => {
      const notebook = panel.content;
      const all = () => notebook.widgets.forEach(cell => cells.decorate(cell));
      void panel.context.ready.then(all);
      notebook.model?.cells.changed.connect(() => {
        requestAnimationFrame(all);
      });
    });
    return cells;
  }
};
