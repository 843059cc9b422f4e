// The poll scheduler (ingest/poll-scheduler.ts): mailboxes are claimed oldest-due first with a lease,
// a backlog goes to the back of the line, provider trouble waits out its backoff, paused and removed
// mailboxes are left alone, push mailboxes are not polled, and two processes never hold one mailbox.
import { eq, inArray, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DEMO_SYSTEM } from '../../backend/src/demo/seed';
import { addCvr, addMailbox } from '../../backend/src/store/organisation';
import { mailboxes, messages } from '../../backend/src/store/schema';
import { claimDueMailboxes, createPollScheduler, type PollScheduler } from '../../backend/src/ingest/poll-scheduler';
import type { AppContext } from '../../backend/src/context';
import { eventually, testDatabases } from '../helpers/databases';

/** Valid CVR numbers (modulus 11) not used by the demo organisation. */
function cvrs(n: number): string[] {
  const w = [2, 7, 6, 5, 4, 3, 2];
  const out: string[] = [];
  for (let base = 4_100_000; out.length < n; base += 13) {
    const d = String(base).split('').map(Number);
    const check = (11 - (d.reduce((s, x, i) => s + x * w[i], 0) % 11)) % 11;
    if (check < 10) out.push(d.join('') + check);
  }
  return out;
}

