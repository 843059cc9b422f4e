// GET /api/admin/jobs: the operator's view of the job runner (agenda's table), for admins and
// operators. Counts per job name are installation-wide (no content, only numbers: they show whether
// the runner keeps up). Failed jobs are listed only when they belong to the caller's organisation
// (their mailbox, letter or delivery) or to no organisation (recovery, retention), with the reason
// CPR-masked and shortened.
import express, { type Router } from 'express';
import { sql } from 'drizzle-orm';
import type { Db } from '../store/db';
import type { JobsOverview } from '../../../shared/src/contracts';
import { maskCpr } from '../../../shared/src/identifiers';
import { requireRole, scope } from './roles';
import { h } from './handler';
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
const iso = (v: unknown) => (v == null ? null : new Date(v as string | Date).toISOString());

export async function jobsOverview(db: Db, orgId: string): Promise<JobsOverview> {
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
  const routeFailures = rowsOf<{ failed_at: unknown; fail_count: number; fail_reason: string | null }>(await db.execute(sql`
    SELECT failed_at, attempts AS fail_count, last_error AS fail_reason FROM route_queue
    WHERE org_id = ${orgId} AND failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS})
    ORDER BY failed_at DESC LIMIT ${FAILED_LIST}`));
  // Deliveries too (delivery/delivery-scheduler.ts): pending ones, each its own schedule.
  const [delivering] = rowsOf<{ queued: number; due: number; running: number; failed: number; oldest: number | null }>(await db.execute(sql`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS queued,
      count(*) FILTER (WHERE ${DELIVERY_DUE})::int AS due,
      count(*) FILTER (WHERE status = 'pending' AND lease_until >= now())::int AS running,
      count(*) FILTER (WHERE last_failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS}))::int AS failed,
      EXTRACT(EPOCH FROM now() - min(due_at) FILTER (WHERE ${DELIVERY_DUE}))::float8 AS oldest
    FROM deliveries WHERE status = 'pending' OR last_failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS})`));
  const deliveryFailures = rowsOf<{ failed_at: unknown; fail_count: number; fail_reason: string | null }>(await db.execute(sql`
    SELECT last_failed_at AS failed_at, attempts AS fail_count, last_error AS fail_reason FROM deliveries
    WHERE org_id = ${orgId} AND last_failed_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS})
    ORDER BY last_failed_at DESC LIMIT ${FAILED_LIST}`));
  const pollFailures = rowsOf<{ failed_at: unknown; fail_count: number; fail_reason: string | null }>(await db.execute(sql`
    SELECT last_error_at AS failed_at, consecutive_failures AS fail_count, last_error AS fail_reason FROM mailboxes
    WHERE org_id = ${orgId} AND removed_at IS NULL AND last_error_at > now() - make_interval(hours => ${RECENT_FAILURE_HOURS})
    ORDER BY last_error_at DESC LIMIT ${FAILED_LIST}`));
  const failed = rowsOf<{ name: string; failed_at: unknown; fail_count: number | null; fail_reason: string | null }>(await db.execute(sql`
    SELECT j.name, j.failed_at, j.fail_count, j.fail_reason FROM agenda_jobs j
    WHERE j.failed_at IS NOT NULL AND (
      (j.data->>'mailboxId' IS NULL AND j.data->>'messageId' IS NULL AND j.data->>'deliveryId' IS NULL)
      OR j.data->>'mailboxId' IN (SELECT id::text FROM mailboxes WHERE org_id = ${orgId})
      OR j.data->>'messageId' IN (SELECT id::text FROM messages WHERE org_id = ${orgId})
      OR j.data->>'deliveryId' IN (SELECT id::text FROM deliveries WHERE org_id = ${orgId}))
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
      name: f.name, failedAt: iso(f.failed_at)!, failCount: f.fail_count ?? 1,
      failReason: f.fail_reason ? maskCpr(f.fail_reason).slice(0, 500) : null,
    })),
    recentHours: RECENT_FAILURE_HOURS,
  };
}

export function jobsRouter(db: Db): Router {
  const r = express.Router();
  r.get('/jobs', requireRole('admin', 'operator'), h(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await jobsOverview(db, scope(req).orgId));
  }));
  return r;
}
