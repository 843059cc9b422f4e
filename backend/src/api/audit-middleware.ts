// The one place API actions are audited. Every route is classified here: audited (an action name and
// which route parameter is the target) or explicitly not (with the reason). tests/integration/audit.test.ts
// walks the router and fails on a route missing from this table, so a new route must be classified.
// The entry is written when the response has finished with 2xx; a handler may add safe details (never
// content, tokens or a CPR number) in res.locals.auditDetails.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../store/db';
import type { Logger } from '../log';
import { appendAudit } from '../audit/chain';
import { errorMessage } from '../log';

export type RouteClass =
  | { action: string; targetType?: string; targetParam?: string }
  | { notAudited: string };

const msg = (action: string): RouteClass => ({ action, targetType: 'message', targetParam: 'id' });
const NOT_READ = 'a read of non-personal data (no letter content)';

/** "METHOD /pattern" relative to /api → how it is audited. */
export const ROUTE_AUDIT: Record<string, RouteClass> = {
  'GET /health': { notAudited: 'before sign-in; no data' },
  'GET /auth-config': { notAudited: 'before sign-in; no data' },
  'GET /ready': { notAudited: 'readiness probe before sign-in; no data' },
  'GET /admin/jobs': { notAudited: 'job runner counts and masked failure reasons; no letter content' },
  'GET /me': { notAudited: 'the caller\'s own identity' },
  'GET /cvrs': { notAudited: NOT_READ },
  'GET /messages': { notAudited: 'the list shows labels only; opening a letter is audited' },
  'GET /messages/by-graph-id/:graphMessageId': { action: 'letter.view', targetType: 'graph_message', targetParam: 'graphMessageId' },
  'GET /messages/:id': msg('letter.view'),
  'GET /messages/:id/documents/:docId': { action: 'document.download', targetType: 'document', targetParam: 'docId' },
  'GET /destinations': { notAudited: NOT_READ },
  'POST /messages/:id/resend': msg('letter.resend'),
  'POST /messages/:id/reroute': msg('letter.reroute'),
  'GET /admin/deliveries/failed': { notAudited: 'counts and reasons per destination; no letter content' },
  'POST /admin/deliveries/retry': { action: 'deliveries.retry_failed', targetType: 'organisation' },
  'GET /admin/destinations': { notAudited: NOT_READ },
  'GET /admin/destinations/:id': { notAudited: NOT_READ },
  'POST /admin/destinations': { action: 'destination.create', targetType: 'destination' },
  'PATCH /admin/destinations/:id': { action: 'destination.update', targetType: 'destination', targetParam: 'id' },
  'POST /admin/destinations/:id/check': { notAudited: 'a re-check changes no setting' },
  'DELETE /admin/destinations/:id': { action: 'destination.archive', targetType: 'destination', targetParam: 'id' },
  'GET /admin/delivery-settings': { notAudited: NOT_READ },
  'PUT /admin/delivery-settings': { action: 'settings.delivery.update', targetType: 'organisation' },
  'GET /admin/rules': { notAudited: NOT_READ },
  'GET /admin/rules/:id': { notAudited: NOT_READ },
  'GET /admin/rules/:id/versions': { notAudited: NOT_READ },
  'POST /admin/rules': { action: 'rule.create', targetType: 'rule' },
  'PATCH /admin/rules/:id': { action: 'rule.update', targetType: 'rule', targetParam: 'id' },
  'DELETE /admin/rules/:id': { action: 'rule.delete', targetType: 'rule', targetParam: 'id' },
  'POST /admin/rules/dry-run': { notAudited: 'a replay that changes nothing and returns no content' },
  'GET /admin/routing-settings': { notAudited: NOT_READ },
  'PUT /admin/routing-settings': { action: 'settings.routing.update', targetType: 'organisation' },
  'GET /triage': { notAudited: 'the list shows labels only; opening a letter is audited' },
  'POST /triage/:id/place': msg('letter.place'),
  'GET /messages/:id/replies': msg('letter.replies.view'),
  'POST /messages/:id/reply': msg('letter.reply'),
  'POST /messages/:id/replies/:replyId/retry': msg('letter.reply.retry'),
  'GET /stats': { notAudited: 'counts only' },
  'GET /stats.csv': { notAudited: 'counts only' },
  'GET /notices': { notAudited: NOT_READ },
  'GET /admin/notices': { notAudited: NOT_READ },
  'POST /admin/notices': { action: 'notice.create', targetType: 'notice' },
  'PUT /admin/notices/:id': { action: 'notice.update', targetType: 'notice', targetParam: 'id' },
  'DELETE /admin/notices/:id': { action: 'notice.delete', targetType: 'notice', targetParam: 'id' },
  'GET /admin/retention-settings': { notAudited: NOT_READ },
  'GET /admin/retention-settings/preview': { notAudited: 'counts and a date of what a setting would delete; changes nothing' },
  'PUT /admin/retention-settings': { action: 'settings.retention.update', targetType: 'organisation' },
  'GET /admin/cvrs': { notAudited: NOT_READ },
  'POST /admin/cvrs': { action: 'cvr.add', targetType: 'cvr' },
  'DELETE /admin/cvrs/:cvr': { action: 'cvr.remove', targetType: 'cvr', targetParam: 'cvr' },
  'POST /admin/cvrs/:cvr/mailboxes': { action: 'mailbox.add', targetType: 'cvr', targetParam: 'cvr' },
  'GET /admin/mailboxes/:id': { notAudited: NOT_READ },
  'GET /admin/mailboxes/:id/quarantine': { notAudited: NOT_READ },
  'POST /admin/mailboxes/:id/quarantine/:quarantineId/retry': { action: 'quarantine.retry', targetType: 'quarantine', targetParam: 'quarantineId' },
  'PATCH /admin/mailboxes/:id': { action: 'mailbox.update', targetType: 'mailbox', targetParam: 'id' },
  'POST /admin/mailboxes/:id/backfill': { action: 'mailbox.backfill', targetType: 'mailbox', targetParam: 'id' },
  'GET /admin/mailboxes/:id/backfill': { notAudited: NOT_READ },
  'GET /admin/mailboxes/:id/backfill/:fetchId': { notAudited: NOT_READ },
  // Privacy (api/privacy.ts)
  'PUT /messages/:id/legal-hold': msg('letter.legal_hold.set'),
  'DELETE /messages/:id/legal-hold': msg('letter.legal_hold.lift'),
  'GET /admin/role-grants': { notAudited: 'who holds which role; no letter data' },
  'POST /admin/role-grants': { action: 'role.grant', targetType: 'role_grant' },
  'PATCH /admin/role-grants/:id': { action: 'role.update', targetType: 'role_grant', targetParam: 'id' },
  'DELETE /admin/role-grants/:id': { action: 'role.revoke', targetType: 'role_grant', targetParam: 'id' },
  'GET /admin/audit': { action: 'audit.read' },
  'GET /admin/audit.csv': { action: 'audit.export' },
  'POST /admin/dsr/search': { action: 'dsr.search', targetType: 'cpr' },
  'POST /admin/dsr/export': { action: 'dsr.export', targetType: 'cpr' },
  'POST /admin/dsr/erase': { action: 'dsr.erase', targetType: 'cpr' },
};

