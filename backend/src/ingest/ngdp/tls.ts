// Mutual TLS towards Digital Post (NgDP): the organisation's (or vendor's) OCES system certificate,
// given as PEM (certificate + private key, optional passphrase and CA chain) or as PKCS#12/PFX
// (base64 + passphrase). Everything is checked when it is configured, so an admin hears "wrong
// passphrase", "expired on 2027-03-01" or "the key does not belong to the certificate" at once instead
// of a TLS alert at the first poll.
//
// The transport is node:https with a keep-alive https.Agent behind a fetch-shaped function, so the
// NgDP client stays fetch-based and needs no extra HTTP library (Node 20 bundles undici for fetch but
// does not export its Agent, and mixing the npm undici Agent with Node's built-in fetch is fragile).
import https from 'node:https';
import tls from 'node:tls';
import { Readable } from 'node:stream';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { MailboxErrorKind } from '../../../../shared/src/contracts';

// ---------------------------------------------------------------------------------------------
// Configuration

const PEM_CERT = '-----BEGIN CERTIFICATE-----[\\s\\S]+?-----END CERTIFICATE-----';
const pemCertificates = z.string().trim()
  .refine((s) => new RegExp(PEM_CERT).test(s), 'must be PEM text with -----BEGIN CERTIFICATE-----');
const pemKey = z.string().trim()
  .refine((s) => /-----BEGIN (?:[A-Z]+ )?(?:ENCRYPTED )?PRIVATE KEY-----/.test(s), 'must be a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)');
const base64 = z.string().transform((s) => s.replace(/\s+/g, ''))
  .refine((s) => s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0, 'must be the PKCS#12 file as base64');

/** The certificate in PEM form. `chain`: the issuing (intermediate) CA certificates, sent along with ours. */
export const ngdpPemCertificateSchema = z.object({
  format: z.literal('pem'),
  certificate: pemCertificates.describe('The OCES system certificate (PEM). May already include the chain after it.'),
  privateKey: pemKey,
  passphrase: z.string().optional(),
  chain: pemCertificates.optional(),
  /** Extra CA(s) to trust for Digital Post's *server* certificate, added to the public roots (test environments). */
  trustedCa: pemCertificates.optional(),
}).strict();

/** The certificate as a PKCS#12 (.p12/.pfx) file, base64-encoded, with its passphrase. */
export const ngdpPfxCertificateSchema = z.object({
  format: z.literal('pfx'),
  pfxBase64: base64,
  passphrase: z.string().default(''),
  trustedCa: pemCertificates.optional(),
}).strict();

/** Shape only (no cryptography): use `ngdpCertificateSchema` to also check passphrase, key and validity. */
export const ngdpCertificateShapeSchema = z.discriminatedUnion('format', [ngdpPemCertificateSchema, ngdpPfxCertificateSchema]);
export type NgdpCertificateConfig = z.input<typeof ngdpCertificateShapeSchema>;
type ParsedCertificateConfig = z.output<typeof ngdpCertificateShapeSchema>;

/**
 * Shape plus the cryptographic checks of `loadNgdpCertificate` (passphrase, key ↔ certificate,
 * validity today). The issue's message is the sentence to show the admin.
 */
export const ngdpCertificateSchema = ngdpCertificateShapeSchema.superRefine((cfg, ctx) => {
  if (!ngdpCertificateShapeSchema.safeParse(cfg).success) return; // shape issues are reported already
  try {
    loadNgdpCertificate(cfg);
  } catch (e) {
    if (!(e instanceof NgdpCertificateError)) throw e;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: e.message, path: e.field ? [e.field] : [] });
  }
});

// ---------------------------------------------------------------------------------------------
// Loading and checking

export type NgdpCertificateProblem =
  | 'unreadable-certificate' | 'unreadable-key' | 'passphrase-required' | 'wrong-passphrase'
  | 'key-mismatch' | 'expired' | 'not-yet-valid' | 'chain' | 'unreadable-pfx' | 'legacy-pfx' | 'insecure-base-url';

