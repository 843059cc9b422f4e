// The e-Boks connector against the e-Boks simulator over real HTTP: logon and rolling nonce, listing,
// fetching and converting to MeMo, acknowledgement by moving to the archive, session expiry, errors,
// paging and duplicate ids. Also the simulator's own control surface.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { createEboksSimulator, EBOKS_API_PATH, type EboksInjectInput, type EboksSimulatorApi } from '../../backend/src/simulators/eboks';
import { createEboksClient, type EboksClientOptions } from '../../backend/src/ingest/eboks/client';
import { eboksProvider } from '../../backend/src/ingest/eboks/provider';
import { eboksToMemo, eboksMimeType, eboksFilename } from '../../backend/src/ingest/eboks/convert';
import { PROVENANCE_TYPE, UNKNOWN_SENDER_CVR, providerMessageUUID, toMemoDateTime } from '../../backend/src/ingest/eboks/provider-letter';
import { ProviderError, type MailboxConnector } from '../../backend/src/ingest/connector';
import { logonChallenge, nonceResponse, parseAuthHeader } from '../../backend/src/ingest/eboks/session';
import { parseMemo } from '../../backend/src/memo/parse';
import { MemoError } from '../../backend/src/memo/types';
import { minimalPdf } from '../../backend/src/demo/letters';

const CVR = '72494814'; // Nordlys Holding A/S (demo)
const OTHER_CVR = '87033082';
const SENDER_CVR = '73423023'; // a valid CVR used as e-Boks sender id
const ACCOUNT = {
  cvr: CVR, identity: '0101901234', password: 'hemmeligt-1', activationCode: 'Akt1v3r1ng', deviceId: randomUUID(), name: 'Nordlys Holding A/S',
};
const OTHER = { cvr: OTHER_CVR, password: 'andet-2', activationCode: 'Other123', name: 'Nordlys Ejendomme ApS' };

let server: RunningServer;
let sim: EboksSimulatorApi;
let base: string; // mount
let randomValue = 0;

beforeAll(async () => {
  const s = createEboksSimulator({ accounts: [ACCOUNT, OTHER], random: () => randomValue });
  sim = s.api;
  const app = express();
  app.use('/sim/eboks', s.router);
  server = await listen(app);
  base = `${server.url}/sim/eboks`;
});
afterAll(() => server.close());
beforeEach(() => { sim.reset(); randomValue = 0; });

function client(over: Partial<EboksClientOptions> = {}) {
  return createEboksClient({
    baseUrl: `${base}${EBOKS_API_PATH}`,
    cvr: CVR,
    credentials: {
      identity: ACCOUNT.identity, identityType: 'P', nationality: 'DK', deviceId: ACCOUNT.deviceId,
      password: ACCOUNT.password, activationCode: ACCOUNT.activationCode,
    },
    timeoutMs: 5000,
    ...over,
  });
}

const pdf = (text: string) => minimalPdf(text).toString('base64');

