// Which addresses Brevdue calls for a provider mailbox. A mailbox's `baseUrl` is typed in by an
// organisation's admin, but Brevdue calls it with the mailbox's sealed credentials (NgDP's system
// password and OCES certificate, e-Boks' password, mit.dk's tokens) and reports what it answered: an
// address of the admin's choosing would point Brevdue, and those credentials, at any host (an
// internal service, a collector). So the addresses are the installation's: each provider's own
// production addresses below, plus the operator's allow-list (NGDP_ALLOWED_BASE_URLS,
// EBOKS_ALLOWED_BASE_URLS, MITDK_ALLOWED_BASE_URLS; docs/DEPLOYMENT.md 3.1), https only in production
// (plain http only to an address on this machine that the operator lists).
// Demo mode adds its in-process simulators; tests name theirs (StartOptions.providerBaseUrls), and
// plain http is accepted only there (`allowHttp`), never from a production configuration.
// Checked when an admin saves a mailbox (store/organisation.ts) and again before every call
// (ingest/connectors.ts, ngdp/mailbox-client.ts), so a row saved before this check, or an address
// the operator has since removed, is not called either. Pure: no DNS, no I/O.
import type { Provider } from '../../../shared/src/contracts';
import { ProviderError } from './connector';
import { EBOKS_DEFAULT_BASE_URL } from './eboks/client';
import { MITDK_DEFAULT_BASE_URL } from './mitdk/client';

export const PROVIDERS_WITH_BASE_URL = ['ngdp', 'eboks', 'mitdk'] as const satisfies readonly Provider[];

/** Each provider's own addresses, allowed in every installation (an entry allows the paths below it). */
export const PROVIDER_BASE_URL_DEFAULTS: Readonly<Record<Provider, readonly string[]>> = Object.freeze({
  ngdp: ['https://api.digitalpost.dk/apis/v1', 'https://test.digitalpost.dk/apis/v1'],
  // Any language of the mobile API (…/xml.svc/en-gb, …/xml.svc/da-dk).
  eboks: [EBOKS_DEFAULT_BASE_URL.replace(/\/[a-z]{2}-[a-z]{2}$/, '')],
  mitdk: [MITDK_DEFAULT_BASE_URL],
});

/** The operator's setting that adds addresses for each provider (config.ts). */
export const PROVIDER_BASE_URL_SETTING: Readonly<Record<Provider, string>> = Object.freeze({
  ngdp: 'NGDP_ALLOWED_BASE_URLS',
  eboks: 'EBOKS_ALLOWED_BASE_URLS',
  mitdk: 'MITDK_ALLOWED_BASE_URLS',
});

const DISPLAY: Readonly<Record<Provider, string>> = Object.freeze({ ngdp: 'Digital Post', eboks: 'e-Boks', mitdk: 'mit.dk' });

export type ProviderBaseUrls = Partial<Record<Provider, readonly string[]>>;

interface AllowedBase { origin: string; path: string; text: string }

export interface ProviderUrlPolicy {
  readonly allowed: Readonly<Record<Provider, readonly AllowedBase[]>>;
}

const MAX_URL_LENGTH = 2048;

/**
 * Plain http to this machine never leaves it: an operator may list one explicitly (a local proxy
 * that adds TLS, the benches' simulators), never implicitly.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Path without trailing slashes ('' for the root). */
const trimPath = (p: string) => p.replace(/\/+$/, '');

/**
 * One allowed address as the operator (or a test) gives it: an absolute http(s) URL without user
 * name, password, query or fragment. Throws a sentence. http only with `allowHttp` (demo and tests).
 */
export function parseAllowedBaseUrl(s: string, allowHttp: boolean): AllowedBase {
  let u: URL;
  try { u = new URL(s.trim()); } catch { throw new Error(`"${s.slice(0, 120)}" is not a URL such as https://api.digitalpost.dk/apis/v1`); }
  if (u.protocol !== 'https:' && !((allowHttp || isLoopbackHost(u.hostname)) && u.protocol === 'http:')) {
    throw new Error(`"${s.slice(0, 120)}" must start with https://${allowHttp ? ' or http://' : ' (plain http is for demo mode, or an address on this machine such as a local TLS proxy)'}`);
  }
  if (u.username || u.password) throw new Error(`"${u.host}": an allowed address must not contain a user name or password`);
  if (u.search || u.hash) throw new Error(`"${s.slice(0, 120)}": an allowed address must not contain a query (?…) or fragment (#…)`);
  return { origin: u.origin, path: trimPath(u.pathname), text: `${u.origin}${trimPath(u.pathname)}` };
}

