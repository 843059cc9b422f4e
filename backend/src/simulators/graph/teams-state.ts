// In-memory Teams and their SharePoint document libraries: a team (a Microsoft 365 group) has
// channels and one drive ("Documents", a documentLibrary); each standard channel's files live in a
// folder of that drive named after the channel (what GET .../channels/{id}/filesFolder returns).
// Drive items follow SharePoint's rules: names unique per folder (case-insensitively), illegal
// characters and reserved names refused with Graph's `invalidRequest`, conflicts `nameAlreadyExists`.
// One TeamsState per GraphRuntime (see teamsOf), so it lives and dies with its simulator instance.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GraphHttpError } from './errors';
import type { GraphRuntime } from './runtime';

export type ConflictBehavior = 'fail' | 'replace' | 'rename';

export interface ChannelRec {
  id: string; displayName: string; description: string | null; createdDateTime: string;
  membershipType: 'standard'; folderId: string;
}
export interface TeamRec {
  id: string; displayName: string; description: string | null; createdDateTime: string;
  siteName: string; driveId: string; channels: Map<string, ChannelRec>;
}
export interface DriveItemRec {
  id: string; name: string; parentId: string | null; isFolder: boolean;
  content?: Buffer; mimeType?: string;
  createdDateTime: string; lastModifiedDateTime: string;
  /** Bumped on every content replace: eTag/cTag "{guid},version". */
  version: number; etagGuid: string; seq: number;
}
export interface DriveRec { id: string; teamId: string; rootId: string; items: Map<string, DriveItemRec> }

export interface UploadSessionRec {
  id: string; tempauth: string; driveId: string; parentId: string; name: string;
  conflict: ConflictBehavior; mimeType: string;
  /** Declared by the first fragment's Content-Range (or item.fileSize); fixed afterwards. */
  total: number | null; received: number; chunks: Buffer[]; expires: number;
}

export interface AddChannelInput { id?: string; displayName: string; description?: string }
export interface AddTeamInput { id?: string; displayName: string; description?: string; channels?: AddChannelInput[] }

export interface ChannelSummary { id: string; displayName: string; filesFolder: { id: string; name: string; webUrl: string } }
export interface TeamSummary { id: string; displayName: string; driveId: string; webUrl: string; channels: ChannelSummary[] }
export interface DriveFileSummary {
  id: string; name: string;
  /** Below the channel's files folder, '/'-separated, e.g. "Digital Post/2026-03-02 Brev (ab12cd34).pdf". */
  path: string;
  size: number; mimeType: string; webUrl: string; version: number;
  createdDateTime: string; lastModifiedDateTime: string; sha256: string;
  content: Buffer;
}

export const SHAREPOINT_HOST = 'contoso.sharepoint.com';
export const SIM_TENANT_ID = '9f2b8c41-7d3e-4a5b-8c6d-2e1f0a9b8c7d';
/** SharePoint refuses these characters in file and folder names. */
export const ILLEGAL_NAME_CHARS = /["*:<>?/\\|]/;
const RESERVED = /^(\.lock|con|prn|aux|nul|com[0-9]|lpt[0-9]|desktop\.ini)$/i;
/** Upload sessions live this long after their last fragment. */
export const UPLOAD_SESSION_TTL_MS = 60 * 60 * 1000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANNEL_ID = /^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** SharePoint-style drive item id: "01" and 32 base32 characters. */
export function driveItemId(): string {
  return '01' + [...randomBytes(32)].map((b) => BASE32[b & 31]).join('');
}
const driveId = () => 'b!' + randomBytes(48).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
const channelId = () => `19:${randomBytes(16).toString('hex')}@thread.tacv2`;

export const isTeamId = (s: string) => GUID.test(s);
export const isChannelId = (s: string) => CHANNEL_ID.test(s);

// Graph's answers for Teams and drives (drive errors use OneDrive's lower-camel codes).
export const teamNotFound = (id: string) => new GraphHttpError(404, 'NotFound', `No team found with Group Id ${id}`);
export const channelNotFound = () => new GraphHttpError(404, 'NotFound', 'Channel not found');
export const driveItemNotFound = () => new GraphHttpError(404, 'itemNotFound', 'The resource could not be found.');
export const invalidDriveRequest = (message: string, status = 400) => new GraphHttpError(status, 'invalidRequest', message);
export const nameAlreadyExists = (message = 'The specified item name already exists.') => new GraphHttpError(409, 'nameAlreadyExists', message);

/** SharePoint Online's naming rules; throws Graph's 400 invalidRequest. */
export function validateItemName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw invalidDriveRequest('The name of the item cannot be empty.');
  // eslint-disable-next-line no-control-regex
  if (ILLEGAL_NAME_CHARS.test(name) || /[\u0000-\u001f]/.test(name)) throw invalidDriveRequest('The provided name cannot contain any illegal characters.');
  if (name !== name.replace(/^\s+|\s+$/g, '')) throw invalidDriveRequest('The provided name cannot contain leading, or trailing, spaces.');
  if (name.endsWith('.')) throw invalidDriveRequest('The provided name cannot end with a period.');
  if (RESERVED.test(name) || /_vti_/i.test(name) || name.startsWith('~$')) throw invalidDriveRequest(`The provided name '${name}' is reserved and cannot be used.`);
  if (name.length > 255) throw invalidDriveRequest('The provided name is longer than 255 characters.');
  return name;
}

