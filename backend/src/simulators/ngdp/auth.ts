// Who is calling. Real NgDP authenticates the caller by mutual TLS with its OCES (FOCES/VOCES)
// certificate; `Authorization: Basic base64(uuid:uuid)` only names the calling system. An express
// router cannot see the TLS handshake in-process (and the simulator runs over plain HTTP), so only
// the Basic credential is checked here. The mailbox is chosen by `delegatedCVR` (the vendor model:
// one vendor certificate, many organisations).
import type { RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { NgdpError, sendError } from './errors';
import { CVR_RE } from './memo-uuid';

export interface SystemCredential { username: string; password: string }

const same = (a: string, b: string) => {
  const x = Buffer.from(a); const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function basicAuth(credentials: SystemCredential[]): RequestHandler {
  return (req, res, next) => {
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const i = decoded.indexOf(':');
    const [user, pass] = i < 0 ? ['', ''] : [decoded.slice(0, i), decoded.slice(i + 1)];
    if (!m || i < 0 || !credentials.some((c) => same(c.username, user) && same(c.password, pass))) {
      return sendError(res, new NgdpError(401, 'UNAUTHORIZED',
        m ? 'Unknown system credentials.' : 'Missing or malformed Authorization header: expected Basic base64(systemUuid:apiToken).',
        undefined, { 'WWW-Authenticate': 'Basic realm="Digital Post"' }));
    }
    res.locals.systemId = user; // the calling system's UUID
    next();
  };
}

/** Reads and checks `delegatedCVR`; the mailbox it names is `res.locals.cvr`. */
export const delegatedCvr: RequestHandler = (req, res, next) => {
  const v = req.query.delegatedCVR;
  if (typeof v !== 'string' || !CVR_RE.test(v)) {
    return sendError(res, new NgdpError(400, 'BAD_REQUEST',
      v === undefined ? 'Query parameter delegatedCVR is required.' : 'delegatedCVR must be a CVR number of 8 digits.',
      [{ resource: 'request', field: 'delegatedCVR', code: 'Pattern', message: 'must be 8 digits', rejectedValue: v ?? null }]));
  }
  res.locals.cvr = v;
  next();
};
