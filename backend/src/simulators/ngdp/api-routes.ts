// The real NgDP REST API subset, mounted at `<prefix>/apis/v1`: pull (list, fetch, receipt, delete),
// receipts for pushed memos, send, the caller's mailbox (GET /mailboxes/) and backfill
// (/mailboxes/{mailboxId}/system-fetches/). Paths, parameters, status codes and payload shapes follow
// the Digital Post OpenAPI document; see schemas.ts.
import { Router, type Request } from 'express';
import { asyncHandler, readBody } from '../http';
import { basicAuth, delegatedCvr, type SystemCredential } from './auth';
import { NgdpError, badRequest, fieldErrors, notFound, sendError } from './errors';
import { faultGate, sendBody, type Random } from './faults';
import { UUID_RE, extractMessageUUID } from './memo-uuid';
import { receiptSchema, systemFetchRequestSchema, type MailboxSearchResult, type PagingArguments, type PagingResultUUID } from './schemas';
import { simulatedId, simulatedMailboxId, type NgdpState } from './state';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_MEMO_BYTES = 50 * 1024 * 1024;
const MAX_RECEIPT_BYTES = 64 * 1024;

export interface ApiRouterOptions { systemFetchDurationMs: number }

export function apiRouter(state: NgdpState, credentials: SystemCredential[], random: Random, opts: ApiRouterOptions = { systemFetchDurationMs: 3000 }): Router {
  const r = Router();
  r.use(faultGate(state, random), basicAuth(credentials), delegatedCvr);

  r.get('/memos', (req, res) => {
    const page = intParam(req, 'page', 0);
    const size = intParam(req, 'size', DEFAULT_PAGE_SIZE);
    if (page < 0) throw badRequest('page must be 0 or more (zero-based page index).', [fe('page', page, 'Min', 'must be >= 0')]);
    if (size < 1 || size > MAX_PAGE_SIZE) throw badRequest(`size must be between 1 and ${MAX_PAGE_SIZE}.`, [fe('size', size, 'Range', `must be 1..${MAX_PAGE_SIZE}`)]);
    const all = state.list(res.locals.cvr as string);
    const totalPages = Math.ceil(all.length / size);
    const args = (p: number): PagingArguments => ({ page: p, size, ordering: [] });
    const body: PagingResultUUID = {
      content: all.slice(page * size, (page + 1) * size).map((m) => m.id),
      number: page,
      size,
      ...(page > 0 ? { previous: args(Math.min(page - 1, Math.max(totalPages - 1, 0))) } : {}),
      ...(page + 1 < totalPages ? { next: args(page + 1) } : {}),
      totalElements: all.length,
      totalPages,
    };
    sendBody(res, state, random, 'application/json', Buffer.from(JSON.stringify(body)));
  });

  r.get('/memos/:id', (req, res) => {
    if (!req.accepts('application/xml')) throw new NgdpError(406, 'NOT_ACCEPTABLE', 'A memo is only available as application/xml.');
    const memo = state.get(res.locals.cvr as string, memoId(req));
    if (!memo) throw notFound(`No memo ${req.params.id} in this mailbox.`);
    memo.fetched++;
    sendBody(res, state, random, 'application/xml', memo.xml);
  });

  r.post('/memos/:id/receipt', asyncHandler(async (req, res) => {
    const id = memoId(req);
    const json = await readJson(req, MAX_RECEIPT_BYTES);
    const parsed = receiptSchema.safeParse(json);
    if (!parsed.success) throw badRequest('Invalid receipt.', fieldErrors('receipt', parsed.error));
    // A pulled memo is still waiting; a pushed one was delivered to the system's endpoint.
    const memo = state.get(res.locals.cvr as string, id) ?? state.getPushed(res.locals.cvr as string, id);
    if (!memo) throw notFound(`No memo ${id} in this mailbox.`);
    if (parsed.data.messageUUID.toLowerCase() !== memo.id) {
      throw new NgdpError(422, 'UNPROCESSABLE_ENTITY', `The receipt's messageUUID ${parsed.data.messageUUID} is not the memo's (${memo.id}).`);
    }
    state.addReceipt(memo, parsed.data);
    res.status(200).end();
  }));

  r.delete('/memos/:id', (req, res) => {
    const id = memoId(req);
    const cvr = res.locals.cvr as string;
    const memo = state.get(cvr, id);
    if (!memo) throw notFound(`No memo ${id} in this mailbox.`);
    // Our reading of NgDP: a memo leaves the mailbox only once the receiving system has taken
    // responsibility for it with a business receipt (the API documents 409 for this operation).
    if (!memo.receipt) throw new NgdpError(409, 'CONFLICT', `Memo ${id} has no business receipt yet; post one before deleting it.`);
    state.remove(cvr, id);
    res.status(204).end();
  });

  // Send (used for replies): one MeMo as XML, its messageUUID repeated in the query.
  r.post('/memos', asyncHandler(async (req, res) => {
    const uuid = req.query['memo-message-uuid'];
    if (typeof uuid !== 'string' || !UUID_RE.test(uuid)) {
      throw badRequest('Query parameter memo-message-uuid must be the MeMo\'s messageUUID.', [fe('memo-message-uuid', uuid ?? null, 'Pattern', 'must be a UUID')]);
    }
    if (!req.is(['application/xml', 'text/xml'])) {
      throw new NgdpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send a single memo as application/xml or text/xml (tar.lzma bulk sending is not simulated).');
    }
    const { body, tooLarge } = await readBody(req, MAX_MEMO_BYTES);
    if (tooLarge) throw new NgdpError(413, 'PAYLOAD_TOO_LARGE', `A memo may be at most ${MAX_MEMO_BYTES} bytes.`);
    const inBody = extractMessageUUID(body);
    if (!inBody) throw badRequest('The body is not a MeMo document with a messageUUID.');
    if (inBody !== uuid.toLowerCase()) throw badRequest(`memo-message-uuid ${uuid} differs from the MeMo's messageUUID ${inBody}.`);
    const sent = state.addSent(res.locals.cvr as string, uuid, body);
    res.status(201).json({ transmissionId: sent.transmissionId, messageUUID: sent.messageUUID, timeStamp: sent.sentAt, receiptStatus: 'RECEIVED' });
  }));

  // The mailbox of the organisation named by delegatedCVR (MailboxSearchResult).
  r.get('/mailboxes', (_req, res) => {
    const cvr = res.locals.cvr as string;
    const body: MailboxSearchResult = {
      currentPage: 0, totalPages: 1, elementsOnPage: 1, totalElements: 1,
      mailboxes: [{ id: simulatedMailboxId(cvr), ownerType: 'ORGANISATION', ownerExternalId: cvr, ownerIdentityId: simulatedId('organisation', cvr), statusType: 'ACTIVE' }],
    };
    res.json(body);
  });

  // Backfill: re-deliver the mailbox's memos of a date range to the system (SystemFetch).
  r.post('/mailboxes/:mailboxId/system-fetches', asyncHandler(async (req, res) => {
    const cvr = ownMailbox(req, res.locals.cvr as string);
    const parsed = systemFetchRequestSchema.safeParse(await readJson(req, MAX_RECEIPT_BYTES));
    if (!parsed.success) throw badRequest('Invalid system fetch.', fieldErrors('systemFetch', parsed.error));
    const from = new Date(parsed.data.fromDateTime);
    const to = parsed.data.toDateTime ? new Date(parsed.data.toDateTime) : new Date();
    if (from > to) throw badRequest('fromDateTime must not be after toDateTime.', [fe('fromDateTime', parsed.data.fromDateTime, 'Order', 'must be <= toDateTime')]);
    const created = state.startSystemFetch(cvr, res.locals.systemId as string, from, to, {
      durationMs: opts.systemFetchDurationMs, preferOriginalMessageRecipient: parsed.data.preferOriginalMessageRecipient,
    });
    res.status(201).json(created);
  }));

  r.get('/mailboxes/:mailboxId/system-fetches', (req, res) => {
    const cvr = ownMailbox(req, res.locals.cvr as string);
    res.json({ systemFetches: state.systemFetches(cvr) });
  });

  r.get('/mailboxes/:mailboxId/system-fetches/:id', (req, res) => {
    const cvr = ownMailbox(req, res.locals.cvr as string);
    const f = state.systemFetch(cvr, memoId(req, 'system fetch'));
    if (!f) throw notFound(`No system fetch ${req.params.id} for this mailbox.`);
    res.json(f);
  });

  r.delete('/mailboxes/:mailboxId/system-fetches/:id', (req, res) => {
    const cvr = ownMailbox(req, res.locals.cvr as string);
    if (!state.deleteSystemFetch(cvr, memoId(req, 'system fetch'))) throw notFound(`No system fetch ${req.params.id} for this mailbox.`);
    res.status(204).end();
  });

  r.use((req, res) => sendError(res, notFound(`No such operation: ${req.method} /apis/v1${req.path}`)));
  r.use(errorHandler);
  return r;
}

