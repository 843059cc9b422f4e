// The one authentication middleware every API route (but health) goes through. Production: an
// Entra ID bearer token whose `tid` names an organisation set up here (any other is refused before
// keys are fetched), verified here (signature by Entra's keys, the tenant's issuer, audience, expiry). Demo mode: a request without a token is the labelled demo user.
import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { eq } from 'drizzle-orm';
import type { Db } from '../store/db';
import { organisations } from '../store/schema';
import { sendError } from './errors';
import type { Grant } from './roles';
import { grantsFor } from '../store/role-grants';

export type Role = 'admin' | 'operator' | 'reader';

export interface AuthContext {
  userId: string;
  displayName: string;
  orgId: string;
  orgName: string;
  /** Derived from `grants`: the roles held, whatever their limits. */
  roles: Role[];
  /** Every role the caller holds and its limits (api/roles.ts, store/scope.ts). */
  grants: Grant[];
  demo: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express { interface Request { auth?: AuthContext } }
}

export interface EntraConfig {
  clientId: string;
  audience: string;
  authorityHost?: string;
  /** The delegated scope the task pane asks for; default `<audience>/access_as_user`. */
  scope?: string;
  /** The scope a token's `scp` claim must contain (ENTRA_REQUIRED_SCOPE); default `access_as_user`. */
  requiredScope?: string;
  /** Entra group object id → role (ENTRA_GROUP_ROLES), added to the app roles in the `roles` claim. */
  groupRoles?: Record<string, Role>;
  /** A user holding no role: reader of everything (default) or refused with 403 ('none'). */
  defaultRole?: Role | 'none';
}

const ROLES: readonly Role[] = ['admin', 'operator', 'reader'];

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The organisation-wide roles a verified token grants: its app roles plus those of its groups in ENTRA_GROUP_ROLES. */
export function tokenRoles(claims: JWTPayload, groupRoles: Record<string, Role> = {}): Role[] {
  const granted = new Set<Role>(strings(claims.roles).filter((r): r is Role => (ROLES as string[]).includes(r)));
  // Only group *ids* count: display names are not unique and can be chosen by whoever creates a group.
  for (const g of strings(claims.groups)) if (Object.hasOwn(groupRoles, g)) granted.add(groupRoles[g]);
  return ROLES.filter((r) => granted.has(r));
}

/**
 * All grants of a signed-in user: the token's roles (organisation-wide) and the organisation's role
 * grants for the user or their groups (possibly limited). Reader of everything when there are none.
 * Groups come from the token's `groups` claim; Entra leaves it out above 200 groups (overage), so
 * grant roles to groups the users are direct members of, or to the users themselves.
 */
export function grantsOf(claims: JWTPayload, groupRoles: Record<string, Role>, stored: Grant[], defaultRole: Role | 'none' = 'reader'): Grant[] {
  const grants: Grant[] = [...tokenRoles(claims, groupRoles).map((role) => ({ role, cvrs: null, destinationIds: null })), ...stored];
  if (grants.length || defaultRole === 'none') return grants;
  return [{ role: defaultRole, cvrs: null, destinationIds: null }];
}

export const rolesOfGrants = (grants: readonly Grant[]): Role[] => ROLES.filter((r) => grants.some((g) => g.role === r));

/** Whether the token was issued for the user to call Brevdue (delegated scope), not for an app or another API. */
function hasScope(claims: JWTPayload, required: string): boolean {
  return typeof claims.scp === 'string' && claims.scp.split(' ').includes(required);
}

