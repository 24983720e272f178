import { isOwner, sharePageUrl } from '../src/workspace/workspace';

describe('the Share button', () => {
  it('opens the hub Share page of this workspace', () => {
    expect(sharePageUrl('/hub/', 'proj')).toBe('/hub/galilean/share/proj');
    expect(sharePageUrl('/jh/hub/', 'a-b')).toBe('/jh/hub/galilean/share/a-b');
  });

  it('keeps the trailing slash for the default workspace', () => {
    expect(sharePageUrl('/hub/', '')).toBe('/hub/galilean/share/');
  });
});

describe('who sees the Share button', () => {
  const options = (user: string, owner: string) => (name: string) =>
    name === 'hubUser' ? user : name === 'hubServerUser' ? owner : '';

  it('is the owner only', () => {
    expect(isOwner(options('ann', 'ann'))).toBe(true);
    expect(isOwner(options('bob', 'ann'))).toBe(false);
    expect(isOwner(options('', ''))).toBe(false);
  });
});
