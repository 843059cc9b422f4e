// The Teams destinations' folders, remembered per process: one lookup per destination however many
// letters need it at once, trusted for ten minutes, forgotten when Graph no longer finds the folder.
import type { DriveFolder } from '../../backend/src/delivery/teams/drive-upload';
import { ChannelFolderCache } from '../../backend/src/delivery/teams/folder-cache';

const TEAM = '2f7c1b0e-5d4a-4a8e-9c3b-1e2d3f4a5b6c';
const CHANNEL = '19:0a1b2c3d4e5f@thread.tacv2';
const folder = (id: string): DriveFolder => ({ driveId: 'b!drive', folderId: id, name: id, webUrl: `https://contoso.sharepoint.com/${id}` });

function setup() {
  let t = 1_000_000;
  const cache = new ChannelFolderCache(10 * 60_000, () => t);
  let lookups = 0;
  const find = (id: string) => async () => { lookups++; await Promise.resolve(); return folder(id); };
  return { cache, find, lookups: () => lookups, advance: (ms: number) => { t += ms; } };
}

describe('ChannelFolderCache', () => {
  test('one lookup per destination, shared by letters that need it at the same moment', async () => {
    const { cache, find, lookups } = setup();
    const target = { teamId: TEAM, channelId: CHANNEL, folderPath: 'Digital Post/Skat' };
    const got = await Promise.all([1, 2, 3].map(() => cache.resolve(target, find('a'))));
    expect(got.map((f) => f.folderId)).toEqual(['a', 'a', 'a']);
    expect(await cache.resolve({ ...target, teamId: TEAM.toUpperCase(), folderPath: 'digital post/SKAT' }, find('b'))).toEqual(folder('a'));
    expect(lookups()).toBe(1);
    // Another folder of the same channel is another destination.
    expect((await cache.resolve({ ...target, folderPath: 'Digital Post' }, find('c'))).folderId).toBe('c');
    expect((await cache.resolve({ teamId: TEAM, channelId: CHANNEL }, find('d'))).folderId).toBe('d');
    expect(cache.size()).toBe(3);
  });

  test('trusted for ten minutes, then looked up again', async () => {
    const { cache, find, lookups, advance } = setup();
    const target = { teamId: TEAM, channelId: CHANNEL };
    await cache.resolve(target, find('a'));
    advance(10 * 60_000 - 1);
    expect((await cache.resolve(target, find('b'))).folderId).toBe('a');
    advance(1);
    expect((await cache.resolve(target, find('b'))).folderId).toBe('b');
    expect(lookups()).toBe(2);
  });

  test('a failed lookup is not kept; forgetting a folder leaves one resolved again since alone', async () => {
    const { cache, find, lookups } = setup();
    const target = { teamId: TEAM, channelId: CHANNEL, folderPath: 'Skat' };
    await expect(cache.resolve(target, async () => { throw new Error('503'); })).rejects.toThrow('503');
    expect(cache.size()).toBe(0);
    await cache.resolve(target, find('a'));
    // Two deliveries met the 404 of folder a; the first resolved it again (b) before the second forgot.
    cache.forget(target, 'a');
    await cache.resolve(target, find('b'));
    cache.forget(target, 'a');
    expect((await cache.resolve(target, find('c'))).folderId).toBe('b');
    cache.forget(target);
    expect((await cache.resolve(target, find('c'))).folderId).toBe('c');
    expect(lookups()).toBe(3);
  });
});