describe.each(testDatabases)('poll scheduler on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let ctx: AppContext;
  let scheduler: PollScheduler | null = null;
  const extra = cvrs(8);
  const ids: Record<string, string> = {};

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    // Only the mailboxes made here take part: the demo organisation's are removed.
    await app.database.db.update(mailboxes).set({ removedAt: new Date() });
    for (const cvr of extra) {
      await addCvr(app.database.db, app.demoOrgId!, { cvr, name: `Selskab ${cvr} ApS` });
      const mb = await addMailbox(app.database.db, app.ctx.sealer, app.demoOrgId!, cvr, {
        provider: 'ngdp', config: { baseUrl: `${app.url}/sim/ngdp/apis/v1`, systemUsername: DEMO_SYSTEM.username },
        credentials: { systemPassword: DEMO_SYSTEM.password },
      }, app.ctx.providerUrls); // the demo's simulator: an allowed address in demo mode only
      ids[cvr] = mb.id;
    }
    const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };
    ctx = { ...app.ctx, jobs: noJobs };
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await app.stop();
    await drop();
  });

  const inject = (cvr: string, n: number) => {
    for (let i = 0; i < n; i++) app.sims!.ngdp.api.inject(cvr, buildMemoXml(demoMemo({ recipientCvr: cvr })));
  };
  const storedFor = async (cvr: string) => (await app.database.db.select({ id: messages.id }).from(messages).where(eq(messages.cvr, cvr))).length;
  const row = async (cvr: string) => (await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, ids[cvr])))[0];

  test('a backlog goes to the back of the line: every other due mailbox is polled before its second poll', async () => {
    const [busy, ...others] = extra;
    inject(busy, 203); // a poll takes 200 (DEFAULT_MAX_LETTERS_PER_POLL), then says more are waiting
    for (const c of others) inject(c, 1);
    // The busy mailbox is due first (oldest), the others after it.
    await app.database.db.update(mailboxes).set({ nextPollAt: sql`now() - interval '1 minute'` }).where(eq(mailboxes.id, ids[busy]));
    await app.database.db.update(mailboxes).set({ nextPollAt: sql`now() - interval '30 seconds'` }).where(inArray(mailboxes.id, others.map((c) => ids[c])));
    scheduler = createPollScheduler(ctx, { intervalMs: 60_000, concurrency: 1, tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await storedFor(busy)) === 203, 60_000, 'the backlog to be taken');
    // Stored times: the others' letters all came between the busy mailbox's first 200 and its last 3.
    const times = await app.database.db.select({ cvr: messages.cvr, at: messages.receivedAt }).from(messages).orderBy(messages.receivedAt);
    const busyTimes = times.filter((t) => t.cvr === busy).map((t) => t.at.getTime());
    const otherTimes = times.filter((t) => t.cvr !== busy).map((t) => t.at.getTime());
    expect(otherTimes).toHaveLength(others.length);
    expect(Math.min(...otherTimes)).toBeGreaterThan(busyTimes[199]);
    expect(Math.max(...otherTimes)).toBeLessThan(busyTimes[200]);
    // After the polls: no lease held, the next poll an interval away (±10 %).
    await eventually(async () => (await row(busy)).pollingUntil === null, 5_000, 'the lease to be given back');
    const r = await row(others[0]);
    expect(r.pollingUntil).toBeNull();
    const inMs = r.nextPollAt!.getTime() - Date.now();
    expect(inMs).toBeGreaterThan(40_000);
    expect(inMs).toBeLessThanOrEqual(66_000);
  }, 90_000);

  test('provider errors: the next poll waits for the backoff, then takes everything', async () => {
    const [cvr] = extra;
    inject(cvr, 2);
    app.sims!.ngdp.api.setFaults({ errorRate: 1 });
    scheduler = createPollScheduler(ctx, { intervalMs: 200, concurrency: 2, tickMs: 20 });
    scheduler.start();
    const failed = await eventually(async () => { const r = await row(cvr); return r.consecutiveFailures > 0 && r.pollingUntil === null && r; }, 10_000, 'a failed poll');
    expect(failed.backoffUntil).not.toBeNull();
    expect(failed.nextPollAt!.getTime()).toBe(failed.backoffUntil!.getTime()); // not the 200 ms interval
    await new Promise((r) => setTimeout(r, 600)); // three intervals: no poll meanwhile
    expect((await row(cvr)).consecutiveFailures).toBe(1);
    app.sims!.ngdp.api.setFaults({});
    await app.database.db.update(mailboxes).set({ backoffUntil: null, nextPollAt: null }).where(eq(mailboxes.id, ids[cvr])); // the backoff over
    await eventually(async () => (await storedFor(cvr)) === 2, 10_000, 'the letters after the backoff');
    // The poll records its success after the last letter is stored.
    await eventually(async () => { const r = await row(cvr); return r.consecutiveFailures === 0 && r.lastError === null; }, 5_000, 'the health to be clear again');
  }, 30_000);

  test('paused, removed and push mailboxes: only the active pull mailbox is fetched', async () => {
    const [pull, paused, removed, push] = extra;
    for (const c of [pull, paused, removed, push]) inject(c, 1);
    await app.database.db.update(mailboxes).set({ paused: true }).where(eq(mailboxes.id, ids[paused]));
    await app.database.db.update(mailboxes).set({ removedAt: new Date() }).where(eq(mailboxes.id, ids[removed]));
    const [p] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, ids[push]));
    await app.database.db.update(mailboxes).set({ config: { ...p.config, mode: 'push' } }).where(eq(mailboxes.id, ids[push]));
    scheduler = createPollScheduler(ctx, { intervalMs: 100, concurrency: 4, tickMs: 20 });
    scheduler.start();
    await eventually(async () => (await storedFor(pull)) === 1, 10_000, 'the pull mailbox fetched');
    await eventually(async () => ((await row(push)).nextPollAt?.getTime() ?? 0) > Date.now(), 5_000, 'the push mailbox passed over');
    await new Promise((r) => setTimeout(r, 500));
    for (const c of [paused, removed, push]) {
      expect(await storedFor(c)).toBe(0);
      expect(app.sims!.ngdp.api.waiting(c)).toHaveLength(1);
    }
    // Resumed: polled again at once.
    await app.database.db.update(mailboxes).set({ paused: false }).where(eq(mailboxes.id, ids[paused]));
    await scheduler.pollSoon(ids[paused]);
    await eventually(async () => (await storedFor(paused)) === 1, 10_000, 'the resumed mailbox fetched');
  }, 30_000);

  test('two processes never hold one mailbox; a lease left by a crash runs out and the mailbox is taken over', async () => {
    const [a, b] = await Promise.all([claimDueMailboxes(app.ctx, 5, 60_000), claimDueMailboxes(app.ctx, 5, 60_000)]);
    const claimed = [...a, ...b].map((m) => m.id);
    expect(new Set(claimed).size).toBe(claimed.length); // disjoint
    expect(claimed.length).toBe(extra.length);
    expect(await claimDueMailboxes(app.ctx, 5, 60_000)).toEqual([]); // all held

    // A "crashed" process held one with a short lease: once it runs out, it is claimable again.
    const [cvr] = extra;
    await app.database.db.update(mailboxes).set({ pollingUntil: sql`now() + interval '300 milliseconds'` }).where(eq(mailboxes.id, ids[cvr]));
    await app.database.db.update(mailboxes).set({ pollingUntil: sql`now() + interval '1 hour'` })
      .where(inArray(mailboxes.id, extra.slice(1).map((c) => ids[c])));
    expect(await claimDueMailboxes(app.ctx, 5, 60_000)).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));
    expect((await claimDueMailboxes(app.ctx, 5, 60_000)).map((m) => m.id)).toEqual([ids[cvr]]);
  });
});
