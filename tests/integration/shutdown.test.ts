// Graceful shutdown: stop() waits for a delivery that is talking to Graph, so it is recorded
// delivered (one copy) and no job is left locked; the database is opened again afterwards to look.
import { eq } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { openDatabase } from '../../backend/src/store/db';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { DELIVERY_ID_PROPERTY } from '../../backend/src/delivery/render';
import { deliveries, messages } from '../../backend/src/store/schema';
import { eventually, testDatabases } from '../helpers/databases';
import { receiveLetter } from '../helpers/app';

const [cvrA] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('graceful shutdown on $name', (tdb) => {
  let app: Brevdue | undefined;
  let drop: () => Promise<void> = async () => undefined;
  let dir: string | null = null;
  afterEach(async () => {
    await app?.stop();
    await drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a delivery in flight when stop() is called finishes, is recorded delivered, and nothing stays locked', async () => {
    const d = await tdb.create();
    drop = d.drop;
    // PGlite in memory would vanish with stop(): keep it on disk to open it again afterwards.
    dir = d.databaseUrl ? null : mkdtempSync(path.join(tmpdir(), 'brevdue-shutdown-'));
    app = await startBrevdue({
      databaseUrl: d.databaseUrl, dataDir: dir, demo: true, seed: false, pollIntervalMs: 60_000, processEveryMs: 100,
    });
    // Every Graph call takes 1 s and a delivery makes several (folders, create): it is still talking to
    // Graph when stop() is called, even on a loaded machine where noticing the claim takes a while.
    app.sims!.graph.api.setFaults({ latencyMs: 1_000 });
    const messageId = await receiveLetter(app, demoMemo({ recipientCvr: cvrA.cvr, label: 'Afgørelse om tilskud' }));
    const [claimed] = await eventually(async () => {
      const rows = await app!.database.db.select().from(deliveries).where(eq(deliveries.messageId, messageId));
      return rows.length === 1 && rows[0].leaseUntil !== null && rows;
    }, 20_000, 'the delivery to be claimed');
    expect(claimed.status).toBe('pending');

    const graph = app.sims!.graph.api;
    // Still in flight when stop() is called (not already delivered), so what follows shows stop() waited.
    const [before] = await app.database.db.select().from(deliveries).where(eq(deliveries.id, claimed.id));
    expect(before.status).toBe('pending');
    const began = Date.now();
    await app.stop();
    const stoppedAfter = Date.now() - began;
    app = undefined;
    expect(stoppedAfter).toBeLessThan(12_000); // bounded

    const reopened = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: dir });
    try {
      const [row] = await reopened.db.select().from(deliveries).where(eq(deliveries.id, claimed.id));
      expect(row.status).toBe('delivered');
      expect(row.leaseUntil).toBeNull();
      const [m] = await reopened.db.select().from(messages).where(eq(messages.id, messageId));
      expect(m.status).toBe('delivered');
      const locked = await reopened.pool.query('SELECT name FROM agenda_jobs WHERE locked_at IS NOT NULL');
      expect(locked.rows).toEqual([]);
    } finally {
      await reopened.close();
    }
    const copies = graph.messages(DEMO_SHARED_MAILBOX)
      .filter((x) => x.extendedProperties.some((p) => p.id.toLowerCase() === DELIVERY_ID_PROPERTY.toLowerCase() && p.value === claimed.id));
    expect(copies).toHaveLength(1);
  }, 60_000);
});