export class TeamsState {
  private teamsById = new Map<string, TeamRec>();
  private drives = new Map<string, DriveRec>();
  readonly sessions = new Map<string, UploadSessionRec>();
  /** Pre-authenticated download links (token → drive and item), as @microsoft.graph.downloadUrl. */
  readonly downloads = new Map<string, { driveId: string; itemId: string }>();
  private seq = 0;

  addTeam(input: AddTeamInput): TeamRec {
    if (!input.displayName?.trim()) throw new Error('addTeam needs a displayName.');
    const id = input.id ?? randomUUID();
    if (!isTeamId(id)) throw new Error(`A team id is a GUID (got ${id}).`);
    if (this.teamsById.has(id.toLowerCase())) throw new Error(`Team ${id} exists already.`);
    const now = new Date().toISOString();
    const drive: DriveRec = { id: driveId(), teamId: id, rootId: driveItemId(), items: new Map() };
    drive.items.set(drive.rootId, this.newItem(drive.rootId, 'root', null, true));
    this.drives.set(drive.id, drive);
    const team: TeamRec = {
      id, displayName: input.displayName, description: input.description ?? null, createdDateTime: now,
      siteName: input.displayName.replace(/[^A-Za-z0-9]/g, '') || 'Team', driveId: drive.id, channels: new Map(),
    };
    this.teamsById.set(id.toLowerCase(), team);
    // Every team has General; the others follow in the order given.
    const wanted = input.channels ?? [];
    if (!wanted.some((c) => c.displayName.toLowerCase() === 'general')) this.addChannel(team, { displayName: 'General' });
    for (const c of wanted) this.addChannel(team, c);
    return team;
  }

  addChannel(team: TeamRec, input: AddChannelInput): ChannelRec {
    validateItemName(input.displayName);
    if ([...team.channels.values()].some((c) => c.displayName.toLowerCase() === input.displayName.toLowerCase())) {
      throw new Error(`Team ${team.displayName} has a channel ${input.displayName} already.`);
    }
    const id = input.id ?? channelId();
    if (!isChannelId(id)) throw new Error(`A channel id looks like 19:…@thread.tacv2 (got ${id}).`);
    const drive = this.drive(team.driveId);
    const folder = this.createFolder(drive, drive.items.get(drive.rootId)!, input.displayName, 'fail').item;
    const ch: ChannelRec = {
      id, displayName: input.displayName, description: input.description ?? null,
      createdDateTime: new Date().toISOString(), membershipType: 'standard', folderId: folder.id,
    };
    team.channels.set(id, ch);
    return ch;
  }

  allTeams(): TeamRec[] { return [...this.teamsById.values()]; }

  /** Graph's 400/404 for an id that is malformed or unknown. */
  team(id: string): TeamRec {
    const t = this.teamsById.get(id.toLowerCase());
    if (t) return t;
    if (!isTeamId(id)) throw new GraphHttpError(400, 'BadRequest', `Invalid team id '${id}': a team id is the GUID of its Microsoft 365 group.`);
    throw teamNotFound(id);
  }