/**
 * The installation's policy: the providers' own addresses plus `extra` (the operator's allow-list,
 * in demo mode the simulators'). Throws a sentence naming the bad entry.
 */
export function providerUrlPolicy(extra: ProviderBaseUrls = {}, opts: { allowHttp?: boolean } = {}): ProviderUrlPolicy {
  const allowed = {} as Record<Provider, AllowedBase[]>;
  for (const p of PROVIDERS_WITH_BASE_URL) {
    allowed[p] = [...PROVIDER_BASE_URL_DEFAULTS[p].map((u) => parseAllowedBaseUrl(u, false))];
    for (const u of extra[p] ?? []) {
      try { allowed[p].push(parseAllowedBaseUrl(u, opts.allowHttp ?? false)); } catch (e) {
        throw new Error(`${PROVIDER_BASE_URL_SETTING[p]}: ${(e as Error).message}`);
      }
    }
  }
  return { allowed };
}

/** Production: the providers' own addresses only. What a caller that was given no policy gets. */
export const DEFAULT_PROVIDER_URL_POLICY: ProviderUrlPolicy = providerUrlPolicy();

/** Why `url` may not be a `provider` mailbox's base URL, or null when it may. */
export function providerBaseUrlRefusal(policy: ProviderUrlPolicy, provider: string, url: unknown): string | null {
  const p = provider as Provider;
  const list = policy.allowed[p];
  if (!list) return `Unknown mailbox provider "${provider}".`;
  const how = `The operator of this Brevdue installation sets allowed addresses with ${PROVIDER_BASE_URL_SETTING[p]} (docs/DEPLOYMENT.md). `
    + `Allowed now: ${list.map((a) => a.text).join(', ')}.`;
  if (typeof url !== 'string' || url.length === 0) return `The ${DISPLAY[p]} address (baseUrl) is missing. ${how}`;
  if (url.length > MAX_URL_LENGTH) return `The ${DISPLAY[p]} address (baseUrl) is longer than ${MAX_URL_LENGTH} characters. ${how}`;
  const shown = `"${url.slice(0, 200)}"`;
  let u: URL;
  try { u = new URL(url); } catch { return `${shown} is not a URL. ${how}`; }
  if (u.username || u.password) return `${shown} contains a user name or password; credentials go in the mailbox's credentials, never in its address. ${how}`;
  if (u.search || u.hash) return `${shown} contains a query (?…) or fragment (#…); give the API's base address only. ${how}`;
  const path = trimPath(u.pathname);
  const ok = list.some((a) => a.origin === u.origin && (path === a.path || path.startsWith(`${a.path}/`)));
  return ok ? null : `${shown} is not an allowed ${DISPLAY[p]} address; ${how.charAt(0).toLowerCase()}${how.slice(1)}`;
}

/** A stored mailbox whose address is not (or no longer) allowed: it is not called. Not retryable. */
export class ProviderUrlRefused extends ProviderError {
  constructor(message: string) {
    super('settings_invalid', message, false);
    this.name = 'ProviderUrlRefused';
  }
}

/** Throws ProviderUrlRefused before any call to an address the policy does not allow. */
export function assertProviderBaseUrl(policy: ProviderUrlPolicy, provider: string, url: unknown, cvr?: string): void {
  const refusal = providerBaseUrlRefusal(policy, provider, url);
  if (refusal) {
    throw new ProviderUrlRefused(`The ${DISPLAY[provider as Provider] ?? provider} mailbox${cvr ? ` of CVR ${cvr}` : ''} was not called `
      + `(an admin must give it an allowed address, with its credentials): ${refusal}`);
  }
}

/** The same address, written differently or not (trailing slash, case of the host, default port)? */
export function sameBaseUrl(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  try {
    const x = new URL(a); const y = new URL(b);
    return x.origin === y.origin && trimPath(x.pathname) === trimPath(y.pathname) && x.search === y.search && x.username === y.username && x.password === y.password;
  } catch { return a === b; }
}
