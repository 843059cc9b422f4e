// Simulator control routes (not part of mit.dk), at the router's root next to `/view/client`:
//   POST /:cvr/messages   inject a letter (JSON, see schemas.ts)           → 201 {id}
//   GET  /:cvr/messages   what waits in the inboxes    GET /:cvr/all  every message with its folder
//   GET|POST /faults      read / replace the faults    POST /tokens/expire  expire every access token
//   POST /reset           forget everything
import { Router, type Request } from 'express';
import { asyncHandler, readBody } from '../http';
import { errorHandler } from './api-routes';
import { mitdkFaultsSchema } from './schemas';
import { MitdkSimError, type MitdkState } from './state';

export const MAX_INJECT_BYTES = 70 * 1024 * 1024;

export function controlRouter(state: MitdkState): Router {
  const r = Router();

  const json = async (req: Request, limit: number): Promise<unknown> => {
    if (!req.is('application/json')) throw new MitdkSimError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.');
    const { body, tooLarge } = await readBody(req, limit);
    if (tooLarge) throw new MitdkSimError(413, 'PAYLOAD_TOO_LARGE', `Body larger than ${limit} bytes.`);
    try { return JSON.parse(body.toString('utf8') || '{}'); } catch { throw new MitdkSimError(400, 'BAD_REQUEST', 'The body is not valid JSON.'); }
  };

  r.post('/:cvr/messages', asyncHandler(async (req, res) => {
    res.status(201).json(state.inject(req.params.cvr, (await json(req, MAX_INJECT_BYTES)) as never));
  }));
  r.get('/:cvr/messages', (req, res) => { res.json({ cvr: req.params.cvr, messages: state.waiting(req.params.cvr) }); });
  r.get('/:cvr/all', (req, res) => { res.json({ cvr: req.params.cvr, messages: state.all(req.params.cvr) }); });

  r.get('/faults', (_req, res) => { res.json(state.faults); });
  r.post('/faults', asyncHandler(async (req, res) => {
    state.faults = mitdkFaultsSchema.parse(await json(req, 64 * 1024));
    res.json(state.faults);
  }));
  r.post('/tokens/expire', (_req, res) => { res.json({ expired: state.expireAccessTokens() }); });
  r.post('/reset', (_req, res) => { state.reset(); res.status(204).end(); });

  r.use(errorHandler);
  return r;
}