function letter(over: Partial<EboksInjectInput> = {}): EboksInjectInput {
  return {
    sender: { name: 'Danske Bank A/S', id: SENDER_CVR },
    subject: 'Kontoudtog for 4. kvartal',
    receivedAt: '2026-01-15T09:30:00Z',
    documents: [
      { filename: 'Kontoudtog.pdf', content: pdf('Kontoudtog') },
      { filename: 'Vilkår.pdf', content: pdf('Vilkaar') },
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

describe('happy path', () => {
  test('list → fetchRaw gives a MeMo with sender, subject and documents → acknowledge archives it', async () => {
    const res = await inject(CVR, letter());
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const older = sim.inject(CVR, letter({ subject: 'Ældre brev', receivedAt: '2026-01-10T08:00:00Z', sender: { name: 'Tryg Forsikring' }, documents: [{ filename: 'Police.pdf', content: pdf('Police') }] })).id;
    sim.inject(OTHER_CVR, letter({ subject: 'Ikke min' }));

    const c = client();
    const pages: string[][] = [];
    for await (const ids of c.connector.listWaiting()) pages.push(ids);
    expect(pages).toEqual([[older, id]]); // oldest first

    const raw = await c.connector.fetchRaw(id);
    const memo = parseMemo(raw);
    expect(memo.label).toBe('Kontoudtog for 4. kvartal');
    expect(memo.messageID).toBe(id);
    expect(memo.messageUUID).toBe(providerMessageUUID('eboks', CVR, id));
    expect(memo.sender).toMatchObject({ id: SENDER_CVR, idType: 'CVR', label: 'Danske Bank A/S' });
    expect(memo.recipient).toMatchObject({ id: CVR, idType: 'CVR', label: 'Nordlys Holding A/S' });
    expect(memo.body.createdDateTime).toBe('2026-01-15T09:30:00Z'); // e-Boks local time → UTC again
    const main = memo.body.mainDocument!;
    expect(main.label).toBe('Kontoudtog for 4. kvartal');
    expect(main.files[0]).toMatchObject({ filename: 'Kontoudtog for 4. kvartal.pdf', encodingFormat: 'application/pdf', language: 'da' });
    expect(main.files[0].content.equals(minimalPdf('Kontoudtog'))).toBe(true);
    expect(memo.body.additionalDocuments).toHaveLength(1);
    expect(memo.body.additionalDocuments[0].label).toBe('Vilkår');
    expect(memo.body.additionalDocuments[0].files[0]).toMatchObject({ filename: 'Vilkår.pdf', encodingFormat: 'application/pdf' });
    expect(memo.body.additionalDocuments[0].files[0].content.equals(minimalPdf('Vilkaar'))).toBe(true);
    expect(memo.contentData?.additionalContentData).toEqual(expect.arrayContaining([
      { contentDataType: PROVENANCE_TYPE, contentDataName: 'provider', contentDataValue: 'eboks' },
      { contentDataType: PROVENANCE_TYPE, contentDataName: 'providerMessageId', contentDataValue: id },
    ]));

    await c.connector.acknowledge(id, { status: 'COMPLETED', messageUUID: memo.messageUUID });
    expect(sim.waiting(CVR).map((w) => w.id)).toEqual([older]);
    expect(sim.messages(CVR).find((m) => m.id === id)).toMatchObject({ folder: 'Arkiv', unread: false });
    // Acknowledging again (an overlapping poll) is fine.
    await c.connector.acknowledge(id, { status: 'COMPLETED' });

    const older2 = parseMemo(await c.connector.fetchRaw(older));
    expect(older2.sender).toMatchObject({ id: UNKNOWN_SENDER_CVR, label: 'Tryg Forsikring' }); // no CVR known
    await c.connector.acknowledge(older, { status: 'COMPLETED' });
    expect(await collect(c.connector)).toEqual([]);
    expect(sim.waiting(OTHER_CVR)).toHaveLength(1);
    expect(c.session.logins).toBe(1);
  });

  test('calls on one session run one at a time, so the rolling nonce survives parallel fetches', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => sim.inject(CVR, letter({ subject: `Brev ${i}` })).id);
    const c = client();
    const raws = await Promise.all(ids.map((id) => c.connector.fetchRaw(id)));
    expect(raws.map((r) => parseMemo(r).label)).toEqual(ids.map((_, i) => `Brev ${i}`));
    expect(c.session.logins).toBe(1);
  });

  test('a letter without documents is handed over as a non-MeMo, quarantined by the parser, and acknowledged INVALID', async () => {
    const id = sim.inject(CVR, letter({ documents: [] })).id;
    const c = client();
    const raw = await c.connector.fetchRaw(id);
    expect(() => parseMemo(raw)).toThrow(MemoError);
    expect(() => parseMemo(raw)).toThrow(/urn:brevdue:unconvertible:no-documents/);
    expect(raw.toString()).toContain('needs a main document');
    await c.connector.acknowledge(id, { status: 'INVALID', errorMessage: 'no main document' });
    expect(sim.waiting(CVR)).toEqual([]);
    expect(sim.messages(CVR)[0].folder).toBe('Arkiv');
  });

  test('the provider module validates its settings and builds a working connector', async () => {
    const config = eboksProvider.configSchema.parse({ baseUrl: `${base}${EBOKS_API_PATH}`, deviceId: ACCOUNT.deviceId });
    expect(config).toMatchObject({ identityType: 'P', nationality: 'DK', mailboxId: '0', inboxFolder: 'Indbakke', archiveFolder: 'Arkiv' });
    // The login identity (a CPR number) is a sealed credential, never a clear setting.
    expect(eboksProvider.secretSettings).toEqual(['identity']);
    expect(() => eboksProvider.secretSchema.parse({ identity: '12', password: 'x', activationCode: 'y' })).toThrow(/identity/);
    expect(() => eboksProvider.secretSchema.parse({ identity: ACCOUNT.identity, password: 'x' })).toThrow(/activationCode/);
    expect(eboksProvider.receivesByPush(config)).toBe(false);
    expect(eboksProvider.requirements).toMatch(/agreement with e-Boks/);
    const connector = eboksProvider.createConnector({ id: randomUUID(), cvr: CVR }, config,
      eboksProvider.secretSchema.parse({ identity: ACCOUNT.identity, password: ACCOUNT.password, activationCode: ACCOUNT.activationCode }));
    const id = sim.inject(CVR, letter()).id;
    expect(await collect(connector)).toEqual([[id]]);
  });
});

describe('session', () => {
  test('an expired session (401) logs on again transparently', async () => {
    const id = sim.inject(CVR, letter()).id;
    const c = client();
    expect(await collect(c.connector, false)).toEqual([[id]]);
    expect(sim.expireSessions(CVR)).toBe(1);
    expect(parseMemo(await c.connector.fetchRaw(id)).label).toBe('Kontoudtog for 4. kvartal');
    expect(c.session.logins).toBe(2);
    expect(sim.logons(CVR)).toBe(2);
  });

  test('a session lifetime fault forces a new logon', async () => {
    const id = sim.inject(CVR, letter()).id;
    const c = client();
    await collect(c.connector, false);
    sim.setFaults({ sessionTtlMs: 0 });
    await new Promise((r) => setTimeout(r, 5));
    // Every session is dead on arrival now: one re-logon, then a clear, permanent error.
    const e = await rejection(c.connector.fetchRaw(id));
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/right after a fresh logon/);
    expect(c.session.logins).toBe(2);
    sim.setFaults({});
    expect(parseMemo(await c.connector.fetchRaw(id)).messageID).toBe(id);
  });

  test('wrong credentials: not retryable, with a sentence a person can act on', async () => {
    const c = client({ credentials: { identity: ACCOUNT.identity, identityType: 'P', nationality: 'DK', deviceId: ACCOUNT.deviceId, password: 'forkert', activationCode: ACCOUNT.activationCode } });
    const e = await rejection(collect(c.connector));
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(401);
    expect(e.kind).toBe('credentials_refused');
    expect(e.message).toMatch(/refused the logon.*password.*activation code/);
    expect(e.message).not.toContain('forkert');
    const wrongDevice = client({ credentials: { identity: ACCOUNT.identity, identityType: 'P', nationality: 'DK', deviceId: randomUUID(), password: ACCOUNT.password, activationCode: ACCOUNT.activationCode } });
    expect(await rejection(collect(wrongDevice.connector))).toMatchObject({ retryable: false, kind: 'credentials_refused' });
  });

  test('the simulator checks the logon challenge and the rolling nonce, and closes a session on a replay', async () => {
    const api = `${base}${EBOKS_API_PATH}`;
    const creds = { identity: ACCOUNT.identity, identityType: 'P', nationality: 'DK', deviceId: ACCOUNT.deviceId, password: ACCOUNT.password, activationCode: ACCOUNT.activationCode };
    const datetime = '2026-01-18 12:00:00Z';
    const logon = (challenge: string) => fetch(`${api}/session`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/xml', 'X-EBOKS-AUTHENTICATE': `logon deviceid="${creds.deviceId}",datetime="${datetime}",challenge="${challenge}"` },
      body: `<Logon xmlns="urn:eboks:mobile:1.0.0"><User identity="${creds.identity}" identityType="P" nationality="DK" pincode="${creds.password}"/></Logon>`,
    });
    expect((await logon(logonChallenge({ ...creds, activationCode: 'wrong' }, datetime))).status).toBe(401);
    const ok = await logon(logonChallenge(creds, datetime));
    expect(ok.status).toBe(200);
    const { sessionid, nonce } = parseAuthHeader(ok.headers.get('x-eboks-authenticate'));
    const userId = /userId="(\d+)"/.exec(await ok.text())![1];
    const call = (n: string) => fetch(`${api}/${userId}/0/mail/folders`, {
      headers: { 'X-EBOKS-AUTHENTICATE': `deviceid="${creds.deviceId}",nonce="${n}",sessionid="${sessionid}",response="${nonceResponse(creds, n)}"` },
    });
    const first = await call(nonce);
    expect(first.status).toBe(200);
    const next = parseAuthHeader(first.headers.get('x-eboks-authenticate')).nonce;
    expect(next).toBeTruthy();
    expect(next).not.toBe(nonce);
    expect((await call(nonce)).status).toBe(401); // replay
    expect((await call(next)).status).toBe(401); // the session is closed now
  });
});

