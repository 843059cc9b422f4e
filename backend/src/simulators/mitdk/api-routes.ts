// The mit.dk viewer API subset the connector uses, mounted at `<prefix>/view/client`:
//   POST   /authorization/refresh?client_id=…   refresh tokens → new access and refresh tokens
//   POST   /authorization/revoke?client_id=…    revoke tokens
//   GET    /mailboxes                           the signed-in person's mailboxes, grouped per company
//   POST   /folders/query                       {"mailboxes": {DS: id}} → {"folders": {KIND: [folder]}}
//   POST   /messages/query                      one page of folders' messages
//   GET    /{DS}/mailboxes/{mb}/messages/{id}   a message          PATCH: read / folderId, If-Match: version
//   DELETE /{DS}/mailboxes/{mb}/messages/{id}   delete
//   GET    …/messages/{id}/documents/{doc}/files/{file}/content   a file's bytes
// Authenticated calls carry headers mitdkToken and ngdpToken.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { asyncHandler, readBody } from '../http';
import { faultGate, sendBody, sendError, sendJson, type Random } from './faults';
import { DATA_SOURCES } from './schemas';
import { FOLDER_KINDS, MitdkSimError, type MitdkState, type SimMailbox, type SimMessage } from './state';

export const MAX_QUERY_SIZE = 500;

const queryBody = z.object({
  any: z.array(z.unknown()).optional(),
  folders: z.array(z.object({
    dataSource: z.enum(DATA_SOURCES),
    foldersId: z.array(z.string()).min(1),
    mailboxId: z.string(),
    startIndex: z.number().int().min(0).default(0),
  }).passthrough()).min(1),
  size: z.number().int().min(1).max(MAX_QUERY_SIZE).default(20),
  sortFields: z.array(z.string().regex(/^receivedDateTime:(ASC|DESC)$/, 'only receivedDateTime:ASC|DESC is simulated')).optional(),
}).passthrough();

const patchBody = z.object({ read: z.boolean().optional(), folderId: z.string().optional() }).strict();

export function messageJson(m: SimMessage) {
  return {
    id: m.id,
    mailboxId: m.mailbox.id,
    dataSource: m.mailbox.dataSource,
    folderId: m.folderId,
    label: m.label,
    sender: m.sender,
    receivedDateTime: m.receivedAt.toISOString(),
    read: m.read,
    version: m.version,
    documents: m.documents.map((d) => ({
      id: d.id, label: d.label,
      files: d.files.map((f) => ({ id: f.id, filename: f.filename, encodingFormat: f.encodingFormat, size: f.content.length })),
    })),
  };
}

async function json(req: Request): Promise<unknown> {
  if (!req.is('application/json')) throw new MitdkSimError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.');
  const { body, tooLarge } = await readBody(req, 256 * 1024);
  if (tooLarge) throw new MitdkSimError(413, 'PAYLOAD_TOO_LARGE', 'The body is too large.');
  try { return JSON.parse(body.toString('utf8')); } catch { throw new MitdkSimError(400, 'BAD_REQUEST', 'The body is not valid JSON.'); }
}

