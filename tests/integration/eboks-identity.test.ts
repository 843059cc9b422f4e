// The e-Boks login identity is a CPR number: it is sealed with the credentials, never stored in the
// clear settings and never returned by the mailbox API, also for a mailbox saved before it moved
// (its config still holds it: read from there, hidden, and moved into the secret on the next save).
import { randomUUID } from 'node:crypto';
import express from 'express';
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, minimalPdf } from '../../backend/src/demo/letters';
import { mailboxes } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import type { MailboxRow } from '../../backend/src/context';
import { createEboksSimulator, EBOKS_API_PATH, type EboksSimulatorApi } from '../../backend/src/simulators/eboks';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { testDatabases } from '../helpers/databases';

const cprs = ['0202801234', '0303821234'];
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

describe.each(testDatabases)('the e-Boks login identity on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let simServer: RunningServer;
  let sim: EboksSimulatorApi;
  const cvrA = DEMO_ORGANISATION.cvrs[0].cvr;
  const cvrB = DEMO_ORGANISATION.cvrs[1].cvr;
  const accounts = [cvrA, cvrB].map((cvr, i) => ({ cvr, identity: cprs[i], password: `pw-${cvr}`, activationCode: 'Act1vate', deviceId: randomUUID() }));

  beforeAll(async () => {
    const s = createEboksSimulator({ accounts });
    sim = s.api;
    simServer = await listen(express().use('/sim/eboks', s.router));
    const d = await tdb.create();
    drop = d.drop;
    // The simulator on a port of its own: named as an allowed e-Boks address (demo mode only).
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, providerBaseUrls: { eboks: [`${simServer.url}/sim/eboks${EBOKS_API_PATH}`] } });
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
    await simServer?.close();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api/admin${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };
  const rowOf = async (cvr: string) => (await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, cvr), eq(mailboxes.provider, 'eboks'))))[0] as MailboxRow;
  const secretOf = (row: MailboxRow) => JSON.parse(app.ctx.sealer.open(row.secretEnc!).toString('utf8'));
  const baseUrl = () => `${simServer.url}/sim/eboks${EBOKS_API_PATH}`;
  const fetchesALetter = async (cvr: string) => {
    sim.inject(cvr, { sender: { name: 'Nykredit' }, subject: 'Brev', documents: [{ filename: 'a.pdf', content: minimalPdf('a').toString('base64') }] });
    return (await pollMailbox({ ...app.ctx, jobs: noJobs }, await rowOf(cvr))).stored;
  };

  test('added through the API with the identity among the settings: sealed, never in a response or the clear config', async () => {
    const a = accounts[0];
    const cpr = a.identity;
    const created = await api('POST', `/cvrs/${cvrA}/mailboxes`, {
      provider: 'eboks', config: { baseUrl: baseUrl(), identity: a.identity, deviceId: a.deviceId },
      credentials: { password: a.password, activationCode: a.activationCode },
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(cpr);
    expect(created.text).not.toContain(cpr.slice(0, 6));
    const row = await rowOf(cvrA);
    expect(row.config).not.toHaveProperty('identity');
    expect(JSON.stringify(row.config)).not.toContain(cpr);
    expect(secretOf(row)).toMatchObject({ identity: cpr, password: a.password });
    for (const path of ['/cvrs', `/mailboxes/${row.id}`]) {
      const got = await api('GET', path);
      expect(got.status).toBe(200);
      expect(got.text).not.toContain(cpr);
    }
    expect(await fetchesALetter(cvrA)).toBe(1); // the connector logs on with the sealed identity
  });

  test('a mailbox saved with the identity in its config: hidden at once, still working, moved into the secret on the next save', async () => {
    const b = accounts[1];
    const cpr = b.identity;
    const [legacy] = await app.database.db.insert(mailboxes).values({
      orgId: app.demoOrgId!, cvr: cvrB, provider: 'eboks',
      config: { baseUrl: baseUrl(), identity: b.identity, deviceId: b.deviceId },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ password: b.password, activationCode: b.activationCode })),
    }).returning();
    const shown = await api('GET', `/mailboxes/${legacy.id}`);
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain(cpr);
    expect(JSON.parse(shown.text).config).toEqual({ baseUrl: baseUrl(), deviceId: b.deviceId });
    expect((await api('GET', '/cvrs')).text).not.toContain(cpr);
    expect(await fetchesALetter(cvrB)).toBe(1);

    // An admin changes a setting (sending the config as the API showed it, without the identity).
    const saved = await api('PATCH', `/mailboxes/${legacy.id}`, { config: { baseUrl: baseUrl(), deviceId: b.deviceId, pageSize: 20 } });
    expect(saved.status).toBe(200);
    expect(saved.text).not.toContain(cpr);
    const row = await rowOf(cvrB);
    expect(row.config).toEqual(expect.objectContaining({ pageSize: 20 }));
    expect(row.config).not.toHaveProperty('identity');
    expect(secretOf(row)).toMatchObject({ identity: cpr, password: b.password });
    expect(await fetchesALetter(cvrB)).toBe(1);

    // New credentials without the identity keep the stored one.
    expect((await api('PATCH', `/mailboxes/${legacy.id}`, { credentials: { password: b.password, activationCode: b.activationCode } })).status).toBe(200);
    expect(secretOf(await rowOf(cvrB))).toMatchObject({ identity: cpr });
  });
});
