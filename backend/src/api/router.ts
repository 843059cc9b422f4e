// The /api routes. Authentication is applied once, to everything but health.
import express, { type Router } from 'express';
import { h } from './handler';
import { adminRouter } from './admin';
import { deliveryRouter, type DeliveryDeps } from './delivery';
import { routingRouter } from './routing';
import { replyRouter } from './reply';
import { statsRouter } from './stats';
import { noticesRouter } from './notices';
import { settingsRouter } from './settings';
import { privacyRouter } from './privacy';
import { auditMiddleware } from './audit-middleware';
import { jobsRouter } from './jobs';
import { roleGrantsRouter } from './role-grants';
import { readinessHandler } from '../observability/http';
import { messages } from '../store/schema';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../store/db';
import type { Sealer } from '../crypto/envelope';
import { messageListQuerySchema, type Health, type Me } from '../../../shared/src/contracts';
import { getDocument, getMessage, listMessages, messageIdByGraphMessageId, orgCvrNumbers } from '../store/read';
import { authMiddleware, type EntraConfig } from './auth';
import { HttpError, sendError } from './errors';
import { safeFilename } from '../util/filename';
import { servedContentType } from '../util/mime';
import { userRateLimit, type SecurityOptions } from './security';
import { defaultScope, scope } from './roles';
import { visibleLetters } from '../store/scope';
import { inputGuard } from './input-guard';
import { text } from '../../../shared/src/input-edges';

export interface ApiDeps {
  db: Db;
  sealer: Sealer;
  demo: { orgId: string } | null;
  entra: EntraConfig | null;
  jobsRunning: () => boolean;
  version: string;
  /** A mailbox was added, resumed or reconfigured: (re)schedule its polling. */
  mailboxChanged: (mailboxId: string) => Promise<void>;
  /** Delivery engine: registry, settings, resend and reroute. */
  delivery: DeliveryDeps;
  /** Per-user rate limit (api/security.ts); default 300 requests a minute. */
  security?: SecurityOptions;
}

const uuid = z.string().uuid('must be a letter id (UUID)');
const graphId = text().trim().min(1, 'must be a Graph message id').max(1024, 'a Graph message id is at most 1,024 characters');

