import { displayFolderPath, folderSegments, joinFolderPath } from '../../backend/src/delivery/mailbox';

describe('folder paths', () => {
  test('a slash inside a company name stays in one folder', () => {
    const p = joinFolderPath(['Digital Post', 'Nordlys Holding A/S']);
    expect(p).toBe('Digital Post/Nordlys Holding A\\/S');
    expect(folderSegments(p)).toEqual(['Digital Post', 'Nordlys Holding A/S']);
    expect(displayFolderPath(p)).toBe('Inbox › Digital Post › Nordlys Holding A/S');
  });

  test('backslashes round-trip, empty segments and spaces are dropped', () => {
    const names = ['a\\b', 'c\\/d', 'æøå'];
    expect(folderSegments(joinFolderPath(names))).toEqual(names);
    expect(folderSegments('/ Digital Post //x/ ')).toEqual(['Digital Post', 'x']);
  });

  test('refuses a folder name Exchange cannot hold', () => {
    expect(() => folderSegments('a/' + 'x'.repeat(256))).toThrow(/longer than 255/);
  });
});