describe('errors', () => {
  test('5xx and outages are retryable ProviderErrors', async () => {
    sim.inject(CVR, letter());
    const c = client();
    sim.setFaults({ errorRate: 1 });
    randomValue = 0.2; // → 500
    const e500 = await rejection(collect(c.connector));
    expect(e500).toMatchObject({ retryable: true, status: 500, kind: 'provider_unavailable' });
    randomValue = 0.9; // → 503
    expect(await rejection(collect(c.connector))).toMatchObject({ retryable: true, status: 503, kind: 'provider_unavailable' });
    sim.setFaults({ outage: true });
    const out = await rejection(collect(c.connector));
    expect(out.retryable).toBe(true);
    expect(out.kind).toBe('provider_unavailable');
    expect(out.message).toMatch(/503/);
    sim.setFaults({});
    expect((await collect(c.connector)).flat()).toHaveLength(1);
  });

  test('a body cut off mid-transfer is a retryable ProviderError, for lists and documents', async () => {
    const id = sim.inject(CVR, letter()).id;
    const c = client();
    await collect(c.connector, false); // log on and learn the folders first
    sim.setFaults({ truncateRate: 1 });
    const cut = await rejection(c.connector.fetchRaw(id));
    expect(cut.retryable).toBe(true);
    expect(cut.message).toMatch(/broke off|bytes/);
    expect(cut.kind).toBe('provider_answer_unreadable');
    sim.setFaults({ malformedRate: 1 });
    const half = await rejection(collect(c.connector, false));
    expect(half.retryable).toBe(true);
    expect(half.message).toMatch(/cannot read/);
    expect(half.kind).toBe('provider_answer_unreadable');
    sim.setFaults({});
    expect(sim.waiting(CVR)).toHaveLength(1); // nothing was lost or moved
  });

  test('a missing archive folder is a permanent error that names the folder', async () => {
    sim.inject(CVR, letter());
    sim.setFolders(CVR, [{ id: '0', name: 'Indbakke' }]);
    const e = await rejection(collect(client().connector));
    expect(e.retryable).toBe(false);
    expect(e.kind).toBe('not_set_up_at_provider');
    expect(e.message).toContain('"Arkiv"');
  });
});

