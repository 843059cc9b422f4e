// Simulator control routes (not part of NgDP), at the router's root next to `/apis/v1`:
//   POST /:cvr/memos   inject a MeMo (raw XML) into the mailbox of a CVR  → 201 {id}
//   GET  /:cvr/memos   what is waiting there
//   GET  /receipts     business receipts received      GET /sent   memos sent through the API
//   POST /push         push a memo to a system endpoint as NgDP does: JSON {url, cvr, xml, clientCertHeader?: {name, value}}
//   GET  /pushed       memos pushed and their receipts  GET /system-fetches  backfills
//   GET|POST /faults   read / replace the faults       POST /reset forget everything
// The real API lives under /apis/v1/..., three segments or more, so `/:cvr/memos` cannot shadow it.
import { Router } from 'express';
import { asyncHandler, readBody } from '../http';
import { NgdpError, badRequest, fieldErrors } from './errors';
import { MAX_MEMO_BYTES, errorHandler } from './api-routes';
import { CVR_RE } from './memo-uuid';
import { ngdpFaultsSchema } from './schemas';
import type { NgdpState } from './state';
import { pushMemo } from './push';
import { z } from 'zod';

const pushRequestSchema = z.object({
  url: z.string().url(),
  cvr: z.string().regex(CVR_RE, 'must be 8 digits'),
  xml: z.string().min(1),
  clientCertHeader: z.object({ name: z.string().min(1), value: z.string() }).strict().optional(),
  filename: z.string().optional(),
}).strict();

export function controlRouter(state: NgdpState): Router {
  const r = Router();

  r.post('/:cvr/memos', asyncHandler(async (req, res) => {
    const cvr = checkCvr(req.params.cvr);
    if (!req.is(['application/xml', 'text/xml'])) throw new NgdpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Post the MeMo as application/xml or text/xml.');
    const { body, tooLarge } = await readBody(req, MAX_MEMO_BYTES);
    if (tooLarge) throw new NgdpError(413, 'PAYLOAD_TOO_LARGE', `A memo may be at most ${MAX_MEMO_BYTES} bytes.`);
    res.status(201).json(state.inject(cvr, body));
  }));

  r.get('/:cvr/memos', (req, res) => {
    res.json({ cvr: checkCvr(req.params.cvr), memos: state.waiting(req.params.cvr) });
  });

  r.post('/push', asyncHandler(async (req, res) => {
    const { body, tooLarge } = await readBody(req, 2 * MAX_MEMO_BYTES);
    if (tooLarge) throw new NgdpError(413, 'PAYLOAD_TOO_LARGE', 'The push request is too large.');
    let json: unknown;
    try { json = JSON.parse(body.toString('utf8')); } catch { throw badRequest('The body is not valid JSON.'); }
    const parsed = pushRequestSchema.safeParse(json);
    if (!parsed.success) throw badRequest('Invalid push request.', fieldErrors('push', parsed.error));
    const { url, cvr, xml, ...opts } = parsed.data;
    res.json(await pushMemo(state, url, cvr, xml, opts));
  }));
  r.get('/pushed', (_req, res) => { res.json({ pushed: state.pushed() }); });
  r.get('/system-fetches', (_req, res) => { res.json({ systemFetches: state.systemFetches() }); });

  r.get('/receipts', (_req, res) => { res.json({ receipts: state.receipts() }); });
  r.get('/sent', (_req, res) => { res.json({ sent: state.sent() }); });
  r.get('/faults', (_req, res) => { res.json(state.faults); });

  r.post('/faults', asyncHandler(async (req, res) => {
    const { body, tooLarge } = await readBody(req, 64 * 1024);
    let json: unknown;
    try { json = tooLarge ? undefined : JSON.parse(body.toString('utf8') || '{}'); } catch { throw badRequest('The body is not valid JSON.'); }
    const parsed = ngdpFaultsSchema.safeParse(json);
    if (!parsed.success) throw badRequest('Invalid faults.', fieldErrors('faults', parsed.error));
    state.faults = parsed.data;
    res.json(state.faults);
  }));

  r.post('/reset', (_req, res) => { state.reset(); res.status(204).end(); });

  r.use(errorHandler);
  return r;
}

function checkCvr(cvr: string): string {
  if (!CVR_RE.test(cvr)) throw badRequest(`"${cvr}" is not a CVR number (8 digits).`);
  return cvr;
}
