// A mit.dk mailbox through the real poller and store: letters from the mit.dk simulator are converted,
// stored once (a letter seen again is a duplicate, not a second letter), an unconvertible one is
// quarantined and acknowledged INVALID, and the provider's inbox ends empty.
import express from 'express';
import { and, eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, minimalPdf } from '../../backend/src/demo/letters';
import { documents, mailboxes, messages, quarantine } from '../../backend/src/store/schema';
import { ProviderError } from '../../backend/src/ingest/connector';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { providerMessageUUID } from '../../backend/src/ingest/eboks/provider-letter';
import { parseMitdkProviderId } from '../../backend/src/ingest/mitdk/client';
import type { MailboxRow } from '../../backend/src/context';
import { createMitdkSimulator, MITDK_API_PATH, type MitdkSimulatorApi } from '../../backend/src/simulators/mitdk';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { testDatabases } from '../helpers/databases';
import { expectCompressedAnswersRead } from '../helpers/compressed-answers';

const cvr = DEMO_ORGANISATION.cvrs[3].cvr;
const user = { dppRefreshToken: 'dpp-r', ngdpRefreshToken: 'ngdp-r', cvrs: [cvr], name: DEMO_ORGANISATION.cvrs[3].name };
const pdf = (s: string) => minimalPdf(s).toString('base64');

describe.each(testDatabases)('mit.dk poll on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let simServer: RunningServer;
  let sim: MitdkSimulatorApi;
  let mailbox: MailboxRow;

  beforeEach(async () => {
    const s = createMitdkSimulator({ users: [user] });
    sim = s.api;
    simServer = await listen(express().use('/sim/mitdk', s.router));
    const d = await tdb.create();
    drop = d.drop;
    // The simulator on a port of its own: named as an allowed mit.dk address (demo mode only).
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, providerBaseUrls: { mitdk: [`${simServer.url}/sim/mitdk${MITDK_API_PATH}`] } });
    const secret = app.ctx.sealer.seal(Buffer.from(JSON.stringify({ dppRefreshToken: user.dppRefreshToken, ngdpRefreshToken: user.ngdpRefreshToken })));
    const [row] = await app.database.db.insert(mailboxes).values({
      orgId: app.demoOrgId!, cvr, provider: 'mitdk', secretEnc: secret,
      config: { baseUrl: `${simServer.url}/sim/mitdk${MITDK_API_PATH}`, dataSources: ['DP_PRIVATE'] },
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
    const a = sim.inject(cvr, { sender: { name: 'Vognmand Hansen ApS', id: '12719280', idType: 'CVR' }, subject: 'Faktura 2026-17', documents: [{ filename: 'Faktura.pdf', content: pdf('Faktura') }] }).id;
    sim.inject(cvr, { sender: { name: 'Lejerforeningen' }, subject: 'Indkaldelse', documents: [{ filename: 'Indkaldelse.pdf', content: pdf('Indkaldelse') }] });
    sim.inject(cvr, { sender: { name: 'Tom afsender' }, subject: 'Uden dokument', documents: [] });
    sim.inject(cvr, { sender: { name: 'Skattestyrelsen' }, subject: 'Offentlig', dataSource: 'DP_PUBLIC', documents: [{ filename: 'x.pdf', content: pdf('x') }] });
    const ctx = { ...app.ctx, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };

    const first = await pollMailbox(ctx, mailbox);
    expect(first).toEqual({ stored: 2, duplicates: 0, quarantined: 1, more: false });
    expect(sim.waiting(cvr).map((m) => m.dataSource)).toEqual(['DP_PUBLIC']); // not configured: left alone

    const rows = await app.database.db.select().from(messages).where(eq(messages.mailboxId, mailbox.id));
    expect(rows).toHaveLength(2);
    const faktura = rows.find((r) => r.label === 'Faktura 2026-17')!;
    expect(faktura).toMatchObject({ provider: 'mitdk', cvr, senderId: '12719280', senderName: 'Vognmand Hansen ApS' });
    const q = await app.database.db.select().from(quarantine).where(eq(quarantine.mailboxId, mailbox.id));
    expect(q).toHaveLength(1);
    expect(q[0].reason).toContain('no-documents');
    expect(parseMitdkProviderId(q[0].providerMessageId).dataSource).toBe('DP_PRIVATE');

    sim.move(cvr, a, 'INBOX');
    const second = await pollMailbox(ctx, mailbox);
    expect(second).toEqual({ stored: 0, duplicates: 1, quarantined: 0, more: false });
    const again = await app.database.db.select().from(messages).where(and(eq(messages.mailboxId, mailbox.id), eq(messages.label, 'Faktura 2026-17')));
    expect(again).toHaveLength(1);
    expect(again[0].memoUuid).toBe(faktura.memoUuid);
    expect(faktura.memoUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(providerMessageUUID('mitdk', cvr, 'x')).not.toBe(faktura.memoUuid);
  });

  test('refresh tokens that mit.dk rotates are stored encrypted at once, without rebuilding the connector', async () => {
    sim.inject(cvr, { sender: { name: 'Lejerforeningen' }, subject: 'Indkaldelse', documents: [{ filename: 'Indkaldelse.pdf', content: pdf('Indkaldelse') }] });
    const ctx = { ...app.ctx, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
    const connector = app.ctx.connectorFor(mailbox);
    await pollMailbox(ctx, mailbox);
    expect(sim.refreshes()).toBeGreaterThan(0);

    const [row] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mailbox.id));
    expect(row.secretEnc!.equals(mailbox.secretEnc!)).toBe(false);
    const stored = JSON.parse(app.ctx.sealer.open(row.secretEnc!).toString()) as { dppRefreshToken: string; ngdpRefreshToken: string };
    expect(stored.dppRefreshToken).not.toBe(user.dppRefreshToken); // the rotated token, not the first one
    expect(row.secretEnc!.includes(Buffer.from(stored.dppRefreshToken))).toBe(false);
    // The next poll reads the new row but keeps the connector (and its session) it already has.
    expect(app.ctx.connectorFor(row as MailboxRow)).toBe(connector);
    // A restart starts from the stored tokens, which mit.dk still accepts.
    const fresh = (await import('../../backend/src/ingest/connectors')).connectorFactory(app.ctx.sealer, undefined, app.ctx.providerUrls);
    sim.inject(cvr, { sender: { name: 'Lejerforeningen' }, subject: 'Referat', documents: [{ filename: 'Referat.pdf', content: pdf('Referat') }] });
    const r = await pollMailbox({ ...ctx, connectorFor: fresh }, row as MailboxRow);
    expect(r.stored).toBe(1);
  });
  test('a server that compresses its answers: lists and messages arrive gzipped, documents byte for byte', async () => {
    await expectCompressedAnswersRead(app, sim, mailbox, cvr);
  });
});
