// Uploading a document into a Teams channel's files: the channel's filesFolder (a folder in the
// team's SharePoint document library), an optional subfolder path created on the way, then
//   ≤ 4 MB  one PUT  /drives/{d}/items/{folder}:/{name}:/content?@microsoft.graph.conflictBehavior=replace
//   > 4 MB  POST     /drives/{d}/items/{folder}:/{name}:/createUploadSession {item:{conflictBehavior: replace}}
//           then PUT fragments of 10 × 320 KiB to the session's uploadUrl with Content-Range.
// (Graph takes simple uploads up to 250 MB but recommends sessions above 4 MB; a session also
// survives a dropped connection, since we can ask it where to resume.)
//
// Always conflictBehavior replace, with the deterministic name the caller gives (see names.ts): a
// retry after an uncertain outcome (timeout, crash before the result was recorded) then overwrites
// its own earlier copy instead of leaving "… 1.pdf" beside it, and nothing needs to be looked up first.
//
// The uploadUrl is pre-authenticated: fragments go there with plain fetch and no Authorization
// header (Graph may refuse one, and the URL is on another host, which must not see our token).
// Permissions (application): Files.ReadWrite.All or Sites.ReadWrite.All; Channel.ReadBasic.All for the check.
import type { Client } from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { withTimeout } from '../../util/timeout';
import { call, enc } from '../mailbox';
import type { Pacer, UploadReservation } from '../pacing/pacer';
import { retryAfterMs } from '../pacing/middleware';
import { TeamsDeliveryError, graphStepError, isRetryableStatus, isTimeout, retryAfterOf } from './errors';
import { driveFolderSegments, driveNameProblem } from './names';

export const SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024;
export const FRAGMENT_MULTIPLE = 320 * 1024;
/** 3,200 KiB: a multiple of 320 KiB as Graph requires, and well under its 60 MiB per request. */
export const DEFAULT_FRAGMENT_BYTES = 10 * FRAGMENT_MULTIPLE;
const FRAGMENT_TIMEOUT_MS = 60_000;
/** Throttled or failed fragments tried again (after Retry-After, resuming where the session says). */
const MAX_FRAGMENT_RETRIES = 4;

export interface ChannelTarget { teamId: string; channelId: string; folderPath?: string }
export interface UploadFile { filename: string; content: Buffer; mimeType: string }
export interface UploadedFile { id: string; name: string; webUrl: string; size: number }
/** A folder in a channel's document library. */
export interface DriveFolder { driveId: string; folderId: string; name: string; webUrl: string }

export interface UploadOptions {
  /** For the fragment PUTs (default: global fetch). */
  fetch?: typeof fetch;
  /** Fragment size, a multiple of 320 KiB up to 60 MiB (default 3,200 KiB). */
  fragmentBytes?: number;
  /** Largest file sent in one PUT (default 4 MB). */
  simpleUploadMaxBytes?: number;
  /** Per fragment (default 60 s). Graph calls use the client's timeout. */
  fragmentTimeoutMs?: number;
  /** Fragments count against the drive's lane like other Graph requests. */
  pacer?: Pacer;
}

/** The pacer lane of a drive: the one the pacing middleware gives its Graph URLs (laneOf, /drives/{id}/…). */
export const driveLane = (driveId: string) => `drives:${driveId.toLowerCase()}`;
const drivePath = (f: DriveFolder) => `/drives/${enc(f.driveId)}/items/${enc(f.folderId)}`;
const namePath = (names: string[]) => names.map(enc).join('/');
const status = (e: unknown) => (e as { statusCode?: number }).statusCode;

/** The channel's files folder: GET /teams/{t}/channels/{c}/filesFolder. */
export async function channelFilesFolder(graph: Client, teamId: string, channelId: string): Promise<DriveFolder> {
  let item: MicrosoftGraph.DriveItem;
  try {
    item = await call<MicrosoftGraph.DriveItem>(graph, `/teams/${enc(teamId)}/channels/${enc(channelId)}/filesFolder`, (r) => r.get());
  } catch (e) {
    throw graphStepError('Finding the channel\'s files folder', e);
  }
  const driveId = item.parentReference?.driveId;
  if (!item.id || !driveId) throw new TeamsDeliveryError('Microsoft Graph returned the channel\'s files folder without its drive.', { retryable: true });
  return { driveId, folderId: item.id, name: item.name ?? '', webUrl: item.webUrl ?? '' };
}

/** The folder at `folderPath` below `base`, created as needed (concurrent creators tolerated). */
export async function ensureDriveFolder(graph: Client, base: DriveFolder, folderPath?: string): Promise<DriveFolder> {
  const names = driveFolderSegments(folderPath);
  if (names.length === 0) return base;
  const existing = await findItem(graph, base, names);
  if (existing) return asFolder(base, existing, names.join('/'));
  let cur = base;
  for (const name of names) {
    const found = await findItem(graph, cur, [name]) ?? await createFolder(graph, cur, name);
    cur = asFolder(cur, found, name);
  }
  return cur;
}

