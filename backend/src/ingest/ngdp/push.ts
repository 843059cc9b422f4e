// REST push receiver: Digital Post POSTs each memo to the system's registered endpoint as
// multipart/form-data with one part `file` (filename = the messageUUID). We answer 200 only once the
// letter is stored durably (or quarantined with its reason) AND its business receipt — COMPLETED, or
// INVALID with the reason, for `POST /memos/{id}/receipt` — is handed over durably (in the app an
// agenda job, kept in the database and retried across restarts). Handing it over after the 200
// lost it to a crash in between, and to a connection that dropped before the 200 was flushed.
//
// Mount it (before any body parser) at e.g. /ngdp/push; endpoints:
//   POST /ngdp/push/:cvr   the endpoint to register per CVR number (recommended)
//   POST /ngdp/push        the recipient CVR number is then read from the MeMo header
import { Router, type Request, type Response } from 'express';
import busboy from 'busboy';
import { createHash } from 'node:crypto';
import type { MailboxRow } from '../../context';
import type { Logger } from '../../log';
import { errorMessage } from '../../log';
import { DEFAULT_MEMO_LIMITS } from '../../memo/parse';
import { ingestErrorText } from '../error-text';
import { reasonFacts } from '../quarantine-reason';
import { memoMessageUUID, type NgdpReceipt } from './client';
import type { ClientCertCheck } from './client-cert';

/** Largest memo accepted by push: the MeMo maximum, 150 MiB. */
export const MAX_PUSH_BYTES = DEFAULT_MEMO_LIMITS.maxBytes;
/** Multipart framing on top of the file that we tolerate before cutting a request off. */
const MULTIPART_SLACK = 1024 * 1024;

export type PushStoreResult =
  | { ok: true; messageUUID: string; messageId: string; created: boolean }
  /** Failed validation: quarantined durably with `reason`; `messageUUID` when one could be read. */
  | { ok: false; reason: string; messageUUID: string | null };

export interface NgdpPushDeps {
  /** The Digital Post mailbox of a CVR number, or null when Brevdue does not serve it. */
  resolveMailbox(cvr: string): Promise<MailboxRow | null>;
  /** Parse and store durably (idempotent on the MeMo UUID); quarantine what fails validation. Throws only when storing failed. */
  store(mailbox: MailboxRow, raw: Buffer, providerId: string): Promise<PushStoreResult>;
  /**
   * Hands the business receipt over durably: resolves once it will reach NgDP whatever happens to this
   * process (the app: schedules the agenda job `ngdp-receipt`; without one: posts it at once). Awaited
   * before the 200; when it fails the push is answered 503 and NgDP pushes again (storing is idempotent).
   */
  sendReceipt(mailbox: MailboxRow, receipt: NgdpReceipt): Promise<void>;
  /** Is the caller Digital Post? (clientCertVerifier in client-cert.ts.) */
  verifyClientCert(req: Request): ClientCertCheck;
  log: Logger;
  /** Largest `file` part in bytes (default MAX_PUSH_BYTES). */
  maxBytes?: number;
}

