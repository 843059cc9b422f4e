// Backfill through NgDP system fetches: the simulator re-queues the archived memos of a date range
// into the waiting list over a short time and reports progress; startBackfill / backfillStatus drive
// it, and the next poll stores what was missing and recognises what was already there.
import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import { createNgdpSimulator, type NgdpSimulatorApi } from '../../backend/src/simulators/ngdp';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { openDatabase } from '../../backend/src/store/db';
import { createSealer } from '../../backend/src/crypto/envelope';
import { mailboxes, messages, organisations } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { silentLogger } from '../../backend/src/log';
import { buildMemoXml } from '../../backend/src/memo/build';
import { parseMemo } from '../../backend/src/memo/parse';
import { demoMemo } from '../../backend/src/demo/letters';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { connectorFactory } from '../../backend/src/ingest/connectors';
import { providerUrlPolicy, type ProviderUrlPolicy } from '../../backend/src/ingest/provider-urls';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { ProviderError } from '../../backend/src/ingest/connector';
import { backfillRequestSchema, backfillStatus, listBackfills, startBackfill, type BackfillStatus } from '../../backend/src/ingest/ngdp/backfill';
import { eventually, testDatabases } from '../helpers/databases';

const CVR = '72494814';
const OTHER_CVR = '87033082';
const SYSTEM = { username: randomUUID(), password: randomUUID() };
const sealer = createSealer(randomBytes(32));

let server: RunningServer;
let sim: NgdpSimulatorApi;
let baseUrl: string;
let urls: ProviderUrlPolicy;

beforeAll(async () => {
  const s = createNgdpSimulator({ systemCredentials: [SYSTEM], systemFetchDurationMs: 800 });
  sim = s.api;
  const app = express();
  app.use('/sim/ngdp', s.router);
  server = await listen(app);
  // Opening a database below blocks the event loop for seconds; a longer keep-alive keeps the server
  // from closing an idle connection at the very moment the client reuses it.
  server.server.keepAliveTimeout = 120_000;
  baseUrl = `${server.url}/sim/ngdp/apis/v1`;
  // The simulator's address, allowed explicitly (ingest/provider-urls.ts; http only outside production).
  urls = providerUrlPolicy({ ngdp: [baseUrl] }, { allowHttp: true });
});
afterAll(() => server.close());
beforeEach(() => sim.reset());

const mailboxRow = (over: Partial<MailboxRow> & { config?: Record<string, unknown> } = {}): MailboxRow => ({
  id: randomUUID(), orgId: randomUUID(), cvr: CVR, provider: 'ngdp',
  config: { baseUrl, systemUsername: SYSTEM.username, mode: 'pull' },
  secretEnc: sealer.seal(JSON.stringify({ systemPassword: SYSTEM.password })),
  ...over,
});

/** Six letters delivered in 2026 and fetched long ago: only the archive has them. */
function archiveYear(): { id: string; xml: string; at: Date }[] {
  const dates = ['2026-01-05', '2026-02-03', '2026-02-14', '2026-02-27', '2026-03-02', '2026-04-01'];
  return dates.map((d) => {
    const m = demoMemo({ recipientCvr: CVR, label: `Brev af ${d}` });
    const xml = buildMemoXml(m);
    const at = new Date(`${d}T09:00:00Z`);
    sim.inject(CVR, xml, { receivedAt: at, archiveOnly: true });
    return { id: m.messageUUID, xml, at };
  });
}

async function failureOf(p: Promise<unknown>): Promise<ProviderError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ProviderError); return e as ProviderError; }
  throw new Error('expected a failure');
}

