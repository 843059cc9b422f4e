// The mit.dk connector against the mit.dk simulator over real HTTP: token refresh and rotation,
// mailbox and folder discovery, listing, fetching and converting to MeMo, acknowledgement (archive or
// mark read, with If-Match), errors, paging and duplicate ids. Also the simulator's control surface.
import express from 'express';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { createMitdkSimulator, MITDK_API_PATH, type MitdkInjectInput, type MitdkSimulatorApi } from '../../backend/src/simulators/mitdk';
import { createMitdkClient, mitdkProviderId, parseMitdkProviderId, type MitdkClientOptions } from '../../backend/src/ingest/mitdk/client';
import { mitdkProvider } from '../../backend/src/ingest/mitdk/provider';
import { mitdkToMemo, mitdkMessageSchema } from '../../backend/src/ingest/mitdk/convert';
import { PROVENANCE_TYPE, UNKNOWN_SENDER_CVR, providerMessageUUID } from '../../backend/src/ingest/eboks/provider-letter';
import { ProviderError, type MailboxConnector } from '../../backend/src/ingest/connector';
import { parseMemo } from '../../backend/src/memo/parse';
import { MemoError } from '../../backend/src/memo/types';
import { minimalPdf } from '../../backend/src/demo/letters';

const CVR = '47511488'; // Nordlys Logistik A/S (demo)
const OTHER_CVR = '62269391';
const STRANGER_CVR = '87033082';
const SENDER_CVR = '10150817';
const USER = { dppRefreshToken: 'dpp-refresh-1', ngdpRefreshToken: 'ngdp-refresh-1', cvrs: [CVR, OTHER_CVR], name: 'Nordlys Logistik A/S' };

let server: RunningServer;
let sim: MitdkSimulatorApi;
let base: string;
let randomValue = 0;

beforeAll(async () => {
  const s = createMitdkSimulator({ users: [USER], random: () => randomValue });
  sim = s.api;
  server = await listen(express().use('/sim/mitdk', s.router));
  base = `${server.url}/sim/mitdk`;
});
afterAll(() => server.close());
beforeEach(() => { sim.reset(); randomValue = 0; sim.setOwnerName(CVR, 'Nordlys Logistik A/S'); });

function client(over: Partial<MitdkClientOptions> = {}) {
  return createMitdkClient({
    baseUrl: `${base}${MITDK_API_PATH}`, cvr: CVR, timeoutMs: 5000,
    refreshTokens: { dppRefreshToken: USER.dppRefreshToken, ngdpRefreshToken: USER.ngdpRefreshToken },
    ...over,
  });
}

const pdf = (text: string) => minimalPdf(text).toString('base64');

function letter(over: Partial<MitdkInjectInput> = {}): MitdkInjectInput {
  return {
    sender: { name: 'Erhvervsstyrelsen', id: SENDER_CVR, idType: 'CVR' },
    subject: 'Påmindelse om årsrapport',
    receivedAt: '2026-03-02T08:15:00Z',
    documents: [
      { filename: 'Påmindelse.pdf', title: 'Påmindelse', content: pdf('Paamindelse') },
      { filename: 'Vejledning.pdf', content: pdf('Vejledning') },
    ],
    ...over,
  };
}

async function collect(c: MailboxConnector, ack = true): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const ids of c.listWaiting()) {
    pages.push(ids);
    if (ack) for (const id of ids) await c.acknowledge(id, { status: 'COMPLETED' });
  }
  return pages;
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

const inject = (cvr: string, body: unknown, type = 'application/json') =>
  fetch(`${base}/${cvr}/messages`, { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify(body) });

const idOf = (pid: string) => parseMitdkProviderId(pid).messageId;

