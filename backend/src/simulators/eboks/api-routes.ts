// The e-Boks mobile XML API subset the connector uses, mounted at `<prefix>/mobile/1/xml.svc/:lang`:
//   PUT    /session                                                   logon (challenge → session id + nonce)
//   GET    /{userId}/{mailboxId}/mail/folders                         folders
//   GET    /{userId}/{mailboxId}/mail/folder/{folderId}?skip&take     one page of a folder, newest first
//   GET    /{userId}/{mailboxId}/mail/folder/{folderId}/message/{id}  a message with its attachments
//   GET    …/message/{id}/content                                     a document's bytes (letter or attachment id)
//   PUT    …/message/{id}   <MessageInfo folderId="…" unread="…"/>    move and/or mark read
//   DELETE …/message/{id}                                             delete
// Every authenticated answer carries the next nonce in X-EBOKS-AUTHENTICATE.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { asyncHandler, readBody } from '../http';
import { faultGate, sendBody, sendError, type Random } from './faults';
import { EboksSimError, type EboksState } from './state';
import { folderPageXml, foldersXml, messageInfoXml, messageXml, sessionXml } from './xml';

const AUTH = 'X-EBOKS-AUTHENTICATE';
export const MAX_TAKE = 1000;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false });

function authFields(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (req.header(AUTH) ?? '').matchAll(/([A-Za-z]+)\s*=\s*"([^"]*)"/g)) out[m[1].toLowerCase()] = m[2];
  return out;
}

async function readXmlBody(req: Request): Promise<Record<string, any>> {
  const { body, tooLarge } = await readBody(req, 64 * 1024);
  if (tooLarge) throw new EboksSimError(413, 'PAYLOAD_TOO_LARGE', 'The body is too large.');
  const text = body.toString('utf8');
  if (!text.trim() || XMLValidator.validate(text) !== true) throw new EboksSimError(400, 'BAD_REQUEST', 'The body is not well-formed XML.');
  return xml.parse(text) as Record<string, any>;
}

