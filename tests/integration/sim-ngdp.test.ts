// The NgDP simulator over real HTTP: pull API (list, fetch, receipt, delete), sending, auth and
// mailbox selection, control routes and faults.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { createNgdpSimulator, type NgdpSimulatorApi } from '../../backend/src/simulators/ngdp';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { eventually } from '../helpers/databases';

const SYSTEM = { username: randomUUID(), password: randomUUID() };
const CVR = '10000009';
const OTHER_CVR = '20000008';
const basic = (c: { username: string; password: string }) => 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');

function memoXml(uuid: string, opts: { label?: string; recipient?: string; pad?: number } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" memoVersion="1.1" memoSchVersion="1.1.0">
  <memo:MessageHeader>
    <memo:messageType>DIGITALPOST</memo:messageType>
    <memo:messageUUID>${uuid}</memo:messageUUID>
    <memo:label>${opts.label ?? 'Årsopgørelse'}</memo:label>
    <memo:Sender><memo:senderID>${CVR}</memo:senderID><memo:idType>CVR</memo:idType><memo:label>Skattestyrelsen</memo:label></memo:Sender>
    <memo:Recipient><memo:recipientID>${opts.recipient ?? CVR}</memo:recipientID><memo:idType>CVR</memo:idType></memo:Recipient>
  </memo:MessageHeader>
  <memo:MessageBody><memo:MainDocument><memo:File><memo:content>${'QUJD'.repeat(opts.pad ?? 10)}</memo:content></memo:File></memo:MainDocument></memo:MessageBody>
</memo:Message>`;
}

let server: RunningServer;
let sim: NgdpSimulatorApi;
let base: string; // server root + mount
let randomValue = 0;

beforeAll(async () => {
  const s = createNgdpSimulator({ systemCredentials: [SYSTEM], random: () => randomValue });
  sim = s.api;
  const app = express();
  app.use('/sim/ngdp', s.router);
  server = await listen(app);
  base = `${server.url}/sim/ngdp`;
});
afterAll(() => server.close());
beforeEach(() => { sim.reset(); randomValue = 0; });

/** A call to the real API for `cvr`, authenticated as SYSTEM unless told otherwise. */
function call(path: string, init: RequestInit & { cvr?: string | null; auth?: string | null } = {}) {
  const url = new URL(`${base}/apis/v1${path}`);
  if (init.cvr !== null) url.searchParams.set('delegatedCVR', init.cvr ?? CVR);
  const headers = new Headers(init.headers);
  if (init.auth !== null) headers.set('Authorization', init.auth ?? basic(SYSTEM));
  return fetch(url, { ...init, headers });
}

const inject = (cvr: string, xml: string, type = 'application/xml') =>
  fetch(`${base}/${cvr}/memos`, { method: 'POST', headers: { 'Content-Type': type }, body: xml });

const receipt = (id: string, over: Record<string, unknown> = {}) => ({
  messageUUID: id, receiptStatus: 'COMPLETED', timeStamp: new Date().toISOString(), ...over,
});
const postReceipt = (id: string, body: unknown) =>
  call(`/memos/${id}/receipt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('injection (control route POST /sim/ngdp/:cvr/memos)', () => {
  test('stores the MeMo under its messageUUID and lists it as waiting', async () => {
    const uuid = randomUUID().toUpperCase();
    const xml = memoXml(uuid);
    const res = await inject(CVR, xml);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: uuid.toLowerCase() });
    const waiting = await (await fetch(`${base}/${CVR}/memos`)).json();
    expect(waiting.memos).toEqual([expect.objectContaining({ id: uuid.toLowerCase(), size: Buffer.byteLength(xml), receipt: null })]);
    expect(Date.parse(waiting.memos[0].arrivedAt)).toBeGreaterThan(Date.now() - 10_000);
    expect(sim.waiting(OTHER_CVR)).toEqual([]);
  });

  test('rejects what is not a MeMo, bad CVR numbers, other content types and duplicates', async () => {
    expect((await inject(CVR, '<html><body>hi</body></html>')).status).toBe(400);
    expect((await inject('1234567', memoXml(randomUUID()))).status).toBe(400);
    expect((await inject(CVR, memoXml(randomUUID()), 'application/json')).status).toBe(415);
    const uuid = randomUUID();
    expect((await inject(CVR, memoXml(uuid))).status).toBe(201);
    const dup = await inject(CVR, memoXml(uuid));
    expect(dup.status).toBe(409);
    expect((await dup.json()).code).toBe('CONFLICT');
  });

  test('the programmatic handle injects too and throws on a document without messageUUID', () => {
    const uuid = randomUUID();
    expect(sim.inject(CVR, Buffer.from(memoXml(uuid)))).toEqual({ id: uuid });
    expect(sim.waiting(CVR).map((w) => w.id)).toEqual([uuid]);
    expect(() => sim.inject(CVR, '<memo:Message><x/></memo:Message>')).toThrow(/messageUUID/);
  });

  test('accepts up to 50 MB and answers 413 above', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 10, 0x41);
    const res = await fetch(`${base}/${CVR}/memos`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: big });
    expect(res.status).toBe(413);
    expect(sim.waiting(CVR)).toEqual([]);
  }, 30_000);
});

