// REST push: the NgDP simulator pushes memos (multipart/form-data, part `file`) to Brevdue's push
// router as Digital Post does; Brevdue checks the proxy's client-certificate header, stores the
// letter durably in the real database (each test database), answers 200, and then posts the
// business receipt (COMPLETED, or INVALID for a quarantined letter) back to the simulator.
import { X509Certificate, randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import express, { type Request } from 'express';
import { eq, sql } from 'drizzle-orm';
import { createNgdpSimulator, type NgdpSimulatorApi } from '../../backend/src/simulators/ngdp';
import { createTestPki, opensslAvailable, type TestPki } from '../../backend/src/simulators/ngdp/test-pki';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { createSealer } from '../../backend/src/crypto/envelope';
import { cvrNumbers, events, mailboxes, messages, organisations, quarantine } from '../../backend/src/store/schema';
import { silentLogger } from '../../backend/src/log';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { MAX_PUSH_BYTES, ngdpPushRouter, recipientCvrOf, type NgdpPushDeps, type NgdpPushRouter } from '../../backend/src/ingest/ngdp/push';
import { createNgdpPushStore, createNgdpReceiptSender, resolveNgdpPushMailbox } from '../../backend/src/ingest/ngdp/push-store';
import { createNgdpClientCache } from '../../backend/src/ingest/ngdp/mailbox-client';
import { providerUrlPolicy } from '../../backend/src/ingest/provider-urls';
import {
  CLIENT_CERT_HEADER_PRESETS, clientCertVerifier, ngdpPushSecurityFromEnv, ngdpPushSecuritySchema, parseForwardedClientCert,
} from '../../backend/src/ingest/ngdp/client-cert';
import { eventually, testDatabases } from '../helpers/databases';

const CVR = '72494814';
const OTHER_CVR = '87033082';
const SYSTEM = { username: randomUUID(), password: randomUUID() };

let pki: TestPki;
/** Digital Post's own client certificate (what the proxy forwards), and someone else's. */
let ngdpCert: X509Certificate;
let strangerCert: X509Certificate;
const derBase64 = (c: X509Certificate) => c.raw.toString('base64');
const azureHeader = (c: X509Certificate) => ({ name: CLIENT_CERT_HEADER_PRESETS['azure-app-service'], value: derBase64(c) });

beforeAll(() => {
  if (!opensslAvailable()) throw new Error('These tests make throwaway certificates with the `openssl` command; install openssl.');
  pki = createTestPki({ cvr: CVR });
  ngdpCert = new X509Certificate(pki.server.cert);
  strangerCert = new X509Certificate(pki.stranger.cert);
});
afterAll(() => pki?.cleanup());

const fakeReq = (headers: Record<string, string>) => ({ headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), socket: {} }) as unknown as Request;