export function authMiddleware(opts: { db: Db; demo: { orgId: string } | null; entra: EntraConfig | null }) {
  // Entra ID signs every tenant's tokens with the same keys, published for all at
  // <authority>/common/discovery/v2.0/keys: one key set per authority host, whatever a token's `tid`
  // says (a map keyed by the unverified tid fetched keys for any made-up tenant and grew without end).
  // jose caches the keys, and refetches on an unknown kid at most once per 30 s.
  let jwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | null = null;
  function keySet(host: string) {
    const url = `${host}/common/discovery/v2.0/keys`;
    if (jwks?.url !== url) jwks = { url, set: createRemoteJWKSet(new URL(url)) };
    return jwks.set;
  }
  async function verify(token: string, tid: string): Promise<JWTPayload> {
    if (!opts.entra) throw new Error('sign-in is not configured on this server');
    const host = opts.entra.authorityHost ?? 'https://login.microsoftonline.com';
    const { payload } = await jwtVerify(token, keySet(host), {
      issuer: `${host}/${tid}/v2.0`,
      audience: opts.entra.audience,
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'iat', 'tid'],
      clockTolerance: 60,
    });
    if (payload.tid !== tid) throw new Error('tenant mismatch');
    return payload;
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.header('authorization');
    if (!header) {
      if (opts.demo) {
        const [org] = await opts.db.select().from(organisations).where(eq(organisations.id, opts.demo.orgId));
        // The demo's role switcher: X-Brevdue-Demo-Role picks the demo user's role. Only here, in
        // demo mode without a token; a production server never reads the header.
        const asked = req.header('x-brevdue-demo-role');
        const role: Role = asked === 'operator' || asked === 'reader' ? asked : 'admin';
        req.auth = {
          userId: 'demo', displayName: 'Demo-bruger', orgId: org.id, orgName: org.name, roles: [role],
          grants: [{ role, cvrs: null, destinationIds: null }], demo: true,
        };
        return next();
      }
      return sendError(res, 401, 'unauthenticated', 'Sign in to Brevdue: the request carried no access token.');
    }
    const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!m) return sendError(res, 401, 'unauthenticated', 'The Authorization header must be "Bearer <token>".');
    const unverified = (() => { try { return decodeTid(m[1]); } catch { return null; } })();
    if (!unverified) return sendError(res, 401, 'unauthenticated', UNVERIFIED);
    // Only a tenant that is an organisation here is worth verifying: any other is refused before a key
    // is fetched, with the answer a valid token of that tenant gets (it can do nothing here either).
    const [org] = await opts.db.select().from(organisations).where(eq(organisations.entraTenantId, unverified));
    if (!org) return sendError(res, 403, 'forbidden', NOT_SET_UP);
    let claims: JWTPayload;
    try {
      claims = await verify(m[1], unverified);
    } catch {
      // No detail: why a token failed helps an attacker more than a user.
      return sendError(res, 401, 'unauthenticated', UNVERIFIED);
    }
    // A valid token without the API's delegated scope (an app-only token, or one for another scope of
    // this app): 403, with no word on what was missing.
    if (!hasScope(claims, opts.entra!.requiredScope ?? 'access_as_user')) {
      return sendError(res, 403, 'forbidden', 'This sign-in does not give access to Brevdue. Open Brevdue from Outlook and sign in again.');
    }
    const userId = String(claims.oid ?? claims.sub);
    const grants = grantsOf(claims, opts.entra!.groupRoles ?? {}, await grantsFor(opts.db, org.id, userId, strings(claims.groups)), opts.entra!.defaultRole);
    if (grants.length === 0) {
      return sendError(res, 403, 'forbidden', 'You have no role in Brevdue yet. Ask your administrator to give you (or a group you are in) a role.');
    }
    req.auth = {
      userId, displayName: String(claims.name ?? claims.preferred_username ?? 'user'),
      orgId: org.id, orgName: org.name, roles: rolesOfGrants(grants), grants, demo: false,
    };
    next();
  };
}

const UNVERIFIED = 'Your sign-in could not be verified. Sign in again.';
const NOT_SET_UP = 'Your organisation is not set up in Brevdue. Ask your administrator.';

function decodeTid(token: string): string {
  const part = token.split('.')[1];
  if (!part) throw new Error('malformed token');
  const tid = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { tid?: unknown }).tid;
  if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) throw new Error('token has no tenant');
  return tid;
}
