// The pipeline's schedulers: mailboxes are polled, letters routed and deliveries made by claims on
// their own rows (ingest/poll-scheduler.ts, routing/route-scheduler.ts, delivery/delivery-scheduler.ts);
// agenda on PostgreSQL runs business receipts, dead-letter notices and the repeating housekeeping
// (among it the quarantine notices: delivery/quarantine-notice.ts).
// Agenda's table is created by our migrations (ensureSchema false: many processes starting at once
// must not race on DDL). Embedded PGlite has no LISTEN/NOTIFY,
// so there agenda polls its table (processEvery, in milliseconds: strings parse wrongly).
import { Agenda, type Job } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { PoolLike } from '../store/db';
import type { AppContext, JobScheduler, MailboxRow } from '../context';
import { deliveries, mailboxes } from '../store/schema';
import { createPollScheduler, POLL_DEFAULTS, type PollScheduler } from '../ingest/poll-scheduler';
import { createRouteScheduler, type RouteScheduler } from '../routing/route-scheduler';
import { createDeliveryScheduler, type DeliveryScheduler } from '../delivery/delivery-scheduler';
import { DeadNoticeFailed, deadNoticeBackoffMs, notifyDeadLetter, notifyWaitingDeadLetters } from '../delivery/notify';
import { QUARANTINE_NOTICE_DEFAULTS, runQuarantineNotices } from '../delivery/quarantine-notice';
import { indexQuarantined } from '../dsr/cpr-index';
import { recoverUncertain } from '../delivery/recover';
import { createNgdpClientCache } from '../ingest/ngdp/mailbox-client';
import type { NgdpReceipt } from '../ingest/ngdp/client';
import { ProviderError } from '../ingest/connector';
import { errorMessage, silentLogger, type Logger } from '../log';
import { runRetention } from '../retention/purge';
import { compactStats } from '../stats/rollup';
import { stopAgenda } from './graceful-stop';
import { JOB } from './names';

export { JOB };

/** Business receipts after a push are jobs, so a restart does not forget one. */
const RECEIPT_ATTEMPTS = 8;
const NOTIFY_ATTEMPTS = 8;
/** How often the statistics deltas are folded (one job for the installation). */
const STATS_COMPACT_MS = 15_000;
const receiptBackoffMs = (attempt: number) => Math.min(15 * 60_000, 2000 * 4 ** (attempt - 1));

export interface JobRunnerOptions {
  pool: PoolLike;
  supportsNotify: boolean;
  name: string;
  processEveryMs: number;
  lockLifetimeMs: number;
  pollIntervalMs: number;
  /** Mailbox polls at once in this process (default POLL_DEFAULTS.concurrency). */
  pollConcurrency?: number;
  /** Letters routed at once in this process (default ROUTE_DEFAULTS.concurrency). */
  routeConcurrency?: number;
  /** Delivery attempts at once per process; Graph pacing per mailbox keeps each mailbox within its limits. */
  deliveryConcurrency?: number;
  /** How often the statistics deltas are folded (default 15 s). */
  statsCompactMs?: number;
}

export interface JobRunner {
  scheduler: JobScheduler;
  /** Defines the job handlers against the finished context and starts processing. */
  start(ctx: AppContext): Promise<void>;
  schedulePolling(mailboxId: string): Promise<void>;
  /** Sends an NgDP business receipt for a pushed letter, durably: retried with backoff, across restarts. */
  receiptSoon(mailboxId: string, receipt: NgdpReceipt, attempt?: number, at?: Date): Promise<void>;
  /** How many active mailboxes the poll scheduler polls (each as it comes due; nothing to schedule). */
  scheduleAllPolling(ctx: AppContext): Promise<number>;
  /** Runs the retention purge now (besides its daily run). */
  retentionNow(): Promise<void>;
  /** Runs the quarantine notices now (besides every minute). */
  quarantineNoticesNow(): Promise<void>;
  isRunning(): boolean;
  /** Stops taking jobs and waits (at most `drainMs`) for running handlers to finish and save. */
  stop(drainMs?: number): Promise<void>;
}