export function apiRouter(state: MitdkState, random: Random): Router {
  const r = Router();
  r.use(faultGate(state, random));

  r.post('/authorization/refresh', asyncHandler(async (req, res) => {
    if (!req.query.client_id) throw new MitdkSimError(400, 'BAD_REQUEST', 'client_id is required.');
    const b = z.object({ dppRefreshToken: z.string().optional(), ngdpRefreshToken: z.string().optional() }).passthrough().parse(await json(req));
    sendJson(res, state, random, state.refreshTokens(b.dppRefreshToken, b.ngdpRefreshToken));
  }));

  r.post('/authorization/revoke', asyncHandler(async (req, res) => {
    const b = (await json(req)) as Record<string, Record<string, string> | undefined>;
    state.revoke(['dpp', 'ngdp'].flatMap((k) => [b?.[k]?.token, b?.[k]?.refresh_token]).filter((t): t is string => typeof t === 'string'));
    res.status(200).json({});
  }));

  // Everything below needs live access tokens.
  r.use((req, res, next) => {
    res.locals.principal = state.authenticate(req.header('mitdkToken'), req.header('ngdpToken'));
    next();
  });
  const principal = (res: Response) => res.locals.principal as Parameters<MitdkState['mayRead']>[0];

  const box = (res: Response, dataSource: string, id: string): SimMailbox => {
    const b = state.mailboxById(id);
    if (!b || b.dataSource !== dataSource || !state.mayRead(principal(res), b.cvr)) throw new MitdkSimError(404, 'NOT_FOUND', `No mailbox ${id} (${dataSource}).`);
    return b;
  };

  r.get('/mailboxes', (_req, res) => {
    const groupedMailboxes = state.visibleCvrs(principal(res)).map((cvr) => {
      const b = state.mailboxes(cvr);
      return {
        ownerExternalId: cvr,
        mailboxes: Object.values(b).map((m) => ({ id: m.id, dataSource: m.dataSource, ownerExternalId: cvr, ownerName: m.ownerName, ownerType: 'COMPANY' })),
      };
    });
    sendJson(res, state, random, { groupedMailboxes });
  });

  r.post('/folders/query', asyncHandler(async (req, res) => {
    const b = z.object({ mailboxes: z.record(z.string()) }).passthrough().parse(await json(req));
    const folders: Record<string, { id: string; dataSource: string; mailboxId: string; kind: string }[]> = {};
    for (const [ds, id] of Object.entries(b.mailboxes)) {
      const m = box(res, ds, id);
      for (const kind of FOLDER_KINDS) (folders[kind] ??= []).push({ id: m.folders[kind], dataSource: ds, mailboxId: m.id, kind });
    }
    sendJson(res, state, random, { folders });
  }));

  r.post('/messages/query', asyncHandler(async (req, res) => {
    const q = queryBody.parse(await json(req));
    const direction = q.sortFields?.[0]?.endsWith(':ASC') ? 'ASC' : 'DESC';
    const results: SimMessage[] = [];
    for (const f of q.folders) {
      const m = box(res, f.dataSource, f.mailboxId);
      for (const folderId of f.foldersId) {
        if (!Object.values(m.folders).includes(folderId)) throw new MitdkSimError(404, 'NOT_FOUND', `No folder ${folderId} in mailbox ${m.id}.`);
        results.push(...state.folderMessages(m, folderId, direction).slice(f.startIndex));
      }
    }
    results.sort((a, b) => (direction === 'ASC' ? 1 : -1) * (a.receivedAt.getTime() - b.receivedAt.getTime()));
    sendJson(res, state, random, { results: results.slice(0, q.size).map(messageJson) });
  }));

  const messageOf = (req: Request, res: Response) => {
    const m = state.message(box(res, req.params.ds, req.params.mb), req.params.id);
    if (!m) throw new MitdkSimError(404, 'NOT_FOUND', `No message ${req.params.id}.`);
    return m;
  };

  r.get('/:ds/mailboxes/:mb/messages/:id', (req, res) => {
    sendJson(res, state, random, messageJson(messageOf(req, res)));
  });

  r.patch('/:ds/mailboxes/:mb/messages/:id', asyncHandler(async (req, res) => {
    const m = messageOf(req, res);
    const match = req.header('If-Match');
    if (match === undefined) throw new MitdkSimError(428, 'PRECONDITION_REQUIRED', 'If-Match with the message version is required.');
    if (match.replace(/^W\//, '').replace(/"/g, '') !== String(m.version)) {
      throw new MitdkSimError(412, 'PRECONDITION_FAILED', `The message has changed (version ${m.version}).`);
    }
    const b = patchBody.parse(await json(req));
    if (b.folderId !== undefined) {
      if (!Object.values(m.mailbox.folders).includes(b.folderId)) throw new MitdkSimError(400, 'BAD_REQUEST', `No folder ${b.folderId} in this mailbox.`);
      m.folderId = b.folderId;
    }
    if (b.read !== undefined) m.read = b.read;
    m.version++;
    sendJson(res, state, random, messageJson(m));
  }));

  r.delete('/:ds/mailboxes/:mb/messages/:id', (req, res) => {
    messageOf(req, res).deleted = true;
    res.status(204).end();
  });

  r.get('/:ds/mailboxes/:mb/messages/:id/documents/:doc/files/:file/content', (req, res) => {
    const m = messageOf(req, res);
    const d = m.documents.find((x) => x.id === req.params.doc);
    const f = d?.files.find((x) => x.id === req.params.file);
    if (!f) throw new MitdkSimError(404, 'NOT_FOUND', `No file ${req.params.file} in document ${req.params.doc}.`);
    if (d === m.documents[0]) m.fetched++;
    sendBody(res, state, random, f.encodingFormat, f.content);
  });

  r.use((req, res) => sendError(res, 404, 'NOT_FOUND', `No such operation: ${req.method} ${req.path}`));
  r.use(errorHandler);
  return r;
}

export function errorHandler(e: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(e);
  if (e instanceof MitdkSimError) return sendError(res, e.status, e.code, e.message);
  if (e instanceof z.ZodError) {
    return sendError(res, 400, 'BAD_REQUEST', e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  }
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', `Simulator error: ${(e as Error).message}`);
}
