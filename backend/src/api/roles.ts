// Role checks and the caller's scope, applied per route. A caller holds grants (a role, optionally
// limited to some CVR numbers and destinations; see store/scope.ts). A route names the roles it allows;
// the grants of those roles make the request's scope, which every data access then uses. Routes that
// change organisation-wide configuration allow only admins, and only admins without limits: a limited
// admin could otherwise widen their own grant.
import type { NextFunction, Request, Response } from 'express';
import type { Role } from './auth';
import { sendError } from './errors';
import { isLimited, letterVisible, mayUseDestination, orgScope, type Scope } from '../store/scope';
import type { Db } from '../store/db';
import { HttpError } from './errors';

export interface Grant {
  role: Role;
  cvrs: string[] | null;
  destinationIds: string[] | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express { interface Request { scope?: Scope } }
}

const ALL_ROLES: Role[] = ['admin', 'operator', 'reader'];

/** What the grants of the allowed roles let the caller see; null when the caller holds none of those roles. */
export function scopeOf(orgId: string, grants: readonly Grant[], allowed: readonly Role[] = ALL_ROLES): Scope | null {
  const held = grants.filter((g) => allowed.includes(g.role));
  if (held.length === 0) return null;
  if (held.some((g) => g.cvrs === null && g.destinationIds === null)) return orgScope(orgId);
  return { orgId, limits: held.map((g) => ({ cvrs: g.cvrs, destinationIds: g.destinationIds })) };
}

/** An admin without limits: who may change the whole organisation (what requireRole('admin') lets through). */
export function isFullAdmin(auth: { orgId: string; grants: readonly Grant[] }): boolean {
  const s = scopeOf(auth.orgId, auth.grants, ['admin']);
  return s !== null && !isLimited(s);
}

/** After sign-in: the scope of all the caller's roles, for routes open to every role. */
export function defaultScope(req: Request, _res: Response, next: NextFunction) {
  if (req.auth) req.scope = scopeOf(req.auth.orgId, req.auth.grants) ?? undefined;
  next();
}

export function requireRole(...allowed: Role[]) {
  const orgWide = allowed.length === 1 && allowed[0] === 'admin';
  return (req: Request, res: Response, next: NextFunction) => {
    const auth = req.auth;
    const s = auth ? scopeOf(auth.orgId, auth.grants, allowed) : null;
    if (!s) {
      const roles = auth?.roles ?? [];
      return sendError(res, 403, 'forbidden', `This needs the ${allowed.join(' or ')} role; you have ${roles.join(', ') || 'none'}. Ask your administrator.`);
    }
    if (orgWide && isLimited(s)) {
      return sendError(res, 403, 'forbidden', 'This changes the whole organisation and needs an administrator without limits; your administrator role is limited to some CVR numbers or destinations.');
    }
    req.scope = s;
    next();
  };
}

/** The request's scope. Every route behind sign-in has one; a route without would be a bug, not a leak. */
export function scope(req: Request): Scope {
  if (!req.scope) throw new Error('no scope on this request: the route is not behind sign-in and a role check');
  return req.scope;
}

/**
 * 404 unless the request's scope may see the letter (the same answer as for another organisation's
 * letter: a limit does not reveal what exists beyond it). No query for an unlimited scope: the
 * operations behind the routes filter by organisation themselves.
 */
export async function assertLetterInScope(db: Db, req: Request, messageId: string): Promise<void> {
  const s = scope(req);
  if (isLimited(s) && !(await letterVisible(db, s, messageId))) {
    throw new HttpError(404, 'not_found', 'No letter with that id in your organisation.');
  }
}

/** 403 naming the problem when the caller's role is limited to destinations these are not among. */
export function assertDestinationsInScope(req: Request, destinationIds: readonly string[]): void {
  const s = scope(req);
  const outside = destinationIds.filter((id) => !mayUseDestination(s, id));
  if (outside.length) {
    throw new HttpError(403, 'forbidden', `Your role lets you deliver only to some destinations, and ${outside.length === 1 ? 'one you chose is' : `${outside.length} you chose are`} not among them. Choose from the list, or ask your administrator.`);
  }
}