describe('paging', () => {
  test('an empty inbox yields nothing', async () => {
    expect(await collect(client().connector)).toEqual([]);
  });

  test('exactly one full page, then done', async () => {
    const ids = Array.from({ length: 3 }, (_, i) => sim.inject(CVR, letter({ receivedAt: `2026-01-0${i + 1}T10:00:00Z` })).id);
    const pages = await collect(client({ pageSize: 3 }).connector);
    expect(pages).toEqual([ids]);
    expect(sim.waiting(CVR)).toEqual([]);
  });

  test('several pages, acknowledged as they come: every letter once', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => sim.inject(CVR, letter({ receivedAt: `2026-02-${String(i + 1).padStart(2, '0')}T10:00:00Z` })).id);
    const pages = await collect(client({ pageSize: 3 }).connector);
    expect(pages.flat().sort()).toEqual([...ids].sort());
    expect(pages.every((p) => p.length <= 3)).toBe(true);
    expect(sim.waiting(CVR)).toEqual([]);
  });

  test('several pages, none acknowledged: every letter once, and the listing ends', async () => {
    const ids = Array.from({ length: 7 }, () => sim.inject(CVR, letter()).id);
    const pages = await collect(client({ pageSize: 3 }).connector, false);
    expect(pages.flat().sort()).toEqual([...ids].sort());
    expect(sim.waiting(CVR)).toHaveLength(7);
  });
});

