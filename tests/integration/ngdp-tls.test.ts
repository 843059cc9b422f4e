// Mutual TLS towards Digital Post: loading and checking the OCES certificate (PEM, PKCS#12, wrong
// passphrase, expired, key mismatch, chain), and a real TLS server on 127.0.0.1 that requires a
// client certificate — the NgDP simulator behind it — accepting our client and refusing others.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { X509Certificate, randomUUID } from 'node:crypto';
import express from 'express';
import { createNgdpSimulator, type NgdpSimulatorApi } from '../../backend/src/simulators/ngdp';
import { createTestPki, opensslAvailable, type TestPki } from '../../backend/src/simulators/ngdp/test-pki';
import {
  NgdpCertificateError, agentFetch, createNgdpTransport, loadNgdpCertificate, ngdpCertificateSchema, type NgdpCertificateConfig,
} from '../../backend/src/ingest/ngdp/tls';
import { createNgdpClient } from '../../backend/src/ingest/ngdp/client';
import { ngdpProvider, ngdpSecretSchema } from '../../backend/src/ingest/ngdp/provider';
import { ProviderError } from '../../backend/src/ingest/connector';

const SYSTEM = { username: randomUUID(), password: randomUUID() };
const CVR = '72494814';

const memoXml = (uuid: string) => `<?xml version="1.0" encoding="UTF-8"?>
<memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" memoVersion="1.1"><memo:MessageHeader><memo:messageUUID>${uuid}</memo:messageUUID>
<memo:Recipient><memo:recipientID>${CVR}</memo:recipientID><memo:idType>CVR</memo:idType></memo:Recipient></memo:MessageHeader></memo:Message>`;

let pki: TestPki;
beforeAll(() => {
  if (!opensslAvailable()) throw new Error('These tests make throwaway certificates with the `openssl` command; install openssl.');
  pki = createTestPki({ cvr: CVR });
});
afterAll(() => pki?.cleanup());

const pem = (over: Partial<Extract<NgdpCertificateConfig, { format: 'pem' }>> = {}): NgdpCertificateConfig =>
  ({ format: 'pem', certificate: pki.client.cert, privateKey: pki.client.key, ...over });
const pfx = (over: Partial<Extract<NgdpCertificateConfig, { format: 'pfx' }>> = {}): NgdpCertificateConfig =>
  ({ format: 'pfx', pfxBase64: pki.client.pfxBase64, passphrase: pki.client.passphrase, ...over });

function problemOf(cfg: NgdpCertificateConfig): { problem: string; message: string } {
  try {
    loadNgdpCertificate(cfg);
  } catch (e) {
    if (e instanceof NgdpCertificateError) return { problem: e.problem, message: e.message };
    throw e;
  }
  throw new Error('expected the certificate to be refused');
}