describe('happy path', () => {
  test('list → fetchRaw gives a MeMo with sender, subject and documents → acknowledge archives it', async () => {
    const res = await inject(CVR, letter());
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const older = sim.inject(CVR, letter({ subject: 'Faktura 1001', receivedAt: '2026-03-01T08:00:00Z', sender: { name: 'Leverandøren ApS' } })).id;
    const pub = sim.inject(CVR, letter({ subject: 'Fra det offentlige', dataSource: 'DP_PUBLIC' })).id;
    sim.inject(OTHER_CVR, letter({ subject: 'Ikke min' }));

    const c = client();
    const pages: string[][] = [];
    for await (const ids of c.connector.listWaiting()) pages.push(ids);
    expect(pages.map((p) => p.map(idOf))).toEqual([[older, id], [pub]]); // DP_PRIVATE, then DP_PUBLIC; oldest first
    const pid = pages[0][1];
    expect(parseMitdkProviderId(pid)).toMatchObject({ dataSource: 'DP_PRIVATE', messageId: id });

    const memo = parseMemo(await c.connector.fetchRaw(pid));
    expect(memo.label).toBe('Påmindelse om årsrapport');
    expect(memo.messageUUID).toBe(providerMessageUUID('mitdk', CVR, pid));
    expect(memo.sender).toMatchObject({ id: SENDER_CVR, idType: 'CVR', label: 'Erhvervsstyrelsen' });
    expect(memo.recipient).toMatchObject({ id: CVR, idType: 'CVR', label: 'Nordlys Logistik A/S' });
    expect(memo.body.createdDateTime).toBe('2026-03-02T08:15:00Z');
    expect(memo.body.mainDocument!.label).toBe('Påmindelse');
    expect(memo.body.mainDocument!.files[0]).toMatchObject({ filename: 'Påmindelse.pdf', encodingFormat: 'application/pdf' });
    expect(memo.body.mainDocument!.files[0].content.equals(minimalPdf('Paamindelse'))).toBe(true);
    expect(memo.body.additionalDocuments.map((d) => d.files[0].filename)).toEqual(['Vejledning.pdf']);
    expect(memo.body.additionalDocuments[0].files[0].content.equals(minimalPdf('Vejledning'))).toBe(true);
    expect(memo.contentData?.additionalContentData).toEqual(expect.arrayContaining([
      { contentDataType: PROVENANCE_TYPE, contentDataName: 'provider', contentDataValue: 'mitdk' },
      { contentDataType: PROVENANCE_TYPE, contentDataName: 'providerMessageId', contentDataValue: pid },
    ]));

    await c.connector.acknowledge(pid, { status: 'COMPLETED', messageUUID: memo.messageUUID });
    expect(sim.waiting(CVR).map((w) => w.id).sort()).toEqual([older, pub].sort());
    expect(sim.messages(CVR).find((m) => m.id === id)).toMatchObject({ folder: 'ARCHIVE', read: true });
    await c.connector.acknowledge(pid, { status: 'COMPLETED' }); // again: already gone is fine

    expect(parseMemo(await c.connector.fetchRaw(pages[0][0])).sender).toMatchObject({ id: UNKNOWN_SENDER_CVR, label: 'Leverandøren ApS' });
    expect((await collect(c.connector)).flat().map(idOf).sort()).toEqual([older, pub].sort());
    expect(sim.waiting(CVR)).toEqual([]);
    expect(sim.waiting(OTHER_CVR)).toHaveLength(1);
    expect(c.session.refreshes).toBe(1);
  });

  test('markRead mode: waiting means unread; acknowledging marks read and leaves the letter in the inbox', async () => {
    const a = sim.inject(CVR, letter({ subject: 'A' })).id;
    const b = sim.inject(CVR, letter({ subject: 'B' })).id;
    sim.setRead(CVR, b, true);
    const c = client({ acknowledge: 'markRead' });
    expect((await collect(c.connector)).flat().map(idOf)).toEqual([a]);
    expect(sim.messages(CVR).find((m) => m.id === a)).toMatchObject({ folder: 'INBOX', read: true });
    expect(await collect(c.connector)).toEqual([]);
  });

  test('dataSources limits which of the company\'s mailboxes are read', async () => {
    sim.inject(CVR, letter({ dataSource: 'DP_PUBLIC' }));
    const priv = sim.inject(CVR, letter()).id;
    expect((await collect(client({ dataSources: ['DP_PRIVATE'] }).connector, false)).flat().map(idOf)).toEqual([priv]);
  });

  test('a letter whose version changed after listing is still acknowledged (412 → read again → PATCH)', async () => {
    const id = sim.inject(CVR, letter()).id;
    const c = client();
    const [[pid]] = await collect(c.connector, false);
    sim.setRead(CVR, id, true); // someone opened it on mit.dk meanwhile
    await c.connector.acknowledge(pid, { status: 'COMPLETED' });
    expect(sim.messages(CVR)[0].folder).toBe('ARCHIVE');
  });

  test('a letter without documents is handed over as a non-MeMo, quarantined by the parser, and acknowledged INVALID', async () => {
    sim.inject(CVR, letter({ documents: [] }));
    const c = client();
    const [[pid]] = await collect(c.connector, false);
    const raw = await c.connector.fetchRaw(pid);
    expect(() => parseMemo(raw)).toThrow(MemoError);
    expect(() => parseMemo(raw)).toThrow(/urn:brevdue:unconvertible:no-documents/);
    await c.connector.acknowledge(pid, { status: 'INVALID', errorMessage: 'no document' });
    expect(sim.waiting(CVR)).toEqual([]);
  });

  test('the provider module validates its settings and builds a working connector', async () => {
    const config = mitdkProvider.configSchema.parse({ baseUrl: `${base}${MITDK_API_PATH}` });
    expect(config).toMatchObject({ clientId: 'view-client-id-mobile-prod-1-id', dataSources: ['DP_PRIVATE', 'DP_PUBLIC'], acknowledge: 'archive' });
    expect(() => mitdkProvider.configSchema.parse({ dataSources: [] })).toThrow(/DP_PRIVATE/);
    expect(() => mitdkProvider.secretSchema.parse({ dppRefreshToken: 'x' })).toThrow(/ngdpRefreshToken/);
    expect(mitdkProvider.receivesByPush(config)).toBe(false);
    expect(mitdkProvider.requirements).toMatch(/MitID/);
    const connector = mitdkProvider.createConnector({ id: 'x', cvr: CVR }, config, mitdkProvider.secretSchema.parse({
      dppRefreshToken: USER.dppRefreshToken, ngdpRefreshToken: USER.ngdpRefreshToken,
    }));
    const id = sim.inject(CVR, letter()).id;
    expect((await collect(connector)).flat().map(idOf)).toEqual([id]);
  });
});