describe('GET /apis/v1/memos/ (list, paged)', () => {
  test('pages in arrival order with NgDP\'s PagingResultUUID shape', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) sim.inject(CVR, memoXml(id));
    sim.inject(OTHER_CVR, memoXml(randomUUID(), { recipient: OTHER_CVR }));

    const p0 = await (await call('/memos/?page=0&size=2')).json();
    expect(p0).toEqual({
      content: ids.slice(0, 2), number: 0, size: 2, totalElements: 5, totalPages: 3,
      next: { page: 1, size: 2, ordering: [] },
    });
    const p2 = await (await call('/memos/?page=2&size=2')).json();
    expect(p2.content).toEqual([ids[4]]);
    expect(p2.previous).toEqual({ page: 1, size: 2, ordering: [] });
    expect(p2.next).toBeUndefined();
    const beyond = await (await call('/memos/?page=7&size=2')).json();
    expect(beyond.content).toEqual([]);
    const dflt = await (await call('/memos/')).json();
    expect(dflt).toMatchObject({ number: 0, size: 20, content: ids });
  });

  test.each([['size=0'], ['size=101'], ['size=abc'], ['page=-1'], ['page=1.5']])('rejects %s with 400 and an ErrorMessage', async (qs) => {
    const res = await call(`/memos/?${qs}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.fieldErrors[0].field).toBe(qs.split('=')[0]);
  });

  test('size 1 and 100 are fine', async () => {
    expect((await call('/memos/?size=1')).status).toBe(200);
    expect((await call('/memos/?size=100')).status).toBe(200);
  });
});

describe('authentication and mailbox selection', () => {
  test('401 without or with unknown Basic credentials', async () => {
    const none = await call('/memos/', { auth: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await none.json()).code).toBe('UNAUTHORIZED');
    expect((await call('/memos/', { auth: basic({ username: SYSTEM.username, password: randomUUID() }) })).status).toBe(401);
    expect((await call('/memos/', { auth: 'Bearer abc' })).status).toBe(401);
  });

  test('400 when delegatedCVR is missing or not 8 digits', async () => {
    expect((await call('/memos/', { cvr: null })).status).toBe(400);
    const bad = await call('/memos/', { cvr: '1234abcd' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).fieldErrors[0].field).toBe('delegatedCVR');
  });

  test('each CVR sees only its own mailbox', async () => {
    const mine = randomUUID();
    sim.inject(CVR, memoXml(mine));
    expect((await (await call('/memos/', { cvr: OTHER_CVR })).json()).content).toEqual([]);
    expect((await call(`/memos/${mine}`, { cvr: OTHER_CVR })).status).toBe(404);
    expect((await call(`/memos/${mine}`)).status).toBe(200);
  });

  test('the default credential is the demo one when none is configured', async () => {
    const { router } = createNgdpSimulator();
    const app = express().use('/n', router);
    const s = await listen(app);
    try {
      const { DEMO_NGDP_CREDENTIAL } = await import('../../backend/src/simulators/ngdp');
      const ok = await fetch(`${s.url}/n/apis/v1/memos/?delegatedCVR=${CVR}`, { headers: { Authorization: basic(DEMO_NGDP_CREDENTIAL) } });
      expect(ok.status).toBe(200);
      const no = await fetch(`${s.url}/n/apis/v1/memos/?delegatedCVR=${CVR}`, { headers: { Authorization: basic(SYSTEM) } });
      expect(no.status).toBe(401);
    } finally { await s.close(); }
  });
});

describe('GET /apis/v1/memos/{id}', () => {
  test('returns the exact MeMo bytes as application/xml', async () => {
    const id = randomUUID();
    const xml = memoXml(id, { label: 'Rykker – ÆØÅ' });
    sim.inject(CVR, xml);
    const res = await call(`/memos/${id}`, { headers: { Accept: 'application/xml' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(xml))).toBe(true);
    expect(sim.waiting(CVR)[0].fetched).toBe(1);
  });

  test('406 for another Accept, 404 for an unknown memo, 400 for a malformed id', async () => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id));
    expect((await call(`/memos/${id}`, { headers: { Accept: 'application/json' } })).status).toBe(406);
    const missing = await call(`/memos/${randomUUID()}`, { headers: { Accept: 'application/xml' } });
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('NOT_FOUND');
    expect((await call('/memos/not-a-uuid')).status).toBe(400);
  });
});

describe('receipts and deletion', () => {
  test('a valid receipt is recorded; DELETE before a receipt is 409, after it 204', async () => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id));
    const early = await call(`/memos/${id}`, { method: 'DELETE' });
    expect(early.status).toBe(409);

    const transmissionId = randomUUID();
    const r = await postReceipt(id, receipt(id, { transmissionId, messageId: 'MSG-1' }));
    expect(r.status).toBe(200);
    expect(sim.receipts()).toEqual([expect.objectContaining({ memoId: id, cvr: CVR, receiptStatus: 'COMPLETED', transmissionId, messageId: 'MSG-1' })]);
    const listed = await (await fetch(`${base}/receipts`)).json();
    expect(listed.receipts).toHaveLength(1);
    expect(sim.waiting(CVR)[0].receipt).toBe('COMPLETED');

    const del = await call(`/memos/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(sim.waiting(CVR)).toEqual([]);
    expect((await call(`/memos/${id}`)).status).toBe(404);
    expect((await call(`/memos/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  test('an INVALID receipt with error details is accepted too', async () => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id));
    const r = await postReceipt(id, receipt(id, { receiptStatus: 'INVALID', errorCode: 'INVALID_MEMO', errorMessage: 'no MainDocument' }));
    expect(r.status).toBe(200);
    expect(sim.receipts()[0]).toMatchObject({ receiptStatus: 'INVALID', errorMessage: 'no MainDocument' });
  });

  test.each([
    ['unknown status', { receiptStatus: 'DONE' }, 'receiptStatus'],
    ['no timeStamp', { timeStamp: undefined }, 'timeStamp'],
    ['bad timeStamp', { timeStamp: 'yesterday' }, 'timeStamp'],
    ['bad transmissionId', { transmissionId: 'x' }, 'transmissionId'],
    ['unknown field', { colour: 'red' }, '(body)'],
  ])('400 for a receipt with %s', async (_name, over, field) => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id));
    const res = await postReceipt(id, receipt(id, over));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.fieldErrors.map((f: { field: string }) => f.field)).toContain(field);
    expect(sim.receipts()).toEqual([]);
  });

  test('400 for non-JSON, 404 for an unknown memo, 422 when messageUUID is another memo\'s', async () => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id));
    const notJson = await call(`/memos/${id}/receipt`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messageUUID":' });
    expect(notJson.status).toBe(400);
    const other = randomUUID();
    expect((await postReceipt(other, receipt(other))).status).toBe(404);
    expect((await postReceipt(id, receipt(randomUUID()))).status).toBe(422);
  });
});

describe('sending (POST /apis/v1/memos/?memo-message-uuid=)', () => {
  test('201 with a transmissionId, recorded as sent', async () => {
    const id = randomUUID();
    const xml = memoXml(id, { recipient: '29189846' });
    const res = await call(`/memos/?memo-message-uuid=${id}`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: xml });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({ transmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/), messageUUID: id, timeStamp: expect.any(String), receiptStatus: 'RECEIVED' });
    expect(sim.sent()).toEqual([expect.objectContaining({ transmissionId: body.transmissionId, messageUUID: id, senderCvr: CVR, recipientId: '29189846', xml })]);
    expect((await (await fetch(`${base}/sent`)).json()).sent).toHaveLength(1);
  });

  test('400 without or with a mismatching memo-message-uuid, 415 for non-XML', async () => {
    const id = randomUUID();
    const post = (qs: string, type = 'application/xml') =>
      call(`/memos/${qs}`, { method: 'POST', headers: { 'Content-Type': type }, body: memoXml(id) });
    expect((await post('')).status).toBe(400);
    expect((await post(`?memo-message-uuid=${randomUUID()}`)).status).toBe(400);
    expect((await post(`?memo-message-uuid=${id}`, 'application/json')).status).toBe(415);
    expect(sim.sent()).toEqual([]);
  });
});

describe('faults', () => {
  test('outage: every API call 503, control routes still work', async () => {
    const f = await fetch(`${base}/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outage: true }) });
    expect(f.status).toBe(200);
    const res = await call('/memos/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect((await inject(CVR, memoXml(randomUUID()))).status).toBe(201);
    sim.setFaults({});
    expect((await call('/memos/')).status).toBe(200);
  });

  test('errorRate: 500 or 503 when the dice say so, and never at rate 0', async () => {
    sim.setFaults({ errorRate: 0.5 });
    randomValue = 0.2; // below the rate: fault; then 0.2 < 0.5 picks 500
    expect((await call('/memos/')).status).toBe(500);
    randomValue = 0.7; // above the rate: no fault
    expect((await call('/memos/')).status).toBe(200);
    sim.setFaults({ errorRate: 1 });
    randomValue = 0.9; // below 1: fault; 0.9 >= 0.5 picks 503
    expect((await call('/memos/')).status).toBe(503);
  });

  test('latencyMs delays API answers', async () => {
    sim.setFaults({ latencyMs: 300 });
    const t = Date.now();
    expect((await call('/memos/')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  test('truncateRate: the connection drops before the promised Content-Length arrives', async () => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id, { pad: 5000 }));
    sim.setFaults({ truncateRate: 1 });
    const res = await call(`/memos/${id}`);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  test('malformedRate: a complete response whose body is half a document', async () => {
    const id = randomUUID();
    const xml = memoXml(id, { pad: 100 });
    sim.inject(CVR, xml);
    sim.setFaults({ malformedRate: 1 });
    const body = await (await call(`/memos/${id}`)).text();
    expect(body.length).toBeLessThan(xml.length);
    expect(body).not.toContain('</memo:Message>');
    const list = await call('/memos/');
    await expect(list.json()).rejects.toThrow();
  });

  test('invalid faults are refused with 400', async () => {
    const res = await fetch(`${base}/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ errorRate: 2 }) });
    expect(res.status).toBe(400);
    expect(() => sim.setFaults({ truncateRate: -1 })).toThrow();
  });
});

test('instances do not share state', async () => {
  const a = createNgdpSimulator({ systemCredentials: [SYSTEM] });
  const b = createNgdpSimulator({ systemCredentials: [SYSTEM] });
  a.api.inject(CVR, memoXml(randomUUID()));
  expect(a.api.waiting(CVR)).toHaveLength(1);
  expect(b.api.waiting(CVR)).toHaveLength(0);
});

describe('GET /apis/v1/mailboxes/ (the mailbox of delegatedCVR)', () => {
  test('answers a MailboxSearchResult with one stable mailbox id per CVR number', async () => {
    const body = await (await call('/mailboxes/')).json();
    expect(body).toEqual({
      currentPage: 0, totalPages: 1, elementsOnPage: 1, totalElements: 1,
      mailboxes: [{ id: sim.mailboxId(CVR), ownerType: 'ORGANISATION', ownerExternalId: CVR, ownerIdentityId: expect.stringMatching(/^[0-9a-f-]{36}$/), statusType: 'ACTIVE' }],
    });
    expect(sim.mailboxId(CVR)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sim.mailboxId(OTHER_CVR)).not.toBe(sim.mailboxId(CVR));
    expect((await (await call('/mailboxes/', { cvr: OTHER_CVR })).json()).mailboxes[0].id).toBe(sim.mailboxId(OTHER_CVR));
  });
});

describe('system fetches (backfill): /apis/v1/mailboxes/{mailboxId}/system-fetches/', () => {
  const fetches = (cvr = CVR) => `/mailboxes/${sim.mailboxId(cvr)}/system-fetches/`;
  const start = (body: unknown, cvr = CVR, path = fetches(cvr)) =>
    call(path, { method: 'POST', cvr, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  test('201 with NgDP\'s SystemFetch; GET one and the list; DELETE stops and forgets it', async () => {
    const old = randomUUID();
    sim.inject(CVR, memoXml(old), { receivedAt: new Date('2026-02-10T08:00:00Z'), archiveOnly: true });
    sim.inject(CVR, memoXml(randomUUID()), { receivedAt: new Date('2025-12-24T08:00:00Z'), archiveOnly: true });
    expect(sim.waiting(CVR)).toEqual([]);
    const res = await start({ fromDateTime: '2026-02-01T00:00:00Z', toDateTime: '2026-02-28T23:59:59.999Z', preferOriginalMessageRecipient: true });
    expect(res.status).toBe(201);
    const f = await res.json();
    expect(f).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), version: 1, createdDateTime: expect.any(String), lastUpdated: expect.any(String),
      systemFetchStatusType: 'RUNNING', mailboxId: sim.mailboxId(CVR), organisationId: expect.any(String), systemId: SYSTEM.username,
      contactPointId: expect.any(String), totalMessages: 1, fetchedMessages: 0, failedMessages: 0, preferOriginalMessageRecipient: true,
      fromDateTime: '2026-02-01T00:00:00.000Z', toDateTime: '2026-02-28T23:59:59.999Z',
    });
    expect((await (await call(`${fetches()}${f.id}`)).json()).id).toBe(f.id);
    expect((await (await call(fetches())).json()).systemFetches).toEqual([expect.objectContaining({ id: f.id })]);
    expect((await (await fetch(`${base}/system-fetches`)).json()).systemFetches).toHaveLength(1);
    expect((await call(`${fetches()}${f.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${fetches()}${f.id}`)).status).toBe(404);
    expect((await call(`${fetches()}${f.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  test('re-queues the archived memos of the range into the waiting list, then FINISHED', async () => {
    const s = createNgdpSimulator({ systemCredentials: [SYSTEM], systemFetchDurationMs: 100 });
    const srv = await listen(express().use('/n', s.router));
    try {
      const inRange = [randomUUID(), randomUUID()];
      s.api.inject(CVR, memoXml(inRange[0]), { receivedAt: new Date('2026-01-10T00:00:00Z'), archiveOnly: true });
      s.api.inject(CVR, memoXml(inRange[1]), { receivedAt: new Date('2026-01-20T00:00:00Z'), archiveOnly: true });
      s.api.inject(CVR, memoXml(randomUUID()), { receivedAt: new Date('2026-03-01T00:00:00Z'), archiveOnly: true });
      s.api.inject(OTHER_CVR, memoXml(randomUUID(), { recipient: OTHER_CVR }), { receivedAt: new Date('2026-01-15T00:00:00Z'), archiveOnly: true });
      const url = `${srv.url}/n/apis/v1/mailboxes/${s.api.mailboxId(CVR)}/system-fetches/?delegatedCVR=${CVR}`;
      const res = await fetch(url, { method: 'POST', headers: { Authorization: basic(SYSTEM), 'Content-Type': 'application/json' },
        body: JSON.stringify({ fromDateTime: '2026-01-01T00:00:00Z', toDateTime: '2026-01-31T00:00:00Z' }) });
      const f = await res.json();
      expect(f.totalMessages).toBe(2);
      await eventually(async () => s.api.systemFetches(CVR)[0].systemFetchStatusType === 'FINISHED', 5000, 'the system fetch');
      expect(s.api.systemFetches(CVR)[0]).toMatchObject({ systemFetchStatusType: 'FINISHED', fetchedMessages: 2, finishedDateTime: expect.any(String) });
      expect(s.api.waiting(CVR).map((w) => w.id)).toEqual(inRange);
      expect(s.api.waiting(OTHER_CVR)).toEqual([]);
    } finally { await srv.close(); }
  });

  test('refusals: 400 for a bad body or a backwards range, 404 for another CVR\'s mailbox, 422 while one runs', async () => {
    expect((await start({})).status).toBe(400);
    expect((await start({ fromDateTime: 'yesterday' })).status).toBe(400);
    const backwards = await start({ fromDateTime: '2026-03-01T00:00:00Z', toDateTime: '2026-02-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect((await backwards.json()).message).toMatch(/fromDateTime must not be after toDateTime/);
    expect((await start({ fromDateTime: '2026-01-01T00:00:00Z' }, CVR, fetches(OTHER_CVR))).status).toBe(404);
    expect((await start({ fromDateTime: '2026-01-01T00:00:00Z' }, CVR, '/mailboxes/not-a-uuid/system-fetches/')).status).toBe(400);
    expect((await start({ fromDateTime: '2026-01-01T00:00:00Z' })).status).toBe(201);
    const again = await start({ fromDateTime: '2026-01-01T00:00:00Z' });
    expect(again.status).toBe(422);
    expect((await again.json()).code).toBe('UNPROCESSABLE_ENTITY');
    expect((await call(`${fetches()}not-a-uuid`)).status).toBe(400);
  });
});

describe('push mode', () => {
  /** A stand-in system endpoint that keeps the raw requests. */
  async function endpoint(status = 200) {
    const got: { headers: Record<string, unknown>; body: Buffer }[] = [];
    const srv = await listen(express().post('/push', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { got.push({ headers: req.headers, body: Buffer.concat(chunks) }); res.status(status).json({ ok: status === 200 }); });
    }));
    return { srv, got, url: `${srv.url}/push` };
  }

  test('pushTo posts multipart/form-data with one part `file` named by the messageUUID, and records the outcome', async () => {
    const ep = await endpoint();
    try {
      const id = randomUUID();
      const xml = memoXml(id, { label: 'Påbud – ÆØÅ' });
      const r = await sim.pushTo(ep.url, CVR, xml, { clientCertHeader: { name: 'X-ARR-ClientCert', value: 'TUlJQg==' } });
      expect(r).toEqual({ messageUUID: id, status: 200, body: '{"ok":true}' });
      const [req] = ep.got;
      expect(String(req.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
      expect(req.headers['x-arr-clientcert']).toBe('TUlJQg==');
      const text = req.body.toString('utf8');
      expect(text).toMatch(new RegExp(`Content-Disposition: form-data; name="file"; filename="${id}"`));
      expect(text).toMatch(/Content-Type: application\/xml/);
      expect(req.body.includes(Buffer.from(xml))).toBe(true);
      expect((text.match(/Content-Disposition/g) ?? [])).toHaveLength(1);
      expect(sim.pushed()).toEqual([expect.objectContaining({ id, cvr: CVR, url: ep.url, attempts: 1, lastStatus: 200, lastError: null, receipt: null })]);
      expect(sim.waiting(CVR)).toEqual([]); // pushed, not waiting for a pull
    } finally { await ep.srv.close(); }
  });

  test('the business receipt for a pushed memo is taken at the real receipt route', async () => {
    const ep = await endpoint();
    try {
      const id = randomUUID();
      await sim.pushTo(ep.url, CVR, memoXml(id));
      expect((await postReceipt(id, receipt(id))).status).toBe(200);
      expect(sim.receipts()).toEqual([expect.objectContaining({ memoId: id, cvr: CVR, receiptStatus: 'COMPLETED' })]);
      expect(sim.pushed()[0].receipt).toBe('COMPLETED');
      // another CVR cannot receipt it, and a memo never pushed is unknown
      const other = await call(`/memos/${id}/receipt`, { method: 'POST', cvr: OTHER_CVR, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(receipt(id)) });
      expect(other.status).toBe(404);
      const never = randomUUID();
      expect((await postReceipt(never, receipt(never))).status).toBe(404);
    } finally { await ep.srv.close(); }
  });

  test('refusals and unreachable endpoints are recorded; the control route pushes too', async () => {
    const ep = await endpoint(403);
    try {
      const id = randomUUID();
      expect((await sim.pushTo(ep.url, CVR, memoXml(id))).status).toBe(403);
      expect(sim.pushed()[0]).toMatchObject({ lastStatus: 403, lastError: '{"ok":false}' });
      const dead = await sim.pushTo('http://127.0.0.1:9/push', CVR, memoXml(randomUUID()));
      expect(dead.status).toBe(0);
      expect(dead.error).toBeTruthy();
      await expect(sim.pushTo(ep.url, 'x', memoXml(randomUUID()))).rejects.toThrow(/CVR/);

      const viaControl = await fetch(`${base}/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: ep.url, cvr: CVR, xml: memoXml(id), clientCertHeader: { name: 'X-SSL-Client-Cert', value: 'abc' } }) });
      expect(viaControl.status).toBe(200);
      expect(await viaControl.json()).toMatchObject({ messageUUID: id, status: 403 });
      expect(ep.got[ep.got.length - 1].headers['x-ssl-client-cert']).toBe('abc');
      expect((await (await fetch(`${base}/pushed`)).json()).pushed.find((p: { id: string }) => p.id === id).attempts).toBe(2);
      expect((await fetch(`${base}/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"url":"nope"}' })).status).toBe(400);
    } finally { await ep.srv.close(); }
  });
});
