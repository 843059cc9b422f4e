import type { NextFunction, Request, Response } from 'express';

/** Express 4 does not catch rejected promises: pass them to the error handler. */
export const h = (fn: (req: Request, res: Response, next: NextFunction) => unknown) =>
  (req: Request, res: Response, next: NextFunction) => { Promise.resolve(fn(req, res, next)).catch(next); };
