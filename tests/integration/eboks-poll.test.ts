// An e-Boks mailbox through the real poller and store: letters from the e-Boks simulator are
// converted, stored once (a letter seen again is a duplicate, not a second letter), an unconvertible
// one is quarantined and acknowledged INVALID, and the provider's inbox ends empty.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { and, eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, minimalPdf } from '../../backend/src/demo/letters';
import { documents, mailboxes, messages, quarantine } from '../../backend/src/store/schema';
import { ProviderError } from '../../backend/src/ingest/connector';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { providerMessageUUID } from '../../backend/src/ingest/eboks/provider-letter';
import type { MailboxRow } from '../../backend/src/context';
import { createEboksSimulator, EBOKS_API_PATH, type EboksSimulatorApi } from '../../backend/src/simulators/eboks';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { testDatabases } from '../helpers/databases';
import { expectCompressedAnswersRead } from '../helpers/compressed-answers';

const cvr = DEMO_ORGANISATION.cvrs[2].cvr;
const account = { cvr, identity: '0202801234', password: 'pw-eboks', activationCode: 'Act1vate', deviceId: randomUUID() };
const pdf = (s: string) => minimalPdf(s).toString('base64');

describe.each(testDatabases)('e-Boks poll on $name', (tdb) => {
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
    const [row] = await app.database.db.insert(mailboxes).values({
      orgId: app.demoOrgId!, cvr, provider: 'eboks', secretEnc: secret,
      config: { baseUrl: `${simServer.url}/sim/eboks${EBOKS_API_PATH}`, identity: account.identity, deviceId: account.deviceId },
    }).onConflictDoUpdate({ // the demo seed has a mailbox of this kind already: point it at this test's simulator
      target: [mailboxes.orgId, mailboxes.cvr, mailboxes.provider],
      set: { secretEnc: secret, config: sql`excluded.config` },
    }).returning();
    mailbox = row as MailboxRow;
  });
  afterEach(async () => {
    await app.stop();
    await drop();
    await simServer.close();
  });

  test('stores converted letters, quarantines the unconvertible one, and finds a returned letter to be a duplicate', async () => {
    const a = sim.inject(cvr, { sender: { name: 'Nykredit', id: '12719280' }, subject: 'Rentetilpasning', documents: [{ filename: 'Brev.pdf', content: pdf('Rente') }] }).id;
    const b = sim.inject(cvr, { sender: { name: 'PensionDanmark' }, subject: 'Pensionsoversigt', documents: [{ filename: 'Oversigt.pdf', content: pdf('Pension') }, { filename: 'Bilag.pdf', content: pdf('Bilag') }] }).id;
    const broken = sim.inject(cvr, { sender: { name: 'Tom afsender' }, subject: 'Uden dokument', documents: [] }).id;
    const ctx = { ...app.ctx, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };

    const first = await pollMailbox(ctx, mailbox);
    expect(first).toEqual({ stored: 2, duplicates: 0, quarantined: 1, more: false });
    expect(sim.waiting(cvr)).toEqual([]);
    expect(sim.messages(cvr).every((m) => m.folder === 'Arkiv')).toBe(true);

    const rows = await app.database.db.select().from(messages).where(eq(messages.mailboxId, mailbox.id));
    expect(rows.map((r) => r.memoUuid).sort()).toEqual([providerMessageUUID('eboks', cvr, a), providerMessageUUID('eboks', cvr, b)].sort());
    const nykredit = rows.find((r) => r.label === 'Rentetilpasning')!;
    expect(nykredit).toMatchObject({ provider: 'eboks', cvr, senderId: '12719280', senderName: 'Nykredit' });
    const q = await app.database.db.select().from(quarantine).where(and(eq(quarantine.mailboxId, mailbox.id), eq(quarantine.providerMessageId, broken)));
    expect(q).toHaveLength(1);
    expect(q[0].reason).toContain('no-documents');

    // Someone moves a letter back to the inbox: fetched again, recognised, not stored twice.
    sim.move(cvr, a, 'Indbakke');
    const second = await pollMailbox(ctx, mailbox);
    expect(second).toEqual({ stored: 0, duplicates: 1, quarantined: 0, more: false });
    expect(await app.database.db.select().from(messages).where(eq(messages.mailboxId, mailbox.id))).toHaveLength(2);
    expect(sim.waiting(cvr)).toEqual([]);
  });

  test('a refused logon is recorded on the mailbox as a permanent, readable error', async () => {
    const wrong = app.ctx.sealer.seal(Buffer.from(JSON.stringify({ password: 'nope', activationCode: account.activationCode })));
    const [row] = await app.database.db.update(mailboxes).set({ secretEnc: wrong }).where(eq(mailboxes.id, mailbox.id)).returning();
    sim.inject(cvr, { sender: { name: 'X' }, subject: 'Y', documents: [{ filename: 'a.pdf', content: pdf('a') }] });
    await expect(pollMailbox(app.ctx, row as MailboxRow)).rejects.toThrow(/refused the logon/);
    const [after] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mailbox.id));
    expect(after.lastError).toMatch(/password/);
    expect(after.lastErrorKind).toBe('credentials_refused');
    expect(after.backoffUntil!.getTime() - Date.now()).toBeGreaterThan(10 * 60_000); // permanent: the long wait
    expect(sim.waiting(cvr)).toHaveLength(1);
  });
  test('a server that compresses its answers: lists and messages arrive gzipped, documents byte for byte', async () => {
    await expectCompressedAnswersRead(app, sim, mailbox, cvr);
  });
});
