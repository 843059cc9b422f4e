// GET /api/admin/jobs: the operator's view of the job runner (agenda's table), for admins and
// operators. Counts per job name are installation-wide (no content, only numbers: they show whether
// the runner keeps up). Failures are listed with the reason CPR-masked and shortened, only while they
// are the row's current trouble (a mailbox that polls again, a delivery made, a job that ran since
// have nothing to say), and only those the caller may see (store/scope.ts): a mailbox's (and its
// receipts') as its quarantine, a letter's routing as the letter, a delivery's as the delivery; jobs
// of no organisation (recovery, retention) to callers seeing the whole organisation only.
import express, { type Router } from 'express';
import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../store/db';
import type { JobsOverview, Provider } from '../../../shared/src/contracts';
import { maskCpr } from '../../../shared/src/identifiers';
import { requireRole, scope } from './roles';
import { deliveries, mailboxes, messages, routeQueue } from '../store/schema';
import { quarantineVisibleFor, seesWholeOrganisation, visibleDeliveries, visibleLetters, type Scope } from '../store/scope';
import { h } from './handler';
import { mailboxErrorKind } from '../store/organisation';
import { JOB } from '../jobs/names';
import { POLL_DUE_SQL } from '../ingest/poll-due';
import { ROUTE_DUE_SQL } from '../routing/route-due';
import { DELIVERY_DUE_SQL } from '../delivery/delivery-due';

export const RECENT_FAILURE_HOURS = 24;
const POLL_DUE = sql.raw(`(${POLL_DUE_SQL})`);
const ROUTE_DUE = sql.raw(`(${ROUTE_DUE_SQL})`);
const DELIVERY_DUE = sql.raw(`(${DELIVERY_DUE_SQL})`);
const FAILED_LIST = 20;

const rowsOf = <T>(r: unknown) => (r as { rows: T[] }).rows;
/** One listed failure; fail_count null: which attempt failed is not known. A mailbox's has its provider and error kind. */
type Failure = { failed_at: unknown; fail_count: number | null; fail_reason: string | null; provider?: string; error_kind?: string | null };
const iso = (v: unknown) => (v == null ? null : new Date(v as string | Date).toISOString());

