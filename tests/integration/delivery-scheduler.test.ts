// The delivery scheduler (delivery/delivery-scheduler.ts): a pending delivery is its own schedule
// (due_at), so deliveries made while no runner ran are made when one starts; a failed attempt waits
// its backoff and shows in the jobs view; a throttled attempt is given back and due when Graph allows;
// processes never hold one delivery together; a lease left behind makes the next attempt look first.
import { eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { deliveries } from '../../backend/src/store/schema';
import { routeStoredLetter } from '../../backend/src/routing/apply';
import { claimDueDeliveries, createDeliveryScheduler, type DeliveryScheduler } from '../../backend/src/delivery/delivery-scheduler';
import { jobsOverview } from '../../backend/src/api/jobs';
import { orgScope } from '../../backend/src/store/scope';
import { JOB } from '../../backend/src/jobs/names';
import type { AppContext } from '../../backend/src/context';
import { receiveLetter } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const [cvrA] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('delivery scheduler on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let scheduler: DeliveryScheduler | null = null;
  let quiet: AppContext;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    quiet = { ...app.ctx, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await app.stop();
    await drop();
  });

  /** Letters stored and routed with nobody told to deliver: their deliveries wait as rows. */
  const pendingDeliveries = async (n: number) => {
    for (let i = 0; i < n; i++) await routeStoredLetter(quiet, await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr })));
    const rows = await app.database.db.select().from(deliveries);
    expect(rows).toHaveLength(n);
    return rows;
  };
  const rowOf = async (id: string) => (await app.database.db.select().from(deliveries).where(eq(deliveries.id, id)))[0];

  test('deliveries nobody scheduled (a crash, a restart) are made once each when a scheduler runs', async () => {
    const rows = await pendingDeliveries(3);
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);
    scheduler = createDeliveryScheduler(app.ctx, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await app.database.db.select().from(deliveries)).every((r) => r.status === 'delivered'), 20_000, 'all delivered');
    for (const r of rows) expect((await rowOf(r.id)).attempts).toBe(1);
    expect(app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX)).toHaveLength(3);
  });

  test('a failed attempt waits its backoff and shows in the jobs view of its own organisation; then it is made', async () => {
    const [d] = await pendingDeliveries(1);
    app.sims!.graph.api.setFaults({ rate503: 1 });
    const ctx = { ...app.ctx, delivery: { ...app.ctx.delivery, maxAttempts: 5, backoffMs: () => 60_000 } };
    scheduler = createDeliveryScheduler(ctx, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await rowOf(d.id)).lastFailedAt !== null, 20_000, 'the attempt to fail');
    await new Promise((r) => setTimeout(r, 300)); // several ticks: the backoff holds it
    await scheduler.stop();
    scheduler = null;
    const failed = await rowOf(d.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, leaseUntil: null });
    expect(failed.lastError).toMatch(/503/);
    const waitS = (failed.dueAt.getTime() - failed.lastFailedAt!.getTime()) / 1000;
    expect(waitS).toBeGreaterThan(58);
    expect(waitS).toBeLessThan(62);

    const view = await jobsOverview(app.database.db, orgScope(app.demoOrgId!));
    expect(view.jobs.find((j) => j.name === JOB.deliver)).toMatchObject({ queued: 1, dueNow: 0, running: 0, failedRecently: 1, oldestDueSeconds: null });
    expect(view.recentFailures).toEqual([expect.objectContaining({ name: JOB.deliver, failCount: 1, failReason: expect.stringMatching(/503/) })]);
    expect((await jobsOverview(app.database.db, orgScope('00000000-0000-4000-8000-000000000000'))).recentFailures).toEqual([]);

    app.sims!.graph.api.setFaults({});
    await app.database.db.update(deliveries).set({ dueAt: sql`now()` });
    scheduler = createDeliveryScheduler(ctx, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await rowOf(d.id)).status === 'delivered', 20_000, 'the delivery');
    expect((await rowOf(d.id)).attempts).toBe(2);
    expect(app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX)).toHaveLength(1); // the 503 created nothing
  });

  test('a throttled attempt is given back (not counted) and due when Graph allows', async () => {
    const [d] = await pendingDeliveries(1);
    app.sims!.graph.api.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    scheduler = createDeliveryScheduler(app.ctx, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await rowOf(d.id)).dueAt.getTime() > Date.now() + 20_000, 20_000, 'the attempt to be paced');
    await scheduler.stop();
    scheduler = null;
    const paced = await rowOf(d.id);
    expect(paced).toMatchObject({ status: 'pending', attempts: 0, leaseUntil: null, lastFailedAt: null });
    expect(paced.dueAt.getTime() - Date.now()).toBeLessThan(32_000);
  });

  test('two claims at once are disjoint; a lease left behind makes the next attempt uncertain', async () => {
    await pendingDeliveries(4);
    const [a, b] = await Promise.all([claimDueDeliveries(app.database.db, 3), claimDueDeliveries(app.database.db, 3)]);
    expect(a.length + b.length).toBe(4);
    expect(new Set([...a, ...b].map((c) => c.id)).size).toBe(4);
    expect([...a, ...b].every((c) => c.attempts === 1)).toBe(true);
    expect(await claimDueDeliveries(app.database.db, 3)).toEqual([]); // all held

    // The process holding a[0] died mid-attempt: Graph may hold its copy.
    expect((await rowOf(a[0].id)).uncertain).toBe(false);
    await app.database.db.update(deliveries).set({ leaseUntil: new Date(Date.now() - 1000) }).where(eq(deliveries.id, a[0].id));
    expect(await claimDueDeliveries(app.database.db, 3)).toEqual([{ id: a[0].id, attempts: 2, lease: expect.any(Date) }]);
    expect((await rowOf(a[0].id)).uncertain).toBe(true);
  });
});
