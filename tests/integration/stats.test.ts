// Statistics against each test database: a known mix of letters (rule-delivered, placed by a person,
// placed by the assistant, failed, in triage, in progress; two CVR numbers, two senders, three
// channels, letters near midnight and year ends) written as the pipeline writes them, then exact
// totals, Copenhagen buckets, breakdowns, the CSV, roles, tenant isolation and validation.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { AppContext } from '../../backend/src/context';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { createSealer } from '../../backend/src/crypto/envelope';
import { apiRouter } from '../../backend/src/api/router';
import { errorHandler } from '../../backend/src/api/errors';
import { cvrNumbers, deliveries, destinations, events, mailboxes, messages, organisations } from '../../backend/src/store/schema';
import { silentLogger } from '../../backend/src/log';
import { apiErrorSchema, statsResponseSchema, type StatsResponse } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';

const SKAT = { id: '19552101', name: 'Skattestyrelsen' };
const KBH = { id: '64942212', name: 'Københavns Kommune' };
const ALFA = { cvr: '11111111', name: 'Alfa ApS' };
const BETA = { cvr: '22222222', name: 'Beta A/S' };

type Kind = 'rule' | 'person' | 'assistant' | 'failed' | 'triage' | 'pending';

describe.each(testDatabases)('statistics on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let base: string;
  let close: () => void;
  let orgA: string;
  let orgB: string;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const entra = { clientId: 'c', audience: 'api://brevdue', authorityHost: '' };
  let idpKey: CryptoKey;
  const dest: Record<'finance' | 'hr' | 'other', string> = { finance: '', hr: '', other: '' };
  const mailboxIds = new Map<string, string>();

  /** A letter as ingest, routing, triage and delivery leave it. */
  async function letter(orgId: string, o: { at: string; provider: string; cvr: string; sender: { id: string; name: string }; kind: Kind; to: string[] }) {
    const db = database.db;
    const mbKey = `${orgId}/${o.cvr}/${o.provider}`;
    if (!mailboxIds.has(mbKey)) {
      const [mb] = await db.insert(mailboxes).values({ orgId, cvr: o.cvr, provider: o.provider }).returning({ id: mailboxes.id });
      mailboxIds.set(mbKey, mb.id);
    }
    const status = { rule: 'delivered', person: 'delivered', assistant: 'delivered', failed: 'failed', triage: 'triage', pending: 'routed' }[o.kind];
    const [m] = await db.insert(messages).values({
      orgId, mailboxId: mailboxIds.get(mbKey)!, provider: o.provider, cvr: o.cvr, memoUuid: randomUUID(), memoVersion: '1.2',
      label: 'Brev', senderId: o.sender.id, senderIdType: 'CVR', senderName: o.sender.name, recipientId: o.cvr, recipientIdType: 'CVR',
      memoCreatedAt: new Date(o.at), receivedAt: new Date(o.at), status, rawEnc: Buffer.from('sealed'),
    }).returning({ id: messages.id });
    const ev = (type: string, actor: string) => db.insert(events).values({ orgId, messageId: m.id, type, actor, text: type, at: new Date(o.at) });
    await ev('fetched', 'system');
    if (o.kind === 'triage' || o.kind === 'person' || o.kind === 'assistant') await ev('triage', 'system');
    const reason = o.kind === 'person' || o.kind === 'assistant' ? 'placement' : 'initial';
    const requestedBy = o.kind === 'person' ? 'Karen Jensen' : o.kind === 'assistant' ? 'assistant' : 'system';
    if (o.kind === 'person') await ev('placed', 'Karen Jensen');
    if (o.kind === 'assistant') await ev('auto_placed', 'assistant');
    if (reason === 'initial' && o.kind !== 'triage') await ev('routed', 'system');
    for (const destinationId of o.to) {
      const dStatus = o.kind === 'failed' ? 'dead' : o.kind === 'pending' ? 'pending' : 'delivered';
      await db.insert(deliveries).values({ orgId, messageId: m.id, destinationId, reason, requestedBy, status: dStatus, deliveredAt: dStatus === 'delivered' ? new Date(o.at) : null });
      if (dStatus === 'delivered') await ev('delivered', 'system');
    }
    return m.id;
  }

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    const db = database.db;
    [{ id: orgA }] = await db.insert(organisations).values({ name: 'Nordlys', entraTenantId: tenantA }).returning({ id: organisations.id });
    [{ id: orgB }] = await db.insert(organisations).values({ name: 'Andet firma', entraTenantId: tenantB }).returning({ id: organisations.id });
    await db.insert(cvrNumbers).values([{ orgId: orgA, ...ALFA }, { orgId: orgA, ...BETA }, { orgId: orgB, cvr: '33333333', name: 'Gamma' }]);
    const mk = async (orgId: string, displayName: string, kind: string) =>
      (await db.insert(destinations).values({ orgId, kind, displayName, mailbox: kind === 'teams_channel' ? null : 'post@nordlys.example' }).returning({ id: destinations.id }))[0].id;
    dest.finance = await mk(orgA, 'Økonomi', 'shared_mailbox');
    dest.hr = await mk(orgA, 'HR', 'teams_channel');
    dest.other = await mk(orgB, 'Gammas postkasse', 'shared_mailbox');

    // Copenhagen is UTC+1 in winter, UTC+2 in summer: 23:30 UTC in March and 22:30 UTC in April
    // are already the next Copenhagen day.
    await letter(orgA, { at: '2023-12-31T22:59:00Z', provider: 'ngdp', cvr: ALFA.cvr, sender: SKAT, kind: 'rule', to: [dest.finance] }); // 2023-12-31 23:59: before the period
    await letter(orgA, { at: '2023-12-31T23:30:00Z', provider: 'ngdp', cvr: ALFA.cvr, sender: KBH, kind: 'pending', to: [dest.finance] }); // 2024-01-01
    await letter(orgA, { at: '2024-03-10T10:00:00Z', provider: 'ngdp', cvr: ALFA.cvr, sender: SKAT, kind: 'rule', to: [dest.finance] });
    await letter(orgA, { at: '2024-03-10T23:30:00Z', provider: 'eboks', cvr: ALFA.cvr, sender: KBH, kind: 'person', to: [dest.hr] }); // 2024-03-11
    await letter(orgA, { at: '2024-03-11T08:00:00Z', provider: 'mitdk', cvr: BETA.cvr, sender: SKAT, kind: 'assistant', to: [dest.finance] });
    await letter(orgA, { at: '2024-03-12T09:00:00Z', provider: 'ngdp', cvr: BETA.cvr, sender: KBH, kind: 'failed', to: [dest.hr] });
    await letter(orgA, { at: '2024-04-02T12:00:00Z', provider: 'ngdp', cvr: ALFA.cvr, sender: SKAT, kind: 'triage', to: [] });
    await letter(orgA, { at: '2024-04-30T22:30:00Z', provider: 'ngdp', cvr: BETA.cvr, sender: SKAT, kind: 'rule', to: [dest.finance, dest.hr] }); // 2024-05-01
    await letter(orgA, { at: '2024-12-31T23:30:00Z', provider: 'ngdp', cvr: ALFA.cvr, sender: SKAT, kind: 'rule', to: [dest.finance] }); // 2025-01-01: after
    await letter(orgB, { at: '2024-03-10T10:00:00Z', provider: 'ngdp', cvr: '33333333', sender: SKAT, kind: 'person', to: [dest.other] });

    const pair = await generateKeyPair('RS256');
    idpKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const sealer = createSealer(randomBytes(32));
    const app = express();
    app.get('/idp/:tid/discovery/v2.0/keys', (_req, res) => { res.json({ keys: [jwk] }); });
    const delivery = { ctx: { db, sealer } as unknown as AppContext, check: async () => [] };
    app.use('/api', apiRouter({ db, sealer, jobsRunning: () => true, version: 't', demo: null, entra, mailboxChanged: async () => undefined, delivery }));
    app.use(errorHandler(silentLogger));
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    entra.authorityHost = `${base}/idp`;
    close = () => server.close();
  });
  afterAll(async () => {
    close?.();
    await database?.close();
    await drop?.();
  });

  const token = (tid = tenantA, roles = ['reader']) => new SignJWT({ tid, oid: 'u1', name: 'Læser', roles, scp: 'access_as_user' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(`${entra.authorityHost}/${tid}/v2.0`).setAudience('api://brevdue')
    .setIssuedAt().setExpirationTime('1h').sign(idpKey);
  const get = async (path: string, tid = tenantA) => {
    const res = await fetch(`${base}/api${path}`, { headers: { Authorization: `Bearer ${await token(tid)}` } });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const stats = async (qs: string, tid = tenantA): Promise<StatsResponse> => {
    const r = await get(`/stats?${qs}`, tid);
    expect(r.status).toBe(200);
    return statsResponseSchema.parse(JSON.parse(r.text));
  };
  const counts = (o: { fetched: number; delivered?: number; automatic?: number; manual?: number; triage?: number; failed?: number; inProgress?: number }) => ({
    delivered: 0, automatic: 0, manual: 0, triage: 0, failed: 0, inProgress: 0, ...o,
    automationRate: o.delivered ? (o.automatic ?? 0) / o.delivered : null,
  });

  test('a reader gets exact totals and monthly buckets of Copenhagen time; the automation rate counts rules and the assistant', async () => {
    const s = await stats('from=2024-01-01&to=2024-12-31&granularity=month&by=channel');
    expect(s).toMatchObject({ from: '2024-01-01', to: '2024-12-31', granularity: 'month', by: 'channel', timeZone: 'Europe/Copenhagen' });
    expect(s.totals).toEqual(counts({ fetched: 7, delivered: 4, automatic: 3, manual: 1, triage: 1, failed: 1, inProgress: 1 }));
    expect(s.totals.automationRate).toBe(0.75);
    expect(s.series.map((b) => b.bucket)).toEqual(Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`));
    const month = (m: string) => s.series.find((b) => b.bucket === m)!;
    expect(month('2024-01')).toEqual({ bucket: '2024-01', ...counts({ fetched: 1, inProgress: 1 }) });
    expect(month('2024-02')).toEqual({ bucket: '2024-02', ...counts({ fetched: 0 }) });
    expect(month('2024-03')).toEqual({ bucket: '2024-03', ...counts({ fetched: 4, delivered: 3, automatic: 2, manual: 1, failed: 1 }) });
    expect(month('2024-04')).toEqual({ bucket: '2024-04', ...counts({ fetched: 1, triage: 1 }) });
    expect(month('2024-05')).toEqual({ bucket: '2024-05', ...counts({ fetched: 1, delivered: 1, automatic: 1 }) });
    expect(s.series.slice(5).every((b) => b.fetched === 0)).toBe(true);
    expect(s.breakdown).toEqual([
      { key: 'ngdp', label: 'Digital Post', ...counts({ fetched: 5, delivered: 2, automatic: 2, triage: 1, failed: 1, inProgress: 1 }) },
      { key: 'eboks', label: 'e-Boks', ...counts({ fetched: 1, delivered: 1, manual: 1 }) },
      { key: 'mitdk', label: 'mit.dk', ...counts({ fetched: 1, delivered: 1, automatic: 1 }) },
    ]);
  });

  test('days are Copenhagen days: 23:30 UTC lands on the next day; empty days are zeros', async () => {
    const s = await stats('from=2024-03-09&to=2024-03-12&granularity=day');
    expect(s.series.map((b) => [b.bucket, b.fetched, b.delivered, b.automatic])).toEqual([
      ['2024-03-09', 0, 0, 0], ['2024-03-10', 1, 1, 1], ['2024-03-11', 2, 2, 1], ['2024-03-12', 1, 0, 0],
    ]);
    const years = await stats('from=2023-01-01&to=2025-12-31&granularity=year');
    expect(years.series.map((b) => [b.bucket, b.fetched])).toEqual([['2023', 1], ['2024', 7], ['2025', 1]]);
  });

  test('breakdowns by CVR number, sender and destination', async () => {
    const q = 'from=2024-01-01&to=2024-12-31&granularity=month';
    expect((await stats(`${q}&by=cvr`)).breakdown).toEqual([
      { key: ALFA.cvr, label: ALFA.name, ...counts({ fetched: 4, delivered: 2, automatic: 1, manual: 1, triage: 1, inProgress: 1 }) },
      { key: BETA.cvr, label: BETA.name, ...counts({ fetched: 3, delivered: 2, automatic: 2, failed: 1 }) },
    ]);
    expect((await stats(`${q}&by=sender`)).breakdown).toEqual([
      { key: SKAT.id, label: SKAT.name, ...counts({ fetched: 4, delivered: 3, automatic: 3, triage: 1 }) },
      { key: KBH.id, label: KBH.name, ...counts({ fetched: 3, delivered: 1, manual: 1, failed: 1, inProgress: 1 }) },
    ]);
    // A letter counts for every destination it was sent to (the one sent to both is in both rows).
    expect((await stats(`${q}&by=destination`)).breakdown).toEqual([
      { key: dest.finance, label: 'Økonomi', ...counts({ fetched: 4, delivered: 3, automatic: 3, inProgress: 1 }) },
      { key: dest.hr, label: 'HR', ...counts({ fetched: 3, delivered: 2, automatic: 1, manual: 1, failed: 1 }) },
    ]);
  });

  test('CSV: UTF-8 with BOM, semicolons, decimal comma, one row per month and group, named for the period', async () => {
    const r = await get('/stats.csv?from=2024-01-01&to=2024-12-31&granularity=month&by=cvr&lang=da');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="brevdue-statistik-2024-01-01-2024-12-31.csv"');
    // fetch's text() drops a leading BOM; read the bytes.
    const raw = Buffer.from(await (await fetch(`${base}/api/stats.csv?from=2024-01-01&to=2024-12-31&granularity=month&by=cvr&lang=da`, {
      headers: { Authorization: `Bearer ${await token()}` },
    })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = raw.subarray(3).toString('utf8').split('\r\n');
    expect(lines).toEqual([
      'Måned;CVR-nummer;Navn;Hentet;Leveret;Automatisk;Manuelt;Til sortering;Fejlet;Under behandling;Automatiseringsgrad (%)',
      '2024-01;11111111;Alfa ApS;1;0;0;0;0;0;1;',
      '2024-03;11111111;Alfa ApS;2;2;1;1;0;0;0;50,0',
      '2024-03;22222222;Beta A/S;2;1;1;0;0;1;0;100,0',
      '2024-04;11111111;Alfa ApS;1;0;0;0;1;0;0;',
      '2024-05;22222222;Beta A/S;1;1;1;0;0;0;0;100,0',
      '',
    ]);
    const en = await get('/stats.csv?from=2024-03-01&to=2024-03-31&by=sender');
    expect(en.headers.get('content-disposition')).toContain('brevdue-statistics-2024-03-01-2024-03-31.csv');
    expect(en.text.split('\r\n')[0]).toBe('Day;Sender id;Sender;Fetched;Delivered;Automatic;Manual;In triage;Failed;In progress;Automation rate (%)');
    expect(en.text).toContain('2024-03-11;64942212;Københavns Kommune;1;1;0;1;0;0;0;0,0');
  });

  test('every organisation sees its own letters only', async () => {
    const b = await stats('from=2024-01-01&to=2024-12-31&granularity=month&by=destination', tenantB);
    expect(b.totals).toEqual(counts({ fetched: 1, delivered: 1, manual: 1 }));
    expect(b.breakdown).toEqual([{ key: dest.other, label: 'Gammas postkasse', ...counts({ fetched: 1, delivered: 1, manual: 1 }) }]);
    const csv = await get('/stats.csv?from=2024-01-01&to=2024-12-31&granularity=year&by=cvr', tenantB);
    expect(csv.text.trim().split('\r\n').slice(1)).toEqual(['2024;33333333;Gamma;1;1;0;1;0;0;0;0,0']);
    const unauth = await fetch(`${base}/api/stats`);
    expect(unauth.status).toBe(401);
  });

  test('defaults, and readable 400s for bad parameters and too long periods', async () => {
    const d = await stats('');
    expect(d.granularity).toBe('day');
    expect(d.by).toBe('channel');
    expect(d.series).toHaveLength(30);
    expect(Date.parse(d.to) - Date.parse(d.from)).toBe(29 * 86_400_000);
    expect((await stats('granularity=month')).series).toHaveLength(12);
    const bad = async (qs: string, re: RegExp) => {
      const r = await get(`/stats?${qs}`);
      expect(r.status).toBe(400);
      expect(apiErrorSchema.parse(JSON.parse(r.text)).error.message).toMatch(re);
      expect((await get(`/stats.csv?${qs}`)).status).toBe(400);
    };
    await bad('granularity=week', /^granularity: .*'day' \| 'month' \| 'year'/);
    await bad('by=colour', /^by: /);
    await bad('from=2024-02-30', /^from: is not a calendar date/);
    await bad('from=1.3.2024', /^from: must be a date as YYYY-MM-DD/);
    await bad('from=2024-05-01&to=2024-04-01', /from \(2024-05-01\) must not be after to \(2024-04-01\)/);
    await bad('from=2020-01-01&to=2024-12-31&granularity=day', /too long for granularity day: at most 3 years/);
    expect((await get('/stats?from=2022-01-01&to=2024-12-31&granularity=day')).status).toBe(200);
    await bad('from=2000-01-01&to=2024-12-31&granularity=month', /at most 10 years of months/);
  });
});