describe('duplicates', () => {
  test('the same e-Boks message always gets the same messageUUID; another message another one', async () => {
    const a = sim.inject(CVR, letter()).id;
    const b = sim.inject(CVR, letter()).id; // same content, different e-Boks id
    const c = client();
    const first = parseMemo(await c.connector.fetchRaw(a));
    const again = parseMemo(await client().connector.fetchRaw(a)); // another connector, new session
    const other = parseMemo(await c.connector.fetchRaw(b));
    expect(again.messageUUID).toBe(first.messageUUID);
    expect(other.messageUUID).not.toBe(first.messageUUID);
    expect(first.messageUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(providerMessageUUID('eboks', OTHER_CVR, a)).not.toBe(first.messageUUID); // per mailbox
  });
});

describe('conversion (pure)', () => {
  const msg = { id: '42', name: 'Faktura', receivedDateTime: '2026-07-01T12:00:00', format: 'PDF', sender: { name: 'Ørsted' }, attachments: [] };
  test('summer time and formats', () => {
    expect(toMemoDateTime('2026-07-01T12:00:00')).toBe('2026-07-01T10:00:00Z');
    expect(toMemoDateTime('2026-01-01T00:30:00')).toBe('2025-12-31T23:30:00Z');
    expect(toMemoDateTime('2026-01-01T00:30:00+02:00')).toBe('2025-12-31T22:30:00Z');
    expect(toMemoDateTime('i går')).toBeUndefined();
    expect(eboksMimeType('JPG')).toBe('image/jpeg');
    expect(eboksMimeType('txt')).toBe('text/plain');
    expect(eboksFilename('a/b: c', 'PDF')).toBe('a_b_ c.pdf');
    const c = eboksToMemo(CVR, undefined, msg, new Map([['42', Buffer.from('%PDF-1.4')]]));
    expect(c.ok && c.memo.body.createdDateTime).toBe('2026-07-01T10:00:00Z');
  });
  test('an overlong subject is clipped to MeMo\'s 256 characters; a bad time is a reason, not an exception', () => {
    const long = eboksToMemo(CVR, undefined, { ...msg, name: 'x'.repeat(400) }, new Map([['42', Buffer.from('x')]]));
    expect(long.ok && [...long.memo.label].length).toBe(256);
    const bad = eboksToMemo(CVR, undefined, { ...msg, receivedDateTime: 'snart' }, new Map([['42', Buffer.from('x')]]));
    expect(bad).toMatchObject({ ok: false, code: 'received-time' });
  });
});

describe('simulator control routes', () => {
  test('injection validates CVR, body and content type', async () => {
    expect((await inject('1234', letter())).status).toBe(400);
    expect((await inject(CVR, { subject: 'x' })).status).toBe(400);
    expect((await inject(CVR, letter(), 'text/plain')).status).toBe(415);
    const ok = await inject(CVR, letter());
    expect(ok.status).toBe(201);
    const waiting = await (await fetch(`${base}/${CVR}/messages`)).json();
    expect(waiting.messages).toEqual([expect.objectContaining({ subject: 'Kontoudtog for 4. kvartal', sender: 'Danske Bank A/S', unread: true, documents: 2 })]);
  });

  test('faults and session expiry can be switched over HTTP; bad faults are refused', async () => {
    const post = (path: string, body?: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    expect((await post('/faults', { errorRate: 2 })).status).toBe(400);
    expect((await post('/faults', { latencyMs: 200 })).status).toBe(200);
    const c = client();
    const t = Date.now();
    await collect(c.connector);
    expect(Date.now() - t).toBeGreaterThanOrEqual(200);
    expect(await (await post('/sessions/expire')).json()).toEqual({ expired: 1 });
    expect((await post('/reset')).status).toBe(204);
  });

  test('instances do not share state', () => {
    const a = createEboksSimulator();
    const b = createEboksSimulator();
    a.api.inject(CVR, letter());
    expect(a.api.waiting(CVR)).toHaveLength(1);
    expect(b.api.waiting(CVR)).toHaveLength(0);
  });
});
