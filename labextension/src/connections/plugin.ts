import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { ConnectionsClient } from './client';
import { connectionForm } from './connectionform';
import { IConnectionForm, IConnections } from './tokens';

/** The connection API's client, one per JupyterLab; reads the dialects at once. */
export const connectionsPlugin: JupyterFrontEndPlugin<IConnections> = {
  id: '@galilean/labextension:connections',
  description: 'The client of the server extension connection API.',
  autoStart: true,
  provides: IConnections,
  activate: (): IConnections => {
    const client = new ConnectionsClient();
    void client.dialects();
    return client;
  }
};

/** The add/edit form of a connection, with the server's dialects. */
export const connectionFormPlugin: JupyterFrontEndPlugin<IConnectionForm> = {
  id: '@galilean/labextension:connection-form',
  description: 'The form that adds, edits and tests a named connection.',
  autoStart: true,
  requires: [IConnections],
  provides: IConnectionForm,
  activate: (_, connections: IConnections): IConnectionForm => ({
    create: async (existing, done) =>
      connectionForm(connections, await connections.dialects(), existing, done)
  })
};
