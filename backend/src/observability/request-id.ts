// Request ids and the access log: every request gets an id (a sane incoming X-Request-Id from the
// proxy, or a new one), echoed in the response header and in error bodies (api/errors.ts), and one
// log line when it finishes. Never bodies or query strings: those may hold CPR numbers or letter
// text; the path is masked anyway (the logger masks whole lines too).
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { maskCpr } from '../../../shared/src/identifiers';
import type { Logger } from '../log';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Ids from a proxy are passed on only when short and plain: no log injection, no megabyte ids. */
const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function saneRequestId(incoming: unknown): string | null {
  return typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : null;
}

/** The request id of a request that passed the middleware. */
export function requestIdOf(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

export interface RequestLogOptions {
  /** Paths not logged when answered 2xx (health probes and scrapes every few seconds). */
  quiet?: (path: string) => boolean;
}

export function requestIdMiddleware(log: Logger, opts: RequestLogOptions = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = saneRequestId(req.get(REQUEST_ID_HEADER)) ?? randomUUID();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = process.hrtime.bigint();
    const path = req.originalUrl.split('?')[0];
    let logged = false;
    // 'finish' when the answer went out; 'close' alone when the client went away first.
    const done = () => {
      if (logged) return;
      logged = true;
      if (res.statusCode < 300 && res.writableFinished && opts.quiet?.(path)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The matched route pattern (e.g. /messages/:id) groups requests better than the concrete path.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      log[res.statusCode >= 500 ? 'error' : 'info']('request', {
        requestId: id, method: req.method, path: maskCpr(path), route, status: res.statusCode, ms: Math.round(ms * 10) / 10,
        orgId: req.auth?.orgId, ...(res.writableFinished ? {} : { aborted: true }),
      });
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
