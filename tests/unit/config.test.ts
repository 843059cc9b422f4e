// Production configuration of the Microsoft Graph credential: certificate (preferred) or secret,
// exactly one; the SHA-256 thumbprint computed from the certificate; sentences that name the
// variable; no key material in any message. Certificates are made at test time with `openssl`.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate, constants, createPublicKey, verify } from 'node:crypto';
import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import { readEnv, requireEntraApp } from '../../backend/src/config';
import {
  GraphCredentialError, loadGraphCredential, type GraphCredential,
} from '../../backend/src/delivery/graph-credentials';

let dir: string;
const f = (name: string) => path.join(dir, name);
const read = (name: string) => readFileSync(f(name), 'utf8');
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();

/** Writes `name` with the given PEM parts concatenated, mode 600. */
function pemFile(name: string, ...parts: string[]): string {
  writeFileSync(f(name), parts.join(''), { mode: 0o600 });
  chmodSync(f(name), 0o600);
  return f(name);
}

/** The base64 lines of every private key made here, to prove no message carries one. */
function keyLines(): string[] {
  return ['app.key', 'other.key', 'ec.key', 'soon.key', 'app.enc.key', 'app.pkcs1.key']
    .flatMap((k) => read(k).split('\n')).filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
}

function expectError(fn: () => unknown, variable: string, pattern: RegExp): GraphCredentialError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GraphCredentialError);
    const err = e as GraphCredentialError;
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(pattern);
    for (const line of keyLines()) expect(err.message).not.toContain(line); // never key material
    return err;
  }
  throw new Error('expected a GraphCredentialError');
}

