/**
 * Which workspace this is: its title in the status bar (click: the hub's workspaces
 * page) and in the browser tab's title ("<title> — Galilean"). The server says which
 * (GET /galilean/status `workspace`, from what the hub passes); JupyterLab's own
 * `hubServerName` page option is the fallback.
 *
 * Its owner also gets a Share button (top bar; the palette's "Share this workspace…"):
 * it opens the hub's Share page for this workspace, where sharing is managed with the
 * owner's hub login (never with this server's token, which a guest could read).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { isOwner } from '../owner';
import { requestAPI } from '../request';
import { IPlatformStatus } from '../tokens';

export { isOwner };

interface IWorkspace {
  name: string;
  title: string;
}

/** The workspace from the status answer, or from the page options. */
export async function currentWorkspace(): Promise<IWorkspace | null> {
  const serverName = PageConfig.getOption('hubServerName');
  try {
    const status = await requestAPI<
      IPlatformStatus & { workspace?: IWorkspace }
    >('status');
    if (status.workspace && (status.workspace.title || status.workspace.name)) {
      return {
        name: status.workspace.name,
        title: status.workspace.title || status.workspace.name
      };
    }
  } catch {
    // The server extension did not answer: the page options still say which server.
  }
  if (!PageConfig.getOption('hubPrefix')) {
    return null; // not under the hub: no workspaces
  }
  return { name: serverName, title: serverName || 'Default' };
}

/** "<title> — Galilean" as the browser tab's title, kept when JupyterLab changes it. */
function keepTabTitle(app: JupyterFrontEnd, title: string): void {
  const wanted = `${title} — Galilean`;
  const apply = () => {
    if (document.title !== wanted) {
      document.title = wanted;
    }
  };
  apply();
  const node = document.querySelector('title');
  if (node) {
    new MutationObserver(apply).observe(node, {
      childList: true,
      characterData: true,
      subtree: true
    });
  }
  app.restored.then(apply).catch(() => undefined);
}

export const SHARE_COMMAND = 'galilean:share-workspace';

/** The hub's Share page of the workspace `name` ("" : the default one). */
export function sharePageUrl(hubPrefix: string, name: string): string {
  return URLExt.join(hubPrefix, 'galilean/share/') + encodeURIComponent(name);
}

function addShareButton(
  app: JupyterFrontEnd,
  workspace: IWorkspace,
  palette: ICommandPalette | null
): void {
  const url = sharePageUrl(PageConfig.getOption('hubPrefix'), workspace.name);
  app.commands.addCommand(SHARE_COMMAND, {
    label: 'Share this workspace…',
    caption: 'Share this workspace with hub users or groups (opens the hub)',
    execute: () => {
      window.open(url, '_blank', 'noopener');
    }
  });
  palette?.addItem({ command: SHARE_COMMAND, category: 'Galilean' });
  const button = new Widget({ node: document.createElement('button') });
  button.id = 'galilean-share-button';
  button.addClass('galilean-ShareButton');
  button.node.textContent = 'Share';
  button.node.title = 'Share this workspace with hub users or groups';
  button.node.addEventListener('click', () => {
    void app.commands.execute(SHARE_COMMAND);
  });
  app.shell.add(button, 'top', { rank: 1000 });
}

export const workspacePlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:workspace',
  description:
    'Shows which workspace this is (status bar, browser tab title); its owner can share it.',
  autoStart: true,
  optional: [IStatusBar, ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    statusBar: IStatusBar | null,
    palette: ICommandPalette | null
  ) => {
    const workspace = await currentWorkspace();
    if (workspace === null) {
      return;
    }
    keepTabTitle(app, workspace.title);
    if (isOwner(name => PageConfig.getOption(name))) {
      addShareButton(app, workspace, palette);
    }
    if (!statusBar) {
      return;
    }
    const item = new Widget({ node: document.createElement('a') });
    item.addClass('galilean-Workspace');
    const link = item.node as HTMLAnchorElement;
    link.href = `${PageConfig.getOption('hubPrefix')}home`;
    link.target = '_blank';
    link.rel = 'noopener';
    link.dataset.workspace = workspace.name;
    link.textContent = `Workspace: ${workspace.title}`;
    link.title = 'Your workspaces (opens the hub home page)';
    statusBar.registerStatusItem('@galilean/labextension:workspace', {
      item,
      align: 'left',
      rank: -1
    });
  }
};