describe('loading the OCES certificate', () => {
  test('PEM: describes the certificate, its CVR number and thumbprint', () => {
    const { certificate, tlsOptions } = loadNgdpCertificate(pem());
    const x = new X509Certificate(pki.client.cert);
    expect(certificate).toMatchObject({
      subject: expect.stringContaining('CN=Brevdue system'),
      issuer: expect.stringContaining('CN=Test OCES udstedende-CA'),
      cvr: CVR,
      sha256Thumbprint: x.fingerprint256.replace(/:/g, ''),
      validTo: new Date(x.validTo).toISOString(),
    });
    expect(certificate.daysLeft).toBeGreaterThanOrEqual(0);
    expect(tlsOptions.key).toBe(pki.client.key.trim());
  });

  test('PEM with an encrypted key opens with the right passphrase only', () => {
    expect(loadNgdpCertificate(pem({ privateKey: pki.client.encryptedKey, passphrase: pki.client.passphrase })).certificate.cvr).toBe(CVR);
    expect(problemOf(pem({ privateKey: pki.client.encryptedKey, passphrase: 'wrong' }))).toEqual({
      problem: 'wrong-passphrase', message: expect.stringMatching(/wrong passphrase/),
    });
    expect(problemOf(pem({ privateKey: pki.client.encryptedKey })).problem).toBe('passphrase-required');
  });

  test('a key that does not belong to the certificate is refused, naming the certificate', () => {
    const p = problemOf(pem({ privateKey: pki.stranger.key }));
    expect(p.problem).toBe('key-mismatch');
    expect(p.message).toMatch(/does not belong to the certificate .*CN=Brevdue system/);
  });

  test('an expired certificate is refused with its date', () => {
    const p = problemOf(pem({ certificate: pki.expired.cert, privateKey: pki.expired.key }));
    expect(p.problem).toBe('expired');
    expect(p.message).toMatch(/expired on 2021-01-01/);
    // and one that is still valid is refused once its time is up
    const later = new Date(Date.parse(new X509Certificate(pki.client.cert).validTo) + 1000);
    expect(() => loadNgdpCertificate(pem(), later)).toThrow(/expired on/);
  });

  test('a chain without the issuer is refused; with it the chain is sent along', () => {
    expect(problemOf(pem({ chain: pki.stranger.ca })).problem).toBe('chain');
    const ok = loadNgdpCertificate(pem({ chain: pki.ca.cert }));
    expect(String(ok.tlsOptions.cert).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  test('PKCS#12: right passphrase, wrong passphrase, legacy encryption, not a PKCS#12 file', () => {
    expect(loadNgdpCertificate(pfx()).certificate.subject).toContain('CN=Brevdue system');
    expect(problemOf(pfx({ passphrase: 'wrong' }))).toEqual({ problem: 'wrong-passphrase', message: expect.stringMatching(/wrong passphrase/) });
    if (pki.client.legacyPfxBase64) {
      const legacy = problemOf(pfx({ pfxBase64: pki.client.legacyPfxBase64 }));
      expect(legacy.problem).toBe('legacy-pfx');
      expect(legacy.message).toMatch(/openssl pkcs12 -legacy/);
    }
    expect(problemOf(pfx({ pfxBase64: Buffer.from('not a pfx at all').toString('base64') })).problem).toBe('unreadable-pfx');
  });

  test('the zod schema reports the same sentences, at the field they concern', () => {
    const expired = ngdpCertificateSchema.safeParse(pem({ certificate: pki.expired.cert, privateKey: pki.expired.key }));
    expect(expired.success).toBe(false);
    expect(expired.error!.issues[0]).toMatchObject({ path: ['certificate'], message: expect.stringMatching(/expired on 2021-01-01/) });
    const badPass = ngdpCertificateSchema.safeParse(pfx({ passphrase: 'nope' }));
    expect(badPass.error!.issues[0]).toMatchObject({ path: ['passphrase'] });
    expect(ngdpCertificateSchema.safeParse({ format: 'pem', certificate: 'hello', privateKey: pki.client.key }).success).toBe(false);
    expect(ngdpCertificateSchema.safeParse({ format: 'pfx', pfxBase64: '***' }).success).toBe(false);
    expect(ngdpCertificateSchema.safeParse({ format: 'der' }).success).toBe(false);
  });

  test('the mailbox secret carries the certificate optionally (the demo runs without one)', () => {
    expect(ngdpSecretSchema.parse({ systemPassword: 'x' })).toEqual({ systemPassword: 'x' });
    expect(ngdpSecretSchema.parse({ systemPassword: 'x', certificate: pfx() }).certificate).toMatchObject({ format: 'pfx' });
    const bad = ngdpSecretSchema.safeParse({ systemPassword: 'x', certificate: pem({ privateKey: pki.stranger.key }) });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['certificate', 'privateKey']);
    expect(bad.error!.issues[0].message).toMatch(/does not belong/);
  });
});

describe('mutual TLS against a server that requires a client certificate', () => {
  let server: https.Server;
  let base: string;
  let sim: NgdpSimulatorApi;
  const seen: (string | null)[] = [];

  beforeAll(async () => {
    const s = createNgdpSimulator({ systemCredentials: [SYSTEM] });
    sim = s.api;
    const app = express();
    app.use((req, _res, next) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push(peer?.subject?.CN ? String(peer.subject.CN) : null);
      next();
    });
    app.use('/sim/ngdp', s.router);
    server = https.createServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sim/ngdp/apis/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => { sim.reset(); seen.length = 0; });

  const clientWith = (fetchImpl?: Parameters<typeof createNgdpClient>[0]['fetch']) =>
    createNgdpClient({ baseUrl: base, system: SYSTEM, delegatedCVR: CVR, timeoutMs: 10_000, ...(fetchImpl ? { fetch: fetchImpl } : {}) });

  async function firstPage(c: ReturnType<typeof createNgdpClient>): Promise<string[]> {
    for await (const ids of c.connector.listWaiting()) return ids;
    return [];
  }

  async function failureOf(p: Promise<unknown>): Promise<ProviderError> {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(ProviderError);
      return e as ProviderError;
    }
    throw new Error('expected the call to fail');
  }

  test.each([['PEM', () => pem({ trustedCa: pki.ca.cert })], ['PKCS#12', () => pfx({ trustedCa: pki.ca.cert })]])(
    'with the right certificate (%s) the whole pull works, and the server saw it', async (_name, cfg) => {
      const id = randomUUID();
      sim.inject(CVR, memoXml(id));
      const t = createNgdpTransport(cfg());
      try {
        const c = clientWith(t.fetch);
        expect(await firstPage(c)).toEqual([id]);
        expect((await c.connector.fetchRaw(id)).toString()).toBe(memoXml(id));
        await c.connector.acknowledge(id, { status: 'COMPLETED', messageUUID: id });
        expect(sim.waiting(CVR)).toEqual([]);
        expect(sim.receipts()[0]).toMatchObject({ messageUUID: id, receiptStatus: 'COMPLETED' });
        expect(seen.length).toBeGreaterThanOrEqual(4);
        expect(seen.every((cn) => cn === 'Brevdue system')).toBe(true);
      } finally { t.close(); }
    });

  test('the provider builds its connector with the certificate from the mailbox secret', async () => {
    const id = randomUUID();
    sim.inject(CVR, memoXml(id));
    const secret = ngdpSecretSchema.parse({ systemPassword: SYSTEM.password, certificate: pem({ trustedCa: pki.ca.cert }) });
    const connector = ngdpProvider.createConnector({ id: randomUUID(), cvr: CVR }, { baseUrl: base, systemUsername: SYSTEM.username, mode: 'pull' }, secret);
    for await (const ids of connector.listWaiting()) { expect(ids).toEqual([id]); break; }
    expect(seen).toContain('Brevdue system');
    // and without a certificate in the secret, the same server refuses the connection
    const plain = ngdpProvider.createConnector({ id: randomUUID(), cvr: CVR }, { baseUrl: base, systemUsername: SYSTEM.username, mode: 'pull' },
      ngdpSecretSchema.parse({ systemPassword: SYSTEM.password }));
    await expect(plain.fetchRaw(id)).rejects.toBeInstanceOf(ProviderError);
  });

  test('without a client certificate the server refuses us, and we say why', async () => {
    const agent = new https.Agent({ ca: pki.ca.cert }); // trusts the server, presents nothing
    try {
      const e = await failureOf(firstPage(clientWith(agentFetch(agent))));
      expect(e.message).toMatch(/requires a client certificate|refused our client certificate/);
      expect(e.retryable).toBe(false);
      expect(e.kind).toBe('certificate_problem');
    } finally { agent.destroy(); }
    expect(seen).toEqual([]); // no request reached the application
  });

  test('a certificate from another CA is refused', async () => {
    const t = createNgdpTransport({ format: 'pem', certificate: pki.stranger.cert, privateKey: pki.stranger.key, trustedCa: pki.ca.cert });
    try {
      const e = await failureOf(firstPage(clientWith(t.fetch)));
      // TLS 1.3: the server may send its "unknown CA" alert or just close the connection
      expect(e.message).toMatch(/refused our client certificate|refusing our client certificate/);
    } finally { t.close(); }
    expect(seen).toEqual([]);
  });

  test('a server we do not trust is refused by us', async () => {
    const t = createNgdpTransport(pem()); // public roots only: the test CA is unknown
    try {
      const e = await failureOf(firstPage(clientWith(t.fetch)));
      expect(e.message).toMatch(/do not trust the server's certificate/);
      expect(e.kind).toBe('certificate_problem');
    } finally { t.close(); }
  });

  test('an expired certificate is refused before any connection; one that expires while in use stops the calls', async () => {
    expect(() => createNgdpTransport({ format: 'pem', certificate: pki.expired.cert, privateKey: pki.expired.key })).toThrow(/expired on 2021-01-01/);
    let now = new Date();
    const t = createNgdpTransport(pem({ trustedCa: pki.ca.cert }), { now: () => now });
    try {
      const c = clientWith(t.fetch);
      expect(await firstPage(c)).toEqual([]);
      now = new Date(Date.parse(t.certificate.validTo) + 1);
      const e = await failureOf(firstPage(c));
      expect(e.message).toMatch(/expired on .*renewed certificate/);
      expect(e.retryable).toBe(false);
      expect(e.kind).toBe('certificate_problem');
    } finally { t.close(); }
  });

  test('a client certificate is never sent over plain http', async () => {
    const t = createNgdpTransport(pem());
    try {
      const c = createNgdpClient({ baseUrl: base.replace('https:', 'http:'), system: SYSTEM, delegatedCVR: CVR, fetch: t.fetch });
      const e = await failureOf(firstPage(c));
      expect(e.message).toMatch(/needs an https:\/\/ Digital Post URL/);
      expect(e.kind).toBe('settings_invalid');
    } finally { t.close(); }
  });
});