  channel(team: TeamRec, id: string): ChannelRec {
    const c = team.channels.get(id);
    if (c) return c;
    if (!isChannelId(id)) throw new GraphHttpError(400, 'BadRequest', `Invalid channel id '${id}'.`);
    throw channelNotFound();
  }

  findTeam(id: string): TeamRec | undefined { return this.teamsById.get(id.toLowerCase()); }

  drive(id: string): DriveRec {
    const d = this.drives.get(id);
    if (d) return d;
    if (!/^b![A-Za-z0-9_-]{20,}$/.test(id)) throw invalidDriveRequest('The provided drive id appears to be malformed, or does not represent a valid drive.');
    throw driveItemNotFound();
  }

  item(drive: DriveRec, id: string): DriveItemRec {
    const it = drive.items.get(id);
    if (it) return it;
    if (!/^[A-Za-z0-9!_-]{10,}$/.test(id)) throw invalidDriveRequest('Invalid request');
    throw driveItemNotFound();
  }

  children(drive: DriveRec, parentId: string): DriveItemRec[] {
    return [...drive.items.values()].filter((i) => i.parentId === parentId).sort((a, b) => a.seq - b.seq);
  }

  childByName(drive: DriveRec, parentId: string, name: string): DriveItemRec | undefined {
    const k = name.toLowerCase();
    return [...drive.items.values()].find((i) => i.parentId === parentId && i.name.toLowerCase() === k);
  }

  /** Follows '/'-separated names from `from`; 404 itemNotFound where one is missing. */
  resolvePath(drive: DriveRec, from: DriveItemRec, names: string[]): DriveItemRec {
    let cur = from;
    for (const n of names) {
      if (!cur.isFolder) throw driveItemNotFound();
      const next = this.childByName(drive, cur.id, n);
      if (!next) throw driveItemNotFound();
      cur = next;
    }
    return cur;
  }

  createFolder(drive: DriveRec, parent: DriveItemRec, name: unknown, conflict: ConflictBehavior): { item: DriveItemRec; created: boolean } {
    const valid = validateItemName(name);
    if (!parent.isFolder) throw invalidDriveRequest('The parent item is not a folder.');
    const existing = this.childByName(drive, parent.id, valid);
    let finalName = valid;
    if (existing) {
      if (conflict === 'fail') throw nameAlreadyExists();
      if (conflict === 'rename') finalName = this.freeName(drive, parent.id, valid);
      else this.remove(drive, existing.id); // replace: the old folder and everything in it go
    }
    const item = this.newItem(driveItemId(), finalName, parent.id, true);
    drive.items.set(item.id, item);
    return { item, created: true };
  }

  /**
   * Writes a file's bytes under `parent`. replace keeps the existing item (same id, new version) and
   * reports created=false; rename picks "name 1.ext"; fail is 409 nameAlreadyExists.
   */
  putFile(drive: DriveRec, parent: DriveItemRec, name: string, content: Buffer, mimeType: string, conflict: ConflictBehavior): { item: DriveItemRec; created: boolean } {
    validateItemName(name);
    if (!parent.isFolder) throw invalidDriveRequest('The parent item is not a folder.');
    const existing = this.childByName(drive, parent.id, name);
    if (existing && conflict === 'fail') throw nameAlreadyExists();
    if (existing && conflict === 'replace') {
      if (existing.isFolder) throw nameAlreadyExists('A folder with the same name exists; a file cannot replace it.');
      existing.content = content;
      existing.mimeType = mimeType;
      existing.version++;
      existing.lastModifiedDateTime = new Date().toISOString();
      return { item: existing, created: false };
    }
    const finalName = existing ? this.freeName(drive, parent.id, name) : name;
    const item = this.newItem(driveItemId(), finalName, parent.id, false);
    item.content = content;
    item.mimeType = mimeType;
    drive.items.set(item.id, item);
    return { item, created: true };
  }

  /** Deletes an item, a folder with everything below it (DELETE /drives/{d}/items/{id}). */
  deleteItem(drive: DriveRec, item: DriveItemRec): void {
    this.remove(drive, item.id);
  }

