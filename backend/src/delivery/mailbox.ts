// Delivery into an Exchange mailbox folder through Graph, idempotent by our delivery id:
// before creating, look for a message carrying it, so a retry after a crash or timeout finds the
// copy it already made instead of making a second one.
import type { Client, GraphRequest } from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { DELIVERY_ID_PROPERTY, DELIVERY_VARIANT_PROPERTY } from './render';
import { splitFolderPath } from '../../../shared/src/contracts';
import { RequestClock } from './pacing/request-clock';

const TIMEOUT_MS = 30_000;
const IMMUTABLE_IDS = 'IdType="ImmutableId"';

export interface MailboxTarget { mailbox: string; folderPath: string }

/**
 * Folder ids, by mailbox, parent folder and child name (names compare as Exchange does: ignoring case).
 * - Shared lookups: a folder not yet known is looked up (or created) once, however many deliveries
 *   need it at that moment; under throttling each sending find, create, 409, find again multiplied the
 *   requests a new folder cost several times.
 * - Not forever: people delete and move folders in Outlook. An entry is trusted for `ttlMs` (10
 *   minutes), then looked up again by name under its parent — a folder moved to Deleted Items is not
 *   found there and is made anew, and its subfolders with it (their key is the new parent's id). A
 *   folder deleted for good makes Graph answer 404; the delivery then forgets the mailbox's folders
 *   and resolves the path again at once (mail-delivery.ts).
 */
export class FolderCache {
  private ids = new Map<string, { id: string; at: number }>();
  private pending = new Map<string, Promise<string>>();
  constructor(private readonly ttlMs = FOLDER_TTL_MS, private readonly now: () => number = Date.now) {}

  private key(mailbox: string, parentId: string, name: string) { return `${mailbox.toLowerCase()}|${parentId}|${name.toLowerCase()}`; }

  /** The child's id: cached and fresh, the lookup already under way, or a new lookup by `find`. A failed lookup is not kept. */
  resolve(mailbox: string, parentId: string, name: string, find: () => Promise<string>): Promise<string> {
    const key = this.key(mailbox, parentId, name);
    const known = this.ids.get(key);
    if (known && this.now() - known.at < this.ttlMs) return Promise.resolve(known.id);
    let p = this.pending.get(key);
    if (!p) {
      p = find().then((id) => { this.ids.set(key, { id, at: this.now() }); return id; })
        .finally(() => { this.pending.delete(key); });
      this.pending.set(key, p);
    }
    return p;
  }

  /** Forgets every folder of the mailbox (one of them is gone). */
  forget(mailbox: string): void {
    const prefix = `${mailbox.toLowerCase()}|`;
    for (const k of [...this.ids.keys()]) if (k.startsWith(prefix)) this.ids.delete(k);
  }

  /** Entries held (tests). */
  size(): number { return this.ids.size; }
}

/** How long a folder id is trusted before it is looked up again by name. */
export const FOLDER_TTL_MS = 10 * 60_000;

/**
 * A folder path is '/'-separated; a '/' inside one folder's name (as in "Nordlys Holding A/S") is
 * written '\/', and a backslash '\\'. These two functions are the only place that knows.
 */
