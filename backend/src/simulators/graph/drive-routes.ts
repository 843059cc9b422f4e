// SharePoint document libraries through Graph (the part a Teams channel's files need):
//   GET  /drives/{d}/items/{id} | /root                         a driveItem
//   GET  /drives/{d}/items/{id}:/{path}[:]                      by path below an item (nested folders)
//   GET  /drives/{d}/items/{id}/children                        a folder's children ($select, $top, $skip, $filter)
//   POST /drives/{d}/items/{id}/children                        create a folder {name, folder:{}, @microsoft.graph.conflictBehavior}
//   PUT  /drives/{d}/items/{parent}:/{name}:/content            simple upload (binary body; ?@microsoft.graph.conflictBehavior, default replace)
//   PUT  /drives/{d}/items/{id}/content                         replace an existing file's bytes
//   GET  /drives/{d}/items/{id}/content                         302 to the pre-authenticated download URL
//   POST /drives/{d}/items/{parent}:/{name}:/createUploadSession {item:{@microsoft.graph.conflictBehavior (default fail), name, fileSize}}
//   DELETE /drives/{d}/items/{id} | …/items/{id}:/{path}         204; a folder goes with everything in it (the root cannot)
// and, outside /v1.0 and without a bearer token (SharePoint's pre-authenticated URLs, see spRouter):
//   PUT|GET|DELETE <prefix>/_sp/uploadSession/{id}?tempauth=…    fragments (Content-Range), status, cancel
//   GET  <prefix>/_sp/download/{token}                            the bytes
//
// What the simulator enforces, as we read Graph's documentation:
// - simple upload up to 250 MB (the documented limit; Graph recommends an upload session above 4 MB,
//   which our client follows), larger: 413;
// - upload session fragments: in order (else 416 invalidRange), at most 60 MiB (413), each but the
//   last a multiple of 320 KiB (400 invalidRequest; Graph says other sizes "result in errors committing
//   some files", the simulator refuses them outright), one total size for all fragments; an
//   Authorization header on a fragment is refused with 401 (Graph "may" answer so);
// - 202 {nextExpectedRanges} until the last fragment, then 201 (new) or 200 (replaced) with the item;
//   a name conflict at commit (conflictBehavior fail) is 409 nameAlreadyExists and keeps the session;
// - SharePoint names: no " * : < > ? / \ |, no leading/trailing spaces, no trailing period, no
//   reserved names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, .lock, desktop.ini, ~$…, _vti_): 400 invalidRequest.
// Not simulated: quickXorHash, versions history, sharing, deferCommit, throttling by SharePoint
// resource units (drive requests meet only the switchable faults, not the per-mailbox limits).
import { createHmac, randomBytes } from 'node:crypto';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { readBody } from '../http';
import { GraphHttpError, graphErrorHandler, sendGraphError } from './errors';
import type { Annotated, GraphCollection, GraphResponse } from './graph-json';
import { evaluate } from './odata-filter';
import { applyPaging, nextLink, origin, parseQuery, project, rawQuery } from './odata-query';
import { bearerAuth, faultGate, fragmentFault, jsonBody, latency, requestContext } from './pipeline';
import { noteBody } from './recorder';
import { contextUrl, q, sendJson } from './respond';
import type { GraphRuntime } from './runtime';
import {
  UPLOAD_SESSION_TTL_MS, driveItemNotFound, invalidDriveRequest, nameAlreadyExists, teamsOf, validateItemName,
  type ConflictBehavior, type DriveItemRec, type DriveRec, type TeamsState, type UploadSessionRec,
} from './teams-state';

export const SIMPLE_UPLOAD_MAX_BYTES = 250 * 1024 * 1024;
export const FRAGMENT_MAX_BYTES = 60 * 1024 * 1024;
export const FRAGMENT_MULTIPLE = 320 * 1024;
/** Where the pre-authenticated upload and download URLs live, below the simulator's prefix. */
export const SP_PATH = '/_sp';

const DRIVE_ITEM_PROPERTIES: ReadonlySet<string> = new Set(['id', 'name', 'size', 'webUrl', 'createdDateTime', 'lastModifiedDateTime',
  'eTag', 'cTag', 'parentReference', 'file', 'folder', 'root', 'fileSystemInfo', 'createdBy', 'lastModifiedBy', '@microsoft.graph.downloadUrl']);
