// A letter that cannot be fetched or stored: the failure is a sentence (never drizzle's "Failed
// query … params …" with sealed bytes) in mailbox health and the log, the mailbox backs off, and one
// such letter never holds up the letters behind it: PostgreSQL-refused values and invalid dates are
// quarantined with an INVALID receipt, a letter the provider will not hand over is given up after
// LETTER_ATTEMPTS and left waiting there.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { and, eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, messages, quarantine } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { createPollScheduler, type PollScheduler } from '../../backend/src/ingest/poll-scheduler';
import { LETTER_ATTEMPTS } from '../../backend/src/ingest/letter-failures';
import { ProviderError } from '../../backend/src/ingest/connector';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { createEboksSimulator, EBOKS_API_PATH, type EboksSimulatorApi } from '../../backend/src/simulators/eboks';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { eventually, testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

/** Statements one at a time (PGlite's extended protocol takes one per query). */
const run = async (db: Brevdue['database']['db'], ...statements: string[]) => { for (const st of statements) await db.execute(sql.raw(st)); };

/** A trigger that makes PostgreSQL refuse every new letter with `sqlstate` and a message naming a CPR number. */
const refuseLetters = (db: Brevdue['database']['db'], sqlstate: string) => run(db,
  `CREATE OR REPLACE FUNCTION test_refuse_letter() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN RAISE EXCEPTION 'letter refused for 0101901234' USING ERRCODE = '${sqlstate}'; END $$`,
  'CREATE TRIGGER test_refuse_letter BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_refuse_letter()');

describe.each(testDatabases)('a failing letter on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;
  let ctx: AppContext;
  let lines: string[];
  let scheduler: PollScheduler | null = null;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    lines = [];
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, log: (l) => lines.push(l) });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    ctx = { ...app.ctx, jobs: noJobs };
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await app.stop();
    await drop();
  });

  const row = async () => (await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id)))[0];
  const inject = (xml: string) => app.sims!.ngdp.api.inject(company.cvr, xml);

  test('a database failure while storing: a short sentence in health and the log, masked, and a backoff', async () => {
    inject(buildMemoXml(demoMemo({ recipientCvr: company.cvr })));
    await refuseLetters(app.database.db, 'XX000');
    await app.database.db.update(mailboxes).set({ removedAt: new Date() }).where(sql`${mailboxes.id} <> ${mb.id}`);
    scheduler = createPollScheduler(ctx, { intervalMs: 60_000, concurrency: 1, tickMs: 20 });
    scheduler.start();
    const failed = await eventually(async () => { const r = await row(); return r.consecutiveFailures > 0 && r.pollingUntil === null && r; }, 15_000, 'the failed poll recorded');
    expect(failed.lastError).toMatch(/database answered \(XX000\) "letter refused for 010190-XXXX"/);
    expect(failed.lastErrorKind).toBe('database');
    expect(failed.lastError).not.toMatch(/Failed query|params|insert into/i);
    expect(failed.lastError!.length).toBeLessThan(500);
    expect(failed.backoffUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(failed.nextPollAt!.getTime()).toBe(failed.backoffUntil!.getTime());
    const logged = lines.filter((l) => l.includes('mailbox poll failed'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]).error).toBe(failed.lastError);
    expect(lines.join('\n')).not.toMatch(/Failed query|params:/);
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(1); // not acknowledged: fetched again after the backoff

    // A push hitting the same failure: 503, and one short masked sentence in the log.
    const pushed = await app.sims!.ngdp.api.pushTo(`${app.url}/ngdp/push/${company.cvr}`, company.cvr, buildMemoXml(demoMemo({ recipientCvr: company.cvr })));
    expect(pushed.status).toBe(503);
    const pushLog = lines.filter((l) => l.includes('ngdp push: storing failed')).map((l) => JSON.parse(l) as { error: string });
    expect(pushLog).toEqual([expect.objectContaining({ error: expect.stringMatching(/^Storing it failed: the database answered \(XX000\) "letter refused for 010190-XXXX"$/) })]);
    expect(lines.join('\n')).not.toMatch(/Failed query|params:/);
  }, 30_000);

  test('recording the failure fails too: still logged, and the next poll still waits', async () => {
    inject(buildMemoXml(demoMemo({ recipientCvr: company.cvr })));
    await refuseLetters(app.database.db, 'XX000');
    // The mailbox row cannot be written either (a statement-level refusal of every UPDATE of it).
    await run(app.database.db,
      `CREATE OR REPLACE FUNCTION test_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.last_error IS DISTINCT FROM OLD.last_error THEN RAISE EXCEPTION 'mailbox row locked for the test' USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$`,
      'CREATE TRIGGER test_refuse_update BEFORE UPDATE ON mailboxes FOR EACH ROW EXECUTE FUNCTION test_refuse_update()');
    await app.database.db.update(mailboxes).set({ paused: true }).where(sql`${mailboxes.id} <> ${mb.id}`);
    scheduler = createPollScheduler(ctx, { intervalMs: 200, concurrency: 1, tickMs: 20 });
    scheduler.start();
    await eventually(async () => lines.some((l) => l.includes('mailbox poll failed')), 15_000, 'the failure logged');
    const logged = JSON.parse(lines.find((l) => l.includes('mailbox poll failed'))!);
    expect(logged).toMatchObject({ mailboxId: mb.id, error: expect.stringMatching(/XX000/), notRecorded: expect.stringMatching(/mailbox row locked/) });
    const r = await eventually(async () => { const x = await row(); return x.pollingUntil === null && x; }, 5_000, 'the lease given back');
    expect(r.lastError).toBeNull(); // could not be written…
    expect(r.nextPollAt!.getTime() - Date.now()).toBeGreaterThan(2_000); // …but the poll waits its backoff, not the 200 ms interval
  }, 30_000);

  test('a letter dated in the year 0000 is quarantined with its element and rule; the letters after it are taken', async () => {
    const bad = demoMemo({ recipientCvr: company.cvr });
    const xml = buildMemoXml(bad).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');
    expect(xml).toContain('0000-03-01T10:00:00Z');
    inject(xml);
    const good = [demoMemo({ recipientCvr: company.cvr }), demoMemo({ recipientCvr: company.cvr })];
    for (const m of good) inject(buildMemoXml(m));
    const r = await pollMailbox(ctx, mb);
    expect(r).toEqual({ stored: 2, duplicates: 0, quarantined: 1, more: false });
    const [q] = await app.database.db.select().from(quarantine).where(eq(quarantine.mailboxId, mb.id));
    expect(q.reason).toMatch(/MessageBody\/createdDateTime: .*year 0000 does not exist/);
    const receipt = app.sims!.ngdp.api.receipts().find((x) => x.messageUUID === bad.messageUUID);
    expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorMessage: expect.stringMatching(/createdDateTime/) });
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toEqual([]);
    expect((await row()).lastError).toBeNull();

    // Operators see it: a count in the mailbox's health, and a listing of what and why (no content).
    const health = await (await fetch(`${app.url}/api/admin/mailboxes/${mb.id}`)).json() as { health: { quarantined: number } };
    expect(health.health.quarantined).toBe(1);
    const { items: cvrs } = await (await fetch(`${app.url}/api/admin/cvrs`)).json() as { items: { mailboxes: { id: string; health: { quarantined: number } }[] }[] };
    expect(cvrs.flatMap((c) => c.mailboxes).find((x) => x.id === mb.id)!.health.quarantined).toBe(1);
    const listed = await fetch(`${app.url}/api/admin/mailboxes/${mb.id}/quarantine`);
    expect(listed.status).toBe(200);
    const { items } = await listed.json() as { items: Record<string, unknown>[] };
    expect(items).toEqual([{ id: q.id, mailboxId: mb.id, providerMessageId: bad.messageUUID, receivedAt: q.receivedAt.toISOString(), reason: q.reason, erased: false, erasedAt: null }]);
  });

  test('values PostgreSQL refuses: that letter is quarantined with the reason and receipted INVALID, the mailbox goes on', async () => {
    const m = demoMemo({ recipientCvr: company.cvr });
    inject(buildMemoXml(m));
    await refuseLetters(app.database.db, '22008'); // datetime_field_overflow, as for a year PostgreSQL cannot hold
    const r = await pollMailbox(ctx, mb);
    expect(r).toEqual({ stored: 0, duplicates: 0, quarantined: 1, more: false });
    const [q] = await app.database.db.select().from(quarantine).where(eq(quarantine.mailboxId, mb.id));
    expect(q.reason).toMatch(/^Brevdue's database cannot hold this letter: .*22008.*010190-XXXX/);
    expect(q.reason).not.toMatch(/Failed query|params/);
    expect(app.sims!.ngdp.api.receipts().find((x) => x.messageUUID === m.messageUUID)).toMatchObject({ receiptStatus: 'INVALID' });
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toEqual([]);
    expect((await row()).lastError).toMatch(/quarantined/);
  });
});