describe('tokens', () => {
  test('expired access tokens (401) are refreshed transparently', async () => {
    const id = sim.inject(CVR, letter()).id;
    const c = client();
    const [[pid]] = await collect(c.connector, false);
    expect(sim.expireAccessTokens()).toBe(2);
    expect(parseMemo(await c.connector.fetchRaw(pid)).messageID).toBe(mitdkProviderId('DP_PRIVATE', parseMitdkProviderId(pid).mailboxId, id));
    expect(c.session.refreshes).toBe(2);
    expect(sim.refreshes()).toBe(2);
  });

  test('tokens are renewed before they expire, and each refresh hands out new refresh tokens that work', async () => {
    sim.setFaults({ tokenTtlMs: 1000 }); // expires_in 1 s: always inside the renewal margin
    sim.inject(CVR, letter());
    const seen: { dppRefreshToken: string; ngdpRefreshToken: string }[] = [];
    const c = client({ onTokens: (t) => { seen.push(t); } });
    await collect(c.connector, false);
    expect(c.session.refreshes).toBeGreaterThanOrEqual(3); // mailboxes, folders, messages: one refresh each
    expect(seen).toHaveLength(c.session.refreshes);
    expect(seen[0].dppRefreshToken).not.toBe(USER.dppRefreshToken);
    sim.setFaults({});
    const next = client({ refreshTokens: seen[seen.length - 1] });
    expect((await collect(next.connector, false)).flat()).toHaveLength(1);
  });

  test('refused refresh tokens: not retryable, with a sentence a person can act on', async () => {
    const c = client({ refreshTokens: { dppRefreshToken: 'gammel', ngdpRefreshToken: 'gammel' } });
    const e = await rejection(collect(c.connector));
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(401);
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toMatch(/refused to renew the sign-in.*MitID/);
    expect(e.message).not.toContain('gammel');
  });

  test('a sign-in without the company\'s mailbox is a permanent error naming the CVR', async () => {
    const e = await rejection(collect(client({ cvr: STRANGER_CVR }).connector));
    expect(e.retryable).toBe(false);
    expect(e.kind).toBe('not_set_up_at_provider');
    expect(e.message).toContain(STRANGER_CVR);
  });
});

