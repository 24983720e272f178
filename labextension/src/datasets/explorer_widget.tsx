/**
 * A dataset's explorer in the main area ("Explore <name>"), one per dataset: the sidebar
 * opens it (`openExplorer`), again activates it.
 */
import { ILabShell } from '@jupyterlab/application';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { ExplorerView, IExplorerClient } from './explorer';
import { IDataset } from './tokens';

export interface IExplorerOptions {
  client: IExplorerClient;
  rendermime: IRenderMimeRegistry;
  dataset: IDataset;
  writable: boolean;
  onEdited(number: number): void;
}

class ExplorerContent extends ReactWidget {
  constructor(private options: IExplorerOptions) {
    super();
    this.addClass('jp-GalileanDatasets');
    this.addClass('jp-GalileanExplorer-panel');
  }

  protected render(): JSX.Element {
    return <ExplorerView {...this.options} />;
  }
}

export function explorerId(dataset: IDataset): string {
  return `galilean-datasets-explorer-${dataset.id}`;
}

/** Show `options.dataset`'s explorer in the main area (the open one, if any). */
export function openExplorer(
  shell: ILabShell,
  options: IExplorerOptions
): void {
  const id = explorerId(options.dataset);
  let widget = [...shell.widgets('main')].find(w => w.id === id);
  if (!widget) {
    const made = new MainAreaWidget({ content: new ExplorerContent(options) });
    made.id = id;
    made.title.label = `Explore ${options.dataset.name}`;
    made.title.closable = true;
    shell.add(made, 'main');
    widget = made;
  }
  shell.activateById(widget.id);
}
