import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { chatPanel } from '../ai/tokens';
import { hubBase, requestAPI } from '../request';
import { CommandIDs as SqlCommandIDs } from '../sql/tokens';
import { IFeatureStatus, IPlatformStatus, LAUNCHER_CATEGORY } from '../tokens';
import { galileanIcon } from './icons';
import { CommandIDs } from './tokens';

/** The About panel's entries open their feature: a command, or a page in a new tab. */
interface IFeatureEntry extends IFeatureStatus {
  usage: string;
  enable: string;
  command: string;
  url: string;
}

/** The about panel: what Galilean is and which of its features this server offers. */
export class AboutPanel extends Widget {
  constructor(private app: JupyterFrontEnd) {
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
      'JupyterHub with SQL, data pipelines and collaboration built in, on your own ' +
      'hardware. Click a feature to open it.';
    this.node.appendChild(intro);
    try {
      const status = await requestAPI<IPlatformStatus>('status');
      this.node.appendChild(summary(status));
      this.node.appendChild(featureList(status, this.app));
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

function featureList(
  status: IPlatformStatus,
  app: JupyterFrontEnd
): HTMLElement {
  const list = document.createElement('ul');
  list.className = 'galilean-About-features';
  for (const feature of status.features as IFeatureEntry[]) {
    const item = document.createElement('li');
    item.dataset.feature = feature.name;
    item.dataset.available = String(feature.available);
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'galilean-About-open';
    const mark = document.createElement('span');
    mark.className = 'galilean-About-mark';
    mark.textContent = feature.available ? '✓' : '✗';
    const title = document.createElement('span');
    title.className = 'galilean-About-title';
    title.textContent = feature.title;
    open.append(mark, title);
    const target = feature.command || feature.url;
    if (target) {
      open.title = feature.url
        ? `Open ${feature.title} in a new tab`
        : `Open ${feature.title}`;
      open.onclick = () => void openFeature(app, feature);
    } else {
      open.disabled = true;
    }
    const usage = document.createElement('div');
    usage.className = 'galilean-About-usage';
    usage.textContent = feature.usage;
    item.append(open, usage);
    if (!feature.available) {
      const why = document.createElement('div');
      why.className = 'galilean-About-enable';
      why.textContent =
        `Not set up: ${feature.reason}.` +
        (feature.enable ? ` ${feature.enable}` : '');
      item.appendChild(why);
    }
    list.appendChild(item);
  }
  return list;
}

async function openFeature(
  app: JupyterFrontEnd,
  feature: IFeatureEntry
): Promise<void> {
  if (feature.command) {
    await app.commands.execute(feature.command);
  } else if (feature.url) {
    window.open(`${hubBase()}${feature.url}`, '_blank', 'noopener');
  }
}

/** The chat side panel of jupyterlab-chat (jupyter-ai), if it is there. */
function chatPanelId(app: JupyterFrontEnd): string | null {
  return chatPanel(area => app.shell.widgets(area))?.id ?? null;
}

function addFeatureCommands(app: JupyterFrontEnd): void {
  app.commands.addCommand(CommandIDs.newSqlNotebook, {
    label: 'New notebook with a SQL cell',
    execute: async () => {
      const kernelName =
        app.serviceManager.kernelspecs.specs?.default ?? 'python3';
      const panel = (await app.commands.execute('notebook:create-new', {
        kernelName
      })) as NotebookPanel;
      await panel.context.ready;
      await panel.sessionContext.ready;
      app.shell.activateById(panel.id);
      panel.content.activeCellIndex = 0;
      await app.commands.execute(SqlCommandIDs.toggleSqlCell);
    }
  });
  app.commands.addCommand(CommandIDs.openAiChat, {
    label: 'Open the AI chat',
    isEnabled: () => chatPanelId(app) !== null,
    execute: () => {
      const id = chatPanelId(app);
      if (id) {
        app.shell.activateById(id);
      }
    }
  });
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
    addFeatureCommands(app);
    app.commands.addCommand(CommandIDs.openAbout, {
      label: 'About Galilean',
      caption: 'What Galilean offers on this server',
      icon: galileanIcon,
      execute: async () => {
        if (panel === null || panel.isDisposed) {
          panel = new MainAreaWidget({ content: new AboutPanel(app) });
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
      launcher.add({
        command: CommandIDs.openAbout,
        category: LAUNCHER_CATEGORY,
        rank: 0
      });
      if (hubPrefix) {
        launcher.add({
          command: CommandIDs.openWorkspaces,
          category: LAUNCHER_CATEGORY,
          rank: 1
        });
      }
    }
    if (palette) {
      palette.addItem({
        command: CommandIDs.openAbout,
        category: LAUNCHER_CATEGORY
      });
      palette.addItem({
        command: CommandIDs.openWorkspaces,
        category: LAUNCHER_CATEGORY
      });
    }
  }
};
