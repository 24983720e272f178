import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { SecretsClient } from './client';
import { SecretsSidebar } from './panel';

export const OPEN_SECRETS = 'galilean:open-secrets';

/** The Secrets sidebar (the hub's vault, through this server's bridge). */
export const secretsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:secrets',
  description: 'The Secrets panel: your secrets by name; add, replace, delete.',
  autoStart: true,
  requires: [ILabShell],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    palette: ICommandPalette | null
  ): void => {
    const sidebar = new SecretsSidebar(new SecretsClient());
    shell.add(sidebar, 'left', { rank: 660 });
    app.commands.addCommand(OPEN_SECRETS, {
      label: 'Open the Secrets panel',
      execute: () => shell.activateById(sidebar.id)
    });
    palette?.addItem({ command: OPEN_SECRETS, category: 'Galilean' });
  }
};
