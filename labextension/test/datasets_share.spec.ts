/**
 * Sharing a dataset with groups, the pure part: rows of a dataset's groups and writers,
 * the PATCH body of rows, a group typed in, what the user may do and the list's badge.
 */
import { IDataset } from '../src/datasets/tokens';
import {
  accessOf,
  addGroup,
  removeGroup,
  setPermission,
  shareBadge,
  shareBody,
  sharesOf,
  sharingChanged,
  sharingText
} from '../src/datasets/share_model';

function dataset(
  groups: string[],
  writers?: string[],
  owner = 'alice'
): IDataset {
  return {
    id: 7,
    owner,
    name: 'photos',
    driver: 'files',
    folder: 'photos',
    description: '',
    groups,
    writers,
    created: 0,
    updated: 0
  };
}

describe('the rows of a dataset’s sharing', () => {
  it('has one row per group, editing for the writers, by name', () => {
    expect(sharesOf(dataset(['viewers', 'team'], ['team']))).toEqual([
      { group: 'team', permission: 'edit' },
      { group: 'viewers', permission: 'read' }
    ]);
    expect(sharesOf(dataset([]))).toEqual([]);
  });

  it('counts a writer missing from groups as a group too (writers read)', () => {
    expect(sharesOf(dataset([], ['team']))).toEqual([
      { group: 'team', permission: 'edit' }
    ]);
  });

  it('sends every group as a reader and the editing ones as writers', () => {
    const rows = setPermission(sharesOf(dataset(['a', 'b'])), 'b', 'edit');
    expect(shareBody(rows)).toEqual({ groups: ['a', 'b'], writers: ['b'] });
    expect(shareBody(setPermission(rows, 'b', 'read'))).toEqual({
      groups: ['a', 'b'],
      writers: []
    });
    expect(shareBody(removeGroup(rows, 'b'))).toEqual({
      groups: ['a'],
      writers: []
    });
  });

  it('adds a group by name, reading, and refuses an empty, spaced or repeated one', () => {
    const rows = sharesOf(dataset(['team']));
    expect(addGroup(rows, ' analysts ')).toEqual({
      rows: [
        { group: 'analysts', permission: 'read' },
        { group: 'team', permission: 'read' }
      ],
      error: ''
    });
    expect(addGroup(rows, '  ').error).toMatch(/^group: /);
    expect(addGroup(rows, 'two words').error).toBe(
      'group: "two words" has a space; group names have none'
    );
    expect(addGroup(rows, 'team')).toEqual({
      rows,
      error: 'group: already shared with team'
    });
  });

  it('knows when the rows differ from what the dataset says', () => {
    const shared = dataset(['team'], ['team']);
    expect(sharingChanged(shared, sharesOf(shared))).toBe(false);
    expect(
      sharingChanged(shared, setPermission(sharesOf(shared), 'team', 'read'))
    ).toBe(true);
  });

  it('says what the rows mean', () => {
    expect(sharingText(sharesOf(dataset(['v', 't'], ['t'])))).toBe(
      't can edit; v can read'
    );
    expect(sharingText([])).toBe('Only you can see this dataset.');
  });
});

describe('what the user may do', () => {
  it('is everything for the owner and outside a hub', () => {
    expect(accessOf(dataset(['t']), 'alice', null)).toBe('owner');
    expect(accessOf(dataset(['t']), '', null)).toBe('owner');
  });

  it('is editing for a member of a writer group, reading for the others', () => {
    const shared = dataset(['t', 'v'], ['t']);
    expect(accessOf(shared, 'bob', ['t'])).toBe('edit');
    expect(accessOf(shared, 'bob', ['v'])).toBe('read');
  });

  it('is what the service says when it says it', () => {
    const shared = { ...dataset(['t'], ['t']), access: 'read' as const };
    expect(accessOf(shared, 'bob', ['t'])).toBe('read');
    expect(accessOf({ ...shared, access: 'write' }, 'bob', null)).toBe('edit');
    expect(accessOf({ ...shared, access: 'owner' }, 'bob', null)).toBe('owner');
  });

  it('without the user’s groups: editing when some group may edit (the service decides)', () => {
    expect(accessOf(dataset(['t'], ['t']), 'bob', null)).toBe('edit');
    expect(accessOf(dataset(['t'], []), 'bob', null)).toBe('read');
    expect(accessOf(dataset(['t']), 'bob', null)).toBe('read');
  });

  it('shows as a badge in the list', () => {
    expect(shareBadge(dataset([]), 'alice', null)).toBe('');
    expect(shareBadge(dataset(['t']), 'alice', null)).toBe(
      'shared with 1 group'
    );
    expect(shareBadge(dataset(['t', 'v'], ['t']), 'alice', null)).toBe(
      'shared with 2 groups'
    );
    expect(shareBadge(dataset(['t'], ['t']), 'bob', null)).toBe(
      'shared by alice · can edit'
    );
    expect(shareBadge(dataset(['t']), 'bob', null)).toBe(
      'shared by alice · read-only'
    );
  });
});
