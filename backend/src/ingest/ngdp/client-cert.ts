// Who is pushing to us? Digital Post authenticates itself to a push endpoint with its own client
// certificate (mutual TLS). Brevdue normally runs behind a reverse proxy that terminates TLS, checks
// the certificate chain and passes the verified certificate on in a header; this module reads that
// header (or the TLS socket when Brevdue terminates TLS itself) and checks the certificate against
// the configured thumbprints / subjects. See docs/NGDP.md for the header of each proxy.
//
// A forwarded certificate's subject proves nothing by itself: Azure App Service forwards
// X-ARR-ClientCert without validating it, and Container Apps accepts self-signed client
// certificates, so anyone could present a self-signed certificate with Digital Post's subject. For
// header-sourced certificates a subject therefore counts only once the certificate's signature is
// verified here against the configured CA bundle (`trustedCa`); a thumbprint pins the exact
// certificate and needs no CA. Subjects without a CA bundle are refused at start.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import { z } from 'zod';

/** Header names of common TLS-terminating proxies (case-insensitive). */
export const CLIENT_CERT_HEADER_PRESETS = {
  /** Azure App Service: base64 DER, set by the front end (a client-supplied one is replaced). */
  'azure-app-service': 'X-ARR-ClientCert',
  /** Azure Container Apps (client certificate mode "require"/"accept"): XFCC format (Hash=…;Cert="…"). */
  'azure-container-apps': 'X-Forwarded-Client-Cert',
  /** Envoy / Istio (forward_client_cert_details: SANITIZE_SET): XFCC format. */
  envoy: 'X-Forwarded-Client-Cert',
  /** nginx: `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;` (URL-encoded PEM). */
  nginx: 'X-SSL-Client-Cert',
  /** Traefik passTLSClientCert (pem: true): base64 DER without PEM armour, URL-escaped. */
  traefik: 'X-Forwarded-Tls-Client-Cert',
} as const;
export type ClientCertHeaderPreset = keyof typeof CLIENT_CERT_HEADER_PRESETS;

const thumbprint = z.string().transform((s) => s.replace(/[\s:]/g, '').toUpperCase())
  .refine((s) => /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(s), 'a thumbprint is the SHA-256 (64 hex digits) or SHA-1 (40 hex digits) fingerprint of the certificate');

const allowList = {
  /** SHA-256 or SHA-1 fingerprints of Digital Post's client certificate(s); list the next one before a renewal. */
  allowedThumbprints: z.array(thumbprint).default([]),
  /** Subject DNs (all RDNs given must be present, e.g. "CN=…, O=…"); the proxy must have validated the chain to the OCES CA. */
  allowedSubjects: z.array(z.string().trim().min(3)).default([]),
};

export const ngdpPushSecuritySchema = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('header'),
    /** A header name, or one of CLIENT_CERT_HEADER_PRESETS. */
    header: z.string().trim().min(1),
    ...allowList,
    /** PEM bundle of the CA(s) that issue Digital Post's certificate (the OCES issuing CA): needed for subjects. */
    trustedCa: z.string().optional(),
  }).strict(),
  z.object({ source: z.literal('tls'), ...allowList }).strict(),
  /** No check at all: only for the demo and the local simulator. */
  z.object({ source: z.literal('insecure-none') }).strict(),
]).superRefine((v, ctx) => {
  if (v.source !== 'insecure-none' && v.allowedThumbprints.length === 0 && v.allowedSubjects.length === 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['allowedThumbprints'],
      message: 'Name Digital Post\'s certificate: at least one allowed thumbprint or subject (otherwise any client certificate would do).' });
  }
  if (v.source !== 'header') return;
  if (v.allowedSubjects.length > 0 && !v.trustedCa?.trim()) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['trustedCa'],
      message: 'Allowed subjects behind a proxy need the CA that issues Digital Post\'s certificate (NGDP_PUSH_TRUSTED_CA_FILE, PEM): '
        + 'Azure App Service forwards client certificates without checking them and Container Apps accepts self-signed ones, '
        + 'so a self-signed certificate with Digital Post\'s subject would pass. Configure the CA, or pin the certificate with NGDP_PUSH_ALLOWED_THUMBPRINTS instead.' });
  }
  if (v.trustedCa?.trim()) {
    const cas = readCaBundle(v.trustedCa);
    if (!cas.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['trustedCa'], message: cas.reason });
  }
});

