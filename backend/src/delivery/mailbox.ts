// Delivery into an Exchange mailbox folder through Graph, idempotent by our delivery id:
// before creating, look for a message carrying it, so a retry after a crash or timeout finds the
// copy it already made instead of making a second one.
import type { Client, GraphRequest } from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { DELIVERY_ID_PROPERTY } from './render';
import { withTimeout } from '../util/timeout';

const TIMEOUT_MS = 30_000;
const IMMUTABLE_IDS = 'IdType="ImmutableId"';

export interface MailboxTarget { mailbox: string; folderPath: string }

/** Folder ids by mailbox and path; folders are never renamed by us, so caching is safe per process. */
export class FolderCache {
  private ids = new Map<string, string>();
  get(mailbox: string, path: string) { return this.ids.get(`${mailbox.toLowerCase()}|${path}`); }
  set(mailbox: string, path: string, id: string) { this.ids.set(`${mailbox.toLowerCase()}|${path}`, id); }
}

/**
 * A folder path is '/'-separated; a '/' inside one folder's name (as in "Nordlys Holding A/S") is
 * written '\/', and a backslash '\\'. These two functions are the only place that knows.
 */
export function folderSegments(folderPath: string): string[] {
  const segs: string[] = [];
  let cur = '';
  for (let i = 0; i < folderPath.length; i++) {
    const c = folderPath[i];
    if (c === '\\' && (folderPath[i + 1] === '/' || folderPath[i + 1] === '\\')) { cur += folderPath[++i]; continue; }
    if (c === '/') { segs.push(cur); cur = ''; continue; }
    cur += c;
  }
  segs.push(cur);
  const names = segs.map((s) => s.trim()).filter(Boolean);
  for (const s of names) {
    if (s.length > 255) throw new Error(`Folder name "${s.slice(0, 40)}…" is longer than 255 characters.`);
  }
  return names;
}

export function joinFolderPath(names: string[]): string {
  return names.map((n) => n.replace(/\\/g, '\\\\').replace(/\//g, '\\/')).join('/');
}

/** For people: "Inbox › Digital Post › Nordlys Holding A/S". */
export function displayFolderPath(folderPath: string, root = 'Inbox'): string {
  return [root, ...folderSegments(folderPath)].join(' › ');
}

export async function ensureFolder(graph: Client, cache: FolderCache, target: MailboxTarget): Promise<string> {
  const segs = folderSegments(target.folderPath);
  let parent = 'inbox';
  let sofar = '';
  for (const seg of segs) {
    sofar = sofar ? `${sofar}/${seg}` : seg;
    const cached = cache.get(target.mailbox, sofar);
    if (cached) { parent = cached; continue; }
    const id = (await findChild(graph, target.mailbox, parent, seg)) ?? (await createChild(graph, target.mailbox, parent, seg));
    cache.set(target.mailbox, sofar, id);
    parent = id;
  }
  return parent;
}

async function findChild(graph: Client, mailbox: string, parent: string, name: string): Promise<string | undefined> {
  const res = await call<{ value: MicrosoftGraph.MailFolder[] }>(graph, `/users/${enc(mailbox)}/mailFolders/${enc(parent)}/childFolders`,
    (r) => r.filter(odata(`displayName eq '${name.replace(/'/g, "''")}'`)).select('id,displayName').top(1).get());
  return res.value[0]?.id ?? undefined;
}

async function createChild(graph: Client, mailbox: string, parent: string, name: string): Promise<string> {
  try {
    const f = await call<MicrosoftGraph.MailFolder>(graph, `/users/${enc(mailbox)}/mailFolders/${enc(parent)}/childFolders`,
      (r) => r.post({ displayName: name }));
    return f.id!;
  } catch (e) {
    // Another worker created it in between: use theirs.
    if ((e as { statusCode?: number }).statusCode === 409) {
      const id = await findChild(graph, mailbox, parent, name);
      if (id) return id;
    }
    throw e;
  }
}

export async function findDelivered(graph: Client, mailbox: string, deliveryId: string): Promise<string | undefined> {
  const res = await call<{ value: MicrosoftGraph.Message[] }>(graph, `/users/${enc(mailbox)}/messages`,
    (r) => r.filter(odata(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_ID_PROPERTY}' and ep/value eq '${deliveryId}')`))
      .select('id').top(1).get());
  return res.value[0]?.id ?? undefined;
}

export async function createMessage(graph: Client, mailbox: string, folderId: string, message: MicrosoftGraph.Message): Promise<string> {
  const created = await call<MicrosoftGraph.Message>(graph, `/users/${enc(mailbox)}/mailFolders/${enc(folderId)}/messages`,
    (r) => r.post(message));
  return created.id!;
}

/** One Graph call with immutable ids and a time limit. */
function call<T>(graph: Client, path: string, send: (r: GraphRequest) => Promise<unknown>): Promise<T> {
  return withTimeout(TIMEOUT_MS, (signal) =>
    send(graph.api(path).header('Prefer', IMMUTABLE_IDS).option('signal', signal)) as Promise<T>);
}

const enc = encodeURIComponent;
/** The SDK puts $filter into the URL as given: encode it, or '&', '#', '+' in a folder name break the query. */
const odata = encodeURIComponent;
