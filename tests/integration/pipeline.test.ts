// The walking skeleton end to end, against each test database: NgDP simulator → store → rule →
// Graph simulator → API, including invalid letters, a crash before the receipt and a retried delivery.
import { eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo, generateDemoLetters } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DEMO_SHARED_MAILBOX } from '../../backend/src/demo/seed';
import { deliveries, documents, mailboxes, messages, quarantine } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { renderMail } from '../../backend/src/delivery/render';
import { createMessage, ensureFolder } from '../../backend/src/delivery/mailbox';
import type { MailboxRow } from '../../backend/src/context';
import { messageDetailSchema, messageListResponseSchema } from '../../shared/src/contracts';
import { eventually, testDatabases } from '../helpers/databases';

const [cvrA, cvrB] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('pipeline on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;

  const start = async (runJobs = true) => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, pollIntervalMs: 500, processEveryMs: 100, statsCompactMs: 1000, runJobs });
  };
  afterEach(async () => {
    await app.stop();
    await drop();
  });
  /** Tests that drive the steps by hand start without the job runner, so no poll races them. */
  const startByHand = () => start(false);

  const inject = (cvr: string, xml: string) =>
    fetch(`${app.url}/sim/ngdp/${cvr}/memos`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: xml });

  test('letters travel from the Digital Post mailbox to the Exchange folder and show in the API', async () => {
    await start();
    const letters = await generateDemoLetters({ recipients: [cvrA, cvrB], count: 4, seed: 7 });
    for (const m of letters) expect((await inject(m.recipient.id, buildMemoXml(m))).status).toBe(201);

    const delivered = await eventually(async () => {
      const rows = await app.database.db.select().from(messages).where(eq(messages.status, 'delivered'));
      return rows.length === 4 && rows;
    }, 30_000, 'four delivered letters');
    expect(delivered).toHaveLength(4);

    // The provider was told, and forgot them. The receipt and delete follow the durable store, in the
    // poll, while routing and delivery run as their own jobs: a delivery may finish first.
    await eventually(async () => app.sims!.ngdp.api.waiting(cvrA.cvr).length + app.sims!.ngdp.api.waiting(cvrB.cvr).length === 0, 10_000, 'the provider to forget the letters');
    const receipts = app.sims!.ngdp.api.receipts();
    expect(receipts.filter((r) => r.receiptStatus === 'COMPLETED')).toHaveLength(4);

    // One received (non-draft) copy each, in the company's folder, documents attached by name.
    const arrived = app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX);
    expect(arrived).toHaveLength(4);
    for (const m of letters) {
      const copy = arrived.find((a) => a.subject === m.label);
      expect(copy).toBeDefined();
      expect(copy!.isDraft).toBe(false);
      const company = DEMO_ORGANISATION.cvrs.find((c) => c.cvr === m.recipient.id)!;
      expect(copy!.folderPath).toBe(`Inbox/Digital Post/${company.name}`);
      expect(copy!.attachments.map((a) => a.name)).toContain(m.body.mainDocument!.files[0].filename);
    }

    // The API lists them newest first and shows a detail with its timeline.
    const list = messageListResponseSchema.parse(await (await fetch(`${app.url}/api/messages?cvr=${cvrA.cvr}`)).json());
    expect(list.items.length).toBe(letters.filter((m) => m.recipient.id === cvrA.cvr).length);
    expect(list.items.every((i) => i.cvr === cvrA.cvr && i.status === 'delivered')).toBe(true);
    const detail = messageDetailSchema.parse(await (await fetch(`${app.url}/api/messages/${list.items[0].id}`)).json());
    expect(detail.timeline.map((e) => e.type)).toEqual(['fetched', 'stored', 'routed', 'delivered']);
    expect(detail.timeline[2].text).toContain(`recipient CVR is ${cvrA.cvr}`);
    expect(detail.deliveries[0].status).toBe('delivered');
    expect(detail.deliveries[0].graphMessageId).toBeTruthy();

    // Download gives back the original bytes under the original name.
    const doc = detail.documents[0];
    const res = await fetch(`${app.url}/api/messages/${detail.id}/documents/${doc.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent(doc.filename));
    const original = letters.find((m) => m.messageUUID === detail.memoUuid)!.body.mainDocument!.files[0].content;
    expect(Buffer.from(await res.arrayBuffer()).equals(original)).toBe(true);

    // Search by a word of the subject.
    const word = letters[0].label.split(/\s+/).find((w) => w.length > 4)!;
    const found = messageListResponseSchema.parse(await (await fetch(`${app.url}/api/messages?q=${encodeURIComponent(word)}`)).json());
    expect(found.items.some((i) => i.memoUuid === letters[0].messageUUID)).toBe(true);

    // The statistics count them: the triggers' deltas are folded by the stats-compact job.
    await eventually(async () => {
      const r = await app.database.db.execute(sql`select (select count(*) from stats_deltas)::int as pending, (select coalesce(sum(n), 0) from stats_counts where dim = 'channel' and grain = 'd' and status = 'delivered')::int as delivered`);
      const row = (r as unknown as { rows: { pending: number; delivered: number }[] }).rows[0];
      return row.pending === 0 && row.delivered === 4;
    }, 20_000, 'the statistics deltas folded into four delivered letters');
    const stats = await (await fetch(`${app.url}/api/stats?granularity=day`)).json() as { totals: { fetched: number; delivered: number; automatic: number } };
    expect(stats.totals).toMatchObject({ fetched: 4, delivered: 4, automatic: 4 });
  });

  test('content is encrypted at rest', async () => {
    await start();
    const m = demoMemo({ recipientCvr: cvrA.cvr, label: 'Afgørelse om tilskud 2026' });
    await inject(cvrA.cvr, buildMemoXml(m));
    await eventually(async () => (await app.database.db.select().from(messages)).length === 1, 20_000, 'stored letter');
    const [row] = await app.database.db.select().from(messages);
    expect(row.rawEnc.includes(Buffer.from(m.messageUUID))).toBe(false);
    expect(row.rawEnc.includes(Buffer.from('Afgørelse'))).toBe(false);
    const docs = await app.database.db.select().from(documents);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(d.contentEnc.includes(Buffer.from('%PDF'))).toBe(false);
    expect(app.ctx.sealer.open(docs[0].contentEnc).subarray(0, 4).toString()).toBe('%PDF');
  });

  test('a malformed letter is quarantined with its reason and an INVALID receipt; the rest go through', async () => {
    await start();
    const good = demoMemo({ recipientCvr: cvrA.cvr });
    const bad = buildMemoXml(demoMemo({ recipientCvr: cvrA.cvr })).replace(/<([a-zA-Z]+:)?label>[^<]*<\/([a-zA-Z]+:)?label>/, '');
    expect((await inject(cvrA.cvr, bad)).status).toBe(201);
    await inject(cvrA.cvr, buildMemoXml(good));

    await eventually(async () => {
      const [row] = await app.database.db.select().from(messages).where(eq(messages.memoUuid, good.messageUUID));
      return row?.status === 'delivered';
    }, 30_000, 'the good letter delivered');
    const q = await app.database.db.select().from(quarantine);
    expect(q).toHaveLength(1);
    expect(q[0].reason).toMatch(/label/);
    const invalid = app.sims!.ngdp.api.receipts().filter((r) => r.receiptStatus === 'INVALID');
    expect(invalid).toHaveLength(1);
    expect(app.sims!.ngdp.api.waiting(cvrA.cvr)).toHaveLength(0);
  });

  test('a crash between storing and the receipt loses nothing and stores nothing twice', async () => {
    await startByHand();
    const m = demoMemo({ recipientCvr: cvrB.cvr });
    await inject(cvrB.cvr, buildMemoXml(m));
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, cvrB.cvr));
    const real = app.ctx.connectorFor(mb as MailboxRow);
    let crash = true;
    const crashing = { ...app.ctx, connectorFor: () => ({
      ...real,
      listWaiting: () => real.listWaiting(),
      fetchRaw: (id: string) => real.fetchRaw(id),
      acknowledge: async (id: string, ack: Parameters<typeof real.acknowledge>[1]) => {
        if (crash) throw new Error('process died before the receipt');
        return real.acknowledge(id, ack);
      },
    }), jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };

    await expect(pollMailbox(crashing, mb as MailboxRow)).rejects.toThrow('process died');
    expect(await app.database.db.select().from(messages)).toHaveLength(1); // durable before the receipt
    expect(app.sims!.ngdp.api.waiting(cvrB.cvr)).toHaveLength(1); // provider still holds it

    crash = false;
    const r = await pollMailbox(crashing, mb as MailboxRow);
    expect(r).toEqual({ stored: 0, duplicates: 1, quarantined: 0, more: false });
    expect(await app.database.db.select().from(messages)).toHaveLength(1);
    expect(app.sims!.ngdp.api.waiting(cvrB.cvr)).toHaveLength(0);
    const [err] = await app.database.db.select({ lastError: mailboxes.lastError }).from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(err.lastError).toBeNull();
  });

  test('two overlapping polls of one mailbox store each letter once and both finish cleanly', async () => {
    await startByHand();
    const letters = await generateDemoLetters({ recipients: [cvrA], count: 3, seed: 11 });
    for (const m of letters) await inject(cvrA.cvr, buildMemoXml(m));
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, cvrA.cvr));
    const ctx = { ...app.ctx, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
    const [a, b] = await Promise.all([pollMailbox(ctx, mb as MailboxRow), pollMailbox(ctx, mb as MailboxRow)]);
    expect(a.stored + b.stored).toBe(3);
    expect(await app.database.db.select().from(messages)).toHaveLength(3);
    expect(app.sims!.ngdp.api.waiting(cvrA.cvr)).toHaveLength(0);
  });

  test('a retried delivery finds the copy an earlier attempt made instead of making a second', async () => {
    await startByHand();
    const m = demoMemo({ recipientCvr: cvrA.cvr });
    await inject(cvrA.cvr, buildMemoXml(m));
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, cvrA.cvr));
    const routed: string[] = [];
    const delivering: string[] = [];
    const ctx = { ...app.ctx, jobs: { routeSoon: async (id: string) => { routed.push(id); }, deliverSoon: async (id: string) => { delivering.push(id); }, notifyDeadSoon: async () => undefined } };
    await pollMailbox(ctx, mb as MailboxRow);
    const { routeStoredLetter } = await import('../../backend/src/routing/apply');
    await routeStoredLetter(ctx, routed[0]);
    expect(delivering).toHaveLength(1);

    // An earlier attempt claimed the delivery, created the mail and died before recording it: its
    // lease (now expired) is what tells the next attempt to look first.
    await app.database.db.update(deliveries).set({ attempts: 1, leaseUntil: new Date(Date.now() - 1000) }).where(eq(deliveries.id, delivering[0]));
    const [del] = await app.database.db.select().from(deliveries).where(eq(deliveries.id, delivering[0]));
    const folderId = await ensureFolder(app.ctx.graph, app.ctx.folders, { mailbox: DEMO_SHARED_MAILBOX, folderPath: `Digital Post/${cvrA.name}` });
    const [msg] = await app.database.db.select().from(messages);
    await createMessage(app.ctx.graph, DEMO_SHARED_MAILBOX, folderId, renderMail({ ...msg, cvrName: cvrA.name }, [], del.id));
    expect(app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX)).toHaveLength(1);

    await runDelivery(ctx, del.id);
    expect(app.sims!.graph.api.messages(DEMO_SHARED_MAILBOX)).toHaveLength(1);
    const [after] = await app.database.db.select().from(deliveries).where(eq(deliveries.id, del.id));
    expect(after.status).toBe('delivered');
    const ev = await app.database.db.execute(sql`select text from events where type = 'delivered'`);
    expect(JSON.stringify(ev)).toContain('found from an earlier attempt');
  });

  test('Graph failures are retried and finally dead-lettered with a readable reason', async () => {
    await startByHand();
    const ctx = { ...app.ctx, delivery: { maxAttempts: 2, backoffMs: () => 0 }, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
    const m = demoMemo({ recipientCvr: cvrA.cvr });
    await inject(cvrA.cvr, buildMemoXml(m));
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, cvrA.cvr));
    await pollMailbox(ctx, mb as MailboxRow);
    const [msg] = await app.database.db.select().from(messages);
    const { routeStoredLetter } = await import('../../backend/src/routing/apply');
    await routeStoredLetter(ctx, msg.id);
    const [del] = await app.database.db.select().from(deliveries);
    app.sims!.graph.api.setFaults({ rate503: 1 });
    await runDelivery(ctx, del.id);
    let [row] = await app.database.db.select().from(deliveries);
    expect(row.status).toBe('pending');
    expect(row.lastError).toMatch(/503/);
    await runDelivery(ctx, del.id);
    [row] = await app.database.db.select().from(deliveries);
    expect(row.status).toBe('dead');
    const [failed] = await app.database.db.select().from(messages);
    expect(failed.status).toBe('failed');
  });

  // Only the server has LISTEN/NOTIFY; this once crashed CI when a dropped database ended the listener.
  if (tdb.name === 'postgres') {
    test('losing the job notification connection neither crashes the process nor stops delivery', async () => {
      await start();
      const listeners = async () => (await app.database.pool.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")).rows;
      await eventually(async () => (await listeners()).length > 0, 10_000, 'the job notification listener');
      const errors: unknown[] = [];
      const onUncaught = (e: unknown) => errors.push(e);
      process.on('uncaughtException', onUncaught);
      try {
        await app.database.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
        const [m] = await generateDemoLetters({ recipients: [cvrA], count: 1, seed: 11 });
        expect((await inject(m.recipient.id, buildMemoXml(m))).status).toBe(201);
        await eventually(async () => (await app.database.db.select().from(messages).where(eq(messages.status, 'delivered'))).length === 1, 30_000, 'the letter delivered');
        // The channel reconnects by itself.
        await eventually(async () => (await listeners()).length > 0, 15_000, 'the listener back');
      } finally {
        process.off('uncaughtException', onUncaught);
      }
      expect(errors).toEqual([]);
    });
  }
});