export function apiRouter(state: EboksState, random: Random): Router {
  const r = Router();
  r.use(faultGate(state, random));

  r.put('/session', asyncHandler(async (req, res) => {
    const h = authFields(req);
    if (!/^\s*logon\s/i.test(req.header(AUTH) ?? '')) throw new EboksSimError(401, 'LOGON_FAILED', 'Logon needs X-EBOKS-AUTHENTICATE: logon deviceid="…",datetime="…",challenge="…".');
    const body = await readXmlBody(req);
    const user = body.Logon?.User as Record<string, string> | undefined;
    if (!user) throw new EboksSimError(400, 'BAD_REQUEST', 'Expected <Logon><User identity identityType nationality pincode/></Logon>.');
    const { session, user: u } = state.logon(h, user);
    res.setHeader(AUTH, `sessionid="${session.id}",nonce="${session.nonce}"`);
    sendBody(res, state, random, 'application/xml; charset=utf-8', Buffer.from(sessionXml(u.userId, u.name)));
  }));

  // Everything below needs a live session; the answer carries the next nonce.
  r.use('/:userId/:mailboxId', (req, res, next) => {
    const s = state.authenticate(authFields(req));
    res.setHeader(AUTH, `nonce="${s.nonce}"`);
    if (req.params.userId !== s.userId) throw new EboksSimError(403, 'FORBIDDEN', 'The session belongs to another user.');
    if (req.params.mailboxId !== '0') throw new EboksSimError(404, 'NOT_FOUND', `No mailbox ${req.params.mailboxId} for this user.`);
    res.locals.cvr = s.cvr;
    next();
  });

  const folderOf = (res: Response, id: string) => {
    const f = state.folders(res.locals.cvr as string).find((x) => x.id === id);
    if (!f) throw new EboksSimError(404, 'NOT_FOUND', `No folder ${id}.`);
    return f;
  };
  const unread = (cvr: string, folderId: string) => state.folderMessages(cvr, folderId).filter((m) => m.unread).length;
  const xmlType = 'application/xml; charset=utf-8';

  r.get('/:userId/:mailboxId/mail/folders', (_req, res) => {
    const cvr = res.locals.cvr as string;
    const body = foldersXml(state.folders(cvr).map((folder) => ({ folder, unread: unread(cvr, folder.id) })));
    sendBody(res, state, random, xmlType, Buffer.from(body));
  });

  r.get('/:userId/:mailboxId/mail/folder/:folderId', (req, res) => {
    const cvr = res.locals.cvr as string;
    const folder = folderOf(res, req.params.folderId);
    const skip = intParam(req, 'skip', 0, 0, Number.MAX_SAFE_INTEGER);
    const take = intParam(req, 'take', 50, 1, MAX_TAKE);
    const page = state.folderMessages(cvr, folder.id).slice(skip, skip + take);
    sendBody(res, state, random, xmlType, Buffer.from(folderPageXml(folder, unread(cvr, folder.id), page)));
  });

  r.get('/:userId/:mailboxId/mail/folder/:folderId/message/:id', (req, res) => {
    const folder = folderOf(res, req.params.folderId);
    const m = state.message(res.locals.cvr as string, folder.id, req.params.id);
    if (!m) throw new EboksSimError(404, 'NOT_FOUND', `No message ${req.params.id} in folder ${folder.id}.`);
    sendBody(res, state, random, xmlType, Buffer.from(messageXml(m)));
  });

  r.get('/:userId/:mailboxId/mail/folder/:folderId/message/:id/content', (req, res) => {
    const folder = folderOf(res, req.params.folderId);
    const found = state.document(res.locals.cvr as string, folder.id, req.params.id);
    if (!found || found.document.missing) throw new EboksSimError(404, 'NOT_FOUND', `No document ${req.params.id} in folder ${folder.id}.`);
    if (found.document.id === found.message.id) found.message.fetched++;
    sendBody(res, state, random, found.document.mimeType, found.document.content);
  });

  r.put('/:userId/:mailboxId/mail/folder/:folderId/message/:id', asyncHandler(async (req, res) => {
    const cvr = res.locals.cvr as string;
    const folder = folderOf(res, req.params.folderId);
    const body = await readXmlBody(req);
    const m = state.message(cvr, folder.id, req.params.id);
    if (!m) throw new EboksSimError(404, 'NOT_FOUND', `No message ${req.params.id} in folder ${folder.id}.`);
    const info = body.MessageInfo as Record<string, string> | undefined;
    if (!info || typeof info !== 'object') throw new EboksSimError(400, 'BAD_REQUEST', 'Expected <MessageInfo folderId="…" unread="…"/>.');
    if (info.folderId !== undefined) m.folderId = folderOf(res, info.folderId).id;
    if (info.unread !== undefined) {
      if (info.unread !== 'true' && info.unread !== 'false') throw new EboksSimError(400, 'BAD_REQUEST', 'unread must be true or false.');
      m.unread = info.unread === 'true';
    }
    sendBody(res, state, random, xmlType, Buffer.from(messageInfoXml(m)));
  }));

  r.delete('/:userId/:mailboxId/mail/folder/:folderId/message/:id', (req, res) => {
    const folder = folderOf(res, req.params.folderId);
    const m = state.message(res.locals.cvr as string, folder.id, req.params.id);
    if (!m) throw new EboksSimError(404, 'NOT_FOUND', `No message ${req.params.id} in folder ${folder.id}.`);
    m.deleted = true;
    res.status(204).end();
  });

  r.use((req, res) => sendError(res, 404, 'NOT_FOUND', `No such operation: ${req.method} ${req.path}`));
  r.use(errorHandler);
  return r;
}

export function errorHandler(e: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(e);
  if (e instanceof EboksSimError) return sendError(res, e.status, e.code, e.message);
  const z = e as { name?: string; issues?: { path: (string | number)[]; message: string }[] };
  if (z?.name === 'ZodError') {
    return sendError(res, 400, 'BAD_REQUEST', (z.issues ?? []).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  }
  sendError(res, 500, 'INTERNAL_ERROR', `Simulator error: ${(e as Error).message}`);
}

function intParam(req: Request, name: string, dflt: number, min: number, max: number): number {
  const v = req.query[name];
  if (v === undefined || v === '') return dflt;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new EboksSimError(400, 'BAD_REQUEST', `${name} must be an integer from ${min} to ${max}.`);
  }
  return Number(v);
}
