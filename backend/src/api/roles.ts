// Role checks, applied per route. (Issue #7 adds per-CVR and per-destination limits.)
import type { NextFunction, Request, Response } from 'express';
import type { Role } from './auth';
import { sendError } from './errors';

export function requireRole(...allowed: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const roles = req.auth?.roles ?? [];
    if (roles.some((r) => allowed.includes(r))) return next();
    sendError(res, 403, 'forbidden', `This needs the ${allowed.join(' or ')} role; you have ${roles.join(', ') || 'none'}. Ask your administrator.`);
  };
}