export const errorHandler = (e: unknown, _req: Request, res: import('express').Response, next: import('express').NextFunction) => {
  if (res.headersSent) return next(e);
  if (e instanceof NgdpError) return sendError(res, e);
  sendError(res, new NgdpError(500, 'INTERNAL_SERVER_ERROR', `Simulator error: ${(e as Error).message}`));
};

function intParam(req: Request, name: string, dflt: number): number {
  const v = req.query[name];
  if (v === undefined || v === '') return dflt;
  if (typeof v !== 'string' || !/^-?\d{1,9}$/.test(v)) throw badRequest(`${name} must be an integer.`, [fe(name, v, 'TypeMismatch', 'must be an integer')]);
  return Number(v);
}

/** The path's mailboxId must be the mailbox of delegatedCVR; returns that CVR. */
function ownMailbox(req: Request, cvr: string): string {
  const id = req.params.mailboxId;
  if (!UUID_RE.test(id)) throw badRequest(`"${id}" is not a mailbox id (UUID).`, [fe('mailboxId', id, 'TypeMismatch', 'must be a UUID')]);
  if (id.toLowerCase() !== simulatedMailboxId(cvr)) throw notFound(`No mailbox ${id} for CVR ${cvr}.`);
  return cvr;
}

function memoId(req: Request, what = 'memo'): string {
  const id = req.params.id;
  if (!UUID_RE.test(id)) throw badRequest(`"${id}" is not a ${what} id (UUID).`, [fe('id', id, 'TypeMismatch', 'must be a UUID')]);
  return id.toLowerCase();
}

async function readJson(req: Request, limit: number): Promise<unknown> {
  if (!req.is('application/json')) throw new NgdpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.');
  const { body, tooLarge } = await readBody(req, limit);
  if (tooLarge) throw new NgdpError(413, 'PAYLOAD_TOO_LARGE', `Body larger than ${limit} bytes.`);
  try { return JSON.parse(body.toString('utf8')); } catch { throw badRequest('The body is not valid JSON.'); }
}

const fe = (field: string, rejectedValue: unknown, code: string, message: string) => ({ resource: 'request', field, code, message, rejectedValue });
