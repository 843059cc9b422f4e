// NgDP push and backfill as the running product offers them: the push endpoint of the composed app,
// and backfill through the admin API, against the in-process simulator.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, messages } from '../../backend/src/store/schema';
import { eventually, testDatabases } from '../helpers/databases';

const [cvrA] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('NgDP push and backfill in the app on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 500, processEveryMs: 100 });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('a pushed letter is stored before the 200, receipted COMPLETED and delivered', async () => {
    const m = demoMemo({ recipientCvr: cvrA.cvr });
    const res = await app.sims!.ngdp.api.pushTo(`${app.url}/ngdp/push`, cvrA.cvr, buildMemoXml(m));
    expect(res.status).toBe(200);
    const [row] = await app.database.db.select().from(messages).where(eq(messages.memoUuid, m.messageUUID));
    expect(row).toBeDefined(); // durable when NgDP got its answer
    await eventually(async () => app.sims!.ngdp.api.receipts().some((r) => r.messageUUID === m.messageUUID && r.receiptStatus === 'COMPLETED'), 15_000, 'COMPLETED receipt');
    await eventually(async () => {
      const [r] = await app.database.db.select().from(messages).where(eq(messages.memoUuid, m.messageUUID));
      return r.status === 'delivered';
    }, 20_000, 'delivery of the pushed letter');
  });

  test('the receipt for a push is a durable job: Digital Post being down delays it, nothing forgets it', async () => {
    const m = demoMemo({ recipientCvr: cvrA.cvr });
    app.sims!.ngdp.api.setFaults({ outage: true }); // the receipt endpoint answers 503…
    const res = await app.sims!.ngdp.api.pushTo(`${app.url}/ngdp/push`, cvrA.cvr, buildMemoXml(m));
    expect(res.status).toBe(200); // …our push endpoint is ours, not the simulator's API
    await eventually(async () => {
      const r = await app.database.pool.query(`SELECT data FROM agenda_jobs WHERE name = 'ngdp-receipt'`);
      return r.rows.some((row) => (row.data as { receipt: { messageUUID: string }; attempt: number }).receipt.messageUUID === m.messageUUID
        && (row.data as { attempt: number }).attempt >= 2);
    }, 15_000, 'a retry of the receipt kept in the jobs table');
    expect(app.sims!.ngdp.api.receipts().some((r) => r.messageUUID === m.messageUUID)).toBe(false);
    app.sims!.ngdp.api.setFaults({});
    await eventually(async () => app.sims!.ngdp.api.receipts().some((r) => r.messageUUID === m.messageUUID && r.receiptStatus === 'COMPLETED'),
      20_000, 'the receipt after the outage');
  });

  test('the receipt job is committed before the 200: when it cannot be, the push is not accepted', async () => {
    const m = demoMemo({ recipientCvr: cvrA.cvr });
    const receiptJobs = async () => (await app.database.pool.query(`SELECT data FROM agenda_jobs WHERE name = 'ngdp-receipt'`)).rows
      .filter((row) => (row.data as { receipt: { messageUUID: string } }).receipt.messageUUID === m.messageUUID).length;
    const sent = () => app.sims!.ngdp.api.receipts().filter((r) => r.messageUUID === m.messageUUID).length;
    // The jobs table refuses receipt jobs (a full disk, a lost connection at the wrong moment).
    await app.database.pool.query(`CREATE OR REPLACE FUNCTION test_refuse_receipt() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'ngdp-receipt' THEN RAISE EXCEPTION 'no receipt jobs now'; END IF; RETURN NEW; END $$`);
    await app.database.pool.query('CREATE TRIGGER test_refuse_receipt BEFORE INSERT ON agenda_jobs FOR EACH ROW EXECUTE FUNCTION test_refuse_receipt()');
    try {
      const refused = await app.sims!.ngdp.api.pushTo(`${app.url}/ngdp/push`, cvrA.cvr, buildMemoXml(m));
      expect(refused.status).toBe(503); // stored, but without its receipt NgDP must push it again
      expect(JSON.parse(refused.body).error.code).toBe('receipt_failed');
    } finally {
      await app.database.pool.query('DROP TRIGGER test_refuse_receipt ON agenda_jobs');
    }
    const res = await app.sims!.ngdp.api.pushTo(`${app.url}/ngdp/push`, cvrA.cvr, buildMemoXml(m));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).status).toBe('duplicate');
    // At the moment NgDP has its 200 the receipt is in the database (queued or already sent and done).
    expect((await receiptJobs()) + sent()).toBeGreaterThanOrEqual(1);
    await eventually(async () => sent() >= 1, 15_000, 'the receipt sent');
  });

  test('an admin backfills a date range and follows its progress to the end', async () => {
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, cvrA.cvr));
    const old = [demoMemo({ recipientCvr: cvrA.cvr }), demoMemo({ recipientCvr: cvrA.cvr })];
    for (const m of old) app.sims!.ngdp.api.inject(cvrA.cvr, buildMemoXml(m), { receivedAt: new Date('2026-10-05T10:00:00Z'), archiveOnly: true });
    const bad = await fetch(`${app.url}/api/admin/mailboxes/${mb.id}/backfill`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: '2099-01-01' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/future/);
    const start = await fetch(`${app.url}/api/admin/mailboxes/${mb.id}/backfill`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: '2026-10-01', to: '2026-10-31' }),
    });
    expect(start.status).toBe(201);
    const started = await start.json() as { id: string; progress: number };
    const done = await eventually(async () => {
      const s = await (await fetch(`${app.url}/api/admin/mailboxes/${mb.id}/backfill/${started.id}`)).json() as { status: string; progress: number };
      return s.status === 'FINISHED' ? s : null;
    }, 30_000, 'backfill finished');
    expect(done.progress).toBe(1);
    await eventually(async () => {
      const rows = await Promise.all(old.map((m) => app.database.db.select().from(messages).where(eq(messages.memoUuid, m.messageUUID))));
      return rows.every((r) => r.length === 1);
    }, 20_000, 'backfilled letters stored');
  });
});
