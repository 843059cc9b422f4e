// The key-encryption key kept wrapped by an RSA key in Azure Key Vault (optional). With
// AZURE_KEY_VAULT_KEY_ID set, BREVDUE_KEK and BREVDUE_KEK_PREVIOUS hold *wrapped* keys (`id:base64`
// of the RSA-OAEP-256 ciphertext, made by `brevdue keys wrap`); at start each is unwrapped once by
// Key Vault with the app's managed identity, and the plain keys live in memory only. Configuration
// and backups then hold nothing that opens a letter without Key Vault, every unwrap is in Key Vault's
// log, and removing the identity's access stops any new process from reading the data.
// Two REST calls, so plain fetch rather than @azure/keyvault-keys + @azure/identity (a dozen packages
// for what is two requests here). API: https://learn.microsoft.com/rest/api/keyvault/keys/unwrap-key
import { randomBytes } from 'node:crypto';

const API_VERSION = '7.4';
const ALG = 'RSA-OAEP-256';
const VAULT_RESOURCE = 'https://vault.azure.net';

export interface KeyVaultOptions {
  /** The key's identifier with its version: https://<vault>.vault.azure.net/keys/<name>/<version>. */
  keyId: string;
  /** Managed identity endpoint and secret header, as App Service and Container Apps set them (IDENTITY_ENDPOINT, IDENTITY_HEADER). */
  identityEndpoint?: string;
  identityHeader?: string;
  /** Client id of a user-assigned identity (AZURE_CLIENT_ID); the system-assigned one when unset. */
  clientId?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A configuration problem or a refusal from Azure, in a sentence naming what to change. */
export class KeyVaultError extends Error {
  constructor(message: string) { super(message); this.name = 'KeyVaultError'; }
}

/** Checks AZURE_KEY_VAULT_KEY_ID: an https key URL with a version (http only to a local simulator). */
export function parseKeyId(keyId: string): URL {
  let u: URL;
  try { u = new URL(keyId); } catch { throw new KeyVaultError(`AZURE_KEY_VAULT_KEY_ID "${keyId}" is not a URL; copy the key version's "Key Identifier" from the Azure portal (https://<vault>.vault.azure.net/keys/<name>/<version>).`); }
  const local = u.hostname === '127.0.0.1' || u.hostname === 'localhost';
  if (u.protocol !== 'https:' && !(local && u.protocol === 'http:')) throw new KeyVaultError('AZURE_KEY_VAULT_KEY_ID must be an https:// address.');
  if (!/^\/keys\/[\w-]{1,127}\/[0-9a-f]{32}\/?$/i.test(u.pathname)) {
    throw new KeyVaultError('AZURE_KEY_VAULT_KEY_ID must name a key *version*: https://<vault>.vault.azure.net/keys/<name>/<32-character version>. A key without a version would change under Brevdue when the key is rotated in Key Vault.');
  }
  return u;
}

async function call(o: KeyVaultOptions, url: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
  const f = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
  } catch (e) {
    throw new KeyVaultError(`${what}: no answer from ${new URL(url).host} (${(e as Error).message}). Check the network path to Azure.`);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try { body = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON: reported below by status */ }
  if (!res.ok) {
    const err = (body.error ?? {}) as { code?: string; message?: string };
    const detail = [err.code, err.message ?? (typeof body.error_description === 'string' ? body.error_description : undefined)].filter(Boolean).join(': ');
    const hint = res.status === 401 || res.status === 403
      ? ' Give the app\'s managed identity the role "Key Vault Crypto Service Encryption User" on this key (or the wrapKey/unwrapKey permissions in an access policy).'
      : res.status === 404 ? ' Check AZURE_KEY_VAULT_KEY_ID: the vault has no such key version.' : '';
    throw new KeyVaultError(`${what}: ${res.status}${detail ? ` (${detail})` : ''}.${hint}`);
  }
  return body;
}

/** A token for Key Vault from the managed identity endpoint (App Service / Container Apps protocol, api-version 2019-08-01). */
async function identityToken(o: KeyVaultOptions): Promise<string> {
  if (!o.identityEndpoint || !o.identityHeader) {
    throw new KeyVaultError('AZURE_KEY_VAULT_KEY_ID is set, but no managed identity is available (IDENTITY_ENDPOINT and IDENTITY_HEADER are unset). Turn on the app\'s identity in Azure (Container Apps or App Service › Identity).');
  }
  const u = new URL(o.identityEndpoint);
  u.searchParams.set('resource', VAULT_RESOURCE);
  u.searchParams.set('api-version', '2019-08-01');
  if (o.clientId) u.searchParams.set('client_id', o.clientId);
  const body = await call(o, u.toString(), { headers: { 'X-IDENTITY-HEADER': o.identityHeader } }, 'Getting a managed identity token for Key Vault failed');
  if (typeof body.access_token !== 'string') throw new KeyVaultError('The managed identity endpoint answered without an access token.');
  return body.access_token;
}

async function keyOperation(o: KeyVaultOptions, op: 'wrapkey' | 'unwrapkey', value: Buffer, token: string): Promise<Buffer> {
  const base = parseKeyId(o.keyId).toString().replace(/\/+$/, '');
  const body = await call(o, `${base}/${op}?api-version=${API_VERSION}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ alg: ALG, value: value.toString('base64url') }),
  }, `Key Vault ${op === 'wrapkey' ? 'wrapping' : 'unwrapping'} with ${o.keyId} failed`);
  if (typeof body.value !== 'string') throw new KeyVaultError(`Key Vault's ${op} answer has no value.`);
  return Buffer.from(body.value, 'base64url');
}

/** A new random 32-byte KEK, wrapped: returns the value for BREVDUE_KEK (`id:base64`). */
export async function newWrappedKek(o: KeyVaultOptions, id: string): Promise<string> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new KeyVaultError('a key id is 1–64 of A–Z a–z 0–9 . _ -');
  const wrapped = await keyOperation(o, 'wrapkey', randomBytes(32), await identityToken(o));
  return `${id}:${wrapped.toString('base64')}`;
}

/**
 * BREVDUE_KEK and BREVDUE_KEK_PREVIOUS with every wrapped key replaced by the plain key (`id:base64`),
 * ready for loadKeyring. Without a key id configured the values are returned unchanged.
 */
export async function unwrapKekSettings(
  settings: { kek?: string; previous?: string },
  o: Omit<KeyVaultOptions, 'keyId'> & { keyId?: string },
): Promise<{ kek?: string; previous?: string }> {
  if (!o.keyId) return settings;
  const opts = { ...o, keyId: o.keyId };
  parseKeyId(opts.keyId);
  if (!settings.kek) throw new KeyVaultError('AZURE_KEY_VAULT_KEY_ID is set but BREVDUE_KEK is not: set it to the wrapped key `brevdue keys wrap` printed.');
  const token = await identityToken(opts);
  const unwrap = async (spec: string, variable: string): Promise<string> => {
    const m = /^([A-Za-z0-9._-]{1,64}):(.+)$/.exec(spec.trim());
    const id = m ? m[1] : 'k1';
    const wrapped = Buffer.from(m ? m[2] : spec.trim(), 'base64');
    if (wrapped.length < 128) {
      throw new KeyVaultError(`${variable}: key "${id}" is not a wrapped key (${wrapped.length} bytes; an RSA-wrapped key has 256 or more). With AZURE_KEY_VAULT_KEY_ID set, use the value \`brevdue keys wrap\` printed.`);
    }
    const plain = await keyOperation(opts, 'unwrapkey', wrapped, token);
    if (plain.length !== 32) throw new KeyVaultError(`${variable}: key "${id}" unwrapped to ${plain.length} bytes, not 32: it was not made by \`brevdue keys wrap\`.`);
    return `${id}:${plain.toString('base64')}`;
  };
  const kek = await unwrap(settings.kek, 'BREVDUE_KEK');
  const previous = settings.previous?.trim()
    ? (await Promise.all(settings.previous.split(',').map((s) => s.trim()).filter(Boolean).map((s) => unwrap(s, 'BREVDUE_KEK_PREVIOUS')))).join(',')
    : settings.previous;
  return { kek, previous };
}

/** The Key Vault options from the environment (main.ts and the CLI). */
export function keyVaultFromEnv(env: NodeJS.ProcessEnv): Omit<KeyVaultOptions, 'keyId'> & { keyId?: string } {
  return {
    keyId: env.AZURE_KEY_VAULT_KEY_ID?.trim() || undefined,
    identityEndpoint: env.IDENTITY_ENDPOINT, identityHeader: env.IDENTITY_HEADER,
    clientId: env.AZURE_CLIENT_ID?.trim() || undefined,
  };
}
