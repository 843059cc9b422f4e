// "Attach a mailbox" to a CVR number (POST /api/admin/cvrs/:cvr/mailboxes), pure: the settings each
// provider takes (its configSchema in backend/src/ingest/<provider>/provider.ts; the credentials are
// credentials.ts'), their defaults and suggested addresses, what is missing or malformed, the request
// body, and where the server's problems go on the form. The server checks everything again, also
// what only it knows: the addresses this installation allows and whether the certificate opens.
import { providerSchema, type CvrView, type MailboxCreate, type Provider } from '../../../../../shared/src/contracts';
import type { ProblemForm } from '../field-problems';
import { credentialProblems, credentialsBody, formFieldOf, type CertChoice, type Values } from './credentials';

export const PROVIDERS: readonly Provider[] = providerSchema.options;

/**
 * Each provider's own production addresses (backend/src/ingest/provider-urls.ts
 * PROVIDER_BASE_URL_DEFAULTS, the e-Boks and mit.dk clients' defaults), allowed in every installation.
 */
export const PROVIDER_BASE_URLS: Readonly<Record<Provider, readonly string[]>> = {
  ngdp: ['https://api.digitalpost.dk/apis/v1', 'https://test.digitalpost.dk/apis/v1'],
  eboks: ['https://rest.e-boks.dk/mobile/1/xml.svc/en-gb'],
  mitdk: ['https://gateway.mit.dk/view/client'],
};

/** Digital Post is pulled or pushes; e-Boks and mit.dk are always pulled. */
export const MODES: Readonly<Record<Provider, readonly ('pull' | 'push')[]>> = { ngdp: ['pull', 'push'], eboks: ['pull'], mitdk: ['pull'] };

export const MITDK_DATA_SOURCES = ['DP_PRIVATE', 'DP_PUBLIC'] as const;

export interface SettingField {
  key: string;
  kind: 'text' | 'url' | 'choice' | 'sources';
  required?: boolean;
  /** Shown under "More settings" (the defaults fit most organisations). */
  more?: boolean;
  /** A malformed value's message key (admin.mailboxes.attach.format.*) and its test. */
  format?: { key: string; test: RegExp };
  options?: readonly string[];
}

/** backend/src/ingest/eboks/provider.ts EBOKS_DEVICE_ID: normally a UUID; at most 64 letters, digits, '-', '_', '.'. */
export const EBOKS_DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The settings the form asks for, in order; mode (Digital Post) is its own choice. */
export const SETTING_FIELDS: Readonly<Record<Provider, readonly SettingField[]>> = {
  ngdp: [
    { key: 'baseUrl', kind: 'url', required: true },
    { key: 'systemUsername', kind: 'text', required: true },
    { key: 'mailboxId', kind: 'text', more: true, format: { key: 'uuid', test: UUID } },
  ],
  eboks: [
    { key: 'baseUrl', kind: 'url', required: true },
    { key: 'deviceId', kind: 'text', required: true, format: { key: 'deviceId', test: EBOKS_DEVICE_ID } },
    { key: 'identityType', kind: 'text', more: true, required: true, format: { key: 'identityType', test: /^[A-Z]{1,2}$/ } },
    { key: 'nationality', kind: 'text', more: true, required: true, format: { key: 'nationality', test: /^[A-Z]{2}$/ } },
    { key: 'mailboxId', kind: 'text', more: true, required: true, format: { key: 'digits', test: /^\d+$/ } },
    { key: 'inboxFolder', kind: 'text', more: true, required: true },
    { key: 'archiveFolder', kind: 'text', more: true, required: true },
  ],
  mitdk: [
    { key: 'baseUrl', kind: 'url', required: true },
    { key: 'dataSources', kind: 'sources', more: true, required: true, options: MITDK_DATA_SOURCES },
    { key: 'acknowledge', kind: 'choice', more: true, options: ['archive', 'markRead'] },
    { key: 'archiveFolder', kind: 'text', more: true, required: true },
  ],
};

/** The schemas' defaults, shown in the form (a list as comma-separated values). */
const DEFAULTS: Readonly<Record<Provider, Values>> = {
  ngdp: { mode: 'pull' },
  eboks: { identityType: 'P', nationality: 'DK', mailboxId: '0', inboxFolder: 'Indbakke', archiveFolder: 'Arkiv' },
  mitdk: { dataSources: MITDK_DATA_SOURCES.join(','), acknowledge: 'archive', archiveFolder: 'ARCHIVE' },
};