describe('startBackfill / backfillStatus against the simulator', () => {
  test('re-queues the letters of the range over time, reporting progress to completion', async () => {
    const letters = archiveYear();
    const inRange = letters.slice(1, 5); // Feb 3 … Mar 2
    expect(sim.waiting(CVR)).toEqual([]);
    const mb = mailboxRow();
    const started = await startBackfill(mb, sealer, { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z') }, urls);
    expect(started).toMatchObject({
      status: 'RUNNING', ngdpMailboxId: sim.mailboxId(CVR), totalMessages: 4, fetchedMessages: 0, failedMessages: 0, progress: 0,
      from: '2026-02-01T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z', finishedAt: null,
    });

    const seen: BackfillStatus[] = [];
    const done = await eventually(async () => {
      const s = await backfillStatus(mb, sealer, started.id, urls);
      seen.push(s);
      return s.status === 'FINISHED' && s;
    }, 10_000, 'the backfill to finish');
    expect(done).toMatchObject({ id: started.id, fetchedMessages: 4, failedMessages: 0, progress: 1, finishedAt: expect.any(String) });
    const between = seen.filter((s) => s.progress !== null && s.progress > 0 && s.progress < 1);
    expect(between.length).toBeGreaterThan(0); // progress was visible on the way
    expect(seen.map((s) => s.fetchedMessages)).toEqual([...seen.map((s) => s.fetchedMessages)].sort((a, b) => a - b));

    expect(sim.waiting(CVR).map((w) => w.id)).toEqual(inRange.map((l) => l.id));
    expect(await listBackfills(mb, sealer, urls)).toEqual([expect.objectContaining({ id: started.id, status: 'FINISHED' })]);
  });

  test('without `to` the range ends now; the configured NgDP mailbox id is used as given', async () => {
    const letters = archiveYear();
    const mb = mailboxRow({ config: { baseUrl, systemUsername: SYSTEM.username, mode: 'pull', mailboxId: sim.mailboxId(CVR) } });
    const s = await startBackfill(mb, sealer, { from: new Date('2026-03-01T00:00:00Z') }, urls);
    expect(s.totalMessages).toBe(letters.filter((l) => l.at >= new Date('2026-03-01') && l.at <= new Date()).length);
    expect(Date.parse(s.to!)).toBeGreaterThan(Date.now() - 60_000);
  });

  test('refusals are mapped: a range backwards, a second backfill while one runs, another CVR\'s mailbox, an unknown id', async () => {
    archiveYear();
    const mb = mailboxRow();
    const backwards = await failureOf(startBackfill(mb, sealer, { from: new Date('2026-03-01'), to: new Date('2026-02-01') }, urls));
    expect(backwards).toMatchObject({ status: 400, retryable: false });
    expect(backwards.message).toMatch(/fromDateTime must not be after toDateTime/);

    await startBackfill(mb, sealer, { from: new Date('2026-01-01') }, urls);
    const twice = await failureOf(startBackfill(mb, sealer, { from: new Date('2026-01-01') }, urls));
    expect(twice).toMatchObject({ status: 422 });
    expect(twice.message).toMatch(/still running/);

    const foreign = mailboxRow({ config: { baseUrl, systemUsername: SYSTEM.username, mode: 'pull', mailboxId: sim.mailboxId(OTHER_CVR) } });
    expect(await failureOf(startBackfill(foreign, sealer, { from: new Date('2026-01-01') }, urls))).toMatchObject({ status: 404 });
    expect(await failureOf(backfillStatus(mb, sealer, randomUUID(), urls))).toMatchObject({ status: 404 });
    expect(await failureOf(backfillStatus(mb, sealer, 'nope', urls))).toMatchObject({ status: 400 });
    const wrongPassword = mailboxRow({ secretEnc: sealer.seal(JSON.stringify({ systemPassword: 'wrong' })) });
    const denied = await failureOf(startBackfill(wrongPassword, sealer, { from: new Date('2026-01-01') }, urls));
    expect(denied).toMatchObject({ status: 401, retryable: false });
    expect(denied.message).toMatch(/check the system credentials and certificate/);
  });

  test('the admin request schema', () => {
    expect(backfillRequestSchema.parse({ from: '2026-02-01', to: '2026-02-28' })).toEqual({ from: new Date('2026-02-01'), to: new Date('2026-02-28') });
    expect(backfillRequestSchema.safeParse({ from: '2026-03-01', to: '2026-02-01' }).error?.issues[0].message).toBe('from must be before to');
    expect(backfillRequestSchema.safeParse({ from: new Date(Date.now() + 86_400_000).toISOString() }).success).toBe(false);
    expect(backfillRequestSchema.safeParse({ from: 'last week' }).success).toBe(false);
  });
});

describe.each(testDatabases)('a backfill and the next poll on $name', (tdb) => {
  test('stores the missing letters and recognises the ones already stored', async () => {
    const d = await tdb.create();
    const database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    try {
      const [org] = await database.db.insert(organisations).values({ name: 'Nordlys' }).returning();
      const [row] = await database.db.insert(mailboxes).values({
        orgId: org.id, cvr: CVR, provider: 'ngdp', config: { baseUrl, systemUsername: SYSTEM.username, mode: 'pull' },
        secretEnc: sealer.seal(JSON.stringify({ systemPassword: SYSTEM.password })),
      }).returning();
      const mb: MailboxRow = { id: row.id, orgId: row.orgId, cvr: row.cvr, provider: row.provider, config: row.config, secretEnc: row.secretEnc };

      const letters = archiveYear();
      // Two of the letters in range were stored back then; two were lost (say, before Brevdue).
      for (const l of letters.slice(1, 3)) await storeLetter(database.db, sealer, mb, parseMemo(l.xml), Buffer.from(l.xml));

      const s = await startBackfill(mb, sealer, { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z') }, urls);
      await eventually(async () => (await backfillStatus(mb, sealer, s.id, urls)).status === 'FINISHED', 10_000, 'the backfill');

      const routed: string[] = [];
      const ctx = {
        db: database.db, sealer, log: silentLogger, connectorFor: connectorFactory(sealer, undefined, urls),
        jobs: { routeSoon: async (id: string) => { routed.push(id); }, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined },
      } as unknown as AppContext;
      const result = await pollMailbox(ctx, mb);
      expect(result).toMatchObject({ stored: 2, duplicates: 2, quarantined: 0 });
      const stored = await database.db.select({ memoUuid: messages.memoUuid }).from(messages);
      expect(stored.map((m) => m.memoUuid).sort()).toEqual(letters.slice(1, 5).map((l) => l.id).sort());
      expect(sim.waiting(CVR)).toEqual([]);
      expect(sim.receipts().filter((r) => r.receiptStatus === 'COMPLETED')).toHaveLength(4);
    } finally {
      await database.close();
      await d.drop();
    }
  });
});
