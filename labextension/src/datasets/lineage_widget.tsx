/**
 * A dataset's lineage graph in the main area ("Lineage of <name>"), where it has room to
 * be read: the sidebar opens one per dataset (`openLineage`), again activates it.
 */
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { LineageView } from './lineage';
import { NodeAction } from './lineage_model';
import { IDataset, IDatasets } from './tokens';

export interface ILineageOptions {
  client: IDatasets;
  dataset: IDataset;
  onAction(action: NodeAction): void;
}

class LineageContent extends ReactWidget {
  constructor(
    private options: ILineageOptions,
    private onClose: () => void
  ) {
    super();
    this.addClass('jp-GalileanDatasets');
    this.addClass('jp-GalileanDatasets-lineagePanel');
  }

  protected render(): JSX.Element {
    return (
      <LineageView
        client={this.options.client}
        dataset={this.options.dataset}
        onAction={action => this.options.onAction(action)}
        onClose={this.onClose}
      />
    );
  }
}

/** A main-area widget showing `options.dataset`'s lineage; `id` is per dataset. */
export function lineageWidget(options: ILineageOptions): MainAreaWidget {
  const holder: { widget?: MainAreaWidget } = {};
  const content = new LineageContent(options, () => holder.widget?.dispose());
  const widget = new MainAreaWidget({ content });
  holder.widget = widget;
  widget.id = `galilean-datasets-lineage-${options.dataset.id}`;
  widget.title.label = `Lineage of ${options.dataset.name}`;
  widget.title.closable = true;
  return widget;
}