interface CompiledRoute { method: string; pattern: string; re: RegExp; params: string[]; literals: number; cls: RouteClass }

function compile(table: Record<string, RouteClass>): CompiledRoute[] {
  return Object.entries(table).map(([key, cls]) => {
    const [method, pattern] = key.split(' ');
    const params: string[] = [];
    const segs = pattern.split('/').filter(Boolean);
    const re = new RegExp(`^/${segs.map((s) => {
      if (s.startsWith(':')) { params.push(s.slice(1)); return '([^/]+)'; }
      return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('/')}/?$`);
    return { method, pattern, re, params, literals: segs.length - params.length, cls };
  // Literal segments win over parameters ("/admin/rules/dry-run" before "/admin/rules/:id").
  }).sort((a, b) => b.literals - a.literals);
}

const COMPILED = compile(ROUTE_AUDIT);

/** The classification of a request path (relative to /api), with its route parameters. */
export function classifyRoute(method: string, path: string): { pattern: string; cls: RouteClass; params: Record<string, string> } | null {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const c of COMPILED) {
    if (c.method !== m) continue;
    const hit = c.re.exec(path);
    if (!hit) continue;
    const params: Record<string, string> = {};
    c.params.forEach((p, i) => { params[p] = safeDecode(hit[i + 1]); });
    return { pattern: c.pattern, cls: c.cls, params };
  }
  return null;
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** Mounted once, after authentication, in api/router.ts. */
export function auditMiddleware(db: Db, log?: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    // Captured now: req.path and req.baseUrl change as the request passes through nested routers.
    const method = req.method;
    const path = req.path;
    res.once('finish', () => {
      const auth = req.auth;
      if (!auth || res.statusCode < 200 || res.statusCode >= 300) return;
      const hit = classifyRoute(method, path);
      if (!hit || 'notAudited' in hit.cls) return;
      const cls = hit.cls;
      const extra = (res.locals.auditDetails ?? {}) as Record<string, unknown>;
      const targetId = cls.targetParam ? hit.params[cls.targetParam] : (extra.targetId as string | undefined);
      const { targetId: _t, ...details } = extra;
      appendAudit(db, {
        orgId: auth.orgId, actor: `${auth.displayName} (${auth.userId})`, actorIp: req.ip ?? null,
        action: cls.action, targetType: cls.targetType ?? null, targetId: targetId ?? null,
        // Field names only, never values: a body may hold letter text (a reply) or a CPR number (DSR).
        details: { route: `${method} ${hit.pattern}`, status: res.statusCode, ...bodyFields(req.body), ...details },
      }).catch((e) => log?.error('audit entry could not be written', { action: cls.action, error: errorMessage(e) }));
    });
    next();
  };
}

function bodyFields(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return {};
  const keys = Object.keys(body as object).slice(0, 30);
  return keys.length ? { fields: keys } : {};
}
