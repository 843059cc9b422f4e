// /metrics through the real pipeline with the simulators: letters fetched by polling, routed by a
// rule or left in triage, delivered or dead-lettered, Graph 429s and a provider outage all move
// their series; the endpoint's token check; /api/ready against a stopped job runner; the jobs view.
import { eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue, type StartOptions } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { deliveries, destinations, mailboxes, rules } from '../../backend/src/store/schema';
import { JOB } from '../../backend/src/jobs/runner';
import { jobsOverviewSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';
import { callApi, receiveLetter } from '../helpers/app';

const [cvrA] = DEMO_ORGANISATION.cvrs;

/** Parses the Prometheus text format into `name{labels}` → value (labels as written, sorted by the client). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

describe.each(testDatabases)('metrics and readiness on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  const start = async (extra: Partial<StartOptions> = {}) => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({
      databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100,
      delivery: { maxAttempts: 2, backoffMs: () => 100 }, ...extra,
    });
  };
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  const scrape = async (headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/metrics`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  };
  const value = async (series: string) => (await scrape()).get(series) ?? 0;
  const until = (series: string, atLeast: number) =>
    eventually(async () => (await value(series)) >= atLeast, 30_000, `${series} >= ${atLeast}`);
  const pushLetter = (label: string) => app.sims!.ngdp.api.inject(cvrA.cvr, buildMemoXml(demoMemo({ recipientCvr: cvrA.cvr, label })));

  test('counters and gauges follow letters through fetch, routing, delivery, dead letters, triage, 429s and outages', async () => {
    await start({ pollIntervalMs: 400 });
    const first = await scrape();
    expect(first.get('brevdue_letters_fetched_total{provider="ngdp"}') ?? 0).toBe(0);
    expect(first.get('brevdue_triage_backlog')).toBe(0);
    for (const job of Object.values(JOB)) expect(first.has(`brevdue_job_lag_seconds{job="${job}"}`)).toBe(true);
    expect(first.has('brevdue_process_cpu_seconds_total')).toBe(true); // default process metrics

    // Fetched by the poll job, routed by the demo rule for the CVR number, delivered.
    pushLetter('Årsopgørelse 2025');
    await until('brevdue_deliveries_total{status="delivered"}', 1);
    const afterOne = await scrape();
    expect(afterOne.get('brevdue_letters_fetched_total{provider="ngdp"}')).toBe(1);
    expect(afterOne.get('brevdue_letters_routed_total{outcome="rule"}')).toBe(1);
    expect(afterOne.get('brevdue_graph_throttled_total')).toBe(0);

    // Graph answers 429 to everything for a while: each 429 that paused a lane counts; once Graph
    // recovers, the letters are delivered (being throttled is not a failed delivery).
    app.sims!.graph.api.setFaults({ rate429: 1, retryAfterSeconds: 0 });
    for (let i = 0; i < 3; i++) pushLetter(`Brev ${i}`);
    await until('brevdue_graph_throttled_total', 1);
    app.sims!.graph.api.setFaults({});
    await until('brevdue_deliveries_total{status="delivered"}', 4);
    const throttled = await value('brevdue_graph_throttled_total');
    expect(app.sims!.graph.api.stats().faulted429).toBeGreaterThan(0);
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThanOrEqual(app.sims!.graph.api.stats().faulted429);
    expect(await value('brevdue_letters_fetched_total{provider="ngdp"}')).toBe(4);

    // A destination that does not exist: the delivery dies after its attempts.
    const db = app.database.db;
    const [gone] = await db.insert(destinations).values({ orgId: app.demoOrgId!, kind: 'shared_mailbox', displayName: 'Nedlagt', mailbox: 'nedlagt@nordlys.example', folderPath: 'Post' }).returning();
    // A new version, as the rules API would write: routing caches compiled rules per version.
    await db.update(rules).set({ destinationIds: [gone.id], version: sql`${rules.version} + 1` }).where(eq(rules.orgId, app.demoOrgId!));
    pushLetter('Rykker');
    await until('brevdue_deliveries_total{status="dead"}', 1);
    const [dead] = await db.select().from(deliveries).where(eq(deliveries.status, 'dead'));
    expect(dead.destinationId).toBe(gone.id);

    // No rule at all: the letter waits in triage, and the backlog gauge reads it from the database.
    await db.delete(rules).where(eq(rules.orgId, app.demoOrgId!));
    pushLetter('Ukendt afsender');
    await until('brevdue_letters_routed_total{outcome="triage"}', 1);
    expect(await value('brevdue_triage_backlog')).toBe(1);
    expect(await value('brevdue_letters_routed_total{outcome="rule"}')).toBe(5);

    // Digital Post is down: each failed poll counts against the provider.
    app.sims!.ngdp.api.setFaults({ outage: true });
    await until('brevdue_connector_errors_total{provider="ngdp"}', 1);
    expect(await value('brevdue_connector_errors_total{provider="eboks"}')).toBe(0);
  }, 90_000);

  test('/metrics wants the token when one is set; /api/ready fails when the job runner stops', async () => {
    await start({ metricsToken: 'scrape-token-123' });
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await scrape({ Authorization: 'Bearer scrape-token-123' });
    expect(ok.has('brevdue_triage_backlog')).toBe(true);

    const ready = await callApi(app, 'GET', '/ready');
    expect(ready).toEqual({ status: 200, body: { ready: true, database: 'ok', jobs: 'ok', down: [] } });
    await app.jobs.stop();
    const notReady = await callApi(app, 'GET', '/ready');
    expect(notReady).toEqual({ status: 503, body: { ready: false, database: 'ok', jobs: 'down', down: ['jobs'] } });
    expect((await callApi(app, 'GET', '/health')).status).toBe(503); // liveness keeps its own answer

    // Job lag: with the runner stopped, a job due a minute ago stays unlocked and shows its age;
    // routing's lag is its oldest queued letter (route_queue, not an agenda job).
    await app.database.pool.query(`INSERT INTO agenda_jobs (name, next_run_at, data) VALUES ($1, now() - interval '60 seconds', '{}'::jsonb)`, [JOB.receipt]);
    const letterId = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr })); // queued by storing it
    await app.database.pool.query(`UPDATE route_queue SET due_at = now() - interval '90 seconds' WHERE message_id = $1`, [letterId]);
    const scraped = await scrape({ Authorization: 'Bearer scrape-token-123' });
    const lag = scraped.get(`brevdue_job_lag_seconds{job="${JOB.receipt}"}`)!;
    expect(lag).toBeGreaterThanOrEqual(59);
    expect(lag).toBeLessThan(85);
    const routeLag = scraped.get(`brevdue_job_lag_seconds{job="${JOB.route}"}`)!;
    expect(routeLag).toBeGreaterThanOrEqual(89);
    expect(routeLag).toBeLessThan(150);
  }, 60_000);

  test('GET /api/admin/jobs: per job name for operators, failures of the own organisation only, masked; readers refused', async () => {
    await start();
    const [mb] = await app.database.db.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.orgId, app.demoOrgId!)).limit(1);
    const q = app.database.pool.query.bind(app.database.pool);
    await q(`INSERT INTO agenda_jobs (name, next_run_at, failed_at, fail_count, fail_reason, data) VALUES
      ($1, now() + interval '1 hour', now() - interval '1 minute', 3, 'receipt for 010190-1234 refused', $2::jsonb),
      ($1, now() + interval '1 hour', now(), 1, 'another organisation', $3::jsonb)`,
    [JOB.receipt, JSON.stringify({ mailboxId: mb.id }), JSON.stringify({ mailboxId: '00000000-0000-4000-8000-000000000000' })]);
    await q(`INSERT INTO agenda_jobs (name, next_run_at, locked_at, data) VALUES ($1, now() - interval '5 seconds', now(), '{}'::jsonb)`, [JOB.recover]);

    const res = await callApi(app, 'GET', '/admin/jobs', undefined, { 'X-Brevdue-Demo-Role': 'operator' });
    expect(res.status).toBe(200);
    const view = jobsOverviewSchema.parse(res.body);
    const poll = view.jobs.find((j) => j.name === JOB.poll)!;
    expect(poll.queued).toBeGreaterThanOrEqual(4); // one repeating poll per demo mailbox
    const receipt = view.jobs.find((j) => j.name === JOB.receipt)!;
    expect(receipt).toMatchObject({ queued: 2, dueNow: 0, running: 0, failedRecently: 2, oldestDueSeconds: null });
    expect(view.jobs.find((j) => j.name === JOB.recover)!.running).toBeGreaterThanOrEqual(1);
    expect(view.recentFailures).toEqual([{ name: JOB.receipt, failedAt: expect.any(String), failCount: 3, failReason: 'receipt for 010190-XXXX refused' }]);

    const reader = await callApi(app, 'GET', '/admin/jobs', undefined, { 'X-Brevdue-Demo-Role': 'reader' });
    expect(reader.status).toBe(403);
  }, 60_000);
});