/** The certificates of a PEM bundle, each a CA; or why not. */
function readCaBundle(pem: string): { ok: true; cas: X509Certificate[] } | { ok: false; reason: string } {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { ok: false, reason: 'The trusted CA bundle holds no PEM certificate (-----BEGIN CERTIFICATE-----).' };
  const cas: X509Certificate[] = [];
  for (const [i, b] of blocks.entries()) {
    let c: X509Certificate;
    try { c = new X509Certificate(b); } catch { return { ok: false, reason: `Certificate ${i + 1} of the trusted CA bundle cannot be read.` }; }
    if (!c.ca) return { ok: false, reason: `Certificate ${i + 1} of the trusted CA bundle ("${oneLine(c.subject)}") is not a CA certificate.` };
    cas.push(c);
  }
  return { ok: true, cas };
}
export type NgdpPushSecurity = z.output<typeof ngdpPushSecuritySchema>;
export type NgdpPushSecurityInput = z.input<typeof ngdpPushSecuritySchema>;

export type ClientCertCheck =
  | { ok: true; subject: string; thumbprint: string }
  | { ok: false; reason: string };

/**
 * From the environment: NGDP_PUSH_CLIENT_CERT_SOURCE (header | tls | insecure-none, default header),
 * NGDP_PUSH_CLIENT_CERT_HEADER (name or preset), NGDP_PUSH_ALLOWED_THUMBPRINTS (comma-separated),
 * NGDP_PUSH_ALLOWED_SUBJECTS (separated by ';'). Null when nothing is configured (push stays off).
 */
export function ngdpPushSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): NgdpPushSecurity | null {
  const source = env.NGDP_PUSH_CLIENT_CERT_SOURCE?.trim() || 'header';
  const list = (v: string | undefined, sep: RegExp) => (v ?? '').split(sep).map((s) => s.trim()).filter(Boolean);
  if (source === 'insecure-none') return ngdpPushSecuritySchema.parse({ source });
  const allowedThumbprints = list(env.NGDP_PUSH_ALLOWED_THUMBPRINTS, /[,\s]+/);
  const allowedSubjects = list(env.NGDP_PUSH_ALLOWED_SUBJECTS, /;/);
  if (!env.NGDP_PUSH_CLIENT_CERT_HEADER && allowedThumbprints.length === 0 && allowedSubjects.length === 0) return null;
  let trustedCa: string | undefined;
  const caFile = env.NGDP_PUSH_TRUSTED_CA_FILE?.trim();
  if (caFile) {
    try { trustedCa = readFileSync(caFile, 'utf8'); } catch (e) {
      throw new Error(`NGDP_PUSH_TRUSTED_CA_FILE ${caFile} cannot be read: ${(e as Error).message}`);
    }
  }
  const parsed = ngdpPushSecuritySchema.safeParse(source === 'tls'
    ? { source, allowedThumbprints, allowedSubjects }
    : { source, header: env.NGDP_PUSH_CLIENT_CERT_HEADER ?? '', allowedThumbprints, allowedSubjects, ...(trustedCa ? { trustedCa } : {}) });
  if (!parsed.success) throw new Error(`NgDP push is misconfigured: ${parsed.error.issues.map((i) => i.message).join(' ')}`);
  return parsed.data;
}

/** The check for the push router's `verifyClientCert`. */
export function clientCertVerifier(input: NgdpPushSecurityInput, now: () => Date = () => new Date()): (req: Request) => ClientCertCheck {
  const cfg = ngdpPushSecuritySchema.parse(input);
  if (cfg.source === 'insecure-none') return () => ({ ok: true, subject: '(not checked: insecure-none)', thumbprint: '' });
  const headerName = cfg.source === 'header'
    ? (CLIENT_CERT_HEADER_PRESETS[cfg.header as ClientCertHeaderPreset] ?? cfg.header).toLowerCase() : '';
  const subjects = cfg.allowedSubjects.map(parseDn);
  // Behind a proxy a subject counts only for a certificate a configured CA signed (checked here);
  // with `tls` Node has verified the chain against the server's CAs (socket.authorized) already.
  const cas = cfg.source === 'header' && cfg.trustedCa ? (readCaBundle(cfg.trustedCa) as { cas: X509Certificate[] }).cas : null;

  return (req) => {
    let found: ForwardedCert;
    if (cfg.source === 'header') {
      const raw = req.headers[headerName];
      const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      if (!value || !value.trim()) {
        return { ok: false, reason: `No client certificate: the ${headerName} header that the TLS proxy sets is missing. Only Digital Post may push here.` };
      }
      const parsed = parseForwardedClientCert(value);
      if (!parsed) return { ok: false, reason: `The ${headerName} header does not hold a readable certificate.` };
      found = parsed;
    } else {
      const socket = req.socket as Partial<TLSSocket>;
      if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') {
        return { ok: false, reason: 'No client certificate: this connection is not TLS (is a proxy in front? then use source "header").' };
      }
      const peer = socket.getPeerCertificate(false);
      if (!peer || !peer.raw) return { ok: false, reason: 'No client certificate was presented. Only Digital Post may push here.' };
      if (!socket.authorized) return { ok: false, reason: `The client certificate is not trusted: ${String(socket.authorizationError ?? 'unknown CA')}.` };
      const cert = new X509Certificate(peer.raw);
      found = { cert, sha256: fp(cert.fingerprint256), sha1: fp(cert.fingerprint) };
    }
    return judge(found, cfg.allowedThumbprints, subjects, now(), cas);
  };
}