const APP_IDENTITY = { application: { displayName: 'Brevdue' }, user: { displayName: 'SharePoint App' } } satisfies MicrosoftGraph.IdentitySet;
const downloadSecret = randomBytes(32);

const MIME: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', xml: 'application/xml', html: 'text/html', htm: 'text/html', json: 'application/json',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', tif: 'image/tiff', tiff: 'image/tiff',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv', zip: 'application/x-zip-compressed',
};
/** SharePoint derives a file's mimeType from its extension. */
export function mimeFromName(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) || 'application/octet-stream';
}

/** <origin><prefix> of this simulator instance, from a request below it. */
function simBase(req: Request): string {
  const at = req.baseUrl.indexOf('/v1.0');
  return origin(req) + (at < 0 ? req.baseUrl.replace(new RegExp(`${SP_PATH}$`), '') : req.baseUrl.slice(0, at));
}

function downloadToken(driveId: string, itemId: string): string {
  const ref = Buffer.from(`${driveId}|${itemId}`).toString('base64url');
  return `${ref}.${createHmac('sha256', downloadSecret).update(ref).digest('base64url').slice(0, 32)}`;
}
function readDownloadToken(token: string): { driveId: string; itemId: string } | undefined {
  const [ref, mac] = token.split('.');
  if (!ref || !mac || createHmac('sha256', downloadSecret).update(ref).digest('base64url').slice(0, 32) !== mac) return undefined;
  const [driveId, itemId] = Buffer.from(ref, 'base64url').toString('utf8').split('|');
  return driveId && itemId ? { driveId, itemId } : undefined;
}

/** A driveItem as Graph returns it (default property set; files with @microsoft.graph.downloadUrl). */
export function driveItemJson(req: Request, state: TeamsState, drive: DriveRec, item: DriveItemRec): Annotated<MicrosoftGraph.DriveItem> {
  const parent = item.parentId ? drive.items.get(item.parentId) : undefined;
  const parentPath = parent ? state.pathOf(drive, parent) : '';
  const out: Annotated<MicrosoftGraph.DriveItem> = {
    ...(item.isFolder ? {} : { '@microsoft.graph.downloadUrl': `${simBase(req)}${SP_PATH}/download/${downloadToken(drive.id, item.id)}` }),
    createdBy: APP_IDENTITY,
    createdDateTime: item.createdDateTime,
    eTag: `"{${item.etagGuid}},${item.version}"`,
    id: item.id,
    lastModifiedBy: APP_IDENTITY,
    lastModifiedDateTime: item.lastModifiedDateTime,
    name: item.name,
    parentReference: parent
      ? { driveType: 'documentLibrary', driveId: drive.id, id: parent.id, name: parent.parentId === null ? 'Shared Documents' : parent.name, path: `/drives/${drive.id}/root:${parentPath ? `/${parentPath}` : ''}` }
      : { driveType: 'documentLibrary', driveId: drive.id },
    webUrl: state.webUrl(drive, item),
    cTag: `"c:{${item.etagGuid}},${item.version}"`,
    fileSystemInfo: { createdDateTime: item.createdDateTime, lastModifiedDateTime: item.lastModifiedDateTime },
    size: item.isFolder ? state.filesBelow(drive, item).reduce((n, f) => n + (f.item.content?.length ?? 0), 0) : item.content?.length ?? 0,
  };
  if (item.isFolder) out.folder = { childCount: state.children(drive, item.id).length };
  else out.file = { mimeType: item.mimeType ?? 'application/octet-stream' };
  if (item.parentId === null) out.root = {};
  return out;
}