describe('errors', () => {
  test('5xx and outages are retryable ProviderErrors', async () => {
    sim.inject(CVR, letter());
    const c = client();
    await collect(c.connector, false);
    sim.setFaults({ errorRate: 1 });
    randomValue = 0.2;
    expect(await rejection(collect(c.connector))).toMatchObject({ retryable: true, status: 500, kind: 'provider_unavailable' });
    randomValue = 0.9;
    expect(await rejection(collect(c.connector))).toMatchObject({ retryable: true, status: 503, kind: 'provider_unavailable' });
    sim.setFaults({ outage: true });
    expect(await rejection(collect(client().connector))).toMatchObject({ retryable: true, kind: 'provider_unavailable' }); // the refresh itself
    sim.setFaults({});
    expect((await collect(c.connector)).flat()).toHaveLength(1);
  });

  test('a body cut off mid-transfer, or half a JSON document, is a retryable ProviderError', async () => {
    sim.inject(CVR, letter());
    const c = client();
    const [[pid]] = await collect(c.connector, false);
    sim.setFaults({ truncateRate: 1 });
    const cut = await rejection(c.connector.fetchRaw(pid));
    expect(cut.retryable).toBe(true);
    expect(cut.message).toMatch(/broke off|bytes/);
    expect(cut.kind).toBe('provider_answer_unreadable');
    sim.setFaults({ malformedRate: 1 });
    const half = await rejection(collect(c.connector, false));
    expect(half.retryable).toBe(true);
    expect(half.message).toMatch(/cannot read/);
    expect(half.kind).toBe('provider_answer_unreadable');
    sim.setFaults({});
    expect(sim.waiting(CVR)).toHaveLength(1);
  });
});

describe('paging', () => {
  test('an empty inbox yields nothing', async () => {
    expect(await collect(client().connector)).toEqual([]);
  });

  test('exactly one full page, then done', async () => {
    const ids = Array.from({ length: 3 }, (_, i) => sim.inject(CVR, letter({ receivedAt: `2026-01-0${i + 1}T10:00:00Z` })).id);
    expect((await collect(client({ pageSize: 3, dataSources: ['DP_PRIVATE'] }).connector)).map((p) => p.map(idOf))).toEqual([ids]);
    expect(sim.waiting(CVR)).toEqual([]);
  });

  test('several pages, acknowledged as they come: every letter once, oldest first', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => sim.inject(CVR, letter({ receivedAt: `2026-02-${String(i + 1).padStart(2, '0')}T10:00:00Z` })).id);
    const pages = await collect(client({ pageSize: 3 }).connector);
    expect(pages.flat().map(idOf)).toEqual(ids);
    expect(sim.waiting(CVR)).toEqual([]);
  });

  test('several pages, none acknowledged: every letter once, and the listing ends', async () => {
    const ids = Array.from({ length: 7 }, () => sim.inject(CVR, letter()).id);
    const pages = await collect(client({ pageSize: 3 }).connector, false);
    expect(pages.flat().map(idOf).sort()).toEqual([...ids].sort());
  });

  test('markRead mode over several pages with read letters in between', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => sim.inject(CVR, letter({ receivedAt: `2026-04-0${i + 1}T10:00:00Z` })).id);
    for (const i of [1, 4, 5]) sim.setRead(CVR, ids[i], true);
    const pages = await collect(client({ pageSize: 3, acknowledge: 'markRead' }).connector);
    expect(pages.flat().map(idOf)).toEqual(ids.filter((_, i) => ![1, 4, 5].includes(i)));
    expect(sim.messages(CVR).every((m) => m.read && m.folder === 'INBOX')).toBe(true);
  });
});

describe('duplicates', () => {
  test('the same mit.dk message always gets the same messageUUID; another message another one', async () => {
    sim.inject(CVR, letter());
    sim.inject(CVR, letter());
    const c = client();
    const [[a, b]] = await collect(c.connector, false);
    const first = parseMemo(await c.connector.fetchRaw(a));
    const again = parseMemo(await client().connector.fetchRaw(a));
    const other = parseMemo(await c.connector.fetchRaw(b));
    expect(again.messageUUID).toBe(first.messageUUID);
    expect(other.messageUUID).not.toBe(first.messageUUID);
  });

  test('provider ids round-trip, and foreign ids are refused', () => {
    const pid = mitdkProviderId('DP_PRIVATE', 'mb/1', 'm 2');
    expect(parseMitdkProviderId(pid)).toEqual({ dataSource: 'DP_PRIVATE', mailboxId: 'mb/1', messageId: 'm 2' });
    expect(() => parseMitdkProviderId('abc')).toThrow(ProviderError);
  });
});