export async function jobsOverview(db: Db, scope: Scope): Promise<JobsOverview> {
  const orgId = scope.orgId;
  const recent = (at: SQL | PgColumn) => sql`${at} > now() - make_interval(hours => ${RECENT_FAILURE_HOURS})`;
  const summary = rowsOf<{ name: string; queued: number; due: number; running: number; failed: number; oldest: number | null }>(await db.execute(sql`
    SELECT name,
      count(*) FILTER (WHERE locked_at IS NULL AND next_run_at IS NOT NULL)::int AS queued,
      count(*) FILTER (WHERE locked_at IS NULL AND next_run_at <= now())::int AS due,
      count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
      count(*) FILTER (WHERE failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS}))::int AS failed,
      EXTRACT(EPOCH FROM now() - min(next_run_at) FILTER (WHERE locked_at IS NULL AND next_run_at <= now()))::float8 AS oldest
    FROM agenda_jobs WHERE disabled = false GROUP BY name ORDER BY name`));
  // Polling is not an agenda job (ingest/poll-scheduler.ts): its row comes from the mailboxes' schedule.
  // queued = active mailboxes; due = their time has come and no process holds them; running = held.
  const [polling] = rowsOf<{ queued: number; due: number; running: number; failed: number; oldest: number | null }>(await db.execute(sql`
    SELECT count(*)::int AS queued,
      count(*) FILTER (WHERE ${POLL_DUE})::int AS due,
      count(*) FILTER (WHERE polling_until >= now())::int AS running,
      count(*) FILTER (WHERE last_error_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS}))::int AS failed,
      EXTRACT(EPOCH FROM now() - min(coalesce(next_poll_at, created_at)) FILTER (WHERE ${POLL_DUE}))::float8 AS oldest
    FROM mailboxes WHERE removed_at IS NULL AND paused = false`));
  // Routing is not an agenda job either (routing/route-scheduler.ts): letters waiting in route_queue.
  // running = held by a process now; failed = an attempt failed recently (the letter stays queued).
  const [routing] = rowsOf<{ queued: number; due: number; running: number; failed: number; oldest: number | null }>(await db.execute(sql`
    SELECT count(*)::int AS queued,
      count(*) FILTER (WHERE ${ROUTE_DUE})::int AS due,
      count(*) FILTER (WHERE lease_until >= now())::int AS running,
      count(*) FILTER (WHERE failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS}))::int AS failed,
      EXTRACT(EPOCH FROM now() - min(due_at) FILTER (WHERE ${ROUTE_DUE}))::float8 AS oldest
    FROM route_queue`));
  // attempts counts failed attempts only; a letter routed leaves the queue.
  const routeFailures = rowsOf<Failure>(await db.execute(sql`
    SELECT ${routeQueue.failedAt} AS failed_at, ${routeQueue.attempts} AS fail_count, ${routeQueue.lastError} AS fail_reason
    FROM ${routeQueue} JOIN ${messages} ON ${messages.id} = ${routeQueue.messageId}
    WHERE ${routeQueue.orgId} = ${orgId} AND ${visibleLetters(scope)} AND ${routeQueue.lastError} IS NOT NULL AND ${recent(routeQueue.failedAt)}
    ORDER BY ${routeQueue.failedAt} DESC LIMIT ${FAILED_LIST}`));
  // Deliveries too (delivery/delivery-scheduler.ts): pending ones, each its own schedule.
  const [delivering] = rowsOf<{ queued: number; due: number; running: number; failed: number; oldest: number | null }>(await db.execute(sql`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS queued,
      count(*) FILTER (WHERE ${DELIVERY_DUE})::int AS due,
      count(*) FILTER (WHERE status = 'pending' AND lease_until >= now())::int AS running,
      count(*) FILTER (WHERE last_failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS}))::int AS failed,
      EXTRACT(EPOCH FROM now() - min(due_at) FILTER (WHERE ${DELIVERY_DUE}))::float8 AS oldest
    FROM deliveries WHERE status = 'pending' OR last_failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS})`));
  // A delivery made since has no error left (last_failed_at stays). attempts counts the attempt running
  // now too (claimed, leased), and starts again at 0 when a dead one is sent again: then the failed
  // attempt's number is unknown (null).
  const deliveryFailures = rowsOf<Failure>(await db.execute(sql`
    SELECT ${deliveries.lastFailedAt} AS failed_at,
      nullif(greatest(${deliveries.attempts} - (${deliveries.leaseUntil} IS NOT NULL)::int, 0), 0) AS fail_count, ${deliveries.lastError} AS fail_reason
    FROM ${deliveries} JOIN ${messages} ON ${messages.id} = ${deliveries.messageId}
    WHERE ${visibleDeliveries(scope)} AND ${deliveries.status} <> 'delivered' AND ${deliveries.lastError} IS NOT NULL AND ${recent(deliveries.lastFailedAt)}
    ORDER BY ${deliveries.lastFailedAt} DESC LIMIT ${FAILED_LIST}`));
  // A clean poll clears last_error but keeps last_error_at (the counter above): a mailbox working again
  // is not listed. consecutive_failures is 0 for a letter given up by a clean poll, or after new
  // credentials or a resume: no attempt number then.
  const pollFailures = rowsOf<Failure>(await db.execute(sql`
    SELECT ${mailboxes.lastErrorAt} AS failed_at, nullif(${mailboxes.consecutiveFailures}, 0) AS fail_count, ${mailboxes.lastError} AS fail_reason,
      ${mailboxes.provider} AS provider, ${mailboxes.lastErrorKind} AS error_kind FROM ${mailboxes}
    WHERE ${mailboxes.orgId} = ${orgId} AND ${mailboxes.removedAt} IS NULL AND ${quarantineVisibleFor(scope, mailboxes.cvr)}
      AND ${mailboxes.lastError} IS NOT NULL AND ${recent(mailboxes.lastErrorAt)}
    ORDER BY ${mailboxes.lastErrorAt} DESC LIMIT ${FAILED_LIST}`));
  // Agenda keeps failed_at and fail_reason after a later run succeeds (fail_count goes back to 0): only
  // jobs whose last run failed are listed (agenda's own test: failed_at >= last_finished_at).
  const failed = rowsOf<Failure & { name: string }>(await db.execute(sql`
    SELECT j.name, j.failed_at, j.fail_count, j.fail_reason FROM agenda_jobs j
    WHERE j.failed_at IS NOT NULL AND j.fail_count > 0 AND (j.last_finished_at IS NULL OR j.failed_at >= j.last_finished_at) AND (
      (j.data->>'mailboxId' IS NULL AND j.data->>'messageId' IS NULL AND j.data->>'deliveryId' IS NULL AND ${seesWholeOrganisation(scope) ? sql`true` : sql`false`})
      OR j.data->>'mailboxId' IN (SELECT ${mailboxes.id}::text FROM ${mailboxes} WHERE ${mailboxes.orgId} = ${orgId} AND ${quarantineVisibleFor(scope, mailboxes.cvr)})
      OR j.data->>'messageId' IN (SELECT ${messages.id}::text FROM ${messages} WHERE ${visibleLetters(scope)})
      OR j.data->>'deliveryId' IN (SELECT ${deliveries.id}::text FROM ${deliveries} JOIN ${messages} ON ${messages.id} = ${deliveries.messageId} WHERE ${visibleDeliveries(scope)}))
    ORDER BY j.failed_at DESC LIMIT ${FAILED_LIST}`));
  const rows = [...summary, { name: JOB.poll, ...polling }, { name: JOB.route, ...routing }, { name: JOB.deliver, ...delivering }].sort((a, b) => a.name.localeCompare(b.name));
  const failures = [...failed, ...pollFailures.map((f) => ({ name: JOB.poll, ...f })), ...routeFailures.map((f) => ({ name: JOB.route, ...f })),
    ...deliveryFailures.map((f) => ({ name: JOB.deliver, ...f }))]
    .sort((a, b) => new Date(b.failed_at as string).getTime() - new Date(a.failed_at as string).getTime()).slice(0, FAILED_LIST);
  return {
    jobs: rows.map((s) => ({
      name: s.name, queued: Number(s.queued), dueNow: Number(s.due), running: Number(s.running), failedRecently: Number(s.failed),
      oldestDueSeconds: s.oldest == null ? null : Math.max(0, Math.round(Number(s.oldest))),
    })),
    recentFailures: failures.map((f) => ({
      name: f.name, failedAt: iso(f.failed_at)!, failCount: f.fail_count == null ? null : Number(f.fail_count),
      failReason: f.fail_reason ? maskCpr(f.fail_reason).slice(0, 500) : null,
      ...(f.provider ? { mailbox: { provider: f.provider as Provider, errorKind: mailboxErrorKind(f.fail_reason, f.error_kind ?? null) } } : {}),
    })),
    recentHours: RECENT_FAILURE_HOURS,
  };
}

export function jobsRouter(db: Db): Router {
  const r = express.Router();
  r.get('/jobs', requireRole('admin', 'operator'), h(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await jobsOverview(db, scope(req)));
  }));
  return r;
}
