import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { TABLE_MIME, TableWidget } from './table';

export const tablePlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:tables',
  description: 'DataFrames as tables paged, sorted and filtered in the kernel.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker
  ) => {
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [TABLE_MIME],
        defaultRank: 40,
        createRenderer: options =>
          new TableWidget(app, tracker, options.mimeType)
      },
      40
    );
  }
};
