import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { IConnectionForm, IConnections } from '../connections/tokens';
import { ISqlCells } from '../sql/tokens';
import { SchemaBrowser } from './browser';
import { CommandIDs } from './tokens';

export const schemaPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:schema-browser',
  description: 'Connections, schemas, tables and columns in a sidebar.',
  autoStart: true,
  requires: [ILabShell, IConnections, IConnectionForm, ISqlCells],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    connections: IConnections,
    forms: IConnectionForm,
    sql: ISqlCells
  ) => {
    const browser = new SchemaBrowser(connections, forms, sql);
    shell.add(browser, 'left', { rank: 600 });
    app.commands.addCommand(CommandIDs.openSchemaBrowser, {
      label: 'Open the schema browser',
      execute: () => shell.activateById(browser.id)
    });
  }
};
