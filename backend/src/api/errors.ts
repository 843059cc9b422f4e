// Every API error is JSON {error:{code,message}} with a message a person can act on; unexpected
// errors are logged with a request id and answered without internals.
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import { errorMessage, type Logger } from '../log';
import type { Problem } from '../../../shared/src/contracts';
import { issueMessage, zodProblems } from './zod-problems';

/** What the task pane translates an error by (shared/src/contracts.ts apiErrorSchema): names, never ids. */
export interface ErrorDetails { params?: Problem['params']; problems?: Problem[] }

export function sendError(res: Response, status: number, code: string, message: string, details: ErrorDetails = {}) {
  res.status(status).json({ error: { code, message, ...(details.params ? { params: details.params } : {}), ...(details.problems ? { problems: details.problems } : {}) } });
}

export class HttpError extends Error {
  constructor(public status: number, public code: string, message: string, public details: ErrorDetails = {}) { super(message); }
}

export function errorHandler(log: Logger) {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      // A streamed answer (a CSV export) failed part-way: no error body can follow its headers. Logged,
      // and the connection closed, so the client sees an incomplete download rather than a short file.
      log.error('API error after the answer had started', { requestId: res.locals.requestId as string | undefined, path: req.path, error: errorMessage(err) });
      res.destroy();
      return;
    }
    if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message, err.details);
    // Every zod refusal: the first issue as the sentence API clients read, and each one at its field (zod-problems.ts).
    if (err instanceof ZodError) return sendError(res, 400, 'invalid_request', issueMessage(err.issues[0]), { problems: zodProblems(err) });
    const e = err as { type?: string; status?: number; limit?: number };
    if (e.type === 'entity.too.large') {
      const max = e.limit ? `${Math.round(e.limit / 1024).toLocaleString('en')} KB` : 'the limit';
      return sendError(res, 413, 'too_large', `The request body is larger than ${max}, the most this request accepts. Send less at once (for example fewer rules, or shorter text).`);
    }
    if (e.type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', 'The request body is not valid JSON.');
    const id = (res.locals.requestId as string | undefined) ?? randomUUID(); // the access log's id (observability/request-id.ts)
    log.error('unhandled API error', { requestId: id, path: req.path, error: errorMessage(err) });
    sendError(res, 500, 'internal', `Something went wrong on our side (reference ${id}). Try again; if it persists, give the reference to your administrator.`);
  };
}
