/**
 * What other features may use of the AI chat's: finding its side panel.
 */
import { Widget } from '@lumino/widgets';

/** jupyterlab-chat's side panel's id (jupyterlab-chat 0.x names it so). */
export const CHAT_PANEL_ID = 'JupyterlabChat:sidepanel';

/** jupyterlab-chat's side panel (jupyter-ai's chat), if it is there. */
export function chatPanel(
  widgets: (area: 'left' | 'right') => Iterable<Widget>
): Widget | null {
  for (const area of ['left', 'right'] as const) {
    for (const widget of widgets(area)) {
      if (widget.id === CHAT_PANEL_ID) {
        return widget;
      }
    }
  }
  return null;
}