describe.each(testDatabases)('an e-Boks letter whose document never comes, on $name', (tdb) => {
  const cvr = DEMO_ORGANISATION.cvrs[2].cvr;
  const account = { cvr, identity: '0202801234', password: 'pw-eboks', activationCode: 'Act1vate', deviceId: randomUUID() };
  const pdf = (s: string) => minimalPdf(s).toString('base64');
  let app: Brevdue;
  let drop: () => Promise<void>;
  let simServer: RunningServer;
  let sim: EboksSimulatorApi;
  let mailbox: MailboxRow;

  beforeEach(async () => {
    const s = createEboksSimulator({ accounts: [account] });
    sim = s.api;
    simServer = await listen(express().use('/sim/eboks', s.router));
    const d = await tdb.create();
    drop = d.drop;
    // The simulator on a port of its own: named as an allowed e-Boks address (demo mode only).
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, providerBaseUrls: { eboks: [`${simServer.url}/sim/eboks${EBOKS_API_PATH}`] } });
    const secret = app.ctx.sealer.seal(Buffer.from(JSON.stringify({ password: account.password, activationCode: account.activationCode })));
    const [r] = await app.database.db.insert(mailboxes).values({
      orgId: app.demoOrgId!, cvr, provider: 'eboks', secretEnc: secret,
      config: { baseUrl: `${simServer.url}/sim/eboks${EBOKS_API_PATH}`, identity: account.identity, deviceId: account.deviceId },
    }).onConflictDoUpdate({ target: [mailboxes.orgId, mailboxes.cvr, mailboxes.provider], set: { secretEnc: secret, config: sql`excluded.config` } }).returning();
    mailbox = r as MailboxRow;
  });
  afterEach(async () => {
    await app.stop();
    await drop();
    await simServer.close();
  });

  test('the letters behind it are taken at once; it is given up after the last attempt and left waiting in e-Boks', async () => {
    const ctx = { ...app.ctx, jobs: noJobs };
    const stuck = sim.inject(cvr, { sender: { name: 'Nykredit' }, subject: 'Uden indhold', receivedAt: '2026-01-01T09:00:00Z', documents: [{ filename: 'Brev.pdf', content: pdf('x'), missing: true }] }).id;
    sim.inject(cvr, { sender: { name: 'PensionDanmark' }, subject: 'Pensionsoversigt', receivedAt: '2026-01-02T09:00:00Z', documents: [{ filename: 'Oversigt.pdf', content: pdf('P') }] });
    const mine = async () => (await app.database.db.select().from(messages).where(eq(messages.mailboxId, mailbox.id))).length;
    const health = async () => (await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mailbox.id)))[0];

    for (let attempt = 1; attempt < LETTER_ATTEMPTS; attempt++) {
      const err = await pollMailbox(ctx, mailbox).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.retryable).toBe(true);
      expect(await mine()).toBe(1); // the later letter, from the first poll on
      const h = await health();
      expect(h.lastError).toMatch(new RegExp(`e-Boks letter ${stuck} could not be fetched \\(attempt ${attempt} of ${LETTER_ATTEMPTS};.*has no content`));
      expect(h.consecutiveFailures).toBe(attempt);
      expect(h.lastErrorKind).toBe('letter_failed'); // the document's own 404, wrapped as the letter's
    }
    const last = await pollMailbox(ctx, mailbox);
    expect(last).toEqual({ stored: 0, duplicates: 0, quarantined: 0, more: false });
    const [q] = await app.database.db.select().from(quarantine).where(eq(quarantine.mailboxId, mailbox.id));
    expect(q).toMatchObject({ providerMessageId: stuck, reason: expect.stringMatching(new RegExp(`^Not fetched after ${LETTER_ATTEMPTS} attempts \\(it stays waiting at e-Boks\\)`)) });
    const h = await health();
    expect(h).toMatchObject({ consecutiveFailures: 0, backoffUntil: null, lastError: expect.stringMatching(/is passed by: Not fetched after/), lastErrorKind: 'letter_given_up' });
    expect(sim.waiting(cvr).map((w) => w.id)).toEqual([stuck]); // not acknowledged: people still see it in e-Boks' inbox

    // Later polls pass it by without failing, and a clean poll clears health.
    sim.inject(cvr, { sender: { name: 'Skat' }, subject: 'Ny', documents: [{ filename: 'a.pdf', content: pdf('a') }] });
    expect(await pollMailbox(ctx, mailbox)).toEqual({ stored: 1, duplicates: 0, quarantined: 0, more: false });
    expect(await health()).toMatchObject({ lastError: null, lastErrorKind: null });
  }, 60_000);
});
