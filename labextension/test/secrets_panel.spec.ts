/**
 * The Secrets panel (rendered in jsdom with the server's bridge answered by a table): the
 * user's own secrets; below them the hub's secrets for an admin (the names the hub keeps,
 * saved ones listed, never a value), and no such section for anyone else (the hub's 403).
 */

jest.mock('../src/request', () => ({
  ...jest.requireActual('../src/request'),
  requestAPI: jest.fn()
}));
import { SecretsClient } from '../src/secrets/client';
import { SecretsSidebar } from '../src/secrets/panel';
import { GalileanRequestError, requestAPI } from '../src/request';

import { act, createRoot } from './react_root';

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;
const MINE = { secrets: [{ name: 'WAREHOUSE', created: 1, updated: 2 }] };
const HUB = {
  secrets: [{ name: 'OPENAI_API_KEY', created: 1, updated: 2 }],
  names: ['ANTHROPIC_API_KEY', 'AZURE_API_KEY', 'OPENAI_API_KEY']
};

async function shown(admin: boolean): Promise<HTMLElement> {
  request.mockReset();
  request.mockImplementation(async endPoint => {
    if (endPoint === 'secrets') {
      return MINE;
    }
    if (endPoint === 'hub-secrets' && admin) {
      return HUB;
    }
    throw new GalileanRequestError('only admins', 403, null);
  });
  const host = document.createElement('div');
  document.body.appendChild(host);
  const root = createRoot(host);
  const sidebar = new SecretsSidebar(new SecretsClient());
  await act(async () => root.render(sidebar.render()));
  await act(async () => undefined);
  return host;
}

describe('the Secrets panel', () => {
  it("shows an admin the hub's secrets below their own", async () => {
    const host = await shown(true);
    const sections = Array.from(host.querySelectorAll('section')).map(s =>
      s.getAttribute('aria-label')
    );
    expect(sections).toEqual(['Secrets', 'Hub secrets']);
    const hub = host.querySelector('section[aria-label="Hub secrets"]')!;
    expect(hub.textContent).toContain('OPENAI_API_KEY');
    expect(hub.textContent).toContain(
      'Names kept: ANTHROPIC_API_KEY, AZURE_API_KEY, OPENAI_API_KEY'
    );
    expect(hub.querySelector('[aria-label="Replace OPENAI_API_KEY"]')).not.toBe(
      null
    );
    expect(host.textContent).not.toContain('only admins');
  });

  it('shows no hub section to a user the hub refuses', async () => {
    const host = await shown(false);
    const sections = Array.from(host.querySelectorAll('section')).map(s =>
      s.getAttribute('aria-label')
    );
    expect(sections).toEqual(['Secrets']);
    expect(host.textContent).toContain('WAREHOUSE');
    expect(host.querySelector('[role="alert"]')).toBe(null);
  });
});
