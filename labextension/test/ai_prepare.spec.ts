import { Widget } from '@lumino/widgets';

import { whenFirstShown } from '../src/ai/prepare';
import { CHAT_PANEL_ID, chatPanel } from '../src/ai/tokens';

describe('asking for the AI chat when its panel is shown', () => {
  it('finds the chat side panel in either sidebar', () => {
    const other = new Widget();
    other.id = 'filebrowser';
    const chat = new Widget();
    chat.id = CHAT_PANEL_ID;
    const areas = { left: [other], right: [chat] };
    expect(chatPanel(area => areas[area])).toBe(chat);
    expect(chatPanel(area => (area === 'left' ? [other] : []))).toBeNull();
  });

  it('asks once, when the panel is first shown', () => {
    const panel = new Widget();
    panel.hide();
    Widget.attach(panel, document.body);
    const ask = jest.fn();
    whenFirstShown(panel, ask);
    expect(ask).not.toHaveBeenCalled();
    panel.show();
    expect(ask).toHaveBeenCalledTimes(1);
    panel.hide();
    panel.show();
    expect(ask).toHaveBeenCalledTimes(1);
    Widget.detach(panel);
  });

  it('asks at once when the panel is visible already', () => {
    const panel = new Widget();
    Widget.attach(panel, document.body);
    const ask = jest.fn();
    whenFirstShown(panel, ask);
    expect(ask).toHaveBeenCalledTimes(1);
    Widget.detach(panel);
  });
});