const certOf = (c: GraphCredential) => {
  if (c.kind !== 'certificate') throw new Error('expected a certificate credential');
  return c;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'brevdue-graph-cert-'));
  const subj = (cn: string) => ['-subj', `/C=DK/O=Brevdue test/CN=${cn}`];
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'app.key', '-out', 'app.crt', '-days', '365', '-sha256', ...subj('Brevdue Graph app'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-days', '365', '-sha256', ...subj('Somebody else'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ec.key', '-out', 'ec.crt', '-days', '365', ...subj('EC key'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'soon.key', '-out', 'soon.crt', '-days', '10', '-sha256', ...subj('Expires soon'));
  openssl('pkey', '-in', 'app.key', '-aes256', '-passout', 'pass:hemmelig', '-out', 'app.enc.key');
  openssl('pkey', '-in', 'app.key', '-traditional', '-out', 'app.pkcs1.key'); // -----BEGIN RSA PRIVATE KEY-----
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the certificate file (ENTRA_CLIENT_CERT_PATH)', () => {
  test('computes the SHA-256 thumbprint from the certificate, as openssl does, and hands msal a PKCS#8 key', () => {
    const file = pemFile('app.pem', read('app.key'), read('app.crt'));
    const loaded = loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file });
    const { certificate, info } = certOf(loaded.credential);

    const fromOpenssl = openssl('x509', '-in', 'app.crt', '-noout', '-fingerprint', '-sha256')
      .trim().replace(/^.*=/, '').replace(/:/g, '').toUpperCase();
    expect(certificate.thumbprintSha256).toBe(fromOpenssl);
    expect(certificate.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
    expect(info.thumbprintSha1).toMatch(/^[0-9A-F]{40}$/);
    expect(certificate.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(certificate.x5c).toBeUndefined();
    expect(info.subject).toContain('CN=Brevdue Graph app');
    expect(info.daysLeft).toBeGreaterThan(360);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.description).toContain(fromOpenssl);
    expect(loaded.description).not.toContain('PRIVATE KEY');
  });

  test('the order of key and certificate does not matter, nor PKCS#1 ("RSA PRIVATE KEY")', () => {
    const a = loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('cert-first.pem', read('app.crt'), read('app.key')) });
    const b = loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('pkcs1.pem', read('app.pkcs1.key'), read('app.crt')) });
    expect(certOf(a.credential).certificate.thumbprintSha256).toBe(certOf(b.credential).certificate.thumbprintSha256);
    expect(certOf(b.credential).certificate.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test('the leaf is the certificate that matches the key, also when a chain comes first; x5c sends leaf then chain', () => {
    const file = pemFile('chain.pem', read('other.crt'), read('app.key'), read('app.crt'));
    const loaded = loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file, ENTRA_CLIENT_CERT_SEND_X5C: true });
    const { certificate, info } = certOf(loaded.credential);
    expect(info.subject).toContain('CN=Brevdue Graph app');
    const sent = certificate.x5c!.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(sent).toHaveLength(2);
    expect(new X509Certificate(sent[0]).subject).toContain('CN=Brevdue Graph app');
    expect(new X509Certificate(sent[1]).subject).toContain('CN=Somebody else');
    expect(loaded.description).toContain('x5c sent');
  });

  test('a missing file names the variable and the path', () => {
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: f('nowhere.pem') }), 'ENTRA_CLIENT_CERT_PATH', /no file at .*nowhere\.pem/);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: dir }), 'ENTRA_CLIENT_CERT_PATH', /is a directory/);
  });

  test('a file without the private key says that the key must be in it', () => {
    const file = pemFile('only-cert.pem', read('app.crt'));
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file }), 'ENTRA_CLIENT_CERT_PATH', /holds no private key.*cat brevdue\.key brevdue\.crt/s);
  });

  test('a file without the certificate, a key of another certificate, two keys', () => {
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('only-key.pem', read('app.key')) }),
      'ENTRA_CLIENT_CERT_PATH', /no certificate/);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('mismatch.pem', read('other.key'), read('app.crt')) }),
      'ENTRA_CLIENT_CERT_PATH', /does not belong to the certificate .*CN=Brevdue Graph app/);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('two-keys.pem', read('app.key'), read('other.key'), read('app.crt')) }),
      'ENTRA_CLIENT_CERT_PATH', /2 private keys/);
  });

  test('an encrypted key, an EC key, a PKCS#12 file', () => {
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('enc.pem', read('app.enc.key'), read('app.crt')) }),
      'ENTRA_CLIENT_CERT_PATH', /encrypted with a passphrase.*openssl pkey/s);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('ec.pem', read('ec.key'), read('ec.crt')) }),
      'ENTRA_CLIENT_CERT_PATH', /is EC; .*RSA/);
    openssl('pkcs12', '-export', '-in', 'app.crt', '-inkey', 'app.key', '-out', 'app.p12', '-passout', 'pass:x');
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: f('app.p12') }), 'ENTRA_CLIENT_CERT_PATH', /not PEM text.*openssl pkcs12/s);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PFX_PATH: f('app.p12') }), 'ENTRA_CLIENT_CERT_PFX_PATH', /PEM only.*openssl pkcs12 -in/s);
  });

  test('expired: an error with the date; expiring within 30 days: a warning; not yet valid: an error', () => {
    const file = pemFile('app2.pem', read('app.key'), read('app.crt'));
    const validTo = new Date(new X509Certificate(read('app.crt')).validTo);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file }, { now: new Date(validTo.getTime() + 86_400_000) }),
      'ENTRA_CLIENT_CERT_PATH', new RegExp(`expired on ${validTo.toISOString().slice(0, 10)}.*upload it to the app registration`, 's'));
    const in20 = loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file }, { now: new Date(validTo.getTime() - 20.5 * 86_400_000) });
    expect(in20.warnings).toHaveLength(1);
    expect(in20.warnings[0]).toMatch(/expires on .* in 20 days/);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file }, { now: new Date('2001-01-01T00:00:00Z') }),
      'ENTRA_CLIENT_CERT_PATH', /not valid before/);

    const soon = loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: pemFile('soon.pem', read('soon.key'), read('soon.crt')) });
    expect(soon.warnings.join(' ')).toMatch(/CN=Expires soon.*expires on .* in [89] days/);
  });

  test('a key file readable by everybody gives a warning', () => {
    if (process.platform === 'win32' || process.getuid?.() === 0) return; // modes mean little there
    const file = pemFile('open.pem', read('app.key'), read('app.crt'));
    chmodSync(file, 0o644);
    expect(loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file }).warnings.join(' ')).toMatch(/readable by every user.*chmod 600/);
  });
});

