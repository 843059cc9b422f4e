// The composition root: database, encryption, simulators (demo), job runner, pipeline and HTTP
// server are assembled here and nowhere else.
import express from 'express';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from './store/db';
import { mailboxes } from './store/schema';
import { createSealer, type Sealer } from './crypto/envelope';
import { loadKeyring } from './crypto/kek';
import { createLogger, silentLogger, type Logger } from './log';
import { createJobRunner, JOB, type JobRunner } from './jobs/runner';
import { createMetrics } from './observability/metrics';
import { metricsHandler } from './observability/http';
import { requestIdMiddleware } from './observability/request-id';
import { connectorFactory } from './ingest/connectors';
import { providerUrlPolicy, type ProviderBaseUrls } from './ingest/provider-urls';
import { createGraphClient, clientCredentials, staticToken } from './delivery/graph-client';
import { FolderCache, setGraphTimeout } from './delivery/mailbox';
import { graphDestinationChecker } from './delivery/registry/check';
import { CLOSED_POLICY, DESTINATIONS_ALLOWED_SETTING, UNRESTRICTED_POLICY, destinationPolicy, isClosed, type DestinationsAllowed } from './delivery/registry/allowed';
import { GRAPH_MAILBOX_LIMITS, Pacer, type PacerLimits } from './delivery/pacing/pacer';
import { createWorkflowsSimulator } from './simulators/workflows';
import type { AppContext } from './context';
import { apiRouter } from './api/router';
import { errorHandler } from './api/errors';
import { apiCors, ipRateLimit, securityHeaders, type SecurityOptions } from './api/security';
import type { Role } from './api/auth';
import { createNgdpSimulator } from './simulators/ngdp';
import { createGraphSimulator } from './simulators/graph';
import { createEboksSimulator, EBOKS_API_PATH } from './simulators/eboks';
import { createMitdkSimulator, MITDK_API_PATH } from './simulators/mitdk';
import { demoPrivateLetters } from './demo/private-letters';
import { DEMO_SHARED_MAILBOX, DEMO_SYSTEM, seedDemoOrganisation } from './demo/seed';
import { seedDemoDelivery } from './demo/delivery-seed';
import { AssistantStore } from './triage/assistant-store';
import { closePdfTextPool } from './pdf-text';
import { DEMO_ORGANISATION, generateDemoLetters } from './demo/letters';
import { buildMemoXml } from './memo/build';
import { ngdpPushRouter } from './ingest/ngdp/push';
import { ngdpPushDepsFromContext } from './ingest/ngdp/push-store';
import type { NgdpPushSecurityInput } from './ingest/ngdp/client-cert';
import { ADDIN_DIST_DIR } from './paths';

const DEMO_GRAPH_TOKEN = 'demo-graph-token';
/** The demo organisation's CVR numbers with an e-Boks and a mit.dk mailbox (demo/seed.ts attaches them). */
const [, , DEMO_EBOKS_CVR, DEMO_MITDK_CVR] = DEMO_ORGANISATION.cvrs;
export const VERSION = '0.1.0';

