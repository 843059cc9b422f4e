// NgDP answers errors with its `ErrorMessage` JSON ({code, message, fieldErrors?}).
import type { Response } from 'express';
import type { ZodError } from 'zod';
import type { ErrorMessage, FieldError } from './schemas';

export class NgdpError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string,
    public readonly fieldErrors?: FieldError[], public readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function sendError(res: Response, e: NgdpError): void {
  const body: ErrorMessage = { code: e.code, message: e.message, ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}) };
  for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  res.status(e.status).json(body);
}

export function fieldErrors(resource: string, err: ZodError): FieldError[] {
  return err.issues.map((i) => ({
    resource, field: i.path.join('.') || '(body)', code: i.code, message: i.message,
  }));
}

export const badRequest = (message: string, fe?: FieldError[]) => new NgdpError(400, 'BAD_REQUEST', message, fe);
export const notFound = (message: string) => new NgdpError(404, 'NOT_FOUND', message);