/** The pipeline for Teams and drive requests: Graph's, except that PUT bodies are binary. */
export function drivePipeline(rt: GraphRuntime): RequestHandler[] {
  const json = jsonBody(rt);
  const body: RequestHandler = (req, res, next) => {
    if (req.method !== 'PUT') return json(req, res, next);
    readBody(req, SIMPLE_UPLOAD_MAX_BYTES).then(({ body: b, tooLarge, size }) => {
      noteBody(res, null, size);
      if (tooLarge) throw new GraphHttpError(413, 'invalidRequest', `The request body is ${size} bytes; simple upload takes files up to 250 MB. Use an upload session (createUploadSession).`);
      res.locals.raw = b;
      next();
    }).catch(next);
  };
  return [requestContext(rt), bearerAuth(rt), body, faultGate(rt), latency(rt)];
}

interface Address { drive: DriveRec; base: DriveItemRec; names?: string[]; action: string }

/** POST …/children, validated: a folder's name (SharePoint's rules) and the conflict behaviour (default fail). */
type NewDriveFolder = Annotated<MicrosoftGraph.DriveItem> & { name: string; '@microsoft.graph.conflictBehavior': ConflictBehavior };

function parseNewDriveFolder(body: unknown): NewDriveFolder {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidDriveRequest('A new folder needs a JSON body such as {"name":"…","folder":{}}.');
  const raw = body as Record<string, unknown>;
  if (!raw.folder || typeof raw.folder !== 'object') throw invalidDriveRequest('Only folders can be created here: give "folder": {}. Upload files with PUT …:/{name}:/content or an upload session.');
  const conflict = parseConflict(raw['@microsoft.graph.conflictBehavior'], 'fail');
  // The folder facet's contents are not read.
  return { name: validateItemName(raw.name), folder: raw.folder as MicrosoftGraph.Folder, '@microsoft.graph.conflictBehavior': conflict };
}

/** createUploadSession on a drive item, as understood: the item's name, conflict behaviour and declared size. */
interface DriveUploadSessionInput {
  item: Annotated<MicrosoftGraph.DriveItemUploadableProperties> & { name: string; fileSize: number | null; '@microsoft.graph.conflictBehavior': ConflictBehavior };
}

function parseConflict(v: unknown, fallback: ConflictBehavior): ConflictBehavior {
  if (v === undefined || v === null || v === '') return fallback;
  if (v === 'fail' || v === 'replace' || v === 'rename') return v;
  throw invalidDriveRequest(`Invalid value '${String(v)}' for @microsoft.graph.conflictBehavior: use fail, replace or rename.`);
}

const decode = (s: string) => {
  try { return decodeURIComponent(s); } catch { throw invalidDriveRequest(`Invalid URL encoding in '${s}'.`); }
};