describe('secret or certificate: exactly one', () => {
  test('a secret alone works, with the warning to prefer a certificate; the secret is never in a message', () => {
    const loaded = loadGraphCredential({ ENTRA_CLIENT_SECRET: 'Xy9~s3cr3t-value' });
    expect(loaded.credential).toEqual({ kind: 'secret', clientSecret: 'Xy9~s3cr3t-value' });
    expect(loaded.warnings.join(' ')).toContain('client secrets expire and leak; prefer a certificate');
    expect(JSON.stringify([loaded.warnings, loaded.description])).not.toContain('s3cr3t');
  });

  test('both, neither, x5c with a secret: errors naming the variable', () => {
    const file = pemFile('app3.pem', read('app.key'), read('app.crt'));
    const both = expectError(() => loadGraphCredential({ ENTRA_CLIENT_SECRET: 'Xy9~s3cr3t', ENTRA_CLIENT_CERT_PATH: file }),
      'ENTRA_CLIENT_SECRET', /Both ENTRA_CLIENT_SECRET and ENTRA_CLIENT_CERT_PATH.*remove ENTRA_CLIENT_SECRET/s);
    expect(both.message).not.toContain('s3cr3t');
    expectError(() => loadGraphCredential({}), 'ENTRA_CLIENT_CERT_PATH', /needs a credential.*ENTRA_CLIENT_CERT_PATH.*ENTRA_CLIENT_SECRET/s);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_SECRET: '   ' }), 'ENTRA_CLIENT_CERT_PATH', /needs a credential/);
    expectError(() => loadGraphCredential({ ENTRA_CLIENT_SECRET: 'x', ENTRA_CLIENT_CERT_SEND_X5C: true }),
      'ENTRA_CLIENT_CERT_SEND_X5C', /only applies to a certificate/);
  });
});

