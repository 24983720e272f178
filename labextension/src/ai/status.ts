/**
 * The AI chat's connection status in the status bar (the seed's green/red dot): green when
 * the chat can answer (with the model it starts with and today's use), amber when no model
 * is set up for this user (the tooltip says what the admin sets), red when the hub's AI
 * gateway does not answer. Asked of the server (GET /galilean/ai/status) at start, every
 * minute while the page is visible, and when the page comes back; a click opens the chat.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../about/tokens';
import { pollWhileVisible } from '../poll';
import { requestAPI } from '../request';
import { describe, IAiStatus } from './describe';

const POLL_MS = 60_000;

function render(node: HTMLElement, status: IAiStatus | null): void {
  node.dataset.state = status?.state ?? 'unknown';
  node.title = status
    ? describe(status)
    : 'AI chat: this server did not say (Galilean server extension)';
  const label = node.querySelector('.galilean-AiStatus-label');
  if (label) {
    label.textContent =
      status?.state === 'ready' && status.model ? `AI: ${status.model}` : 'AI';
  }
}

export const aiStatusPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:ai-status',
  description: "The AI chat's connection status in the status bar.",
  autoStart: true,
  optional: [IStatusBar],
  activate: (app: JupyterFrontEnd, statusBar: IStatusBar | null) => {
    if (!statusBar) {
      return;
    }
    const node = document.createElement('div');
    node.setAttribute('role', 'button');
    node.tabIndex = 0;
    const dot = document.createElement('span');
    dot.className = 'galilean-AiStatus-dot';
    const label = document.createElement('span');
    label.className = 'galilean-AiStatus-label';
    node.append(dot, label);
    const item = new Widget({ node });
    item.addClass('galilean-AiStatus');
    render(node, null);
    const open = () => {
      if (app.commands.isEnabled(CommandIDs.openAiChat)) {
        void app.commands.execute(CommandIDs.openAiChat);
      }
    };
    node.addEventListener('click', open);
    node.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        open();
      }
    });
    const refresh = async () => {
      try {
        render(node, await requestAPI<IAiStatus>('ai/status'));
      } catch {
        render(node, null);
      }
    };
    void refresh();
    pollWhileVisible(() => void refresh(), POLL_MS);
    statusBar.registerStatusItem('@galilean/labextension:ai-status', {
      item,
      align: 'left',
      rank: 0
    });
  }
};
