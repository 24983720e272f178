/**
 * The AI chat's engine (Jupyternaut, langchain, litellm: ~190 MB and seconds of CPU) is
 * loaded by the server only when the user turns to the chat. This asks for it once, as
 * soon as the chat's side panel is shown (POST /galilean/ai/prepare): by the time a chat
 * is picked or made, it is loaded or nearly. A chat opened some other way (its file
 * double-clicked) loads it then, on the server.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Message, MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { requestAPI } from '../request';
import { chatPanel } from './tokens';

/** Calls `ask` the first time `panel` is shown (now, if it is visible already). */
export function whenFirstShown(panel: Widget, ask: () => void): void {
  if (panel.isVisible) {
    ask();
    return;
  }
  const hook = (_handler: unknown, message: Message): boolean => {
    if (message.type === 'after-show') {
      MessageLoop.removeMessageHook(panel, hook);
      ask();
    }
    return true;
  };
  MessageLoop.installMessageHook(panel, hook);
}

export const aiPreparePlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:ai-prepare',
  description:
    "Asks the server to load the AI chat's engine when the chat is shown.",
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    void app.restored.then(() => {
      const panel = chatPanel(area => app.shell.widgets(area));
      if (!panel) {
        return;
      }
      whenFirstShown(panel, () => {
        // A server without the route (or not answering) loads it when a chat opens.
        requestAPI('ai/prepare', { method: 'POST' }).catch(() => undefined);
      });
    });
  }
};