export async function resolveChannelFolder(graph: Client, target: ChannelTarget): Promise<DriveFolder> {
  return ensureDriveFolder(graph, await channelFilesFolder(graph, target.teamId, target.channelId), target.folderPath);
}

/** Uploads one file into a channel's files (see the top of this file). */
export async function uploadToChannel(graph: Client, target: ChannelTarget, file: UploadFile, opts: UploadOptions = {}): Promise<UploadedFile> {
  return uploadToFolder(graph, await resolveChannelFolder(graph, target), file, opts);
}

/** Uploads one file into a folder of the drive, replacing a file of the same name. */
export async function uploadToFolder(graph: Client, folder: DriveFolder, file: UploadFile, opts: UploadOptions = {}): Promise<UploadedFile> {
  const problem = driveNameProblem(file.filename);
  if (problem) throw new TeamsDeliveryError(`The file name cannot be used in Teams: ${problem}.`, { retryable: false });
  const max = opts.simpleUploadMaxBytes ?? SIMPLE_UPLOAD_MAX_BYTES;
  const item = file.content.length <= max ? await simpleUpload(graph, folder, file) : await sessionUpload(graph, folder, file, opts);
  if (!item.id) throw new TeamsDeliveryError(`Microsoft Graph stored "${file.filename}" but returned no item id.`, { retryable: true, uncertain: true });
  return { id: item.id, name: item.name ?? file.filename, webUrl: item.webUrl ?? '', size: item.size ?? file.content.length };
}

async function simpleUpload(graph: Client, folder: DriveFolder, file: UploadFile): Promise<MicrosoftGraph.DriveItem> {
  try {
    return await call<MicrosoftGraph.DriveItem>(graph, `${drivePath(folder)}:/${enc(file.filename)}:/content?@microsoft.graph.conflictBehavior=replace`,
      (r) => r.header('Content-Type', file.mimeType || 'application/octet-stream').put(file.content));
  } catch (e) {
    throw graphStepError(`Uploading "${file.filename}" to the channel's files`, e);
  }
}

async function sessionUpload(graph: Client, folder: DriveFolder, file: UploadFile, opts: UploadOptions): Promise<MicrosoftGraph.DriveItem> {
  const fragment = opts.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES;
  if (!Number.isInteger(fragment) || fragment <= 0 || fragment % FRAGMENT_MULTIPLE !== 0 || fragment > 60 * 1024 * 1024) {
    throw new Error(`fragmentBytes must be a multiple of 320 KiB (327,680 bytes) up to 60 MiB; got ${fragment}.`);
  }
  const lane = driveLane(folder.driveId);
  // The document's whole size of the drive's upload budget first, as a mailbox's large attachments do
  // (mail-delivery.ts): PacerBusy here sends nothing, where an upload cut off half-way by the budget
  // would start again from nothing on the next attempt, and two large ones could do so for ever.
  // Given back however the upload ends.
  const reservation = opts.pacer ? await opts.pacer.reserveUpload(lane, file.content.length) : undefined;
  try {
    return await sessionUploadReserved(graph, folder, file, opts, fragment, lane, reservation);
  } finally {
    reservation?.release();
  }
}

