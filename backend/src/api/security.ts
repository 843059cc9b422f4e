// Transport hardening (issue #7): security headers with a CSP for the task pane, CORS for the
// add-in's origin only, per-IP and per-user rate limits. Composed in app.ts and api/router.ts;
// what each control does and why: docs/SECURITY.md "Transport and hostile input".
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { sendError } from './errors';

export interface SecurityOptions {
  /** Origins allowed to call /api cross-origin (ALLOWED_ORIGINS). Default: none, i.e. same-origin only. */
  allowedOrigins?: string[];
  /** Requests per window per client IP on /api (default 600 per minute). */
  ipLimit?: number;
  /**
   * Requests per window per client IP on /ngdp/push (default 6,000 per minute): Digital Post pushes
   * every letter of every CVR number from a few addresses, so it gets its own, larger budget, and a
   * busy address on /api cannot hold letters back.
   */
  pushLimit?: number;
  /** Requests per window per signed-in user (organisation + user id) on /api (default 300 per minute). */
  userLimit?: number;
  /** The rate-limit window (default one minute). */
  windowMs?: number;
  /** Express "trust proxy" as a hop count (TRUST_PROXY): behind a reverse proxy req.ip is then the client's. */
  trustProxy?: number;
}

export const DEFAULT_LIMITS = { ipLimit: 600, pushLimit: 6_000, userLimit: 300, windowMs: 60_000 } as const;

/**
 * Hosts the task pane needs: office.js and the scripts it loads come from appsforoffice.microsoft.com;
 * MSAL (addin/src/auth) talks to login.microsoftonline.com (its fallback dialog and silent
 * renewal frames); office.js sends telemetry to Microsoft's OneCollector endpoints. Outlook on the
 * web, new Outlook and the Office web hosts frame the pane (frame-ancestors); desktop Outlook loads it
 * in a WebView that is not a frame ancestor.
 */
export const TASKPANE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", 'https://appsforoffice.microsoft.com'],
  // Griffel (Fluent UI) inserts <style> elements at runtime and the page has one inline <style>.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'https://login.microsoftonline.com', 'https://appsforoffice.microsoft.com', 'https://*.events.data.microsoft.com'],
  frameSrc: ["'self'", 'https://login.microsoftonline.com', 'https://appsforoffice.microsoft.com'],
  frameAncestors: [
    "'self'", 'https://outlook.office.com', 'https://outlook.office365.com', 'https://outlook.cloud.microsoft',
    'https://outlook.live.com', 'https://*.officeapps.live.com', 'https://*.office.com', 'https://*.microsoft365.com',
  ],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  workerSrc: ["'self'"],
} as const;

/** helmet with the task pane's CSP. No X-Frame-Options: it cannot name Outlook's hosts; frame-ancestors does. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: TASKPANE_CSP as unknown as Record<string, Iterable<string> | null> },
    frameguard: false,
    // The Office dialog (auth-dialog.html) talks to the pane through Office.js, but MSAL's popup needs its opener.
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    // Outlook (another site) loads the manifest's icons from us; the API needs a bearer token anyway.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
}

/**
 * CORS for /api: only the listed origins get CORS headers (a browser refuses the answer to any other).
 * Changes from a foreign origin are refused outright as well: CORS does not stop a "simple" POST
 * (text/plain, no preflight) from being sent, and in demo mode a request needs no token.
 */
export function apiCors(allowedOrigins: string[] = []): RequestHandler[] {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  const corsHeaders = cors({
    origin: (origin, done) => done(null, !!origin && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
    maxAge: 600,
  });
  const refuseForeignWrites = (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (!origin || ['GET', 'HEAD', 'OPTIONS'].includes(req.method) || allowed.has(origin)) return next();
    let host: string;
    try { host = new URL(origin).host; } catch { host = ''; }
    // Same origin: the page's host is the one the request was sent to (directly, or as the proxy forwarded it).
    if (host && (host === req.get('host') || host === req.get('x-forwarded-host'))) return next();
    sendError(res, 403, 'forbidden_origin', 'Requests from this web page are not allowed. Use Brevdue from Outlook or its own address.');
  };
  return [corsHeaders, refuseForeignWrites];
}

function tooMany(what: string) {
  return (_req: Request, res: Response) => {
    const wait = Number(res.getHeader('Retry-After')) || 60;
    sendError(res, 429, 'rate_limited', `Too many requests ${what}. Wait ${wait} second${wait === 1 ? '' : 's'} and try again.`);
  };
}

/** Per client IP (IPv6 by /56, as the library recommends), before authentication. */
export function ipRateLimit(o: SecurityOptions = {}, budget: 'api' | 'push' = 'api'): RequestHandler {
  const limit = budget === 'push' ? o.pushLimit ?? DEFAULT_LIMITS.pushLimit : o.ipLimit ?? DEFAULT_LIMITS.ipLimit;
  return rateLimit({
    windowMs: o.windowMs ?? DEFAULT_LIMITS.windowMs, limit,
    standardHeaders: 'draft-7', legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    // Probes must keep answering under load.
    skip: (req) => req.path === '/health' || req.path === '/ready',
    handler: tooMany('from your network address'),
  });
}

/** Per signed-in user, after authentication: one person cannot exhaust the server for the rest. */
export function userRateLimit(o: SecurityOptions = {}): RequestHandler {
  const limiter = rateLimit({
    windowMs: o.windowMs ?? DEFAULT_LIMITS.windowMs, limit: o.userLimit ?? DEFAULT_LIMITS.userLimit,
    standardHeaders: 'draft-7', legacyHeaders: false,
    keyGenerator: (req) => `${req.auth!.orgId}:${req.auth!.userId}`,
    handler: tooMany('from your account'),
  });
  return (req: Request, res: Response, next: NextFunction) => (req.auth ? limiter(req, res, next) : next());
}