export class NgdpCertificateError extends Error {
  constructor(public readonly problem: NgdpCertificateProblem, message: string, public readonly field?: string) {
    super(message);
    this.name = 'NgdpCertificateError';
  }
}

/** An https:// address is the mailbox's settings; every other problem is the certificate's. */
export function certificateErrorKind(e: NgdpCertificateError): MailboxErrorKind {
  return e.problem === 'insecure-base-url' ? 'settings_invalid' : 'certificate_problem';
}

export interface NgdpCertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: string; // ISO 8601
  validTo: string; // ISO 8601
  /** SHA-256 thumbprint, upper-case hex without separators. */
  sha256Thumbprint: string;
  /** The CVR number the certificate names (OCES2 `serialNumber=CVR:…`, OCES3 `organizationIdentifier=NTRDK-…`), if any. */
  cvr: string | null;
  daysLeft: number;
}

export interface LoadedNgdpCertificate {
  certificate: NgdpCertificateInfo;
  /** Options for https.Agent / tls.connect. */
  tlsOptions: tls.SecureContextOptions;
}

const DAY = 86_400_000;

/** Checks the configured certificate and returns what TLS needs. Throws NgdpCertificateError with a sentence for a person. */
export function loadNgdpCertificate(input: NgdpCertificateConfig, now: Date = new Date()): LoadedNgdpCertificate {
  const cfg: ParsedCertificateConfig = ngdpCertificateShapeSchema.parse(input);
  const ca = cfg.trustedCa ? [...tls.rootCertificates, ...splitPem(cfg.trustedCa)] : undefined;
  let leaf: X509Certificate;
  let tlsOptions: tls.SecureContextOptions;

  if (cfg.format === 'pem') {
    const certs = splitPem(cfg.certificate).map((p, i) => readCert(p, i === 0 ? 'certificate' : 'certificate (chain part)'));
    leaf = certs[0];
    const chain = cfg.chain ? splitPem(cfg.chain).map((p) => readCert(p, 'chain')) : [];
    const key = readKey(cfg.privateKey, cfg.passphrase);
    if (!leaf.checkPrivateKey(key)) {
      throw new NgdpCertificateError('key-mismatch',
        `The private key does not belong to the certificate "${oneLine(leaf.subject)}" (serial ${leaf.serialNumber}). `
        + 'Upload the key that was created together with this certificate.', 'privateKey');
    }
    const intermediates = [...certs.slice(1), ...chain];
    if (intermediates.length > 0 && !intermediates.some((c) => leaf.checkIssued(c))) {
      throw new NgdpCertificateError('chain',
        `The CA chain does not contain the certificate's issuer "${oneLine(leaf.issuer)}". Give the issuing (intermediate) CA certificate, `
        + 'e.g. "Den Danske Stat OCES udstedende-CA 1", or leave the chain out.', 'chain');
    }
    const certPem = [leaf, ...intermediates].map((c) => c.toString()).join('\n');
    tlsOptions = { cert: certPem, key: cfg.privateKey, ...(cfg.passphrase !== undefined ? { passphrase: cfg.passphrase } : {}), ...(ca ? { ca } : {}) };
    try {
      tls.createSecureContext(tlsOptions);
    } catch (e) {
      throw new NgdpCertificateError('unreadable-key', `TLS cannot use this certificate and key: ${(e as Error).message}`, 'privateKey');
    }
  } else {
    const pfx = Buffer.from(cfg.pfxBase64, 'base64');
    tlsOptions = { pfx, passphrase: cfg.passphrase, ...(ca ? { ca } : {}) };
    let der: Buffer | undefined;
    try {
      const sc = tls.createSecureContext(tlsOptions) as tls.SecureContext & { context?: { getCertificate?: () => Buffer | null } };
      der = sc.context?.getCertificate?.() ?? undefined;
    } catch (e) {
      throw pfxError(e as Error & { code?: string });
    }
    if (!der) throw new NgdpCertificateError('unreadable-pfx', 'The PKCS#12 file holds no certificate.', 'pfxBase64');
    leaf = new X509Certificate(der);
  }

  const validTo = new Date(leaf.validTo);
  const validFrom = new Date(leaf.validFrom);
  if (validTo.getTime() <= now.getTime()) {
    throw new NgdpCertificateError('expired',
      `The certificate "${oneLine(leaf.subject)}" expired on ${isoDate(validTo)} (${validTo.toISOString()}). `
      + 'Renew it in the MitID Erhverv administration and upload the new one.', cfg.format === 'pem' ? 'certificate' : 'pfxBase64');
  }
  if (validFrom.getTime() > now.getTime()) {
    throw new NgdpCertificateError('not-yet-valid',
      `The certificate "${oneLine(leaf.subject)}" is not valid before ${validFrom.toISOString()}.`, cfg.format === 'pem' ? 'certificate' : 'pfxBase64');
  }
  return { certificate: describeCertificate(leaf, now), tlsOptions };
}