export interface StartOptions {
  port?: number;
  /**
   * Serve HTTPS with this PEM certificate and key (Outlook loads task panes over HTTPS only; for a
   * sideload on a developer machine, the office-addin-dev-certs localhost pair). Usually a reverse
   * proxy terminates TLS in production and this stays unset.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  host?: string;
  /** PGlite directory; null = in memory. Ignored when databaseUrl is set. */
  dataDir?: string | null;
  databaseUrl?: string;
  demo?: boolean;
  /** Demo only: inject letters into the simulated mailboxes at start. */
  seed?: boolean;
  seedCount?: number;
  log?: (line: string) => void;
  pollIntervalMs?: number;
  /** Mailbox polls at once in this process (default 6). */
  pollConcurrency?: number;
  processEveryMs?: number;
  /** How often the statistics deltas are folded (default 15 s). */
  statsCompactMs?: number;
  kek?: string;
  /** Older key-encryption keys (BREVDUE_KEK_PREVIOUS) that still open values until `brevdue keys rewrap`. */
  kekPrevious?: string;
  delivery?: AppContext['delivery'];
  /**
   * NgDP push receiver at /ngdp/push: how the Digital Post client certificate is verified. Default:
   * off in production, unchecked in demo mode (the local simulator pushes without a certificate).
   */
  ngdpPush?: NgdpPushSecurityInput | null;
  /** false: do not start the job runner (tests that drive the pipeline step by step). */
  runJobs?: boolean;
  production?: {
    graphBaseUrl: string; tenantId: string; clientId: string; clientSecret?: string; apiAudience?: string;
    certificate?: { thumbprintSha256: string; privateKey: string; x5c?: string };
    /** ENTRA_GROUP_ROLES: Entra group object id → role. */
    groupRoles?: Record<string, Role>;
    /** A signed-in user without any role: a reader of everything (default) or refused (ENTRA_DEFAULT_ROLE=none). */
    defaultRole?: Role | 'none';
    /** ENTRA_REQUIRED_SCOPE (default access_as_user). */
    requiredScope?: string;
    /** Where tokens and signing keys come from (default https://login.microsoftonline.com; national clouds, tests). */
    authorityHost?: string;
  };
  /** Security headers, CORS, rate limits, proxy trust (api/security.ts, docs/SECURITY.md). */
  security?: SecurityOptions;
  /** Graph pacing limits (tests and benchmarks use small windows); default: Graph's own. */
  pacing?: Partial<PacerLimits>;
  /** Graph simulator options in demo mode (limits, latency for benchmarks). */
  graphSim?: Parameters<typeof createGraphSimulator>[0];
  /** Where people reach Brevdue, for links in mails; default: the listening URL. */
  publicUrl?: string;
  /** Time limit of one Graph call (default 30 s). */
  graphTimeoutMs?: number;
  /** Parallel delivery jobs per process. */
  deliveryConcurrency?: number;
  /** METRICS_TOKEN: /metrics requires `Authorization: Bearer <token>`; without it /metrics is open in demo mode only. */
  metricsToken?: string;
  /** How long stop() waits for running job handlers and open requests (default 10 s). */
  shutdownGraceMs?: number;
  /**
   * Provider addresses (mailbox base URLs) allowed besides each provider's own (ingest/provider-urls.ts):
   * the operator's NGDP_/EBOKS_/MITDK_ALLOWED_BASE_URLS. https only in production; in demo mode http too
   * (tests name the simulators they start on a port of their own), and the in-process simulators are added.
   */
  providerBaseUrls?: ProviderBaseUrls;
  /**
   * The operator's DESTINATIONS_ALLOWED (delivery/registry/allowed.ts): the mail domains and Teams teams
   * each organisation may deliver to. Default: none in production (nothing is delivered until it is
   * set), anything in demo mode.
   */
  destinationsAllowed?: DestinationsAllowed;
}

export interface Brevdue {
  url: string;
  ctx: AppContext;
  database: Database;
  jobs: JobRunner;
  sims: {
    ngdp: ReturnType<typeof createNgdpSimulator>;
    graph: ReturnType<typeof createGraphSimulator>;
    workflows: ReturnType<typeof createWorkflowsSimulator>;
    eboks: ReturnType<typeof createEboksSimulator>;
    mitdk: ReturnType<typeof createMitdkSimulator>;
  } | null;
  demoOrgId: string | null;
  stop(): Promise<void>;
}

