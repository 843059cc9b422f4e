// A mailbox's credentials as the forms of Admin › Mailboxes ask for them, shared by "Attach a mailbox"
// (AttachMailboxForm.tsx) and "Renew credentials" (MailboxTools.tsx): each provider's fields (the
// provider's secretSchema in backend/src/ingest/<provider>/provider.ts), what is missing or malformed,
// the request body, and where a problem the server names by its field is shown. Pure.
import type { Provider } from '../../../../../shared/src/contracts';

/**
 * The Digital Post certificate: 'none' sends none (renewing: the server keeps the stored one;
 * attaching: the mailbox has none), 'remove' sends null (renewing only), 'pem' or 'pfx' a new one.
 */
export type CertChoice = 'none' | 'remove' | 'pem' | 'pfx';
export type Values = Record<string, string>;
/** Attaching asks for everything; renewing may leave e-Boks' login number out (the stored one is kept). */
export type CredentialsPurpose = 'attach' | 'renew';

export interface CredentialField {
  key: string;
  /** Required when renewing; attaching requires every field. */
  requiredOnRenew: boolean;
}

/** The fields of each provider's credentials, in the order shown (all of them secret: password inputs). */
export const CREDENTIAL_FIELDS: Readonly<Record<Provider, readonly CredentialField[]>> = {
  ngdp: [{ key: 'systemPassword', requiredOnRenew: true }],
  eboks: [
    // The CPR (or CVR) number of the e-Boks logon: personal data, sealed with the credentials.
    { key: 'identity', requiredOnRenew: false },
    { key: 'password', requiredOnRenew: true },
    { key: 'activationCode', requiredOnRenew: true },
  ],
  mitdk: [
    { key: 'dppRefreshToken', requiredOnRenew: true },
    { key: 'ngdpRefreshToken', requiredOnRenew: true },
  ],
};

export const isRequired = (f: CredentialField, purpose: CredentialsPurpose) => purpose === 'attach' || f.requiredOnRenew;

/** The certificate choices a form offers: removing one only makes sense for a mailbox that may have one. */
export const certChoices = (purpose: CredentialsPurpose): CertChoice[] => (purpose === 'renew' ? ['none', 'remove', 'pem', 'pfx'] : ['none', 'pem', 'pfx']);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:[A-Z]+ )?(?:ENCRYPTED )?PRIVATE KEY-----/;

/** What is missing or malformed, by field, in the user's language (the server checks again). */
export function credentialProblems(
  provider: Provider, v: Values, cert: CertChoice, purpose: CredentialsPurpose, t: (k: string) => string,
): Record<string, string> {
  const p: Record<string, string> = {};
  for (const f of CREDENTIAL_FIELDS[provider]) if (isRequired(f, purpose) && !(v[f.key] ?? '').trim()) p[f.key] = t('admin.mailboxes.credentials.required');
  if (provider === 'eboks' && (v.identity ?? '').trim() && !/^(\d{8}|\d{10})$/.test(v.identity.trim())) p.identity = t('admin.mailboxes.credentials.identityFormat');
  if (provider === 'ngdp' && cert === 'pem') {
    if (!PEM_CERTIFICATE.test(v.certificate ?? '')) p.certificate = t('admin.mailboxes.credentials.pemCertificate');
    if (!PEM_KEY.test(v.privateKey ?? '')) p.privateKey = t('admin.mailboxes.credentials.pemKey');
  }
  if (provider === 'ngdp' && cert === 'pfx' && !v.pfxBase64) p.pfxBase64 = t('admin.mailboxes.credentials.pfxRequired');
  return p;
}

/** The `credentials` of the request, as the provider's secretSchema (and ngdpCertificateSchema) take them. */
export function credentialsBody(provider: Provider, v: Values, cert: CertChoice): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of CREDENTIAL_FIELDS[provider]) {
    const value = (v[f.key] ?? '').trim();
    if (value) body[f.key] = value;
  }
  if (provider !== 'ngdp') return body;
  if (cert === 'pem') {
    body.certificate = { format: 'pem', certificate: (v.certificate ?? '').trim(), privateKey: (v.privateKey ?? '').trim(), ...(v.passphrase ? { passphrase: v.passphrase } : {}) };
  }
  if (cert === 'pfx') body.certificate = { format: 'pfx', pfxBase64: v.pfxBase64 ?? '', passphrase: v.passphrase ?? '' };
  if (cert === 'remove') body.certificate = null;
  return body;
}

/**
 * The form field a server problem is shown at, from its `params.field` (a path in the request's
 * config or credentials: "baseUrl", "certificate.passphrase"): the certificate's parts are fields of
 * their own, the certificate as a whole is its choice.
 */
export function formFieldOf(serverField: string): string {
  if (serverField === 'certificate') return 'certificateChoice';
  const m = /^certificate\.(certificate|privateKey|passphrase|pfxBase64)$/.exec(serverField);
  return m ? m[1] : serverField;
}

export function toBase64(bytes: ArrayBuffer): string {
  const b = new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}