export function describeCertificate(cert: X509Certificate, now: Date = new Date()): NgdpCertificateInfo {
  const validTo = new Date(cert.validTo);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serialNumber: cert.serialNumber,
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: validTo.toISOString(),
    sha256Thumbprint: cert.fingerprint256.replace(/:/g, '').toUpperCase(),
    cvr: cvrOf(cert.subject),
    daysLeft: Math.floor((validTo.getTime() - now.getTime()) / DAY),
  };
}

function readCert(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new NgdpCertificateError('unreadable-certificate', `The ${field} is not a readable X.509 certificate: ${(e as Error).message}`, field.split(' ')[0]);
  }
}

function readKey(pem: string, passphrase: string | undefined): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (e) {
    const err = e as Error & { code?: string };
    const encrypted = /ENCRYPTED/.test(pem) || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
    if (encrypted && (passphrase === undefined || passphrase === '')) {
      throw new NgdpCertificateError('passphrase-required', 'The private key is encrypted: give its passphrase.', 'passphrase');
    }
    if (encrypted || err.code === 'ERR_OSSL_BAD_DECRYPT') {
      throw new NgdpCertificateError('wrong-passphrase', 'The passphrase does not open the private key (wrong passphrase).', 'passphrase');
    }
    throw new NgdpCertificateError('unreadable-key', `The private key is not readable: ${err.message}`, 'privateKey');
  }
}

function pfxError(e: Error & { code?: string }): NgdpCertificateError {
  const m = e.message ?? '';
  if (/mac verify failure/i.test(m)) {
    return new NgdpCertificateError('wrong-passphrase', 'The passphrase does not open the PKCS#12 file (wrong passphrase).', 'passphrase');
  }
  if (/Unsupported PKCS12 PFX data/i.test(m) || e.code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION') {
    return new NgdpCertificateError('legacy-pfx',
      'The PKCS#12 file uses old encryption (RC2/3DES) that this server does not accept. Convert it once: '
      + '`openssl pkcs12 -legacy -in old.p12 -nodes -out tmp.pem && openssl pkcs12 -export -in tmp.pem -out new.p12` '
      + '(then delete tmp.pem), or upload the certificate and key as PEM.', 'pfxBase64');
  }
  if (/key values mismatch/i.test(m)) {
    return new NgdpCertificateError('key-mismatch', 'The private key in the PKCS#12 file does not belong to its certificate.', 'pfxBase64');
  }
  return new NgdpCertificateError('unreadable-pfx', `This is not a readable PKCS#12 (.p12/.pfx) file: ${m}`, 'pfxBase64');
}

