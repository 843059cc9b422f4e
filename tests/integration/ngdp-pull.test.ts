// The Digital Post pull connector under provider trouble, through the real poll step and database:
// paging edges, 5xx, timeouts and truncated bodies lose nothing and store nothing twice; push
// mailboxes are not polled.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DEMO_SYSTEM } from '../../backend/src/demo/seed';
import { mailboxes, messages } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { createNgdpClient } from '../../backend/src/ingest/ngdp/client';
import { ProviderError } from '../../backend/src/ingest/connector';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { eventually, testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('NgDP pull on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, pollIntervalMs: 500, processEveryMs: 100 });
    [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, company.cvr)) as MailboxRow[];
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const ctxWith = (o: { pageSize?: number; timeoutMs?: number }): AppContext => {
    const client = createNgdpClient({
      baseUrl: `${app.url}/sim/ngdp/apis/v1`, system: DEMO_SYSTEM, delegatedCVR: company.cvr, pageSize: o.pageSize, timeoutMs: o.timeoutMs,
    });
    return { ...app.ctx, connectorFor: () => client.connector, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
  };
  const inject = async (n: number) => {
    const ms = Array.from({ length: n }, () => demoMemo({ recipientCvr: company.cvr }));
    for (const m of ms) app.sims!.ngdp.api.inject(company.cvr, buildMemoXml(m));
    return ms;
  };
  const stored = async () => (await app.database.db.select({ id: messages.id }).from(messages)).length;

  test.each([0, 1, 2, 3, 5])('paging: %i letters with pages of 2 are all taken, once', async (n) => {
    await inject(n);
    const r = await pollMailbox(ctxWith({ pageSize: 2 }), mb);
    expect(r).toEqual({ stored: n, duplicates: 0, quarantined: 0, more: false });
    expect(await stored()).toBe(n);
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(0);
  });

  test('a poll takes at most its share and says more are waiting', async () => {
    await inject(5);
    const r = await pollMailbox(ctxWith({ pageSize: 2 }), mb, 3);
    expect(r).toEqual({ stored: 3, duplicates: 0, quarantined: 0, more: true });
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(2);
  });

  test('5xx answers abort the poll with a retryable error and a sentence in health; the next poll takes everything', async () => {
    await inject(3);
    app.sims!.ngdp.api.setFaults({ errorRate: 1 });
    const err = await pollMailbox(ctxWith({}), mb).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);
    const [row] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(row.lastError).toMatch(/^Digital Post answered 5\d\d/);
    expect(row.lastErrorKind).toBe('provider_unavailable');
    expect(row.consecutiveFailures).toBe(1);
    expect(row.backoffUntil!.getTime()).toBeGreaterThan(Date.now());
    app.sims!.ngdp.api.setFaults({});
    expect((await pollMailbox(ctxWith({}), mb)).stored).toBe(3);
    const [after] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(after).toMatchObject({ lastError: null, lastErrorKind: null, consecutiveFailures: 0, backoffUntil: null });
  });

  test('a provider that does not answer in time is a retryable error; nothing is lost', async () => {
    await inject(2);
    app.sims!.ngdp.api.setFaults({ latencyMs: 1500 });
    const err = await pollMailbox(ctxWith({ timeoutMs: 300 }), mb).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(/did not answer in time/);
    app.sims!.ngdp.api.setFaults({});
    await eventually(async () => (await pollMailbox(ctxWith({}), mb)).stored + (await stored()) >= 2, 10_000, 'letters after the timeout');
    expect(await stored()).toBe(2);
  });

  test('a truncated letter is fetched again later, never stored broken', async () => {
    const [m] = await inject(1);
    app.sims!.ngdp.api.setFaults({ truncateRate: 1 });
    const err = await pollMailbox(ctxWith({}), mb).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.retryable).toBe(true);
    expect(await stored()).toBe(0);
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(1);
    app.sims!.ngdp.api.setFaults({});
    await pollMailbox(ctxWith({}), mb);
    const [row] = await app.database.db.select().from(messages).where(eq(messages.memoUuid, m.messageUUID));
    expect(row).toBeDefined();
  });

  test('a push mailbox is not polled by the job runner', async () => {
    await app.database.db.update(mailboxes).set({ config: { ...mb.config, mode: 'push' } }).where(eq(mailboxes.id, mb.id));
    await inject(1);
    const other = DEMO_ORGANISATION.cvrs[1];
    const pulled = demoMemo({ recipientCvr: other.cvr });
    app.sims!.ngdp.api.inject(other.cvr, buildMemoXml(pulled)); // a pull mailbox beside it, as the control
    await app.jobs.start(app.ctx);
    await app.jobs.scheduleAllPolling(app.ctx);
    await eventually(async () => (await app.database.db.select().from(messages).where(eq(messages.memoUuid, pulled.messageUUID))).length === 1,
      20_000, 'the pull mailbox polled');
    await new Promise((r) => setTimeout(r, 2500)); // the poll interval again, for the push mailbox to be (not) polled
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(1);
    expect(await app.database.db.select().from(messages).where(eq(messages.cvr, company.cvr))).toHaveLength(0);
  });
});
