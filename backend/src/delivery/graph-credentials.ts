// How Brevdue proves itself to Entra ID when it asks for a Microsoft Graph token (client
// credentials): a certificate (preferred) or a client secret, exactly one of them. The certificate is
// a PEM file holding the private key and the certificate (the issuing chain may follow); its SHA-256
// thumbprint is computed here, so nobody has to copy it from the portal. Everything is checked at
// start, and every problem names the variable and says what to do.
//
// Nothing here logs or returns key material in a message: errors and warnings name files, subjects,
// dates and thumbprints (public facts about a certificate), never the key or the secret.
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/** What msal-node's `clientCertificate` takes (SHA-256 thumbprint as hex, PKCS#8 PEM key, optional x5c chain as PEM). */
export interface GraphCertificate {
  thumbprintSha256: string;
  privateKey: string;
  /** PEM of the certificate and its chain, sent in the assertion's `x5c` header (subject name/issuer auth). */
  x5c?: string;
}

export interface GraphCertificateInfo {
  file: string;
  subject: string;
  issuer: string;
  /** Upper-case hex, no colons: what the app registration shows as the certificate's thumbprint (SHA-256). */
  thumbprintSha256: string;
  /** SHA-1, upper-case hex: what the Entra admin center lists under Certificates & secrets. */
  thumbprintSha1: string;
  validFrom: Date;
  validTo: Date;
  daysLeft: number;
  sendX5c: boolean;
}

export type GraphCredential =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificate: GraphCertificate; info: GraphCertificateInfo };

export interface LoadedGraphCredential {
  credential: GraphCredential;
  /** Sentences for the start log (secret in use, certificate expiring soon, key file readable by others). */
  warnings: string[];
  /** One line for the start log: which credential, without anything secret. */
  description: string;
}

/** The variables this module reads (a subset of `Env`, so tests can pass plain objects). */
export interface GraphCredentialEnv {
  ENTRA_CLIENT_SECRET?: string;
  ENTRA_CLIENT_CERT_PATH?: string;
  ENTRA_CLIENT_CERT_SEND_X5C?: boolean;
  ENTRA_CLIENT_CERT_PFX_PATH?: string;
}

export class GraphCredentialError extends Error {
  constructor(public readonly variable: string, message: string) {
    super(message);
    this.name = 'GraphCredentialError';
  }
}

/** Warn this many days before the certificate expires. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |DSA )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/g;
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

const CONVERT_HINT = 'openssl pkcs12 -in brevdue.pfx -nodes -out brevdue.pem (add -legacy for an old RC2/3DES file)';

/**
 * Production: exactly one of ENTRA_CLIENT_SECRET or ENTRA_CLIENT_CERT_PATH. Throws a
 * GraphCredentialError naming the variable; returns the credential for msal-node plus warnings.
 */
export function loadGraphCredential(
  env: GraphCredentialEnv,
  opts: { now?: Date } = {},
): LoadedGraphCredential {
  const secret = env.ENTRA_CLIENT_SECRET?.trim() ? env.ENTRA_CLIENT_SECRET : undefined;
  const certPath = env.ENTRA_CLIENT_CERT_PATH?.trim() || undefined;

  if (env.ENTRA_CLIENT_CERT_PFX_PATH?.trim()) {
    throw new GraphCredentialError('ENTRA_CLIENT_CERT_PFX_PATH',
      'ENTRA_CLIENT_CERT_PFX_PATH is not supported: Brevdue reads PEM only. Convert the PKCS#12 file once with '
      + `\`${CONVERT_HINT}\`, point ENTRA_CLIENT_CERT_PATH to the PEM file and remove ENTRA_CLIENT_CERT_PFX_PATH.`);
  }
  if (secret && certPath) {
    throw new GraphCredentialError('ENTRA_CLIENT_SECRET',
      'Both ENTRA_CLIENT_SECRET and ENTRA_CLIENT_CERT_PATH are set; Brevdue uses exactly one credential for Microsoft Graph. '
      + 'Keep the certificate and remove ENTRA_CLIENT_SECRET (and delete the secret from the app registration).');
  }
  if (!secret && !certPath) {
    throw new GraphCredentialError('ENTRA_CLIENT_CERT_PATH',
      'Production mode needs a credential for Microsoft Graph: set ENTRA_CLIENT_CERT_PATH to a PEM file holding the private key '
      + 'and the certificate uploaded to the app registration (preferred), or ENTRA_CLIENT_SECRET (docs/DEPLOYMENT.md).');
  }
  if (secret) {
    if (env.ENTRA_CLIENT_CERT_SEND_X5C) {
      throw new GraphCredentialError('ENTRA_CLIENT_CERT_SEND_X5C',
        'ENTRA_CLIENT_CERT_SEND_X5C only applies to a certificate (ENTRA_CLIENT_CERT_PATH); remove it or switch to a certificate.');
    }
    return {
      credential: { kind: 'secret', clientSecret: secret },
      warnings: ['Microsoft Graph: ENTRA_CLIENT_SECRET is in use: client secrets expire and leak; prefer a certificate '
        + '(ENTRA_CLIENT_CERT_PATH, docs/DEPLOYMENT.md "Certificate credentials").'],
      description: 'Microsoft Graph credential: client secret (ENTRA_CLIENT_SECRET)',
    };
  }
  return loadCertificateFile(certPath!, { sendX5c: env.ENTRA_CLIENT_CERT_SEND_X5C ?? false, now: opts.now ?? new Date() });
}