describe('the client certificate forwarded by the TLS proxy', () => {
  test('is read from Azure App Service (base64 DER), nginx (URL-encoded PEM), Envoy/Container Apps (XFCC) and plain PEM', () => {
    const sha256 = ngdpCert.fingerprint256.replace(/:/g, '');
    const pemText = ngdpCert.toString();
    const forms = [
      derBase64(ngdpCert),
      encodeURIComponent(pemText),
      `By=spiffe://cluster.local/ns/x/sa/brevdue;Hash=${sha256.toLowerCase()};Cert="${encodeURIComponent(pemText)}";Subject="CN=127.0.0.1"`,
      `Hash=00;Cert="${encodeURIComponent(strangerCert.toString())}",Hash=${sha256};Cert="${encodeURIComponent(pemText)}"`, // last hop wins
      pemText.replace(/\n/g, ' '),
    ];
    for (const f of forms) expect(parseForwardedClientCert(f)).toMatchObject({ sha256 });
    expect(parseForwardedClientCert(`Hash=${sha256};Subject="CN=x"`)).toEqual({ cert: null, sha256, sha1: null });
    expect(parseForwardedClientCert('not a certificate')).toBeNull();
    expect(parseForwardedClientCert('Zm9vYmFy')).toBeNull();
  });

  test('is checked against the allowed thumbprints or subjects, with a sentence for a refusal', () => {
    const byThumbprint = clientCertVerifier({ source: 'header', header: 'azure-app-service', allowedThumbprints: [ngdpCert.fingerprint256] });
    expect(byThumbprint(fakeReq({ 'X-ARR-ClientCert': derBase64(ngdpCert) }))).toMatchObject({ ok: true, subject: expect.stringContaining('CN=127.0.0.1') });
    expect(byThumbprint(fakeReq({}))).toEqual({ ok: false, reason: expect.stringMatching(/x-arr-clientcert header .* is missing/) });
    expect(byThumbprint(fakeReq({ 'X-ARR-ClientCert': derBase64(strangerCert) }))).toEqual({ ok: false, reason: expect.stringMatching(/is not Digital Post's/) });
    expect(byThumbprint(fakeReq({ 'X-ARR-ClientCert': 'garbage' }))).toEqual({ ok: false, reason: expect.stringMatching(/readable certificate/) });
    // SHA-1 thumbprints work too
    const sha1 = clientCertVerifier({ source: 'header', header: 'X-SSL-Client-Cert', allowedThumbprints: [ngdpCert.fingerprint] });
    expect(sha1(fakeReq({ 'X-SSL-Client-Cert': encodeURIComponent(ngdpCert.toString()) })).ok).toBe(true);

    const bySubject = clientCertVerifier({ source: 'header', header: 'envoy', allowedSubjects: ['O=Digitaliseringsstyrelsen (test), CN=127.0.0.1'], trustedCa: pki.ca.cert });
    const xfcc = (c: X509Certificate) => ({ 'X-Forwarded-Client-Cert': `Hash=ab;Cert="${encodeURIComponent(c.toString())}"` });
    expect(bySubject(fakeReq(xfcc(ngdpCert))).ok).toBe(true);
    expect(bySubject(fakeReq(xfcc(strangerCert))).ok).toBe(false);
    // an expired certificate is refused even when it is the right one
    const later = clientCertVerifier({ source: 'header', header: 'azure-app-service', allowedThumbprints: [ngdpCert.fingerprint256] },
      () => new Date(Date.parse(ngdpCert.validTo) + 1000));
    expect(later(fakeReq({ 'X-ARR-ClientCert': derBase64(ngdpCert) }))).toEqual({ ok: false, reason: expect.stringMatching(/expired on/) });
  });

  test('behind a proxy a subject counts only for a certificate the trusted CA signed: a self-signed look-alike is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spoof-'));
    try {
      // Anyone can make this: Digital Post's subject, self-signed. App Service forwards it unchecked; Container Apps accepts it.
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/C=DK/O=Digitaliseringsstyrelsen (test)/CN=127.0.0.1'], { stdio: 'ignore' });
      const spoof = new X509Certificate(readFileSync(join(dir, 'c.pem')));
      expect(spoof.subject).toBe(ngdpCert.subject);
      for (const header of ['azure-app-service', 'azure-container-apps'] as const) {
        const check = clientCertVerifier({ source: 'header', header, allowedSubjects: ['O=Digitaliseringsstyrelsen (test), CN=127.0.0.1'], trustedCa: pki.ca.cert });
        const name = CLIENT_CERT_HEADER_PRESETS[header];
        const value = (c: X509Certificate) => (header === 'azure-app-service' ? derBase64(c) : `Hash=ab;Cert="${encodeURIComponent(c.toString())}"`);
        expect(check(fakeReq({ [name]: value(ngdpCert) }))).toMatchObject({ ok: true });
        expect(check(fakeReq({ [name]: value(spoof) }))).toEqual({ ok: false, reason: expect.stringMatching(/allowed subject but was not issued by the trusted CA/) });
        expect(check(fakeReq({ [name]: value(strangerCert) })).ok).toBe(false);
      }
      // A pinned thumbprint needs no CA: it names the one certificate.
      const pinned = clientCertVerifier({ source: 'header', header: 'azure-app-service', allowedThumbprints: [ngdpCert.fingerprint256] });
      expect(pinned(fakeReq({ 'X-ARR-ClientCert': derBase64(spoof) })).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('subjects behind a proxy without a CA bundle: refused at start with the reason', () => {
    const bare = { source: 'header' as const, header: 'azure-app-service', allowedSubjects: ['CN=127.0.0.1'] };
    expect(() => clientCertVerifier(bare)).toThrow(/need the CA that issues Digital Post's certificate/);
    expect(() => ngdpPushSecurityFromEnv({ NGDP_PUSH_CLIENT_CERT_HEADER: 'azure-container-apps', NGDP_PUSH_ALLOWED_SUBJECTS: 'CN=NgDP' }))
      .toThrow(/NGDP_PUSH_TRUSTED_CA_FILE.*self-signed/);
    expect(() => clientCertVerifier({ ...bare, trustedCa: ngdpCert.toString() })).toThrow(/not a CA certificate/);
    // with `tls` Node verifies the chain itself: subjects alone are fine there
    expect(ngdpPushSecuritySchema.safeParse({ source: 'tls', allowedSubjects: ['CN=NgDP'] }).success).toBe(true);
  });

  test('configuration: an allow-list is required, and the environment is read', () => {
    expect(ngdpPushSecuritySchema.safeParse({ source: 'header', header: 'X-ARR-ClientCert' }).success).toBe(false);
    expect(ngdpPushSecuritySchema.safeParse({ source: 'header', header: 'X', allowedThumbprints: ['abc'] }).success).toBe(false);
    expect(ngdpPushSecurityFromEnv({})).toBeNull();
    const caFile = join(mkdtempSync(join(tmpdir(), 'ca-')), 'oces-ca.pem');
    writeFileSync(caFile, pki.ca.cert);
    expect(ngdpPushSecurityFromEnv({
      NGDP_PUSH_CLIENT_CERT_HEADER: 'envoy', NGDP_PUSH_ALLOWED_THUMBPRINTS: `${ngdpCert.fingerprint256}, ${'a'.repeat(40)}`,
      NGDP_PUSH_ALLOWED_SUBJECTS: 'CN=NgDP, O=Digitaliseringsstyrelsen;CN=Other', NGDP_PUSH_TRUSTED_CA_FILE: caFile,
    })).toEqual({
      source: 'header', header: 'envoy', allowedThumbprints: [ngdpCert.fingerprint256.replace(/:/g, ''), 'A'.repeat(40)],
      allowedSubjects: ['CN=NgDP, O=Digitaliseringsstyrelsen', 'CN=Other'], trustedCa: pki.ca.cert,
    });
    rmSync(dirname(caFile), { recursive: true, force: true });
    expect(() => ngdpPushSecurityFromEnv({ NGDP_PUSH_CLIENT_CERT_HEADER: 'X-ARR-ClientCert' })).toThrow(/at least one allowed thumbprint or subject/);
  });

  test('the recipient CVR number is read from the MeMo header', () => {
    expect(recipientCvrOf(Buffer.from(buildMemoXml(demoMemo({ recipientCvr: OTHER_CVR }))))).toBe(OTHER_CVR);
    expect(recipientCvrOf(Buffer.from('<Message/>'))).toBeNull();
  });
});

describe.each(testDatabases)('push on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let server: RunningServer;
  let sim: NgdpSimulatorApi;
  let router: NgdpPushRouter;
  let deps: NgdpPushDeps;
  let mailboxId: string;
  let routed: string[];
  let storeFails: boolean;
  const sealer = createSealer(randomBytes(32));

  // One database, server and router per database kind (opening a database takes seconds); every
  // test starts from empty tables and an empty simulator.
  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    const s = createNgdpSimulator({ systemCredentials: [SYSTEM] });
    sim = s.api;
    const app = express();
    app.use('/sim/ngdp', s.router);
    server = await listen(app);

    const [org] = await database.db.insert(organisations).values({ name: 'Nordlys' }).returning();
    // The organisation holds the CVR number: pushes resolve only to the mailbox of its holder.
    await database.db.insert(cvrNumbers).values({ orgId: org.id, cvr: CVR, name: 'Nordlys' });
    const [mb] = await database.db.insert(mailboxes).values({
      orgId: org.id, cvr: CVR, provider: 'ngdp',
      config: { baseUrl: `${server.url}/sim/ngdp/apis/v1`, systemUsername: SYSTEM.username, mode: 'push' },
      secretEnc: sealer.seal(JSON.stringify({ systemPassword: SYSTEM.password })),
    }).returning();
    mailboxId = mb.id;

    const store = createNgdpPushStore({
      db: database.db, sealer, log: silentLogger,
      jobs: { routeSoon: async (id) => { routed.push(id); }, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined },
    });
    deps = {
      resolveMailbox: resolveNgdpPushMailbox(database.db, silentLogger),
      store: (m, raw, id) => (storeFails ? Promise.reject(new Error('database is gone')) : store(m, raw, id)),
      sendReceipt: createNgdpReceiptSender(createNgdpClientCache(sealer, providerUrlPolicy({ ngdp: [`${server.url}/sim/ngdp/apis/v1`] }, { allowHttp: true }))),
      verifyClientCert: clientCertVerifier({ source: 'header', header: 'azure-app-service', allowedThumbprints: [ngdpCert.fingerprint256] }),
      log: silentLogger,
    };
    router = ngdpPushRouter(deps);
    app.use('/ngdp/push', router);
  });
  afterAll(async () => {
    router?.close();
    await server?.close();
    await database?.close();
    await drop?.();
  });
  beforeEach(async () => {
    sim.reset();
    routed = [];
    storeFails = false;
    await database.db.delete(messages); // documents and events go with them
    await database.db.delete(quarantine);
    await database.db.update(mailboxes).set({ removedAt: null }).where(eq(mailboxes.id, mailboxId));
  });

  const endpoint = (cvr = CVR) => `${server.url}/ngdp/push/${cvr}`;
  const push = (xml: string, opts: Parameters<NgdpSimulatorApi['pushTo']>[3] = { clientCertHeader: azureHeader(ngdpCert) }, url = endpoint()) =>
    sim.pushTo(url, CVR, xml, opts);
  const receiptsFor = (uuid: string) => sim.receipts().filter((r) => r.messageUUID === uuid);
  const allMessages = () => database.db.select().from(messages);

  test('a pushed letter is stored before the 200, routed, and receipted COMPLETED', async () => {
    const memo = demoMemo({ recipientCvr: CVR, label: 'Afgørelse om momsregistrering' });
    const xml = buildMemoXml(memo);
    const res = await push(xml);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ messageUUID: memo.messageUUID, status: 'stored' });
    // durable at the moment of the answer
    const rows = await allMessages();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ memoUuid: memo.messageUUID, mailboxId, cvr: CVR, provider: 'ngdp', label: memo.label, status: 'received' });
    expect(sealer.open(rows[0].rawEnc).toString('utf8')).toBe(xml);
    expect(rows[0].rawEnc.includes(Buffer.from(memo.messageUUID))).toBe(false);
    expect((await database.db.select().from(events).where(eq(events.messageId, rows[0].id))).map((e) => e.type)).toEqual(['fetched', 'stored']);
    expect(routed).toEqual([rows[0].id]);

    // Handed over before the 200 (this router posts it directly; the app schedules a durable job).
    const [receipt] = receiptsFor(memo.messageUUID);
    expect(receipt).toMatchObject({ cvr: CVR, memoId: memo.messageUUID, receiptStatus: 'COMPLETED' });
    expect(Date.parse(receipt.timeStamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(sim.pushed()).toEqual([expect.objectContaining({ id: memo.messageUUID, lastStatus: 200, receipt: 'COMPLETED' })]);
  });

  test('the endpoint without a CVR number takes it from the MeMo header', async () => {
    const memo = demoMemo({ recipientCvr: CVR });
    expect((await push(buildMemoXml(memo), {}, `${server.url}/ngdp/push`)).status).toBe(403); // still needs the certificate
    const res = await push(buildMemoXml(memo), { clientCertHeader: azureHeader(ngdpCert) }, `${server.url}/ngdp/push`);
    expect(res.status).toBe(200);
    expect((await allMessages()).map((m) => m.memoUuid)).toEqual([memo.messageUUID]);
  });

  test('an invalid letter is quarantined with its reason, answered 200 and receipted INVALID', async () => {
    const memo = demoMemo({ recipientCvr: CVR });
    const bad = buildMemoXml(memo).replace(/<([a-zA-Z]+:)?label>[^<]*<\/([a-zA-Z]+:)?label>/, '');
    const res = await push(bad);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ messageUUID: memo.messageUUID, status: 'quarantined', reason: expect.stringMatching(/label/) });
    expect(await allMessages()).toEqual([]);
    const q = await database.db.select().from(quarantine);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ mailboxId, providerMessageId: memo.messageUUID, reason: expect.stringMatching(/label/) });
    expect(sealer.open(q[0].rawEnc).toString('utf8')).toBe(bad);
    expect(routed).toEqual([]);
    const [receipt] = await eventually(async () => receiptsFor(memo.messageUUID).length > 0 && receiptsFor(memo.messageUUID), 10_000, 'the receipt');
    expect(receipt).toMatchObject({ receiptStatus: 'INVALID', errorCode: 'INVALID_MEMO', errorMessage: expect.stringMatching(/label/) });
  });

  test.each([
    ['no certificate header', () => ({}), /header .* is missing/],
    ['another certificate', () => ({ clientCertHeader: azureHeader(strangerCert) }), /is not Digital Post's/],
    ['a header that is no certificate', () => ({ clientCertHeader: { name: 'X-ARR-ClientCert', value: 'hello' } }), /readable certificate/],
  ])('403 with %s: nothing stored, no receipt', async (_name, opts, message) => {
    const memo = demoMemo({ recipientCvr: CVR });
    const res = await push(buildMemoXml(memo), opts());
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(message) } });
    expect(await allMessages()).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.receipts()).toEqual([]);
  });

  test('the same letter pushed twice, one after the other and at once, is stored once and receipted each time', async () => {
    const memo = demoMemo({ recipientCvr: CVR });
    const xml = buildMemoXml(memo);
    const first = await push(xml);
    const second = await push(xml);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(second.body)).toEqual({ messageUUID: memo.messageUUID, status: 'duplicate' });

    const other = demoMemo({ recipientCvr: CVR });
    const both = await Promise.all([push(buildMemoXml(other)), push(buildMemoXml(other))]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.map((r) => JSON.parse(r.body).status).sort()).toEqual(['duplicate', 'stored']);

    const rows = await allMessages();
    expect(rows.map((r) => r.memoUuid).sort()).toEqual([memo.messageUUID, other.messageUUID].sort());
    // routing is scheduled for each stored letter (again for a duplicate still 'received', as a poll does: routing is idempotent)
    expect([...new Set(routed)].sort()).toEqual(rows.map((r) => r.id).sort());
    await eventually(async () => receiptsFor(memo.messageUUID).length === 2 && receiptsFor(other.messageUUID).length === 2, 10_000, 'four receipts');
    expect(sim.receipts().every((r) => r.receiptStatus === 'COMPLETED')).toBe(true);
  });

  test('a body larger than 150 MiB is refused with 413 and nothing is stored', async () => {
    const memo = demoMemo({ recipientCvr: CVR });
    const xml = buildMemoXml(memo);
    const pad = MAX_PUSH_BYTES - Buffer.byteLength(xml) + 1024;
    const huge = xml.replace(/<\/([A-Za-z]+:)?Message>\s*$/, (end) => `<!--${'x'.repeat(pad)}-->${end}`);
    expect(Buffer.byteLength(huge)).toBeGreaterThan(MAX_PUSH_BYTES);
    const res = await push(huge);
    expect({ status: res.status, error: res.error }).toEqual({ status: 413, error: undefined });
    expect(JSON.parse(res.body).error.message).toMatch(/at most 157286400 bytes \(150 MiB\)/);
    expect(await allMessages()).toEqual([]);
    expect(await database.db.select().from(quarantine)).toEqual([]);
    // the same letter at its real size still goes through on the same server
    expect((await push(xml)).status).toBe(200);
  }, 60_000);

  test('the receipt cannot be handed over: 503, not accepted; NgDP\'s next push is stored once and receipted', async () => {
    sim.setFaults({ outage: true }); // the receipt endpoint answers 503
    const memo = demoMemo({ recipientCvr: CVR });
    const res = await push(buildMemoXml(memo));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('receipt_failed');
    expect(sim.receipts()).toEqual([]);
    sim.setFaults({});
    const again = await push(buildMemoXml(memo));
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body).status).toBe('duplicate'); // stored by the first push
    expect(receiptsFor(memo.messageUUID)).toHaveLength(1);
    expect(await allMessages()).toHaveLength(1);
  });

  test('values the database refuses: quarantined with the reason, 200, receipted INVALID (not refused for ever)', async () => {
    await database.db.execute(sql.raw(`CREATE OR REPLACE FUNCTION test_refuse_letter() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'date out of range' USING ERRCODE = '22008'; END $$`));
    await database.db.execute(sql.raw('CREATE TRIGGER test_refuse_letter BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_refuse_letter()'));
    try {
      const memo = demoMemo({ recipientCvr: CVR });
      const res = await push(buildMemoXml(memo));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'quarantined', reason: expect.stringMatching(/database cannot hold this letter: .*22008/) });
      expect(JSON.parse(res.body).reason).not.toMatch(/Failed query|params/);
      expect((await database.db.select().from(quarantine)).map((q) => q.providerMessageId)).toEqual([memo.messageUUID]);
      expect(receiptsFor(memo.messageUUID)).toEqual([expect.objectContaining({ receiptStatus: 'INVALID' })]);
    } finally {
      await database.db.execute(sql.raw('DROP TRIGGER test_refuse_letter ON messages'));
    }
  });

  test('storing fails: 503 with Retry-After, not accepted, no receipt', async () => {
    storeFails = true;
    const memo = demoMemo({ recipientCvr: CVR });
    const res = await push(buildMemoXml(memo));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('store_failed');
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.receipts()).toEqual([]);
    storeFails = false;
    expect((await push(buildMemoXml(memo))).status).toBe(200); // NgDP's retry succeeds
  });

  test('refusals: unknown CVR number 404, memo for another CVR 422, not multipart 415, no file part 400', async () => {
    const memo = demoMemo({ recipientCvr: OTHER_CVR });
    const unknown = await sim.pushTo(endpoint(OTHER_CVR), OTHER_CVR, buildMemoXml(memo), { clientCertHeader: azureHeader(ngdpCert) });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toMatch(/no Digital Post mailbox set up for CVR 87033082/);

    const misdirected = await sim.pushTo(endpoint(CVR), OTHER_CVR, buildMemoXml(memo), { clientCertHeader: azureHeader(ngdpCert) });
    expect(misdirected.status).toBe(422);
    expect(JSON.parse(misdirected.body).error.message).toMatch(/addressed to CVR 87033082 but was pushed to the endpoint of CVR 72494814/);

    const cert = { [azureHeader(ngdpCert).name]: azureHeader(ngdpCert).value };
    const plain = await fetch(endpoint(), { method: 'POST', headers: { ...cert, 'Content-Type': 'application/xml' }, body: buildMemoXml(demoMemo({ recipientCvr: CVR })) });
    expect(plain.status).toBe(415);
    const form = new FormData();
    form.append('memo', new Blob([buildMemoXml(demoMemo({ recipientCvr: CVR }))]), 'x.xml');
    const wrongPart = await fetch(endpoint(), { method: 'POST', headers: cert, body: form });
    expect(wrongPart.status).toBe(400);
    expect((await wrongPart.json()).error.code).toBe('no_file');
    expect((await fetch(`${server.url}/ngdp/push/1234`, { method: 'POST', headers: cert, body: form })).status).toBe(400);
    expect(await allMessages()).toEqual([]);
  });

  test('after close (shutdown) a push is answered 503 and nothing is stored', async () => {
    const stopping = ngdpPushRouter(deps);
    stopping.close();
    const other = await listen(express().use('/ngdp/push', stopping));
    try {
      const res = await sim.pushTo(`${other.url}/ngdp/push/${CVR}`, CVR, buildMemoXml(demoMemo({ recipientCvr: CVR })), { clientCertHeader: azureHeader(ngdpCert) });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body).error.code).toBe('stopping');
      expect(await allMessages()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('a removed mailbox no longer receives', async () => {
    await database.db.update(mailboxes).set({ removedAt: new Date() }).where(eq(mailboxes.id, mailboxId));
    expect((await push(buildMemoXml(demoMemo({ recipientCvr: CVR })))).status).toBe(404);
  });
});
