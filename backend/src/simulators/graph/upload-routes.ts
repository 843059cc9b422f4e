// The uploadUrl of an attachment upload session, mounted at <prefix>/upload (outside /v1.0, as
// Outlook's is on another host). Pre-authenticated by its authtoken: a request that carries an
// Authorization header is refused (401), so that a client leaking its bearer token shows.
//   PUT    bytes a-b/total, in order, each at most 4 MB: 200 {nextExpectedRanges:["b+1"]}, the last
//          201 with Location .../Attachments('<id>') and no body
//   GET    the session's state      DELETE  cancels (204)
// Each request counts against the mailbox's throttle; PUT bytes against its upload budget.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { Router, type Request, type Response } from 'express';
import { asyncHandler, readBody, sleep } from '../http';
import { graphDateTime } from './attachment-routes';
import { GraphHttpError, badRequest, graphErrorHandler, itemNotFound } from './errors';
import type { GraphResponse } from './graph-json';
import { attachToMessage, isoSeconds } from './messages';
import { exchangeId } from './ids';
import { rawQuery } from './odata-query';
import { admitToMailbox } from './pipeline';
import { noteBody } from './recorder';
import { sendEmpty, sendJson, simRoot } from './respond';
import type { GraphRuntime } from './runtime';
import type { AttachmentRec } from './state';
import type { UploadSession } from './upload-sessions';

/** What the upload URL answers while bytes are missing: Outlook's uploadSession, without uploadUrl. */
type OutlookSessionStatus = GraphResponse<Omit<MicrosoftGraph.UploadSession, 'uploadUrl' | 'expirationDateTime'>> & {
  ExpirationDateTime: string; // Outlook's casing, as documented ("Attach large files to Outlook messages", step 2); not in the Graph types
};

const SESSION_PATH = /^\/api\/v2\.0\/Users\('([^']+)'\)\/Messages\('([^']+)'\)\/AttachmentSessions\('([^']+)'\)\/?$/i;

export function uploadRouter(rt: GraphRuntime): Router {
  const r = Router();
  r.all('*', asyncHandler(async (req: Request, res: Response) => {
    const path = safeDecode(req.path);
    const m = SESSION_PATH.exec(path);
    if (!m) throw new GraphHttpError(404, 'ResourceNotFound', `No upload session at ${path}.`);
    if (req.get('Authorization') !== undefined) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken',
        'The upload URL is pre-authenticated by its authtoken: do not send an Authorization header to it.');
    }
    const s = rt.uploadSessions.get(m[3]);
    if (!s || s.mailboxId !== m[1] || s.messageId !== m[2]) throw new GraphHttpError(404, 'ErrorItemNotFound', 'The upload session does not exist or was cancelled or completed.');
    if (rawQuery(req).get('authtoken') !== s.token) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'The authtoken of the upload URL is missing or not valid.');
    if (rt.uploadSessions.expired(s)) throw new GraphHttpError(401, 'InvalidAuthenticationToken', `The upload session expired at ${graphDateTime(s.expiresAt)}.`);
    const mb = rt.state.all().find((x) => x.id === s.mailboxId);
    if (!mb) throw itemNotFound();
    if (!admitToMailbox(rt, mb, res)) return;
    if (rt.faults.latencyMs) await sleep(rt.faults.latencyMs);
    const root = simRoot(req);
    const outlook = `${root}/upload/api/v2.0`;
    const status = (): OutlookSessionStatus => ({
      '@odata.context': `${outlook}/$metadata#Users('${mb.id}')/Messages('${s.messageId}')/AttachmentSessions/$entity`,
      // Casing as Outlook answers (and as Graph's documentation shows); SDKs accept either.
      ExpirationDateTime: graphDateTime(s.expiresAt),
      nextExpectedRanges: [String(s.next)],
    });

    if (req.method === 'DELETE') {
      rt.uploadSessions.delete(s.id);
      return sendEmpty(rt, res, 204);
    }
    if (req.method === 'GET') return sendJson(rt, res, 200, status());
    if (req.method !== 'PUT') throw new GraphHttpError(405, 'ErrorInvalidRequest', `The upload URL takes PUT, GET and DELETE, not ${req.method}.`);

    const { body, size, tooLarge } = await readBody(req, rt.limits.maxRequestBytes);
    noteBody(res, null, size);
    if (tooLarge) {
      throw new GraphHttpError(413, 'RequestEntityTooLarge', `The request body is ${size} bytes; upload at most 4 MB (${rt.limits.maxRequestBytes} bytes) per PUT.`);
    }
    const range = checkRange(req.get('Content-Range'), s, body.length);
    if (range.start !== s.next) {
      throw new GraphHttpError(416, 'ErrorInvalidRange',
        `The range starts at byte ${range.start} but the upload session expects byte ${s.next} next (nextExpectedRanges ["${s.next}"]); upload the bytes of a file in order.`);
    }
    rt.chargeUpload(mb.id, body.length);
    s.chunks.push(Buffer.from(body));
    s.next = range.end + 1;
    if (s.next < s.item.size) return sendJson(rt, res, 200, status());

    const message = mb.messages.get(s.messageId);
    rt.uploadSessions.delete(s.id);
    if (!message) throw itemNotFound();
    const a = attachmentOf(s);
    attachToMessage(message, a);
    sendEmpty(rt, res, 201, { Location: `${outlook}/Users('${mb.id}')/Messages('${message.id}')/Attachments('${a.id}')` });
  }));
  r.use(graphErrorHandler);
  return r;
}

/** Content-Range: bytes {start}-{end}/{total}, matching the session's size and the body. */
function checkRange(header: string | undefined, s: UploadSession, bodyBytes: number): { start: number; end: number } {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(header ?? '');
  if (!m) throw badRequest("The Content-Range header is missing or not valid: use 'bytes {start}-{end}/{total}'.", 'ErrorInvalidRequest');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (total !== s.item.size) throw badRequest(`The Content-Range total ${total} differs from the size ${s.item.size} given when the upload session was created.`, 'ErrorInvalidRequest');
  if (end < start || end >= total) throw badRequest(`The Content-Range bytes ${start}-${end}/${total} is not a valid range.`, 'ErrorInvalidRequest');
  if (end - start + 1 !== bodyBytes) throw badRequest(`The Content-Range header length (${end - start + 1} bytes) does not match the provided number of bytes (${bodyBytes}).`, 'ErrorInvalidRequest');
  return { start, end };
}

function attachmentOf(s: UploadSession): AttachmentRec {
  return {
    id: exchangeId('attachment'), name: s.item.name, contentType: s.item.contentType ?? 'application/octet-stream', size: s.item.size,
    isInline: s.item.isInline, contentId: s.item.contentId, lastModifiedDateTime: isoSeconds(new Date()),
    contentBytes: Buffer.concat(s.chunks).toString('base64'),
  };
}

function safeDecode(p: string): string {
  try { return decodeURIComponent(p); } catch { return p; }
}