  /** Path below the drive root, e.g. "General/Digital Post" ('' for the root). */
  pathOf(drive: DriveRec, item: DriveItemRec): string {
    const names: string[] = [];
    let cur: DriveItemRec | undefined = item;
    while (cur && cur.parentId !== null) { names.unshift(cur.name); cur = drive.items.get(cur.parentId); }
    return names.join('/');
  }

  /** What a browser opens: https://contoso.sharepoint.com/sites/<Team>/Shared%20Documents/<path>. */
  webUrl(drive: DriveRec, item: DriveItemRec): string {
    const team = this.teamsById.get(drive.teamId.toLowerCase());
    const path = this.pathOf(drive, item);
    const enc = path ? '/' + path.split('/').map(encodeURIComponent).join('/') : '';
    return `https://${SHAREPOINT_HOST}/sites/${team?.siteName ?? 'Team'}/Shared%20Documents${enc}`;
  }

  /** Every file below a folder, depth first, with its path relative to that folder. */
  filesBelow(drive: DriveRec, folder: DriveItemRec): { item: DriveItemRec; path: string }[] {
    const out: { item: DriveItemRec; path: string }[] = [];
    const walk = (f: DriveItemRec, prefix: string) => {
      for (const c of this.children(drive, f.id)) {
        const p = prefix ? `${prefix}/${c.name}` : c.name;
        if (c.isFolder) walk(c, p); else out.push({ item: c, path: p });
      }
    };
    walk(folder, '');
    return out;
  }

  teamSummary(t: TeamRec): TeamSummary {
    const drive = this.drive(t.driveId);
    return {
      id: t.id, displayName: t.displayName, driveId: t.driveId,
      webUrl: `https://${SHAREPOINT_HOST}/sites/${t.siteName}`,
      channels: [...t.channels.values()].map((c) => {
        const f = drive.items.get(c.folderId)!;
        return { id: c.id, displayName: c.displayName, filesFolder: { id: f.id, name: f.name, webUrl: this.webUrl(drive, f) } };
      }),
    };
  }

  files(teamId: string, channelId: string): DriveFileSummary[] {
    const t = this.findTeam(teamId);
    if (!t) throw new Error(`No team ${teamId} in the Graph simulator.`);
    const c = t.channels.get(channelId);
    if (!c) throw new Error(`Team ${t.displayName} has no channel ${channelId}.`);
    const drive = this.drive(t.driveId);
    return this.filesBelow(drive, drive.items.get(c.folderId)!).map(({ item, path }) => ({
      id: item.id, name: item.name, path, size: item.content?.length ?? 0, mimeType: item.mimeType ?? 'application/octet-stream',
      webUrl: this.webUrl(drive, item), version: item.version,
      createdDateTime: item.createdDateTime, lastModifiedDateTime: item.lastModifiedDateTime,
      sha256: createHash('sha256').update(item.content ?? Buffer.alloc(0)).digest('hex'),
      content: item.content ?? Buffer.alloc(0),
    }));
  }

  clear(): void {
    this.teamsById.clear();
    this.drives.clear();
    this.sessions.clear();
    this.downloads.clear();
  }

  private remove(drive: DriveRec, id: string): void {
    for (const c of this.children(drive, id)) this.remove(drive, c.id);
    drive.items.delete(id);
  }

  private freeName(drive: DriveRec, parentId: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 1; ; n++) {
      const candidate = `${base} ${n}${ext}`;
      if (!this.childByName(drive, parentId, candidate)) return candidate;
    }
  }

  private newItem(id: string, name: string, parentId: string | null, isFolder: boolean): DriveItemRec {
    const now = new Date().toISOString();
    return { id, name, parentId, isFolder, createdDateTime: now, lastModifiedDateTime: now, version: 1, etagGuid: randomUUID().toUpperCase(), seq: ++this.seq };
  }
}

const registry = new WeakMap<GraphRuntime, TeamsState>();

/** The Teams and drives of one simulator instance. */
export function teamsOf(rt: GraphRuntime): TeamsState {
  let s = registry.get(rt);
  if (!s) { s = new TeamsState(); registry.set(rt, s); }
  return s;
}