async function sessionUploadReserved(graph: Client, folder: DriveFolder, file: UploadFile, opts: UploadOptions,
  fragment: number, lane: string, reservation: UploadReservation | undefined): Promise<MicrosoftGraph.DriveItem> {
  const step = `Uploading "${file.filename}" to the channel's files`;
  let session: MicrosoftGraph.UploadSession;
  try {
    session = await call<MicrosoftGraph.UploadSession>(graph, `${drivePath(folder)}:/${enc(file.filename)}:/createUploadSession`,
      (r) => r.post({ item: { '@microsoft.graph.conflictBehavior': 'replace', name: file.filename } }));
  } catch (e) {
    throw graphStepError(`${step} (creating the upload session)`, e);
  }
  const uploadUrl = session.uploadUrl;
  if (!uploadUrl) throw new TeamsDeliveryError(`${step}: Microsoft Graph created an upload session without an uploadUrl.`, { retryable: true });

  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.fragmentTimeoutMs ?? FRAGMENT_TIMEOUT_MS;
  const total = file.content.length;
  let offset = 0;
  let retries = 0;
  const fail = async (err: TeamsDeliveryError): Promise<never> => {
    // Best effort: let SharePoint drop the partial upload now rather than at expiry.
    await withTimeout(10_000, (signal) => doFetch(uploadUrl, { method: 'DELETE', signal })).then((r) => r.arrayBuffer(), () => undefined).catch(() => undefined);
    throw err;
  };
  /** After a failed or unanswered fragment: where does the session want us to go on? (null: it is gone, e.g. completed) */
  const resumeAt = async (): Promise<number | null> => {
    try {
      const r = await withTimeout(timeoutMs, (signal) => doFetch(uploadUrl, { method: 'GET', signal }));
      if (r.status === 404) { await r.arrayBuffer().catch(() => undefined); return null; }
      const j = await r.json() as { nextExpectedRanges?: string[] };
      const next = Number(/^(\d+)-/.exec(j.nextExpectedRanges?.[0] ?? '')?.[1]);
      return Number.isFinite(next) ? next : offset;
    } catch { return offset; }
  };

  while (offset < total) {
    const end = Math.min(total, offset + fragment);
    const chunk = file.content.subarray(offset, end);
    const release = reservation ? await reservation.acquire(chunk.length) : () => {};
    let res: Response | undefined;
    let failure: unknown;
    try {
      res = await withTimeout(timeoutMs, (signal) => doFetch(uploadUrl, {
        method: 'PUT', signal, body: new Uint8Array(chunk),
        headers: { 'Content-Length': String(chunk.length), 'Content-Range': `bytes ${offset}-${end - 1}/${total}` },
      }));
    } catch (e) { failure = e; } finally { release(); }

    if (res && (res.status === 200 || res.status === 201)) return await res.json() as MicrosoftGraph.DriveItem;
    if (res && res.status === 202) {
      const j = await res.json().catch(() => ({})) as { nextExpectedRanges?: string[] };
      const next = Number(/^(\d+)-/.exec(j.nextExpectedRanges?.[0] ?? '')?.[1]);
      offset = Number.isFinite(next) && next > offset ? next : end;
      continue;
    }
    // Throttled, a server error, no answer, or 416 (the session has bytes we thought lost): wait if told, ask the session, go on.
    const st = res?.status;
    const text = res ? await res.text().catch(() => '') : '';
    const retryable = res === undefined || st === 416 || isRetryableStatus(st!);
    if (!retryable || ++retries > MAX_FRAGMENT_RETRIES) {
      const detail = res ? `the upload URL answered ${st}${graphError(text)}` : isTimeout(failure) ? `a fragment got no answer within ${timeoutMs} ms` : `the upload URL could not be reached (${(failure as Error)?.message})`;
      return fail(new TeamsDeliveryError(`${step}: ${detail}.`, {
        statusCode: st, retryable: res === undefined || isRetryableStatus(st!), retryAfterMs: retryAfterOf(res?.headers), uncertain: res === undefined || st! >= 500, cause: failure,
      }));
    }
    if (res && (st === 429 || st === 503)) {
      const wait = retryAfterMs(res.headers);
      opts.pacer?.pause(lane, wait);
      if (!opts.pacer) await new Promise((r) => setTimeout(r, wait));
    }
    const next = await resumeAt();
    if (next === null) {
      // The session is gone: the last fragment may have completed the file before its answer was lost.
      const done = await findItem(graph, folder, [file.filename]).catch(() => undefined);
      if (done && done.size === total) return done;
      return fail(new TeamsDeliveryError(`${step}: the upload session ended before the file was complete.`, { retryable: true, uncertain: true }));
    }
    offset = next;
  }
  // Only reached for an empty file, which never takes this path (simple upload covers it).
  throw new TeamsDeliveryError(`${step}: nothing to upload.`, { retryable: false });
}

async function findItem(graph: Client, base: DriveFolder, names: string[]): Promise<MicrosoftGraph.DriveItem | undefined> {
  try {
    return await call<MicrosoftGraph.DriveItem>(graph, `${drivePath(base)}:/${namePath(names)}`, (r) => r.get());
  } catch (e) {
    if (status(e) === 404) return undefined;
    throw graphStepError(`Looking for "${names.join('/')}" in the channel's files`, e);
  }
}

async function createFolder(graph: Client, parent: DriveFolder, name: string): Promise<MicrosoftGraph.DriveItem> {
  try {
    return await call<MicrosoftGraph.DriveItem>(graph, `${drivePath(parent)}/children`,
      (r) => r.post({ name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }));
  } catch (e) {
    // Another delivery created it in between: use theirs.
    if (status(e) === 409) {
      const found = await findItem(graph, parent, [name]);
      if (found) return found;
    }
    throw graphStepError(`Creating the folder "${name}" in the channel's files`, e);
  }
}

function asFolder(parent: DriveFolder, item: MicrosoftGraph.DriveItem, path: string): DriveFolder {
  if (!item.folder) {
    throw new TeamsDeliveryError(`"${path}" in the channel's files is a file, not a folder; choose another folder path for the destination.`, { retryable: false });
  }
  return { driveId: item.parentReference?.driveId ?? parent.driveId, folderId: item.id!, name: item.name ?? path, webUrl: item.webUrl ?? '' };
}

function graphError(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    return e ? ` ${e.code ?? ''}: ${e.message ?? ''}`.replace(/\s+:/, ':') : '';
  } catch { return ''; }
}
