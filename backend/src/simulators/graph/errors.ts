// Every Graph error has the same JSON shape:
//   {"error":{"code":"…","message":"…","innerError":{"date":"…","request-id":"…","client-request-id":"…"}}}
import type { Request, Response, NextFunction } from 'express';

export class GraphHttpError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string,
    public readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

export function graphErrorBody(res: Response, code: string, message: string): GraphErrorBody {
  return {
    error: {
      code, message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': String(res.locals.requestId ?? ''),
        'client-request-id': String(res.locals.clientRequestId ?? ''),
      },
    },
  };
}

export function sendGraphError(res: Response, e: GraphHttpError): void {
  for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  const buf = Buffer.from(JSON.stringify(graphErrorBody(res, e.code, e.message)), 'utf8');
  res.status(e.status).setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', String(buf.length));
  res.end(buf);
}

export function graphErrorHandler(e: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(e);
  if (e instanceof GraphHttpError) return sendGraphError(res, e);
  sendGraphError(res, new GraphHttpError(500, 'InternalServerError', `Simulator error: ${(e as Error).message}`));
}

export const badRequest = (message: string, code = 'BadRequest') => new GraphHttpError(400, code, message);
export const itemNotFound = () => new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
export const invalidUser = (u: string) => new GraphHttpError(404, 'ErrorInvalidUser', `The requested user '${u}' is invalid.`);
export const malformedId = () => new GraphHttpError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