/** Reads and checks the PEM file of ENTRA_CLIENT_CERT_PATH. */
export function loadCertificateFile(file: string, opts: { sendX5c: boolean; now: Date }): LoadedGraphCredential {
  const V = 'ENTRA_CLIENT_CERT_PATH';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GraphCredentialError(V, `${V}: there is no file at ${file}. Put the PEM file holding the private key and the certificate there, or correct the path.`);
    if (code === 'EACCES' || code === 'EPERM') throw new GraphCredentialError(V, `${V}: ${file} cannot be read by this process (permission denied). Give the user Brevdue runs as read access (and nobody else).`);
    if (code === 'EISDIR') throw new GraphCredentialError(V, `${V}: ${file} is a directory; name the PEM file itself.`);
    throw new GraphCredentialError(V, `${V}: ${file} cannot be read (${code ?? 'unknown error'}).`);
  }
  if (/^\s*$/.test(text) || (!text.includes('-----BEGIN') && looksBinary(text))) {
    throw new GraphCredentialError(V, `${V}: ${file} is not PEM text. If it is a .pfx/.p12 file, convert it once: \`${CONVERT_HINT}\`.`);
  }
  if (ENCRYPTED_KEY.test(text)) {
    throw new GraphCredentialError(V, `${V}: the private key in ${file} is encrypted with a passphrase, which Brevdue cannot supply. `
      + 'Store it unencrypted in a file only Brevdue can read (or in your secret store): `openssl pkey -in encrypted.pem -out brevdue-key.pem`, then combine key and certificate into one file.');
  }

  const keyBlocks = [...text.matchAll(KEY_BLOCK)].map((m) => m[0]);
  const certBlocks = [...text.matchAll(CERT_BLOCK)].map((m) => m[0]);
  if (keyBlocks.length === 0) {
    throw new GraphCredentialError(V, `${V}: ${file} holds no private key (-----BEGIN PRIVATE KEY-----). The file must hold the private key `
      + 'and the certificate, e.g. `cat brevdue.key brevdue.crt > brevdue.pem`; the certificate alone is what you upload to the app registration.');
  }
  if (keyBlocks.length > 1) {
    throw new GraphCredentialError(V, `${V}: ${file} holds ${keyBlocks.length} private keys; keep only the one that belongs to the certificate.`);
  }
  if (certBlocks.length === 0) {
    throw new GraphCredentialError(V, `${V}: ${file} holds a private key but no certificate (-----BEGIN CERTIFICATE-----). `
      + 'Append the certificate you uploaded to the app registration: `cat brevdue.key brevdue.crt > brevdue.pem`.');
  }

  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlocks[0]);
  } catch {
    throw new GraphCredentialError(V, `${V}: the private key in ${file} cannot be read (damaged or not PEM). Export it again.`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new GraphCredentialError(V, `${V}: the private key in ${file} is ${key.asymmetricKeyType?.toUpperCase() ?? 'of an unknown type'}; `
      + 'Entra ID client assertions are signed with RSA (PS256). Create an RSA key of 2048 bits or more (docs/DEPLOYMENT.md).');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) {
    throw new GraphCredentialError(V, `${V}: the RSA key in ${file} has ${bits} bits; use 2048 bits or more.`);
  }

  const certs: X509Certificate[] = [];
  for (const block of certBlocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      throw new GraphCredentialError(V, `${V}: ${file} holds a certificate block that cannot be read (damaged PEM).`);
    }
  }
  const leafIndex = certs.findIndex((c) => c.checkPrivateKey(key));
  if (leafIndex < 0) {
    const names = certs.map((c) => `"${oneLine(c.subject)}"`).join(', ');
    throw new GraphCredentialError(V, `${V}: the private key in ${file} does not belong to the certificate${certs.length > 1 ? 's' : ''} in it (${names}). `
      + 'Put the key and the certificate made from it into the file.');
  }
  const leaf = certs[leafIndex];
  const chain = [leaf, ...certs.filter((_, i) => i !== leafIndex)];

  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  const subject = oneLine(leaf.subject);
  const thumbprintSha256 = hex(leaf.fingerprint256);
  if (validTo.getTime() <= opts.now.getTime()) {
    throw new GraphCredentialError(V, `${V}: the certificate "${subject}" (SHA-256 ${thumbprintSha256}) expired on ${day(validTo)}. `
      + 'Entra ID refuses it: create a new one, upload it to the app registration and point ENTRA_CLIENT_CERT_PATH to it (docs/DEPLOYMENT.md "Rotation").');
  }
  if (validFrom.getTime() > opts.now.getTime()) {
    throw new GraphCredentialError(V, `${V}: the certificate "${subject}" is not valid before ${validFrom.toISOString()}; check this machine's clock or use a certificate that is valid now.`);
  }

  const daysLeft = Math.floor((validTo.getTime() - opts.now.getTime()) / DAY_MS);
  const warnings: string[] = [];
  if (daysLeft <= EXPIRY_WARNING_DAYS) {
    warnings.push(`Microsoft Graph: the certificate "${subject}" (SHA-256 ${thumbprintSha256}) expires on ${day(validTo)}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'}. `
      + 'Upload its successor to the app registration now and switch ENTRA_CLIENT_CERT_PATH to it (docs/DEPLOYMENT.md "Rotation").');
  }
  const mode = fileMode(file);
  if (mode !== null && (mode & 0o004) !== 0) {
    warnings.push(`Microsoft Graph: ${file} (private key) is readable by every user on this machine (mode ${(mode & 0o777).toString(8)}); restrict it, e.g. chmod 600.`);
  }

  const info: GraphCertificateInfo = {
    file, subject, issuer: oneLine(leaf.issuer), thumbprintSha256, thumbprintSha1: hex(leaf.fingerprint),
    validFrom, validTo, daysLeft, sendX5c: opts.sendX5c,
  };
  const certificate: GraphCertificate = {
    thumbprintSha256,
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ...(opts.sendX5c ? { x5c: chain.map((c) => c.toString()).join('') } : {}),
  };
  return {
    credential: { kind: 'certificate', certificate, info },
    warnings,
    description: `Microsoft Graph credential: certificate "${subject}", SHA-256 ${thumbprintSha256} `
      + `(SHA-1 ${info.thumbprintSha1}, as the app registration lists it), valid until ${day(validTo)}`
      + (opts.sendX5c ? ', x5c sent' : ''),
  };
}

const hex = (fingerprint: string) => fingerprint.replace(/:/g, '').toUpperCase();
const day = (d: Date) => d.toISOString().slice(0, 10);
const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

function looksBinary(s: string): boolean {
  // A DER/PKCS#12 file read as UTF-8 is full of replacement characters and control bytes.
  let odd = 0;
  for (let i = 0; i < Math.min(s.length, 512); i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) odd++;
  }
  return odd > 8;
}

function fileMode(file: string): number | null {
  if (process.platform === 'win32') return null;
  try {
    return statSync(file).mode;
  } catch {
    return null;
  }
}