export type NgdpPushRouter = Router & {
  /** Shutdown: later pushes are answered 503 with Retry-After (NgDP pushes them again). */
  close(): void;
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CVR_RE = /^\d{8}$/;

export function ngdpPushRouter(deps: NgdpPushDeps): NgdpPushRouter {
  const maxBytes = deps.maxBytes ?? MAX_PUSH_BYTES;
  let closed = false;
  const router = Router() as NgdpPushRouter;

  const handle = async (req: Request, res: Response) => {
    if (closed) {
      res.setHeader('Retry-After', '30');
      return reject(req, res, 503, 'stopping', 'Brevdue is stopping; push the letter again shortly.');
    }
    const cert = deps.verifyClientCert(req);
    if (!cert.ok) {
      deps.log.warn('ngdp push refused: client certificate', { reason: cert.reason, ip: req.ip });
      return reject(req, res, 403, 'forbidden', cert.reason);
    }
    const pathCvr = req.params.cvr as string | undefined;
    if (pathCvr !== undefined && !CVR_RE.test(pathCvr)) return reject(req, res, 400, 'bad_cvr', `"${pathCvr}" is not a CVR number (8 digits).`);
    if (!req.is('multipart/form-data')) {
      return reject(req, res, 415, 'unsupported_media_type', 'Digital Post pushes a memo as multipart/form-data with a part named "file".');
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > 2 * (maxBytes + MULTIPART_SLACK)) {
      return tooLarge(req, res, maxBytes, true);
    }

    const part = await readFilePart(req, maxBytes);
    if (part.kind === 'aborted') return; // the sender went away; nothing to answer
    if (part.kind === 'too-large') return tooLarge(req, res, maxBytes, part.cutOff);
    if (part.kind === 'bad') return reject(req, res, 400, 'bad_multipart', `The multipart body cannot be read: ${part.message}`);
    if (part.kind === 'no-file') return reject(req, res, 400, 'no_file', 'The request has no part named "file" holding the memo.');

    const raw = part.data;
    const filenameUuid = part.filename && UUID_RE.test(part.filename.trim()) ? part.filename.trim().toLowerCase() : null;
    const headerUuid = memoMessageUUID(raw);
    if (filenameUuid && headerUuid && filenameUuid !== headerUuid) {
      deps.log.warn('ngdp push: filename and messageUUID differ', { filename: filenameUuid, messageUUID: headerUuid });
    }
    const providerId = filenameUuid ?? headerUuid ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;

    const memoCvr = recipientCvrOf(raw);
    if (pathCvr && memoCvr && memoCvr !== pathCvr) {
      return reject(req, res, 422, 'wrong_recipient',
        `This memo is addressed to CVR ${memoCvr} but was pushed to the endpoint of CVR ${pathCvr}; check the endpoint registered for the system at Digital Post.`);
    }
    const cvr = pathCvr ?? memoCvr;
    if (!cvr) {
      return reject(req, res, 400, 'unknown_recipient',
        'Cannot tell whose letter this is: the MeMo names no recipient CVR number. Register the endpoint as /ngdp/push/<CVR>.');
    }

    let mailbox: MailboxRow | null;
    let result: PushStoreResult;
    try {
      mailbox = await deps.resolveMailbox(cvr);
      if (!mailbox) {
        deps.log.warn('ngdp push for a CVR number we do not serve', { cvr, providerId });
        return reject(req, res, 404, 'unknown_mailbox', `Brevdue has no Digital Post mailbox set up for CVR ${cvr}.`);
      }
      result = await deps.store(mailbox, raw, providerId);
    } catch (e) {
      deps.log.error('ngdp push: storing failed', { cvr, providerId, error: ingestErrorText(e, 'Storing it failed') });
      res.setHeader('Retry-After', '60');
      return reject(req, res, 503, 'store_failed', 'The letter could not be stored right now; it was not accepted. Try again later.');
    }

    const box = mailbox;
    const uuid = result.ok ? result.messageUUID : result.messageUUID ?? filenameUuid ?? headerUuid;
    const receipt: NgdpReceipt | null = result.ok
      ? { messageUUID: result.messageUUID, receiptStatus: 'COMPLETED', timeStamp: new Date().toISOString() }
      : uuid ? {
        messageUUID: uuid, receiptStatus: 'INVALID', timeStamp: new Date().toISOString(),
        errorCode: 'INVALID_MEMO', errorMessage: result.reason.slice(0, 4000),
      } : null;
    if (receipt) {
      try {
        await deps.sendReceipt(box, receipt);
      } catch (e) {
        // Stored (or quarantined) but not receipted: not accepted either. NgDP's next push finds it
        // stored and hands the receipt over again.
        deps.log.error('ngdp push: the receipt could not be handed over', { mailboxId: box.id, providerId, error: ingestErrorText(e, 'Scheduling the receipt failed') });
        res.setHeader('Retry-After', '60');
        return reject(req, res, 503, 'receipt_failed', 'The letter was stored but its receipt could not be scheduled; it was not accepted. Try again later.');
      }
    } else {
      deps.log.error('ngdp push quarantined without a messageUUID: no receipt can be sent', { mailboxId: box.id, providerId });
    }
    if (result.ok) {
      deps.log.info('ngdp push stored', { mailboxId: box.id, cvr, messageUUID: result.messageUUID, created: result.created, certificate: cert.subject });
      res.status(200).json({ messageUUID: result.messageUUID, status: result.created ? 'stored' : 'duplicate' });
      return;
    }
    deps.log.warn('ngdp push quarantined', { mailboxId: box.id, cvr, providerId, ...reasonFacts(result.reason) }); // not its words: they may quote the letter
    res.status(200).json({ messageUUID: uuid, status: 'quarantined', reason: result.reason });
  };

  router.post('/', (req, res, next) => { handle(req, res).catch(next); });
  router.post('/:cvr', (req, res, next) => { handle(req, res).catch(next); });
  router.close = () => { closed = true; };
  return router;
}

function reject(req: Request, res: Response, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { code, message } });
  drainOrClose(req, res);
}

