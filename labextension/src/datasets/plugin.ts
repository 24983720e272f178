import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { DatasetsClient } from './client';
import { NodeAction } from './lineage_model';
import { openExplorer } from './explorer_widget';
import { lineageWidget } from './lineage_widget';
import { CommandIDs, IDatasets } from './tokens';
import { datasetsIcon, DatasetsSidebar } from './widget';

/** The folder the file browser's context menu was opened on, if a folder. */
function selectedFolder(browser: IDefaultFileBrowser | null): string | null {
  const item = browser?.selectedItems().next();
  if (!item || item.done || item.value.type !== 'directory') {
    return null;
  }
  return item.value.path;
}

/** The Datasets sidebar, its client (IDatasets) and the file browser's command. */
export const datasetsPlugin: JupyterFrontEndPlugin<IDatasets> = {
  id: '@galilean/labextension:datasets',
  description:
    'The Datasets panel: datasets, snapshots, diff, restore, tags, sampling, export, lineage, cleanup.',
  autoStart: true,
  requires: [ILabShell],
  optional: [IDefaultFileBrowser, IRenderMimeRegistry],
  provides: IDatasets,
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    browser: IDefaultFileBrowser | null,
    rendermime: IRenderMimeRegistry | null
  ): IDatasets => {
    const client = new DatasetsClient();
    const lineageActions = new Map<number, (action: NodeAction) => void>();
    const sidebar = new DatasetsSidebar({
      client,
      user: PageConfig.getOption('hubUser'),
      currentFolder: () => browser?.model.path ?? '',
      onRestored: () => void browser?.model.refresh(),
      openPath: path => void app.commands.execute('docmanager:open', { path }),
      // The MLflow tab (src/mlflow) when this server offers MLflow, else a browser tab.
      openMlflow: url =>
        app.commands.hasCommand('galilean:open-mlflow') &&
        app.commands.isEnabled('galilean:open-mlflow')
          ? void app.commands.execute('galilean:open-mlflow', { url })
          : void window.open(url, '_blank', 'noopener'),
      openLineage: (dataset, onAction) => {
        // The graph's clicks go to the dataset's view shown last.
        lineageActions.set(dataset.id, onAction);
        const id = `galilean-datasets-lineage-${dataset.id}`;
        const open = [...shell.widgets('main')].find(w => w.id === id);
        const widget =
          open ??
          lineageWidget({
            client,
            dataset,
            onAction: action => lineageActions.get(dataset.id)?.(action)
          });
        if (!open) {
          shell.add(widget, 'main');
        }
        shell.activateById(widget.id);
      },
      openExplorer: rendermime
        ? (dataset, writable, onEdited) =>
            openExplorer(shell, {
              client,
              rendermime,
              dataset,
              writable,
              onEdited
            })
        : undefined
    });
    shell.add(sidebar, 'left', { rank: 650 });
    app.commands.addCommand(CommandIDs.open, {
      label: 'Open the Datasets panel',
      execute: () => shell.activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.fromFolder, {
      label: 'Make a dataset of this folder',
      caption: 'Snapshot this folder as a dataset (Datasets panel)',
      icon: datasetsIcon,
      isVisible: () => selectedFolder(browser) !== null,
      execute: () => {
        const folder = selectedFolder(browser);
        if (folder !== null) {
          shell.activateById(sidebar.id);
          sidebar.startNew(folder);
        }
      }
    });
    app.contextMenu.addItem({
      command: CommandIDs.fromFolder,
      selector: '.jp-DirListing-item[data-isdir="true"]',
      rank: 10
    });
    return client;
  }
};