export function apiRouter(deps: ApiDeps): Router {
  const r = express.Router();

  r.get('/health', h(async (_req, res) => {
    const database = await deps.db.execute(sql`select 1`).then(() => 'ok' as const, () => 'down' as const);
    const jobs = deps.jobsRunning() ? 'ok' as const : 'down' as const;
    const body: Health = { status: database === 'ok' && jobs === 'ok' ? 'ok' : 'degraded', database, jobs, demo: !!deps.demo, version: deps.version };
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  }));

  // Readiness (health above is liveness): 503 naming what is down, so a load balancer stops sending.
  r.get('/ready', readinessHandler({ ping: () => deps.db.execute(sql`select 1`), jobsRunning: deps.jobsRunning }));

  // How the task pane signs in (no token needed to ask): the demo, or Entra ID through Nested App
  // Authentication with the API scope below (addin/src/auth).
  r.get('/auth-config', (_req, res) => {
    if (deps.demo || !deps.entra) return res.json({ mode: 'demo' });
    res.json({
      mode: 'entra', clientId: deps.entra.clientId,
      authority: `${deps.entra.authorityHost ?? 'https://login.microsoftonline.com'}/organizations`,
      scopes: [deps.entra.scope ?? `${deps.entra.audience.replace(/\/+$/, '')}/access_as_user`],
    });
  });

  r.use(h(authMiddleware({ db: deps.db, demo: deps.demo, entra: deps.entra })));
  r.use(defaultScope); // what the caller may see (store/scope.ts); requireRole narrows it per route
  r.use(userRateLimit(deps.security)); // per organisation + user, after sign-in (security.ts)
  r.use(inputGuard); // no control character (NUL …) in the path, query or body of any route (input-guard.ts)
  r.use(auditMiddleware(deps.db, deps.delivery.ctx?.log)); // every classified action, once (audit-middleware.ts)

  r.get('/me', h((req, res) => {
    const a = req.auth!;
    const me: Me = { userId: a.userId, displayName: a.displayName, orgId: a.orgId, orgName: a.orgName, roles: a.roles, grants: a.grants, demo: a.demo };
    res.json(me);
  }));

  r.get('/cvrs', h(async (req, res) => {
    res.json({ items: await orgCvrNumbers(deps.db, scope(req)) });
  }));

  r.get('/messages', h(async (req, res) => {
    const q = messageListQuerySchema.parse(req.query);
    res.json(await listMessages(deps.db, scope(req), q));
  }));

  // The letter an Outlook item is a copy of, for the add-in's "This letter" view. The add-in must send
  // the item's REST id, not its EWS id: Office.context.mailbox.item.itemId →
  // Office.context.mailbox.convertToRestId(itemId, Office.MailboxEnums.RestVersion.v2_0) (on iOS and
  // Android itemId already is the REST id), URL-encoded into the path.
  // Deliveries store Graph *immutable* ids (Prefer: IdType="ImmutableId"), while Outlook gives the
  // *regular* REST id; for Exchange Online mailboxes the two differ, so this exact match finds copies
  // only where they coincide (the demo's simulated Graph). Later: translate the regular id with Graph
  // translateExchangeIds (restId → restImmutableEntryId) in the copy's mailbox, or look the copy up by
  // its Internet message id, which the add-in already sends as ?internetMessageId= (not used yet).
  r.get('/messages/by-graph-id/:graphMessageId', h(async (req, res) => {
    const imid = text().max(1000, 'internetMessageId is at most 1,000 characters').optional().parse(req.query.internetMessageId);
    const id = await messageIdByGraphMessageId(deps.db, scope(req), graphId.parse(req.params.graphMessageId), imid);
    const detail = id ? await getMessage(deps.db, scope(req), id) : null;
    if (!detail) throw new HttpError(404, 'not_found', 'This item is not a letter Brevdue delivered in your organisation.');
    res.json(detail);
  }));

  r.get('/messages/:id', h(async (req, res) => {
    const id = uuid.parse(req.params.id);
    const detail = await getMessage(deps.db, scope(req), id);
    if (!detail) throw new HttpError(404, 'not_found', 'No letter with that id in your organisation.');
    res.json(detail);
  }));

  r.get('/messages/:id/documents/:docId', h(async (req, res) => {
    const doc = await getDocument(deps.db, scope(req), uuid.parse(req.params.id), uuid.parse(req.params.docId));
    if (!doc) {
      const [m] = await deps.db.select({ purgedAt: messages.purgedAt }).from(messages).where(and(visibleLetters(scope(req)), eq(messages.id, req.params.id)));
      if (m?.purgedAt) throw new HttpError(410, 'purged', 'This letter\'s documents were deleted (retention period passed or a data subject request); only its trace is kept.');
      throw new HttpError(404, 'not_found', 'No such document on that letter.');
    }
    // The sender chose the type: only allow-listed types are served as themselves, anything else
    // (HTML, SVG, a malformed value) as bytes to save; always as a download, never sniffed, and
    // sandboxed should a browser open it anyway (util/mime.ts).
    res.setHeader('Content-Type', servedContentType(doc.mimeType));
    res.setHeader('Content-Disposition', contentDisposition(doc.filename));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(deps.sealer.open(doc.contentEnc));
  }));

  r.use(deliveryRouter(deps.delivery));
  r.use(routingRouter(deps.delivery.ctx));
  r.use(replyRouter(deps.delivery.ctx));
  r.use(statsRouter(deps.db));
  r.use(noticesRouter(deps));
  r.use(settingsRouter(deps));
  r.use(privacyRouter(deps));
  r.use('/admin', jobsRouter(deps.db)); // GET /admin/jobs: the job runner for operators (api/jobs.ts)
  r.use('/admin', roleGrantsRouter(deps.db)); // who holds which role, limited to what (api/role-grants.ts)
  r.use('/admin', adminRouter(deps));

  r.use((_req, res) => sendError(res, 404, 'not_found', 'No such API route.'));
  return r;
}

/** RFC 6266 attachment header keeping the original (Danish) file name. */
export function contentDisposition(filename: string): string {
  const safe = safeFilename(filename); // util/filename.ts: no quotes, separators or control characters left
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_');
  // RFC 5987 attr-char: encodeURIComponent leaves ' ( ) * ! unescaped, and ' ends the charset part.
  const encoded = encodeURIComponent(safe).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