/** Routes below /v1.0/drives (mount there). */
export function driveRouter(rt: GraphRuntime): Router {
  const state = teamsOf(rt);
  const r = Router();
  r.use(...drivePipeline(rt));

  // Express would trip over the ':' of path addressing, so the address is parsed here.
  const address = (req: Request): Address => {
    const m = /^\/([^/:]+)(\/.*)?$/.exec(req.path);
    if (!m) throw new GraphHttpError(400, 'BadRequest', 'Resource not found for the segment \'drives\'.');
    const drive = state.drive(decode(m[1]));
    let rest = m[2] ?? '';
    let base: DriveItemRec;
    const root = /^\/root(?=$|[:/])/.exec(rest);
    const byId = /^\/items\/([^/:]+)/.exec(rest);
    if (root) { base = drive.items.get(drive.rootId)!; rest = rest.slice(root[0].length); }
    else if (byId) { base = state.item(drive, decode(byId[1])); rest = rest.slice(byId[0].length); }
    else throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${rest.split('/').filter(Boolean)[0] ?? ''}'.`);
    let names: string[] | undefined;
    if (rest.startsWith(':')) {
      const body = rest.slice(1);
      const end = body.indexOf(':');
      names = (end < 0 ? body : body.slice(0, end)).split('/').filter(Boolean).map(decode);
      rest = end < 0 ? '' : body.slice(end + 1);
    }
    return { drive, base, names, action: rest.replace(/\/$/, '') };
  };

  const ctx = (a: Address) => `drives(${q(a.drive.id)})/items`;
  const target = (a: Address) => (a.names?.length ? state.resolvePath(a.drive, a.base, a.names) : a.base);
  /** For writes by path: the existing parent of the last name, and that name. */
  const parentAndName = (a: Address) => {
    const names = a.names ?? [];
    const parent = state.resolvePath(a.drive, a.base, names.slice(0, -1));
    if (!parent.isFolder) throw invalidDriveRequest('The parent item is not a folder.');
    return { parent, name: validateItemName(names[names.length - 1]) };
  };

  r.use((req: Request, res: Response, next: NextFunction) => {
    const a = address(req);
    const key = `${req.method} ${a.action}`;
    switch (key) {
      case 'GET ': {
        const item = target(a);
        const query = parseQuery(req, 'driveItem', DRIVE_ITEM_PROPERTIES);
        return sendJson(rt, res, 200, { '@odata.context': contextUrl(req, `${ctx(a)}/$entity`), ...project(driveItemJson(req, state, a.drive, item), query.select) } satisfies GraphResponse<MicrosoftGraph.DriveItem>);
      }
      case 'GET /children': {
        const folder = target(a);
        if (!folder.isFolder) throw invalidDriveRequest('The item is not a folder; it has no children.');
        const query = parseQuery(req, 'driveItem', DRIVE_ITEM_PROPERTIES);
        const all = state.children(a.drive, folder.id).map((c) => driveItemJson(req, state, a.drive, c))
          .filter((j) => !query.filter || evaluate(query.filter, j as Record<string, unknown>));
        const { page, more, top } = applyPaging(all, query, 200);
        return sendJson(rt, res, 200, {
          '@odata.context': contextUrl(req, `${ctx(a)}(${q(folder.id)})/children`),
          ...(query.count ? { '@odata.count': all.length } : {}),
          value: page.map((j) => project(j, query.select)),
          ...(more ? { '@odata.nextLink': nextLink(req, query, top) } : {}),
        } satisfies GraphCollection<Annotated<MicrosoftGraph.DriveItem>>);
      }
      case 'POST /children': {
        const parent = target(a);
        const input = parseNewDriveFolder(res.locals.body);
        const { item } = state.createFolder(a.drive, parent, input.name, input['@microsoft.graph.conflictBehavior']);
        return sendJson(rt, res, 201, { '@odata.context': contextUrl(req, `${ctx(a)}(${q(parent.id)})/children/$entity`), ...driveItemJson(req, state, a.drive, item) } satisfies GraphResponse<MicrosoftGraph.DriveItem>);
      }
      case 'DELETE ': {
        // Graph moves the item to the site's recycle bin; here it is simply gone. Its id is then 404 itemNotFound.
        const item = target(a);
        if (item.parentId === null) throw new GraphHttpError(403, 'accessDenied', 'The root of a drive cannot be deleted.');
        state.deleteItem(a.drive, item);
        return res.status(204).end();
      }
      case 'GET /content': {
        const item = target(a);
        if (item.isFolder) throw invalidDriveRequest('A folder has no content.');
        res.status(302).setHeader('Location', `${simBase(req)}${SP_PATH}/download/${downloadToken(a.drive.id, item.id)}`);
        return res.setHeader('Content-Length', '0').end();
      }
      case 'PUT /content': {
        const content = res.locals.raw as Buffer;
        let out: { item: DriveItemRec; created: boolean };
        if (a.names?.length) {
          const { parent, name } = parentAndName(a);
          const conflict = parseConflict(rawQuery(req).get('@microsoft.graph.conflictBehavior'), 'replace');
          out = state.putFile(a.drive, parent, name, content, mimeFromName(name), conflict);
        } else {
          if (a.base.isFolder) throw invalidDriveRequest('Cannot upload content to a folder; address a file name: PUT …/items/{parent-id}:/{filename}:/content.');
          out = state.putFile(a.drive, a.drive.items.get(a.base.parentId!)!, a.base.name, content, a.base.mimeType ?? mimeFromName(a.base.name), 'replace');
        }
        return sendJson(rt, res, out.created ? 201 : 200, { '@odata.context': contextUrl(req, `${ctx(a)}/$entity`), ...driveItemJson(req, state, a.drive, out.item) } satisfies GraphResponse<MicrosoftGraph.DriveItem>);
      }
      case 'POST /createUploadSession': {
        const body = (res.locals.body ?? {}) as { item?: Record<string, unknown> };
        if (typeof body !== 'object' || Array.isArray(body) || (body.item !== undefined && (typeof body.item !== 'object' || body.item === null))) {
          throw invalidDriveRequest('The body of createUploadSession is {"item": {"@microsoft.graph.conflictBehavior": …, "name": …}}.');
        }
        const item = body.item ?? {}; // read leniently below; `session` is what was understood
        let parent: DriveItemRec; let name: string; let conflict: ConflictBehavior;
        if (a.names?.length) {
          ({ parent, name } = parentAndName(a));
          if (item.name !== undefined && item.name !== name) throw invalidDriveRequest(`The name in the request body ('${String(item.name)}') must match the name in the path ('${name}').`);
          conflict = parseConflict(item['@microsoft.graph.conflictBehavior'], 'fail');
        } else {
          if (a.base.isFolder) throw invalidDriveRequest('To upload a new file, name it: POST …/items/{parent-id}:/{fileName}:/createUploadSession.');
          parent = a.drive.items.get(a.base.parentId!)!; name = a.base.name; conflict = 'replace';
        }
        if (conflict === 'fail' && state.childByName(a.drive, parent.id, name)) throw nameAlreadyExists();
        const fileSize = typeof item.fileSize === 'number' && Number.isInteger(item.fileSize) && item.fileSize > 0 ? item.fileSize : null;
        const session: DriveUploadSessionInput = { item: { '@microsoft.graph.conflictBehavior': conflict, name, fileSize } };
        const s: UploadSessionRec = {
          id: randomBytes(16).toString('hex'), tempauth: randomBytes(24).toString('base64url'), driveId: a.drive.id, parentId: parent.id,
          name, conflict: session.item['@microsoft.graph.conflictBehavior'], mimeType: mimeFromName(name), total: session.item.fileSize, received: 0, chunks: [], expires: Date.now() + UPLOAD_SESSION_TTL_MS,
        };
        state.sessions.set(s.id, s);
        const guid = randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
        return sendJson(rt, res, 200, {
          '@odata.context': contextUrl(req, 'microsoft.graph.uploadSession'),
          uploadUrl: `${simBase(req)}${SP_PATH}/uploadSession/${s.id}?guid='${guid}'&overwrite=${conflict === 'replace' ? 'True' : 'False'}&rename=${conflict === 'rename' ? 'True' : 'False'}&dc=0&tempauth=${s.tempauth}`,
          expirationDateTime: new Date(s.expires).toISOString(),
          nextExpectedRanges: ['0-'],
        } satisfies GraphResponse<MicrosoftGraph.UploadSession>);
      }
      default:
        if (['', '/children', '/content', '/createUploadSession'].includes(a.action)) {
          throw new GraphHttpError(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed here.`);
        }
        return next(new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${a.action.split('/').filter(Boolean)[0] ?? ''}'.`));
    }
  });
  r.use(graphErrorHandler);
  return r;
}

const RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/** Pre-authenticated SharePoint URLs (no bearer token): upload sessions and downloads. Mount at <prefix>/_sp. */
export function spRouter(rt: GraphRuntime): Router {
  const state = teamsOf(rt);
  const r = Router();
  r.use(requestContext(rt), faultGate(rt), fragmentFault(rt));

  r.get('/download/:token', (req, res) => {
    const ref = readDownloadToken(req.params.token);
    const drive = ref && state.allTeams().some((t) => t.driveId === ref.driveId) ? state.drive(ref.driveId) : undefined;
    const item = ref ? drive?.items.get(ref.itemId) : undefined;
    if (!drive || !item || item.isFolder) throw driveItemNotFound();
    const body = item.content ?? Buffer.alloc(0);
    res.status(200).setHeader('Content-Type', item.mimeType ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(body.length));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`);
    res.setHeader('ETag', `"{${item.etagGuid}},${item.version}"`);
    res.end(body);
  });

  const session = (req: Request): UploadSessionRec => {
    const s = state.sessions.get(req.params.id);
    if (!s || s.expires < Date.now()) {
      if (s) state.sessions.delete(s.id);
      throw new GraphHttpError(404, 'itemNotFound', 'The upload session was not found; it may have expired, completed or been cancelled.');
    }
    if (rawQuery(req).get('tempauth') !== s.tempauth) throw new GraphHttpError(401, 'unauthenticated', 'The upload URL is incomplete or altered (tempauth).');
    return s;
  };
  const status = (s: UploadSessionRec): MicrosoftGraph.UploadSession => ({ expirationDateTime: new Date(s.expires).toISOString(), nextExpectedRanges: [`${s.received}-`] });

  r.get('/uploadSession/:id', (req, res) => { sendJson(rt, res, 200, status(session(req))); });
  r.delete('/uploadSession/:id', (req, res) => { state.sessions.delete(session(req).id); res.status(204).end(); });

  r.put('/uploadSession/:id', (req, res, next) => {
    readBody(req, FRAGMENT_MAX_BYTES).then(({ body, tooLarge, size }) => {
      noteBody(res, null, size);
      const s = session(req);
      if (req.get('Authorization')) {
        throw new GraphHttpError(401, 'unauthenticated', 'An upload URL is pre-authenticated: send fragments without an Authorization header.');
      }
      if (tooLarge) throw new GraphHttpError(413, 'invalidRequest', `A fragment may carry less than 60 MiB; this one has ${size} bytes.`);
      const m = RANGE.exec((req.get('Content-Range') ?? '').trim());
      if (!m) throw invalidDriveRequest('Each fragment needs a Content-Range header: bytes {start}-{end}/{total}.');
      if (m[3] === '*') throw invalidDriveRequest('The total size of the file must be given in Content-Range (bytes {start}-{end}/{total}).');
      const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (s.total !== null && total !== s.total) throw invalidDriveRequest(`Content-Range declares a file of ${total} bytes; this upload session is for ${s.total} bytes.`);
      if (start > end || end >= total) throw new GraphHttpError(416, 'invalidRange', `The range ${start}-${end} does not fit a file of ${total} bytes.`);
      if (body.length !== end - start + 1) throw invalidDriveRequest(`Content-Range declares ${end - start + 1} bytes but the request carried ${body.length}.`);
      if (start !== s.received) {
        throw new GraphHttpError(416, 'invalidRange', start < s.received
          ? `The uploaded fragment overlaps with data that has already been received (next expected: ${s.received}-).`
          : `Fragments must be uploaded in order: the next expected range starts at ${s.received}.`);
      }
      const last = end === total - 1;
      if (!last && body.length % FRAGMENT_MULTIPLE !== 0) {
        throw invalidDriveRequest(`Each fragment except the last must be a multiple of 320 KiB (327,680 bytes); this one has ${body.length} bytes.`);
      }
      s.total = total; s.chunks.push(body); s.received = end + 1; s.expires = Date.now() + UPLOAD_SESSION_TTL_MS;
      if (!last) return sendJson(rt, res, 202, status(s));
      // The last byte arrived: commit. A conflict keeps the session (as Graph does) so the upload can be recovered.
      const drive = state.drive(s.driveId);
      const parent = drive.items.get(s.parentId);
      if (!parent) { state.sessions.delete(s.id); throw driveItemNotFound(); }
      let out: { item: DriveItemRec; created: boolean };
      try {
        out = state.putFile(drive, parent, s.name, Buffer.concat(s.chunks), s.mimeType, s.conflict);
      } catch (e) {
        if (e instanceof GraphHttpError && e.status === 409) {
          throw new GraphHttpError(409, 'nameAlreadyExists', 'Another file exists with the same name as the uploaded session. You can redirect the upload session to use a new filename by calling PUT with the new metadata and @microsoft.graph.sourceUrl attribute.');
        }
        throw e;
      }
      state.sessions.delete(s.id);
      sendJson(rt, res, out.created ? 201 : 200, driveItemJson(req, state, drive, out.item) satisfies Annotated<MicrosoftGraph.DriveItem>);
    }).catch(next);
  });

  r.use((req, res) => sendGraphError(res, new GraphHttpError(404, 'itemNotFound', `No such SharePoint URL: ${req.method} ${req.path}.`)));
  r.use(graphErrorHandler);
  return r;
}