function splitPem(text: string): string[] {
  return text.match(new RegExp(PEM_CERT, 'g')) ?? [];
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function cvrOf(subject: string): string | null {
  return /(?:^|\n)serialNumber=CVR:(\d{8})/.exec(subject)?.[1]
    ?? /(?:^|\n)organizationIdentifier=NTRDK-(\d{8})/.exec(subject)?.[1]
    ?? /CVR:(\d{8})/.exec(subject)?.[1]
    ?? null;
}

// ---------------------------------------------------------------------------------------------
// Transport

/** The subset of fetch that the NgDP client uses. */
export type FetchLike = (url: URL | string, init?: RequestInit) => Promise<Response>;

export interface NgdpTransport {
  fetch: FetchLike;
  agent: https.Agent;
  certificate: NgdpCertificateInfo;
  close(): void;
}

/**
 * An mTLS transport for the NgDP client: every request presents the certificate. Before each request
 * it checks that the certificate has not expired since it was loaded (the answer would otherwise be
 * an anonymous TLS alert).
 */
export function createNgdpTransport(input: NgdpCertificateConfig, opts: { now?: () => Date; maxSockets?: number } = {}): NgdpTransport {
  const clock = opts.now ?? (() => new Date());
  const loaded = loadNgdpCertificate(input, clock());
  const agent = new https.Agent({ ...loaded.tlsOptions, keepAlive: true, maxSockets: opts.maxSockets ?? 8, minVersion: 'TLSv1.2' });
  const validTo = new Date(loaded.certificate.validTo);
  const base = agentFetch(agent);
  return {
    agent,
    certificate: loaded.certificate,
    fetch: (url, init) => {
      const now = clock();
      if (now >= validTo) {
        return Promise.reject(new NgdpCertificateError('expired',
          `The Digital Post certificate "${loaded.certificate.subject}" expired on ${isoDate(validTo)}; upload a renewed certificate.`));
      }
      return base(url, init);
    },
    close: () => agent.destroy(),
  };
}

/** fetch over node:https with the given agent (https URLs only: a client certificate over plain HTTP would be pointless). */
export function agentFetch(agent: https.Agent): FetchLike {
  return (input, init = {}) => new Promise<Response>((resolve, reject) => {
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'https:') {
      reject(new NgdpCertificateError('insecure-base-url', `A client certificate needs an https:// Digital Post URL, not ${url.origin}.`));
      return;
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body) && !(body instanceof Uint8Array)) {
      reject(new TypeError('agentFetch sends string or Buffer bodies only'));
      return;
    }
    if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body as string | Buffer));
    const req = https.request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
      const h = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
      const status = res.statusCode ?? 502;
      const noBody = init.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
      if (noBody) res.resume();
      resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: h }));
    });
    req.on('error', (e: Error & { code?: string; clientCertPresented?: boolean }) => {
      // With TLS 1.3 a server that rejects our certificate may just close the connection after the
      // handshake: remember that we presented one, so the error can say what to check.
      if (agent.options.cert || agent.options.pfx) e.clientCertPresented = true;
      reject(e);
    });
    req.end(body ?? undefined);
  });
}

/**
 * A person-readable cause for a failed TLS connection to Digital Post, or null when the failure is
 * not about certificates. `permanent`: retrying without changing the configuration will not help.
 */
export function describeTlsFailure(e: unknown): { message: string; permanent: boolean } | null {
  const err = e as Error & { code?: string; cause?: Error & { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const text = `${err.message ?? ''} ${err.cause?.message ?? ''}`;
  if (/CERTIFICATE_REQUIRED|certificate required/i.test(code + text)) {
    return { message: 'Digital Post requires a client certificate (mutual TLS) and none was sent: configure the OCES system certificate for this mailbox.', permanent: true };
  }
  if (/ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_ACCESS_DENIED|ALERT_CERTIFICATE_REVOKED|ALERT_UNSUPPORTED_CERTIFICATE/i.test(code + text)) {
    return { message: `Digital Post refused our client certificate (${code || 'TLS alert'}): check that the OCES certificate is the one registered for the system and not revoked.`, permanent: true };
  }
  if (/ALERT_CERTIFICATE_EXPIRED/i.test(code + text)) {
    return { message: 'Digital Post says our client certificate has expired: upload a renewed OCES certificate.', permanent: true };
  }
  if ((err as { clientCertPresented?: boolean }).clientCertPresented && (code === 'ECONNRESET' || /socket hang up/i.test(text))) {
    return { message: 'the server closed the connection without an answer; if this repeats, Digital Post is probably refusing our client certificate (not the registered one, or from an unknown CA).', permanent: false };
  }
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED/i.test(code)) {
    return { message: `We do not trust the server's certificate (${code}): check the Digital Post URL, or add its CA as trustedCa in a test environment.`, permanent: true };
  }
  return null;
}