/** Providers a CVR number has no mailbox at yet (one per provider). */
export function providersToAttach(c: Pick<CvrView, 'mailboxes'>): Provider[] {
  return PROVIDERS.filter((p) => !c.mailboxes.some((m) => m.provider === p));
}

/**
 * Addresses to offer for a provider: those the organisation's other mailboxes of it use (the
 * installation allowed them), then the provider's own.
 */
export function baseUrlSuggestions(cvrs: readonly Pick<CvrView, 'mailboxes'>[], provider: Provider): string[] {
  const used = cvrs.flatMap((c) => c.mailboxes).filter((m) => m.provider === provider)
    .map((m) => m.config.baseUrl).filter((u): u is string => typeof u === 'string' && u.length > 0);
  return [...new Set([...used, ...PROVIDER_BASE_URLS[provider]])];
}

/**
 * A new form's values: the defaults, the first suggested address and, for Digital Post, the calling
 * system the organisation's other mailboxes use (one system normally serves all CVR numbers). Never credentials.
 */
export function initialSettings(cvrs: readonly Pick<CvrView, 'mailboxes'>[], provider: Provider): Values {
  const values: Values = { ...DEFAULTS[provider], baseUrl: baseUrlSuggestions(cvrs, provider)[0] ?? '' };
  if (provider === 'ngdp') {
    const system = cvrs.flatMap((c) => c.mailboxes).find((m) => m.provider === 'ngdp' && typeof m.config.systemUsername === 'string');
    if (system) values.systemUsername = system.config.systemUsername as string;
  }
  return values;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** What is missing or malformed in the settings, by field, in the user's language. */
export function settingProblems(provider: Provider, v: Values, t: (k: string) => string): Record<string, string> {
  const p: Record<string, string> = {};
  for (const f of SETTING_FIELDS[provider]) {
    const value = (v[f.key] ?? '').trim();
    if (f.kind === 'sources') {
      if (!value) p[f.key] = t('admin.mailboxes.attach.format.sources');
      continue;
    }
    if (!value) {
      if (f.required) p[f.key] = t('admin.mailboxes.credentials.required');
      continue;
    }
    if (f.kind === 'url' && !isHttpUrl(value)) p[f.key] = t('admin.mailboxes.attach.format.url');
    else if (f.format && !f.format.test.test(value)) p[f.key] = t(`admin.mailboxes.attach.format.${f.format.key}`);
  }
  return p;
}

export function attachProblems(provider: Provider, settings: Values, credentials: Values, cert: CertChoice, t: (k: string) => string): Record<string, string> {
  return { ...settingProblems(provider, settings, t), ...credentialProblems(provider, credentials, cert, 'attach', t) };
}

/** The request: the settings the provider takes (blank optional ones left out), and the credentials. */
export function attachBody(provider: Provider, settings: Values, credentials: Values, cert: CertChoice): MailboxCreate {
  const config: Record<string, unknown> = {};
  for (const f of SETTING_FIELDS[provider]) {
    const value = (settings[f.key] ?? '').trim();
    if (!value) continue;
    config[f.key] = f.kind === 'sources' ? value.split(',').filter(Boolean) : value;
  }
  if (MODES[provider].length > 1) config.mode = settings.mode === 'push' ? 'push' : 'pull';
  return { provider, config, credentials: credentialsBody(provider, credentials, cert) };
}

/** Every form field a problem can be shown at, besides the provider and mode choices. */
export function formFields(provider: Provider): string[] {
  return [...SETTING_FIELDS[provider].map((f) => f.key), 'mode', 'systemPassword', 'identity', 'password', 'activationCode',
    'dppRefreshToken', 'ngdpRefreshToken', 'certificateChoice', 'certificate', 'privateKey', 'pfxBase64', 'passphrase'];
}

/**
 * "Attach a mailbox" and "Renew credentials" as the server's refusals are placed on them
 * (../field-problems.ts): a problem's field is a path in the request's config or credentials
 * ("dataSources.0" is shown at dataSources, a certificate's parts at their own fields).
 */
export function mailboxForm(provider: Provider): ProblemForm<string> {
  const known = new Set(formFields(provider));
  return { fieldOf: (path) => [formFieldOf(path), path.split('.')[0]].find((f) => f && known.has(f)) };
}