export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const backend = new PostgresBackend({
    pool: opts.pool as never, ensureSchema: false, disableNotifications: !opts.supportsNotify,
  });
  let log: Logger = silentLogger;
  // The LISTEN connection re-emits its errors on the channel, and nobody listens there: a server
  // restart, or a connection ended by an administrator, would crash the process. The channel
  // reconnects by itself (and agenda keeps polling meanwhile), so a warning is all it needs.
  backend.notificationChannel?.on('error', (e: unknown) => {
    if (running) log.warn('job notification channel lost its connection; reconnecting', { error: errorMessage(e) });
  });
  const agenda = new Agenda({
    backend,
    name: opts.name,
    processEvery: opts.processEveryMs,
    defaultLockLifetime: opts.lockLifetimeMs,
    maxConcurrency: 32,
    removeOnComplete: true, // one-time jobs leave no rows behind; repeating ones (recovery, retention, statistics) stay
  });
  let running = false;
  let polls: PollScheduler | null = null;
  let routes: RouteScheduler | null = null;
  let deliveriesLoop: DeliveryScheduler | null = null;
  let ngdp: ReturnType<typeof createNgdpClientCache> | null = null;

  const scheduler: JobScheduler = {
    // Storing a letter queued it already (route_queue); this only says "look now", in this process.
    async routeSoon() {
      routes?.wake();
    },
    // A delivery row is its own schedule (due_at, now when made): this only says "look now", in this process.
    async deliverSoon() {
      deliveriesLoop?.wake();
    },
    // No `unique` here: an upsert onto a job that is running now would be overwritten when it
    // finishes. A duplicate notice job is harmless: notifyDeadLetter claims the notice (a lease on
    // deliveries.dead_notice_until) before it sends it, so jobs running at once send one mail.
    async notifyDeadSoon(deliveryId, at = new Date()) {
      await agenda.schedule(at, JOB.notifyDead, { deliveryId, attempt: 1 });
    },
  };

  const scheduleReceipt = async (mailboxId: string, receipt: NgdpReceipt, attempt = 1, at = new Date()) => {
    await agenda.schedule(at, JOB.receipt, { mailboxId, receipt, attempt });
  };

  return {
    scheduler,
    receiptSoon: scheduleReceipt,
    async start(ctx) {
      log = ctx.log;
      // Mailboxes are polled by their own scheduler (ingest/poll-scheduler.ts), not one agenda job each.
      const tickMs = Math.min(opts.processEveryMs, POLL_DEFAULTS.tickMs);
      polls = createPollScheduler(ctx, { intervalMs: opts.pollIntervalMs, concurrency: opts.pollConcurrency, tickMs });
      routes = createRouteScheduler(ctx, { concurrency: opts.routeConcurrency, tickMs });
      deliveriesLoop = createDeliveryScheduler(ctx, { concurrency: opts.deliveryConcurrency, tickMs });
      ngdp = createNgdpClientCache(ctx.sealer, ctx.providerUrls);
      agenda.define(JOB.receipt, async (job: Job<{ mailboxId: string; receipt: NgdpReceipt; attempt: number }>) => {
        const { mailboxId, receipt, attempt } = job.attrs.data;
        const [mb] = await ctx.db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
        if (!mb) return;
        try {
          await ngdp!.get(mb as MailboxRow).client.postReceipt(receipt.messageUUID, receipt);
          ctx.log.info('ngdp receipt sent', { mailboxId, messageUUID: receipt.messageUUID, status: receipt.receiptStatus, attempt });
        } catch (e) {
          const retry = !(e instanceof ProviderError && !e.retryable) && attempt < RECEIPT_ATTEMPTS;
          ctx.log[retry ? 'warn' : 'error'](retry ? 'ngdp receipt failed; will retry' : 'ngdp receipt gave up',
            { mailboxId, messageUUID: receipt.messageUUID, attempt, error: errorMessage(e) });
          if (retry) await scheduleReceipt(mailboxId, receipt, attempt + 1, new Date(Date.now() + receiptBackoffMs(attempt)));
        }
      }, { concurrency: 4 });
      agenda.define(JOB.notifyDead, async (job: Job<{ deliveryId: string; attempt: number }>) => {
        const { deliveryId, attempt } = job.attrs.data;
        try {
          await notifyDeadLetter(ctx, deliveryId, { attempt });
        } catch (e) {
          // Never given up: after NOTIFY_ATTEMPTS the minute's sweep (notifyWaitingDeadLetters) goes on trying.
          const retry = attempt < NOTIFY_ATTEMPTS;
          const at = e instanceof DeadNoticeFailed ? e.retryAt : new Date(Date.now() + deadNoticeBackoffMs(attempt));
          ctx.log.warn(retry ? 'dead-letter notice failed; will retry' : 'dead-letter notice failed; the notices sweep tries again',
            { deliveryId, attempt, retryAt: at.toISOString(), error: errorMessage(e) });
          if (retry) await agenda.schedule(new Date(at.getTime() + 1000), JOB.notifyDead, { deliveryId, attempt: attempt + 1 });
        }
      }, { concurrency: 2 });
      agenda.define(JOB.recover, async () => { await recoverUncertain(ctx); }, { concurrency: 1 });
      // Letters that entered quarantine: the admins are mailed (batched per organisation), and the
      // letters' sealed bytes are indexed for data subject requests (a few each minute). Dead-letter
      // notices still owed (a refused sender, retries run out, a claim left by a crash) are tried again.
      agenda.define(JOB.quarantineNotices, async () => {
        await runQuarantineNotices(ctx);
        await notifyWaitingDeadLetters(ctx);
        await indexQuarantined(ctx.db, ctx.sealer, { limit: 50 });
      }, { concurrency: 1 });
      agenda.define(JOB.retention, async () => {
        const r = await runRetention(ctx.db, ctx.sealer);
        ctx.log.info('retention purge done', { ...r });
      }, { concurrency: 1 });
      // Folds the statistics triggers' deltas into counts; reports are exact without it, only slower
      // as deltas pile up. A backlog (a rebuild, a burst) is folded in batches until none is left.
      agenda.define(JOB.statsCompact, async () => {
        const BATCH = 50_000;
        while (running && (await compactStats(ctx.db, BATCH)) === BATCH) { /* a full batch: more may wait */ }
      }, { concurrency: 1 });
      await agenda.start();
      running = true;
      // After an outage, uncertain deliveries are looked up in batches before their own retries come.
      await agenda.create(JOB.recover, {}).unique({ name: JOB.recover }).repeatEvery(30_000).schedule(new Date(Date.now() + 30_000)).save();
      // Daily; one job for the whole installation (unique), so several processes do not purge in parallel.
      const compactMs = opts.statsCompactMs ?? STATS_COMPACT_MS;
      await agenda.create(JOB.statsCompact, {}).unique({ name: JOB.statsCompact }).repeatEvery(compactMs).schedule(new Date(Date.now() + compactMs)).save();
      await agenda.create(JOB.retention, {}).unique({ name: JOB.retention }).repeatEvery(24 * 3_600_000).schedule(new Date(Date.now() + 60_000)).save();
      await agenda.create(JOB.quarantineNotices, {}).unique({ name: JOB.quarantineNotices }).repeatEvery(QUARANTINE_NOTICE_DEFAULTS.everyMs)
        .schedule(new Date(Date.now() + QUARANTINE_NOTICE_DEFAULTS.everyMs)).save();
      await resumeInterrupted(ctx);
      routes.start();
      deliveriesLoop.start();
      polls.start();
    },
    async schedulePolling(mailboxId) {
      await polls?.pollSoon(mailboxId);
    },
    async scheduleAllPolling(ctx) {
      const [{ n }] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(mailboxes)
        .where(and(isNull(mailboxes.removedAt), eq(mailboxes.paused, false)));
      return Number(n);
    },
    async retentionNow() { await agenda.now(JOB.retention, {}); },
    async quarantineNoticesNow() { await agenda.now(JOB.quarantineNotices, {}); },
    isRunning: () => running,
    async stop(drainMs = 10_000) {
      if (!running) return;
      running = false;
      // All at once: nothing new is taken while running work finishes (a letter a finishing poll
      // stores is queued for routing and waits for the next process).
      await Promise.all([polls?.stop(drainMs), routes?.stop(drainMs), deliveriesLoop?.stop(drainMs), stopAgenda(agenda, drainMs, log)]);
      ngdp?.close();
    },
  };
}

/**
 * After a crash: uncertain deliveries looked up together, and dead-letter notices not yet sent (letters
 * to route and deliveries to make wait in their own rows; a notice another job holds or that waits
 * for its backoff or an allowed sender answers 'taken', and the sweep sends it in its time).
 */
async function resumeInterrupted(ctx: AppContext) {
  // Deliveries interrupted mid-attempt: look for their copies in batches before anyone retries.
  await recoverUncertain(ctx).catch((e) => ctx.log.warn('recovering uncertain deliveries failed', { error: errorMessage(e) }));
  const unnotified = await ctx.db.select({ id: deliveries.id }).from(deliveries)
    .where(and(eq(deliveries.status, 'dead'), isNull(deliveries.deadNotifiedAt)));
  for (const d of unnotified) await ctx.jobs.notifyDeadSoon(d.id);
}