describe('conversion (pure)', () => {
  test('a non-CVR sender id is kept as provenance, not as the MeMo sender', () => {
    const m = mitdkMessageSchema.parse({
      id: '1', mailboxId: 'mb', dataSource: 'DP_PRIVATE', label: 'Hej', receivedDateTime: '2026-05-05T10:00:00+02:00',
      sender: { id: 'ABC-123', label: 'Foreningen' }, documents: [{ id: 'd', files: [{ id: 'f', filename: 'a.txt', encodingFormat: 'text/plain' }] }],
    });
    const c = mitdkToMemo(CVR, undefined, 'DP_PRIVATE/mb/1', m, new Map([['f', Buffer.from('hej')]]));
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.memo.sender.id).toBe(UNKNOWN_SENDER_CVR);
    expect(c.memo.body.createdDateTime).toBe('2026-05-05T08:00:00Z');
    expect(c.memo.contentData?.additionalContentData).toContainEqual({ contentDataType: PROVENANCE_TYPE, contentDataName: 'providerSenderId', contentDataValue: 'ABC-123' });
  });
});

describe('simulator control routes', () => {
  test('injection validates CVR, body and content type', async () => {
    expect((await inject('123', letter())).status).toBe(400);
    expect((await inject(CVR, { subject: 'x' })).status).toBe(400);
    expect((await inject(CVR, letter(), 'text/plain')).status).toBe(415);
    expect((await inject(CVR, letter({ dataSource: 'DP_PUBLIC' }))).status).toBe(201);
    const waiting = await (await fetch(`${base}/${CVR}/messages`)).json();
    expect(waiting.messages).toEqual([expect.objectContaining({ dataSource: 'DP_PUBLIC', folder: 'INBOX', label: 'Påmindelse om årsrapport', read: false })]);
  });

  test('the API refuses calls without live tokens and PATCH without If-Match', async () => {
    expect((await fetch(`${base}${MITDK_API_PATH}/mailboxes`)).status).toBe(401);
    const t = await (await fetch(`${base}${MITDK_API_PATH}/authorization/refresh?client_id=x`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dppRefreshToken: USER.dppRefreshToken, ngdpRefreshToken: USER.ngdpRefreshToken }),
    })).json();
    const h = { mitdkToken: t.dpp.access_token, ngdpToken: t.ngdp.access_token, 'Content-Type': 'application/json' };
    expect((await fetch(`${base}${MITDK_API_PATH}/mailboxes`, { headers: { mitdkToken: t.dpp.access_token, ngdpToken: t.dpp.access_token } })).status).toBe(401);
    const boxes = await (await fetch(`${base}${MITDK_API_PATH}/mailboxes`, { headers: h })).json();
    const mb = boxes.groupedMailboxes.flatMap((g: { mailboxes: unknown[] }) => g.mailboxes).find((m: { ownerExternalId: string; dataSource: string }) => m.ownerExternalId === CVR && m.dataSource === 'DP_PRIVATE');
    const id = sim.inject(CVR, letter()).id;
    const url = `${base}${MITDK_API_PATH}/DP_PRIVATE/mailboxes/${mb.id}/messages/${id}`;
    expect((await fetch(url, { method: 'PATCH', headers: h, body: '{"read":true}' })).status).toBe(428);
    expect((await fetch(url, { method: 'PATCH', headers: { ...h, 'If-Match': '99' }, body: '{"read":true}' })).status).toBe(412);
    expect((await fetch(url, { method: 'PATCH', headers: { ...h, 'If-Match': '1' }, body: '{"read":true}' })).status).toBe(200);
    expect((await fetch(url, { method: 'DELETE', headers: h })).status).toBe(204);
    expect(sim.messages(CVR)).toEqual([]);
  });

  test('faults and token expiry can be switched over HTTP; bad faults are refused', async () => {
    const post = (path: string, body?: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    expect((await post('/faults', { errorRate: -1 })).status).toBe(400);
    expect((await post('/faults', { latencyMs: 150 })).status).toBe(200);
    const t = Date.now();
    await collect(client().connector);
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
    expect((await (await post('/tokens/expire')).json()).expired).toBe(2);
    expect((await post('/reset')).status).toBe(204);
  });

  test('instances do not share state', () => {
    const a = createMitdkSimulator();
    const b = createMitdkSimulator();
    a.api.inject(CVR, letter());
    expect(a.api.waiting(CVR)).toHaveLength(1);
    expect(b.api.waiting(CVR)).toHaveLength(0);
  });
});
