// Prometheus metrics of one Brevdue instance. Each app has its own Registry (tests start several apps
// in one process, and the global registry would mix them or refuse duplicate names). Counters are
// moved by the pipeline through AppContext.metrics; the triage backlog and job lag are read from the
// database when Prometheus scrapes, so every replica reports the same, installation-wide values.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolLike } from '../store/db';
import { POLL_DUE_SQL } from '../ingest/poll-due';
import { ROUTE_DUE_SQL } from '../routing/route-due';
import { DELIVERY_DUE_SQL } from '../delivery/delivery-due';

export type RouteOutcome = 'rule' | 'triage' | 'auto';
export type DeliveryOutcome = 'delivered' | 'dead';

export interface Metrics {
  registry: Registry;
  lettersFetched: Counter<'provider'>;
  lettersRouted: Counter<'outcome'>;
  deliveries: Counter<'status'>;
  graphThrottled: Counter<string>;
  connectorErrors: Counter<'provider'>;
  /** Prometheus text exposition (runs the on-scrape database queries). */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Raw SQL on the app's database (pg pool or PGlite). */
  query: PoolLike['query'];
  /** Job names always reported (0 when nothing is late), so dashboards see every series. */
  jobNames: readonly string[];
  /** The label polling's lag is reported under (polling is not an agenda job). */
  pollJobName: string;
  /** The labels routing's and delivery's lags are reported under (not agenda jobs either). */
  routeJobName: string;
  deliverJobName: string;
  /** Process metrics (CPU, heap, event loop lag); default on. */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'brevdue_' });
  const registers = [registry];

  const lettersFetched = new Counter({
    name: 'brevdue_letters_fetched_total', help: 'Letters taken in from a provider (pull or push) and stored.',
    labelNames: ['provider'] as const, registers,
  });
  const lettersRouted = new Counter({
    name: 'brevdue_letters_routed_total', help: 'Letters routed: by a rule, left in triage, or placed automatically by the assistant.',
    labelNames: ['outcome'] as const, registers,
  });
  const deliveries = new Counter({
    name: 'brevdue_deliveries_total', help: 'Deliveries finished: delivered, or dead-lettered after the last attempt.',
    labelNames: ['status'] as const, registers,
  });
  const graphThrottled = new Counter({
    name: 'brevdue_graph_throttled_total', help: 'Microsoft Graph answers 429 (and 503 with Retry-After) that paused a lane.', registers,
  });
  const connectorErrors = new Counter({
    name: 'brevdue_connector_errors_total', help: 'Failed polls of a provider mailbox.',
    labelNames: ['provider'] as const, registers,
  });
  // Per organisation would be one series per customer: the total is enough to alert on.
  new Gauge({
    name: 'brevdue_triage_backlog', help: 'Letters waiting in triage, all organisations.', registers,
    async collect() {
      const r = await opts.query(`SELECT count(*)::int AS n FROM messages WHERE status = 'triage'`);
      this.set(Number(r.rows[0]?.n ?? 0));
    },
  });
  new Gauge({
    name: 'brevdue_job_lag_seconds', help: 'Age of the oldest job that is due but not picked up (locked) yet, per job name.',
    labelNames: ['job'] as const, registers,
    async collect() {
      const r = await opts.query(
        `SELECT name, EXTRACT(EPOCH FROM (now() - min(next_run_at)))::float8 AS lag FROM agenda_jobs
          WHERE next_run_at <= now() AND locked_at IS NULL AND disabled = false GROUP BY name
         UNION ALL
         -- Polling is scheduled on the mailboxes themselves (ingest/poll-scheduler.ts).
         SELECT $1, EXTRACT(EPOCH FROM (now() - min(coalesce(next_poll_at, created_at))))::float8 FROM mailboxes
          WHERE ${POLL_DUE_SQL}
          HAVING count(*) > 0
         UNION ALL
         -- So is routing (routing/route-scheduler.ts): letters waiting in route_queue.
         SELECT $2, EXTRACT(EPOCH FROM (now() - min(due_at)))::float8 FROM route_queue
          WHERE ${ROUTE_DUE_SQL}
          HAVING count(*) > 0
         UNION ALL
         -- And deliveries (delivery/delivery-scheduler.ts): pending rows due and not held.
         SELECT $3, EXTRACT(EPOCH FROM (now() - min(due_at)))::float8 FROM deliveries
          WHERE ${DELIVERY_DUE_SQL}
          HAVING count(*) > 0`, [opts.pollJobName, opts.routeJobName, opts.deliverJobName]);
      this.reset();
      for (const n of opts.jobNames) this.set({ job: n }, 0);
      for (const row of r.rows as { name: string; lag: number }[]) this.set({ job: row.name }, Math.max(0, Number(row.lag)));
    },
  });

  return {
    registry, lettersFetched, lettersRouted, deliveries, graphThrottled, connectorErrors,
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