/** Whether one of `cas` (valid now) signed `cert`. */
function issuedBy(cert: X509Certificate, cas: X509Certificate[], now: Date): boolean {
  return cas.some((ca) => new Date(ca.validFrom) <= now && now < new Date(ca.validTo)
    && cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

interface ForwardedCert { cert: X509Certificate | null; sha256: string | null; sha1: string | null }

function judge(found: ForwardedCert, thumbprints: string[], subjects: Map<string, string>[], now: Date, cas: X509Certificate[] | null): ClientCertCheck {
  const { cert } = found;
  const name = cert ? oneLine(cert.subject) : `certificate with SHA-256 ${found.sha256}`;
  if (cert) {
    if (new Date(cert.validTo) <= now) return { ok: false, reason: `The client certificate "${name}" expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}.` };
    if (new Date(cert.validFrom) > now) return { ok: false, reason: `The client certificate "${name}" is not valid yet.` };
  }
  const byThumbprint = thumbprints.some((t) => t === found.sha256 || t === found.sha1);
  const certRdns = cert ? parseDn(cert.subject) : null;
  const subjectMatches = certRdns !== null && subjects.some((want) => [...want].every(([k, v]) => certRdns.get(k) === v));
  const bySubject = subjectMatches && (cas === null || issuedBy(cert!, cas, now));
  if (!byThumbprint && subjectMatches && !bySubject) {
    return { ok: false, reason: `The client certificate "${name}" (SHA-256 ${found.sha256 ?? 'unknown'}) has an allowed subject but was not issued by the trusted CA: refused.` };
  }
  if (!byThumbprint && !bySubject) {
    return { ok: false, reason: `The client certificate "${name}" (SHA-256 ${found.sha256 ?? 'unknown'}) is not Digital Post's: it matches none of the allowed thumbprints or subjects.` };
  }
  return { ok: true, subject: cert ? oneLine(cert.subject) : '', thumbprint: found.sha256 ?? found.sha1 ?? '' };
}

/**
 * Reads a certificate forwarded by a proxy: XFCC (`Hash=…;Cert="<url-encoded PEM>"`, last element),
 * PEM (possibly URL-encoded, or with its line breaks turned into spaces), or base64 DER.
 */
export function parseForwardedClientCert(value: string): ForwardedCert | null {
  let v = value.trim();
  if (/(?:^|[;,])\s*(?:Hash|Cert|By|Subject|URI|DNS|Chain)=/i.test(v)) {
    const elements = splitOutsideQuotes(v, ',');
    const pairs = new Map<string, string>();
    for (const part of splitOutsideQuotes(elements[elements.length - 1], ';')) {
      const i = part.indexOf('=');
      if (i > 0) pairs.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim().replace(/^"(.*)"$/s, '$1'));
    }
    const certText = pairs.get('cert');
    const hash = pairs.get('hash')?.toUpperCase() ?? null;
    if (!certText) return hash && /^[0-9A-F]{64}$/.test(hash) ? { cert: null, sha256: hash, sha1: null } : null;
    v = safeDecode(certText);
  } else if (/%[0-9A-Fa-f]{2}/.test(v)) {
    v = safeDecode(v);
  }
  const armoured = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(v);
  const b64 = (armoured ? armoured[1] : v).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  try {
    const cert = new X509Certificate(Buffer.from(b64, 'base64'));
    return { cert, sha256: fp(cert.fingerprint256), sha1: fp(cert.fingerprint) };
  } catch {
    return null;
  }
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted && i + 1 < s.length) { cur += c + s[++i]; continue; }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** "CN=a, O=b // CVR:1" or node's "CN=a\nO=b" → Map(lower-case key → value). A comma splits only before "key=". */
function parseDn(dn: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of dn.split(/\s*(?:\n|,(?=\s*[A-Za-z][\w.]*\s*=))\s*/)) {
    const i = part.indexOf('=');
    if (i > 0) m.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim());
  }
  return m;
}

const fp = (s: string) => s.replace(/:/g, '').toUpperCase();
const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');
