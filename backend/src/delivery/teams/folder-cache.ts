// The folder each Teams destination's files go to (the channel's filesFolder, and the folder path below
// it), remembered per process so that a letter does not cost a filesFolder lookup (and a path lookup)
// before its upload. As the mailbox's FolderCache (mailbox.ts):
// - shared lookups: deliveries needing a destination not yet known at the same moment share one;
// - not forever: people delete, move and rename folders in Teams and SharePoint. An entry is trusted
//   for `ttlMs` (10 minutes), then resolved again through filesFolder and the path (a folder moved
//   elsewhere is not found under its path and is made anew);
// - Graph's 404 for the folder (deleted, or the library gone) makes the delivery forget the entry and
//   resolve again at once, within the same attempt (deliver-teams.ts); a 404 uploaded nothing, so
//   trying again cannot duplicate.
// Without an explicit cache, each Graph client has its own (channelFolderCacheOf): the ids belong to
// the tenant that client talks to.
import type { Client } from '@microsoft/microsoft-graph-client';
import { FOLDER_TTL_MS } from '../mailbox';
import type { DriveFolder } from './drive-upload';
import { driveFolderSegments } from './names';

export interface ChannelFolderTarget { teamId: string; channelId: string; folderPath?: string }

export class ChannelFolderCache {
  private folders = new Map<string, { folder: DriveFolder; at: number }>();
  private pending = new Map<string, Promise<DriveFolder>>();
  constructor(private readonly ttlMs = FOLDER_TTL_MS, private readonly now: () => number = Date.now) {}

  /** Team ids are GUIDs and SharePoint names ignore case; channel ids are kept as Graph gives them. */
  private key(t: ChannelFolderTarget): string {
    return `${t.teamId.trim().toLowerCase()}|${t.channelId.trim()}|${driveFolderSegments(t.folderPath).map((n) => n.toLowerCase()).join('/')}`;
  }

  /** The destination's folder: cached and fresh, the lookup already under way, or a new one by `find`. A failed lookup is not kept. */
  resolve(target: ChannelFolderTarget, find: () => Promise<DriveFolder>): Promise<DriveFolder> {
    const key = this.key(target);
    const known = this.folders.get(key);
    if (known && this.now() - known.at < this.ttlMs) return Promise.resolve(known.folder);
    let p = this.pending.get(key);
    if (!p) {
      p = find().then((folder) => { this.folders.set(key, { folder, at: this.now() }); return folder; })
        .finally(() => { this.pending.delete(key); });
      this.pending.set(key, p);
    }
    return p;
  }

  /**
   * Forgets the destination's folder: Graph no longer finds it. With `folderId`, only while the entry
   * is still that folder (another delivery may have resolved the destination again already).
   */
  forget(target: ChannelFolderTarget, folderId?: string): void {
    const key = this.key(target);
    if (folderId === undefined || this.folders.get(key)?.folder.folderId === folderId) this.folders.delete(key);
  }

  /** Entries held (tests). */
  size(): number { return this.folders.size; }
}

const perClient = new WeakMap<Client, ChannelFolderCache>();

/** The cache of destinations reached through this Graph client (made on first use). */
export function channelFolderCacheOf(graph: Client): ChannelFolderCache {
  let c = perClient.get(graph);
  if (!c) { c = new ChannelFolderCache(); perClient.set(graph, c); }
  return c;
}