export async function startBrevdue(opts: StartOptions = {}): Promise<Brevdue> {
  const demo = opts.demo ?? true;
  // Checked before anything starts: an http address in a production configuration stops the start.
  const configuredProviderUrls = providerUrlPolicy(opts.providerBaseUrls, { allowHttp: demo });
  const destinationsAllowed = opts.destinationsAllowed ? destinationPolicy(opts.destinationsAllowed) : demo ? UNRESTRICTED_POLICY : CLOSED_POLICY;
  const log: Logger = opts.log ? createLogger(opts.log) : silentLogger;
  const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir === undefined ? './data' : opts.dataDir });
  const sealer: Sealer = createSealer(loadKeyring({ envValue: opts.kek, previous: opts.kekPrevious, dataDir: opts.databaseUrl ? null : opts.dataDir ?? null, demo }));

  const metrics = createMetrics({ query: (text, params) => database.pool.query(text, params), jobNames: Object.values(JOB), pollJobName: JOB.poll, routeJobName: JOB.route, deliverJobName: JOB.deliver });

  const app = express();
  app.disable('x-powered-by');
  if (opts.security?.trustProxy) app.set('trust proxy', opts.security.trustProxy); // req.ip = the client, for limits and audit
  app.use(securityHeaders());
  app.use(requestIdMiddleware(log, { quiet: (p) => p.startsWith('/sim/') || p === '/api/health' || p === '/api/ready' || p === '/metrics' }));
  const server: Server = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, app) : createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`;

  let sims: Brevdue['sims'] = null;
  if (demo) {
    sims = {
      ngdp: createNgdpSimulator({ systemCredentials: [DEMO_SYSTEM] }),
      graph: createGraphSimulator({ acceptedTokens: [DEMO_GRAPH_TOKEN], ...opts.graphSim }),
      workflows: createWorkflowsSimulator({ baseUrl: `${url}/sim/workflows` }),
      eboks: createEboksSimulator(),
      mitdk: createMitdkSimulator(),
    };
    app.use('/sim/ngdp', sims.ngdp.router);
    app.use('/sim/graph', sims.graph.router);
    app.use('/sim/workflows', sims.workflows.router);
    app.use('/sim/eboks', sims.eboks.router);
    app.use('/sim/mitdk', sims.mitdk.router);
    sims.graph.api.addMailbox({ id: DEMO_SHARED_MAILBOX, displayName: 'Digital Post – Nordlys', kind: 'shared' });
  }

  const pacer = new Pacer({ ...GRAPH_MAILBOX_LIMITS, ...opts.pacing });
  const onThrottled = (lane: string, status: number, waitMs: number) => { metrics.graphThrottled.inc(); log.info('graph throttled', { lane, status, waitMs }); };
  const graph = demo
    ? createGraphClient({ baseUrl: `${url}/sim/graph/`, tokens: staticToken(DEMO_GRAPH_TOKEN), pacer, onThrottled })
    : createGraphClient({
      baseUrl: opts.production!.graphBaseUrl, pacer, onThrottled,
      tokens: clientCredentials({
        tenantId: opts.production!.tenantId, clientId: opts.production!.clientId,
        clientSecret: opts.production!.clientSecret, certificate: opts.production!.certificate,
      }),
    });

  if (opts.graphTimeoutMs) setGraphTimeout(graph, opts.graphTimeoutMs);

  const jobs = createJobRunner({
    pool: database.pool, supportsNotify: database.supportsNotify, name: `brevdue-${process.pid}-${port}`,
    processEveryMs: opts.processEveryMs ?? (demo ? 250 : 1000), lockLifetimeMs: 60_000, pollIntervalMs: opts.pollIntervalMs ?? 5000,
    pollConcurrency: opts.pollConcurrency,
    deliveryConcurrency: opts.deliveryConcurrency ?? 32, statsCompactMs: opts.statsCompactMs,
  });
  // The in-process simulators are the one local provider address allowed without naming it, and only in demo mode.
  const simUrls = { ngdp: `${url}/sim/ngdp/apis/v1`, eboks: `${url}/sim/eboks${EBOKS_API_PATH}`, mitdk: `${url}/sim/mitdk${MITDK_API_PATH}` };
  const providerUrls = demo
    ? providerUrlPolicy({
      ngdp: [...opts.providerBaseUrls?.ngdp ?? [], simUrls.ngdp],
      eboks: [...opts.providerBaseUrls?.eboks ?? [], simUrls.eboks],
      mitdk: [...opts.providerBaseUrls?.mitdk ?? [], simUrls.mitdk],
    }, { allowHttp: true })
    : configuredProviderUrls;
  const ctx: AppContext = {
    db: database.db, sealer, graph, pacer, folders: new FolderCache(), assistant: new AssistantStore(database.db, sealer, Date.now, (e) => log.warn('the assistant\'s learning could not be stored yet; retrying', { error: String(e) }),
      (e) => log.warn('the assistant\'s model could not be read again; the one read before serves until the next try', { error: String(e) })), publicUrl: opts.publicUrl ?? url, connectorFor: connectorFactory(sealer, async (id, sealed) => {
      await database.db.update(mailboxes).set({ secretEnc: sealed }).where(eq(mailboxes.id, id));
    }, providerUrls), jobs: jobs.scheduler, log, metrics, providerUrls, destinationPolicy: destinationsAllowed,
    delivery: {
      maxAttempts: 8, backoffMs: (n) => Math.min(300_000, 2000 * 2 ** (n - 1)),
      ...opts.delivery,
      // The local Workflows simulator is the one non-Microsoft webhook host allowed, and only in demo mode.
      webhookOrigins: [...(opts.delivery?.webhookOrigins ?? []), ...(demo ? [new URL(url).origin] : [])],
    },
  };

  if (!demo && isClosed(destinationsAllowed)) {
    log.warn(`${DESTINATIONS_ALLOWED_SETTING} is not set: no organisation may deliver to any mailbox or Teams channel until the operator sets `
      + 'which mail domains and teams each may use (docs/DEPLOYMENT.md 3.1); deliveries give up saying so.');
  }

  let demoOrgId: string | null = null;
  if (demo) {
    const seeded = await seedDemoOrganisation(database.db, sealer, simUrls);
    demoOrgId = seeded.orgId;
    await seedDemoDelivery(database.db, sealer, seeded.orgId, sims!.graph.api, sims!.workflows.api);
    // The demo company's mit.dk mailboxes exist before any letter (as they do on mit.dk), so a poll
    // that comes first finds them empty rather than missing.
    sims!.mitdk.api.addCompany(DEMO_MITDK_CVR.cvr, DEMO_MITDK_CVR.name);
  }

  const pushSecurity = opts.ngdpPush !== undefined ? opts.ngdpPush : demo ? { source: 'insecure-none' as const } : null;
  if (pushSecurity?.source === 'insecure-none' && !demo) {
    throw new Error('NgDP push without a client certificate check is for demo mode only; configure NGDP_PUSH_CLIENT_CERT_* (docs/NGDP.md).');
  }
  const push = pushSecurity ? (() => {
    // The receipt becomes an agenda job (kept in the database), so a restart right after the 200 still sends it.
    const deps = ngdpPushDepsFromContext(ctx, pushSecurity, { sendReceipt: (mb, receipt) => jobs.receiptSoon(mb.id, receipt) });
    return { deps, router: ngdpPushRouter(deps) };
  })() : null;
  // Per-IP budgets, counted before any body is read: one for the API, a larger one of its own for
  // Digital Post's pushes (a few addresses bring every letter).
  app.use('/api', ipRateLimit(opts.security));
  app.use('/ngdp/push', ipRateLimit(opts.security, 'push'));
  // Before any body parser: the router reads the multipart stream itself, bounded.
  if (push) app.use('/ngdp/push', push.router);

  app.get('/metrics', metricsHandler(metrics, { token: opts.metricsToken ?? null, demo }, log));
  app.use('/api', apiCors(opts.security?.allowedOrigins), express.json({ limit: '1mb' }), apiRouter({
    db: database.db, sealer, demo: demoOrgId ? { orgId: demoOrgId } : null,
    entra: opts.production?.apiAudience && opts.production.clientId
      ? {
        clientId: opts.production.clientId, audience: opts.production.apiAudience, authorityHost: opts.production.authorityHost,
        requiredScope: opts.production.requiredScope, groupRoles: opts.production.groupRoles, defaultRole: opts.production.defaultRole,
      } : null,
    security: opts.security,
    jobsRunning: () => jobs.isRunning(), version: VERSION,
    mailboxChanged: async (id) => { if (jobs.isRunning()) await jobs.schedulePolling(id); },
    delivery: { ctx, check: graphDestinationChecker(graph, ctx.folders, ctx.delivery.webhookOrigins) },
  }));
  if (existsSync(ADDIN_DIST_DIR)) {
    app.use(express.static(ADDIN_DIST_DIR, { index: 'taskpane.html' }));
  } else {
    app.get('/', (_req, res) => { res.status(503).type('text').send('The task pane is not built. Run `npm run build:addin`.'); });
  }
  app.use(errorHandler(log));

  if (opts.runJobs ?? true) await jobs.start(ctx);

  if (demo && sims && (opts.seed ?? true)) {
    const letters = await generateDemoLetters({
      recipients: DEMO_ORGANISATION.cvrs, count: opts.seedCount ?? 12, seed: Date.now() % 100_000,
    });
    for (const memo of letters) sims.ngdp.api.inject(memo.recipient.id, buildMemoXml(memo));
    const priv = demoPrivateLetters();
    sims.eboks.api.inject(DEMO_EBOKS_CVR.cvr, priv.eboks);
    sims.mitdk.api.inject(DEMO_MITDK_CVR.cvr, priv.mitdk);
  }

  let stopped = false;
  return {
    url, ctx, database, jobs, sims, demoOrgId,
    async stop() {
      if (stopped) return;
      stopped = true;
      const grace = opts.shutdownGraceMs ?? 10_000;
      // Stop accepting and let open requests finish (bounded). In demo mode the simulators share this
      // server and running jobs still call them, so the server closes only after the jobs drained.
      const closeHttp = async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), grace);
        await closed;
        clearTimeout(force);
      };
      const http = sims ? null : closeHttp();
      await jobs.stop(grace); // /api/ready answers 503 from here on: load balancers stop sending
      await (http ?? closeHttp());
      await ctx.assistant.close().catch((e: unknown) => ctx.log.error('the assistant\'s last learning could not be stored', { error: String(e) }));
      await closePdfTextPool();
      push?.router.close();
      push?.deps.close();
      await database.close();
    },
  };
}