export function folderSegments(folderPath: string): string[] {
  const names = splitFolderPath(folderPath);
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
  for (const seg of segs) {
    const under = parent;
    parent = await cache.resolve(target.mailbox, under, seg, async () =>
      (await findChild(graph, target.mailbox, under, seg)) ?? (await createChild(graph, target.mailbox, under, seg)));
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

/** Our copy of a delivery in the mailbox, with the variant it was made as; undefined when there is none. */
export async function findDelivered(graph: Client, mailbox: string, deliveryId: string): Promise<string | undefined> {
  return (await findDeliveredCopy(graph, mailbox, deliveryId))?.id;
}

export async function findDeliveredCopy(graph: Client, mailbox: string, deliveryId: string): Promise<{ id: string; variant: string | null; internetMessageId: string | null } | undefined> {
  const res = await call<{ value: MicrosoftGraph.Message[] }>(graph, `/users/${enc(mailbox)}/messages`,
    (r) => r.filter(odata(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_ID_PROPERTY}' and ep/value eq '${deliveryId}')`))
      .expand(odata(`singleValueExtendedProperties($filter=id eq '${DELIVERY_VARIANT_PROPERTY}')`))
      .select('id,internetMessageId').top(1).get());
  const m = res.value[0];
  if (!m?.id) return undefined;
  return { id: m.id, variant: m.singleValueExtendedProperties?.[0]?.value ?? null, internetMessageId: m.internetMessageId ?? null };
}

export async function createMessage(graph: Client, mailbox: string, folderId: string, message: MicrosoftGraph.Message): Promise<string> {
  return (await createMessageRef(graph, mailbox, folderId, message)).id;
}

/** Creates the mail; its id and Internet message id (Graph answers with the whole message). */
export async function createMessageRef(graph: Client, mailbox: string, folderId: string, message: MicrosoftGraph.Message): Promise<{ id: string; internetMessageId: string | null }> {
  const created = await call<MicrosoftGraph.Message>(graph, `/users/${enc(mailbox)}/mailFolders/${enc(folderId)}/messages`,
    (r) => r.post(message));
  return { id: created.id!, internetMessageId: created.internetMessageId ?? null };
}

/** Whether Graph knows the mailbox (and our app may use it): false on 404. */
export async function mailboxExists(graph: Client, mailbox: string): Promise<boolean> {
  try {
    await call(graph, `/users/${enc(mailbox)}/mailFolders/inbox`, (r) => r.select('id').get());
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

export async function deleteMessage(graph: Client, mailbox: string, messageId: string): Promise<void> {
  try {
    await call(graph, `/users/${enc(mailbox)}/messages/${enc(messageId)}`, (r) => r.delete());
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return; // gone already: what we wanted
    throw e;
  }
}

/** Whether the message is still in the mailbox (in any folder, Deleted Items included): false on 404. */
export async function messageExists(graph: Client, mailbox: string, messageId: string): Promise<boolean> {
  try {
    await call(graph, `/users/${enc(mailbox)}/messages/${enc(messageId)}`, (r) => r.select('id').get());
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

/** Moves a message to another folder of the same mailbox (immutable ids keep the id). */
export async function moveMessage(graph: Client, mailbox: string, messageId: string, folderId: string): Promise<string> {
  const moved = await call<MicrosoftGraph.Message>(graph, `/users/${enc(mailbox)}/messages/${enc(messageId)}/move`,
    (r) => r.post({ destinationId: folderId }));
  return moved.id ?? messageId;
}

export async function listAttachmentNames(graph: Client, mailbox: string, messageId: string): Promise<{ name: string; size: number }[]> {
  const res = await call<{ value: MicrosoftGraph.Attachment[] }>(graph, `/users/${enc(mailbox)}/messages/${enc(messageId)}/attachments`,
    (r) => r.select('id,name,size').top(100).get());
  return res.value.map((a) => ({ name: a.name ?? '', size: a.size ?? 0 }));
}

const timeouts = new WeakMap<Client, number>();
/** A shorter (tests) or longer time limit for every call through this client. */
export function setGraphTimeout(graph: Client, ms: number): void { timeouts.set(graph, ms); }

/**
 * One Graph call with immutable ids and a time limit. The limit counts from when the request holds its
 * lane's pacer slot (pacing/request-clock.ts), not from when it started to wait for one.
 */
export async function call<T>(graph: Client, path: string, send: (r: GraphRequest) => Promise<unknown>): Promise<T> {
  const clock = new RequestClock(timeouts.get(graph) ?? TIMEOUT_MS);
  try {
    return await send(graph.api(path).header('Prefer', IMMUTABLE_IDS).option('signal', clock.signal).middlewareOptions([clock])) as T;
  } finally {
    clock.stop();
  }
}

export const enc = encodeURIComponent;
/** The SDK puts $filter into the URL as given: encode it, or '&', '#', '+' in a folder name break the query. */
const odata = encodeURIComponent;