function tooLarge(req: Request, res: Response, maxBytes: number, cutOff: boolean): void {
  // Just over the limit: read the small rest first, so the sender (still uploading) gets the 413 and
  // not a reset connection, which it could not tell from a network failure.
  if (!cutOff && !req.complete && !req.readableEnded) {
    req.once('end', () => tooLarge(req, res, maxBytes, false));
    req.resume();
    return;
  }
  if (cutOff) res.setHeader('Connection', 'close');
  reject(req, res, 413, 'too_large', `A memo may be at most ${maxBytes} bytes (${Math.round(maxBytes / 1024 / 1024)} MiB).`);
  if (cutOff) res.on('finish', () => req.socket.destroy());
}

/** After an early answer: let a small unread body drain (keep-alive), cut off a large one. */
function drainOrClose(req: Request, res: Response): void {
  if (req.complete || req.readableEnded) return;
  let seen = 0;
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > 1024 * 1024) req.socket.destroy();
  });
  req.resume();
}

type PartResult =
  | { kind: 'ok'; data: Buffer; filename: string | null }
  | { kind: 'no-file' }
  | { kind: 'too-large'; cutOff: boolean }
  | { kind: 'bad'; message: string }
  | { kind: 'aborted' };

/** Streams the multipart body, keeping the `file` part (at most maxBytes) and discarding the rest. */
function readFilePart(req: Request, maxBytes: number): Promise<PartResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PartResult) => { if (!settled) { settled = true; resolve(r); } };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1, fields: 20, parts: 25, fieldSize: 64 * 1024 } });
    } catch (e) {
      done({ kind: 'bad', message: errorMessage(e) });
      req.resume();
      return;
    }
    let chunks: Buffer[] = [];
    let got = false;
    let fileEnded = false;
    let truncated = false;
    let filename: string | null = null;
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || got) { stream.resume(); return; }
      got = true;
      filename = info.filename ?? null;
      stream.on('data', (c: Buffer) => { if (!truncated) chunks.push(c); });
      stream.on('limit', () => { truncated = true; chunks = []; });
      stream.on('end', () => { fileEnded = true; });
    });
    bb.on('error', (e) => { req.unpipe(bb); req.resume(); done({ kind: 'bad', message: errorMessage(e) }); });
    bb.on('close', () => {
      if (truncated) return done({ kind: 'too-large', cutOff: false });
      if (!got || !fileEnded) return done({ kind: 'no-file' });
      done({ kind: 'ok', data: Buffer.concat(chunks), filename });
    });

    // The file limit bounds what we keep; this bounds what we read at all.
    const hardCap = maxBytes + MULTIPART_SLACK;
    let total = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (!over && total > hardCap) {
        over = true;
        chunks = [];
        req.unpipe(bb);
        req.resume();
      }
      if (over && total > 2 * hardCap) done({ kind: 'too-large', cutOff: true });
    });
    req.on('end', () => { if (over) done({ kind: 'too-large', cutOff: false }); });
    req.on('aborted', () => done({ kind: 'aborted' }));
    req.on('error', () => done({ kind: 'aborted' }));
    req.pipe(bb);
  });
}

/** The recipient's CVR number from the MeMo header, read without parsing the (possibly 150 MB) document. */
export function recipientCvrOf(raw: Buffer): string | null {
  const head = raw.subarray(0, 1024 * 1024).toString('utf8');
  const recipient = /<(?:[\w.-]+:)?Recipient[\s>]([\s\S]*?)<\/(?:[\w.-]+:)?Recipient\s*>/.exec(head)?.[1];
  if (!recipient) return null;
  const id = /<(?:[\w.-]+:)?recipientID\s*>\s*([^<\s]+)\s*</.exec(recipient)?.[1];
  const type = /<(?:[\w.-]+:)?idType\s*>\s*([^<\s]+)\s*</.exec(recipient)?.[1];
  return id && (!type || type.toUpperCase() === 'CVR') && CVR_RE.test(id) ? id : null;
}
