/**
 * Inline code completion (ghost text in the editor, Tab accepts) served by the hub's AI
 * gateway through this server (POST /galilean/ai/complete): JupyterLab's inline completer
 * API, as jupyter-ai 3 no longer ships one. Asked after a pause in typing, or at once with
 * Alt+\; a refusal (budget spent, no model) shows no ghost text and is logged once.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  CompletionHandler,
  ICompletionProviderManager,
  IInlineCompletionContext,
  IInlineCompletionList,
  IInlineCompletionProvider
} from '@jupyterlab/completer';

import { requestAPI } from '../request';
import { languageOf, split } from './completion_request';

export const PROVIDER_ID = '@galilean/labextension:ai-inline';

interface ICompletionReply {
  text: string;
  model: string;
}

export class GatewayInlineProvider implements IInlineCompletionProvider {
  readonly identifier = PROVIDER_ID;
  readonly name = "Galilean's AI gateway";
  readonly schema = {
    default: { enabled: true, debouncerDelay: 400, timeout: 15000 }
  };
  private _warned = false;

  async fetch(
    request: CompletionHandler.IRequest,
    context: IInlineCompletionContext
  ): Promise<IInlineCompletionList> {
    const { prefix, suffix } = split(request);
    if (!prefix.trim()) {
      return { items: [] };
    }
    try {
      const reply = await requestAPI<ICompletionReply>('ai/complete', {
        method: 'POST',
        body: JSON.stringify({
          prefix,
          suffix,
          language: languageOf(request.mimeType)
        })
      });
      return { items: reply.text ? [{ insertText: reply.text }] : [] };
    } catch (error) {
      if (!this._warned) {
        this._warned = true;
        console.warn(`Galilean: no inline completion: ${String(error)}`);
      }
      return { items: [] };
    }
  }
}

export const aiCompletionPlugin: JupyterFrontEndPlugin<void> = {
  id: PROVIDER_ID,
  description:
    "Inline code completion from the hub's AI gateway (ghost text; Tab accepts).",
  autoStart: true,
  requires: [ICompletionProviderManager],
  activate: (_app: JupyterFrontEnd, manager: ICompletionProviderManager) => {
    manager.registerInlineProvider(new GatewayInlineProvider());
  }
};
