// The route scheduler (routing/route-scheduler.ts): storing a letter queues it in the same
// transaction, routing removes it in its own, a failed attempt is recorded and retried after a
// backoff (never dropped), processes never hold one letter together, an abandoned lease is taken over,
// and the jobs view shows the queue and the organisation's failures.
import { eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { messages, routeQueue } from '../../backend/src/store/schema';
import { claimDueLetters, createRouteScheduler, type RouteScheduler } from '../../backend/src/routing/route-scheduler';
import { jobsOverview } from '../../backend/src/api/jobs';
import { orgScope } from '../../backend/src/store/scope';
import { JOB } from '../../backend/src/jobs/names';
import type { AppContext } from '../../backend/src/context';
import { receiveLetter } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const [cvrA] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('route scheduler on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let scheduler: RouteScheduler | null = null;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await app.stop();
    await drop();
  });

  const queue = async () => app.database.db.select().from(routeQueue);
  const statusOf = async (id: string) => (await app.database.db.select({ s: messages.status }).from(messages).where(eq(messages.id, id)))[0].s;

  test('a stored letter is queued with it; the scheduler routes it and the queue row goes in the same transaction', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr })));
    // No runner: nothing routed them, and nothing was lost either.
    expect((await queue()).map((q) => q.messageId).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await statusOf(id)).toBe('received');

    scheduler = createRouteScheduler(app.ctx, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await queue()).length === 0, 15_000, 'the queue to empty');
    for (const id of ids) expect(['routed', 'triage', 'delivered']).toContain(await statusOf(id));
  });

  test('a failed attempt is recorded (masked), retried after its backoff, and shown to the own organisation only', async () => {
    const id = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr }));
    // Routing's reads fail, as a database outage would make them.
    const failing: AppContext = { ...app.ctx, db: new Proxy(app.ctx.db, {
      get: (t, p) => (p === 'select' ? () => { throw new Error('connection lost while routing 010190-1234'); } : Reflect.get(t, p)),
    }) };
    const warnings: string[] = [];
    scheduler = createRouteScheduler({ ...failing, log: { ...app.ctx.log, warn: (m: string) => { warnings.push(m); } } }, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await queue())[0]?.attempts === 1, 10_000, 'the first attempt to fail');
    await new Promise((r) => setTimeout(r, 300)); // several ticks: the backoff holds it
    await scheduler.stop();
    scheduler = null;
    const [row] = await queue();
    expect(row).toMatchObject({ messageId: id, attempts: 1, leaseUntil: null, lastError: 'connection lost while routing 010190-XXXX' });
    const waitS = (row.dueAt.getTime() - row.failedAt!.getTime()) / 1000;
    expect(waitS).toBeGreaterThan(4);
    expect(waitS).toBeLessThan(6);
    expect(await statusOf(id)).toBe('received');
    expect(warnings).toEqual(['routing a letter failed; it stays queued and is tried again']);

    const view = await jobsOverview(app.database.db, orgScope(app.demoOrgId!));
    expect(view.jobs.find((j) => j.name === JOB.route)).toMatchObject({ queued: 1, dueNow: 0, running: 0, failedRecently: 1, oldestDueSeconds: null });
    expect(view.recentFailures).toEqual([{ name: JOB.route, failedAt: expect.any(String), failCount: 1, failReason: 'connection lost while routing 010190-XXXX' }]);
    const other = await jobsOverview(app.database.db, orgScope('00000000-0000-4000-8000-000000000000'));
    expect(other.recentFailures).toEqual([]);

    // A second failure waits twice as long.
    await app.database.db.update(routeQueue).set({ dueAt: sql`now()` });
    scheduler = createRouteScheduler(failing, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await queue())[0]?.attempts === 2, 10_000, 'the second attempt to fail');
    await scheduler.stop();
    const [again] = await queue();
    expect((again.dueAt.getTime() - again.failedAt!.getTime()) / 1000).toBeGreaterThan(9);

    // Once due and the database is back, it is routed and leaves the queue.
    await app.database.db.update(routeQueue).set({ dueAt: sql`now()` });
    scheduler = createRouteScheduler(app.ctx, { tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await queue()).length === 0, 10_000, 'the letter to be routed');
    expect(await statusOf(id)).not.toBe('received');
  });

  test('a long routing keeps its letter: the short lease is renewed while it runs', async () => {
    const id = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr }));
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    // Routing waits for the test at its first hand-written statement after the claim (the decision;
    // store/prepared.ts prepares them through the session): the letter stays claimed meanwhile.
    const db = app.ctx.db;
    const session = new Proxy(db._.session, {
      get: (s, k) => (k === 'prepareQuery'
        ? (...args: unknown[]) => {
          const q = (s.prepareQuery as (...x: unknown[]) => { execute(...e: unknown[]): Promise<unknown> })(...args);
          return args[2] === 'route_claim_due' ? q : { execute: async (...e: unknown[]) => { await gate; return q.execute(...e); } };
        }
        : Reflect.get(s, k)),
    });
    const slow: AppContext = { ...app.ctx, db: new Proxy(db, { get: (t, p) => (p === '_' ? { ...t._, session } : Reflect.get(t, p)) }) };
    scheduler = createRouteScheduler(slow, { tickMs: 20, leaseMs: 1500 });
    scheduler.start();
    await eventually(async () => (await queue())[0]?.leaseUntil !== null, 5_000, 'the claim');
    const first = (await queue())[0].leaseUntil!.getTime();
    await new Promise((r) => setTimeout(r, 2500)); // past the first lease: renewed, not expired
    const later = (await queue())[0].leaseUntil!;
    expect(later.getTime()).toBeGreaterThan(first + 500);
    expect(later.getTime()).toBeGreaterThan(Date.now());
    expect(await claimDueLetters(app.database.db, 5, 1500)).toEqual([]); // nobody else can take it
    release();
    await eventually(async () => (await queue()).length === 0, 10_000, 'the letter to be routed');
    expect(await statusOf(id)).not.toBe('received');
  });

  test('two claims at once are disjoint; a lease that ran out is taken over; a held one is not', async () => {
    for (let i = 0; i < 6; i++) await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr }));
    const [a, b] = await Promise.all([claimDueLetters(app.database.db, 4, 60_000), claimDueLetters(app.database.db, 4, 60_000)]);
    expect(a.length + b.length).toBe(6);
    expect(new Set([...a, ...b]).size).toBe(6);
    expect(await claimDueLetters(app.database.db, 4, 60_000)).toEqual([]); // all held

    // The process holding `a` died: its leases run out, and another process takes those letters.
    await app.database.db.execute(sql`UPDATE route_queue SET lease_until = now() - interval '1 second' WHERE message_id IN (${sql.join(a.map((x) => sql`${x}`), sql`, `)})`);
    expect((await claimDueLetters(app.database.db, 10, 60_000)).sort()).toEqual([...a].sort());
  });
});
