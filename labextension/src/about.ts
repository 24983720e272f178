import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { Widget } from '@lumino/widgets';

import { galileanIcon } from './icons';
import { requestAPI } from './request';
import { CommandIDs, IPlatformStatus, LAUNCHER_CATEGORY } from './tokens';

/** The about panel: what Galilean is and which of its features this server offers. */
export class AboutPanel extends Widget {
  constructor() {
    super();
    this.addClass('galilean-About');
    this.id = 'galilean-about';
    this.title.label = 'About Galilean';
    this.title.icon = galileanIcon;
    this.title.closable = true;
  }

  async refresh(): Promise<void> {
    this.node.replaceChildren(heading('Galilean'));
    const intro = document.createElement('p');
    intro.textContent =
      'A batteries-included JupyterHub: workspaces, SQL, pipelines, datasets and AI, ' +
      'on your own hardware.';
    this.node.appendChild(intro);
    try {
      const status = await requestAPI<IPlatformStatus>('status');
      this.node.appendChild(summary(status));
      this.node.appendChild(featureList(status));
    } catch (error) {
      const message = document.createElement('p');
      message.className = 'galilean-About-error';
      message.textContent = (error as Error).message;
      this.node.appendChild(message);
    }
  }
}

function heading(text: string): HTMLElement {
  const h = document.createElement('h2');
  h.textContent = text;
  return h;
}

function summary(status: IPlatformStatus): HTMLElement {
  const p = document.createElement('p');
  p.className = 'galilean-About-summary';
  p.textContent = `Version ${status.version}, ${status.mode} mode.`;
  return p;
}

function featureList(status: IPlatformStatus): HTMLElement {
  const list = document.createElement('ul');
  list.className = 'galilean-About-features';
  for (const feature of status.features) {
    const item = document.createElement('li');
    item.dataset.feature = feature.name;
    item.dataset.available = String(feature.available);
    item.textContent = feature.available
      ? `✓ ${feature.title}`
      : `✗ ${feature.title} (${feature.reason})`;
    list.appendChild(item);
  }
  return list;
}

/** The about panel and the Galilean launcher section. */
export const aboutPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:about',
  description: 'The Galilean launcher section and about panel.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null
  ) => {
    let panel: MainAreaWidget<AboutPanel> | null = null;
    app.commands.addCommand(CommandIDs.openAbout, {
      label: 'About Galilean',
      caption: 'What Galilean offers on this server',
      icon: galileanIcon,
      execute: async () => {
        if (panel === null || panel.isDisposed) {
          panel = new MainAreaWidget({ content: new AboutPanel() });
          panel.id = 'galilean-about-panel';
          panel.title.label = 'About Galilean';
          panel.title.icon = galileanIcon;
        }
        if (!panel.isAttached) {
          app.shell.add(panel, 'main');
        }
        app.shell.activateById(panel.id);
        await panel.content.refresh();
      }
    });
    const hubPrefix = PageConfig.getOption('hubPrefix');
    app.commands.addCommand(CommandIDs.openWorkspaces, {
      label: 'Workspaces',
      caption: 'Start, stop and create workspaces on the hub home page',
      icon: galileanIcon,
      isEnabled: () => hubPrefix !== '',
      execute: () => {
        window.open(`${hubPrefix}home`, '_blank', 'noopener');
      }
    });
    if (launcher) {
      launcher.add({ command: CommandIDs.openAbout, category: LAUNCHER_CATEGORY, rank: 0 });
      if (hubPrefix) {
        launcher.add({
          command: CommandIDs.openWorkspaces,
          category: LAUNCHER_CATEGORY,
          rank: 1
        });
      }
    }
    if (palette) {
      palette.addItem({ command: CommandIDs.openAbout, category: LAUNCHER_CATEGORY });
      palette.addItem({ command: CommandIDs.openWorkspaces, category: LAUNCHER_CATEGORY });
    }
  }
};