describe('readEnv and requireEntraApp', () => {
  test('TLS needs both the certificate and the key', () => {
    expect(() => readEnv({ TLS_CERT_PATH: '/x/localhost.crt' })).toThrow(/set both/);
    expect(() => readEnv({ TLS_KEY_PATH: '/x/localhost.key' })).toThrow(/TLS_CERT_PATH/);
    expect(readEnv({ TLS_CERT_PATH: '/a.crt', TLS_KEY_PATH: '/a.key' }).TLS_CERT_PATH).toBe('/a.crt');
  });

  test('ENTRA_CLIENT_CERT_SEND_X5C reads true/false strictly ("false" is false)', () => {
    expect(readEnv({ ENTRA_CLIENT_CERT_SEND_X5C: 'true' }).ENTRA_CLIENT_CERT_SEND_X5C).toBe(true);
    expect(readEnv({ ENTRA_CLIENT_CERT_SEND_X5C: 'FALSE' }).ENTRA_CLIENT_CERT_SEND_X5C).toBe(false);
    expect(readEnv({ ENTRA_CLIENT_CERT_SEND_X5C: '1' }).ENTRA_CLIENT_CERT_SEND_X5C).toBe(true);
    expect(readEnv({ ENTRA_CLIENT_CERT_SEND_X5C: '' }).ENTRA_CLIENT_CERT_SEND_X5C).toBe(false);
    expect(readEnv({}).ENTRA_CLIENT_CERT_SEND_X5C).toBe(false);
    expect(() => readEnv({ ENTRA_CLIENT_CERT_SEND_X5C: 'sure' })).toThrow('Configuration error in ENTRA_CLIENT_CERT_SEND_X5C: expected true or false');
  });

  test('production needs the tenant and the client id, and says which is missing', () => {
    expect(() => requireEntraApp(readEnv({ BREVDUE_MODE: 'production', ENTRA_CLIENT_ID: 'c' }))).toThrow(/needs ENTRA_TENANT_ID:/);
    expect(() => requireEntraApp(readEnv({ BREVDUE_MODE: 'production' }))).toThrow(/needs ENTRA_TENANT_ID and ENTRA_CLIENT_ID/);
    expect(requireEntraApp(readEnv({ BREVDUE_MODE: 'production', ENTRA_TENANT_ID: ' t ', ENTRA_CLIENT_ID: 'c' }))).toEqual({ tenantId: 't', clientId: 'c' });
  });

  test('demo mode (no sign-in) listens on this machine only and is refused when the settings are meant for production', () => {
    expect(readEnv({}).HOST).toBe('127.0.0.1');
    expect(readEnv({ HOST: '::1' }).BREVDUE_MODE).toBe('demo');
    expect(() => readEnv({ HOST: '0.0.0.0' })).toThrow(/HOST: demo mode \(BREVDUE_MODE is not set\) has no sign-in.*BREVDUE_MODE=production/);
    expect(() => readEnv({ BREVDUE_MODE: 'demo', HOST: '10.0.0.5' })).toThrow(/HOST: demo mode has no sign-in/);
    expect(readEnv({ BREVDUE_MODE: 'production', HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(() => readEnv({ ENTRA_TENANT_ID: 't', ENTRA_CLIENT_ID: 'c' })).toThrow(/BREVDUE_MODE: it is not set.*ENTRA_TENANT_ID, ENTRA_CLIENT_ID are set/);
    // Said out loud: the demo with production-looking settings is allowed.
    expect(readEnv({ BREVDUE_MODE: 'demo', ENTRA_TENANT_ID: 't' }).BREVDUE_MODE).toBe('demo');
  });
});

describe('msal-node accepts the loaded certificate', () => {
  // No network: msal's HTTP goes to this fake, which answers discovery and captures the token request,
  // so we can check the client assertion exactly as Entra ID would (x5t#S256, PS256 signature, x5c).
  test('the client assertion carries our thumbprint and verifies with the certificate', async () => {
    const file = pemFile('app4.pem', read('app.key'), read('app.crt'));
    const { certificate } = certOf(loadGraphCredential({ ENTRA_CLIENT_CERT_PATH: file, ENTRA_CLIENT_CERT_SEND_X5C: true }).credential);
    const tenant = '11111111-2222-3333-4444-555555555555';
    const clientId = '66666666-7777-8888-9999-000000000000';
    let tokenBody = '';
    const ok = <T>(body: unknown): NetworkResponse<T> => ({ headers: {}, body: body as T, status: 200 });
    const network: INetworkModule = {
      async sendGetRequestAsync<T>(url: string) {
        if (url.includes('openid-configuration')) {
          const base = `https://login.microsoftonline.com/${tenant}`;
          return ok<T>({
            token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`, issuer: `${base}/v2.0`, jwks_uri: `${base}/discovery/v2.0/keys`,
          });
        }
        return ok<T>({ tenant_discovery_endpoint: `https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration`,
          metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com'] }] });
      },
      async sendPostRequestAsync<T>(_url: string, options?: { body?: string }) {
        tokenBody = options?.body ?? '';
        return ok<T>({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'graph-token' });
      },
    };
    const app = new ConfidentialClientApplication({
      auth: { clientId, authority: `https://login.microsoftonline.com/${tenant}`, clientCertificate: certificate },
      system: { networkClient: network },
    });
    const r = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    expect(r?.accessToken).toBe('graph-token');

    const form = new URLSearchParams(tokenBody);
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form.get('client_secret')).toBeNull();
    const [h, p, s] = form.get('client_assertion')!.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(header.alg).toBe('PS256');
    expect(Buffer.from(header['x5t#S256'], 'base64url').toString('hex').toUpperCase()).toBe(certificate.thumbprintSha256);
    expect(header.x5c).toEqual([new X509Certificate(read('app.crt')).raw.toString('base64')]);
    expect(claims.iss).toBe(clientId);
    expect(claims.sub).toBe(clientId);
    expect(claims.aud).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`);
    const publicKey = createPublicKey(read('app.crt'));
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(s, 'base64url'))).toBe(true);
  });
});
