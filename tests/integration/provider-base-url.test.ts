// Provider addresses are the installation's, not an organisation admin's (ingest/provider-urls.ts).
// An organisation's admin once could PATCH a Digital Post mailbox's baseUrl to an internal host:
// Brevdue then called it with the mailbox's stored (write-only) system password, and quoted the
// host's answer back in the API's 502 and in the mailbox's health. Now: a mailbox's address must be
// one of its provider's own or on the operator's allow-list (https in production; the demo's and a
// test's simulators only outside production); a new address needs the credentials again; a stored
// address that is not allowed is never called; and a provider's error answer is reduced to its
// status and, at most, its own bounded error code and message.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import type { MailboxRow } from '../../backend/src/context';
import { readEnv } from '../../backend/src/config';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { providerBaseUrlRefusal, providerUrlPolicy } from '../../backend/src/ingest/provider-urls';
import { cvrNumbers, mailboxes, organisations } from '../../backend/src/store/schema';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';

const CVR = '12345674';
const NGDP = 'https://api.digitalpost.dk/apis/v1';
/** The operator's allow-list in this installation (NGDP_ALLOWED_BASE_URLS): an egress proxy, say. */
const OPERATOR_NGDP = 'https://ngdp-proxy.example.invalid/apis/v1';
const SECRET_BODY = 'INTERNAL-ONLY: db_password=hunter2 instance-metadata-token=abc123';

/** A host Brevdue must never call on an admin's word; records what reached it. */
async function internalHost(answer: (res: import('node:http').ServerResponse) => void = (res) => {
  res.statusCode = 500; res.setHeader('Content-Type', 'text/plain'); res.end(SECRET_BODY);
}) {
  const seen: { url: string; auth: string | undefined }[] = [];
  const server: Server = createServer((req, res) => { seen.push({ url: req.url ?? '', auth: req.headers.authorization }); answer(res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, origin, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(testDatabases)('provider base URLs in production on $name', (tdb) => {
  let idp: TestIdp; let app: Brevdue; let drop: () => Promise<void>;
  let internal: Awaited<ReturnType<typeof internalHost>>;
  const tenant = randomUUID();
  let orgId = '';
  let mbId = '';
  let admin = '';

  beforeAll(async () => {
    internal = await internalHost();
    idp = await startIdp();
    const d = await tdb.create(); drop = d.drop;
    app = await startProductionBrevdue(idp, {
      databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 }, providerBaseUrls: { ngdp: [OPERATOR_NGDP] },
    });
    const db = app.database.db;
    [{ id: orgId }] = await db.insert(organisations).values({ name: 'Org A', entraTenantId: tenant }).returning();
    await db.insert(cvrNumbers).values({ orgId, cvr: CVR, name: 'A' });
    // As the vendor configured it: Digital Post's own address and the system's password.
    const [mb] = await db.insert(mailboxes).values({
      orgId, cvr: CVR, provider: 'ngdp', config: { baseUrl: NGDP, systemUsername: 'sys-uuid', mode: 'pull' },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: 'VENDOR-SYSTEM-PASSWORD' })),
    }).returning();
    mbId = mb.id;
    admin = await idp.token({ tid: tenant, claims: { oid: randomUUID(), roles: ['admin'], name: 'Org admin' } });
  }, 60_000);
  afterAll(async () => { await app?.stop(); await idp?.close(); await internal?.close(); await drop?.(); });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method, headers: { Authorization: `Bearer ${admin}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) as { error?: { code: string; message: string } } & Record<string, unknown> : null };
  };
  const row = async () => (await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mbId)))[0];
  const storedPassword = async () => (JSON.parse(app.ctx.sealer.open((await row()).secretEnc!).toString('utf8')) as { systemPassword: string }).systemPassword;

  test('an internal host is refused as a mailbox address, with a sentence naming the operator\'s setting; nothing is called', async () => {
    const internalUrl = `${internal.origin}/latest/meta-data`;
    for (const body of [
      { config: { baseUrl: internalUrl, systemUsername: 'sys-uuid', mode: 'pull' } },
      { config: { baseUrl: internalUrl, systemUsername: 'sys-uuid', mode: 'pull' }, credentials: { systemPassword: 'x' } },
      // The same host on https, a look-alike, and user info in an allowed address.
      { config: { baseUrl: `https://127.0.0.1:${new URL(internal.origin).port}/apis/v1`, systemUsername: 's' }, credentials: { systemPassword: 'x' } },
      { config: { baseUrl: 'https://api.digitalpost.dk.evil.example/apis/v1', systemUsername: 's' }, credentials: { systemPassword: 'x' } },
      { config: { baseUrl: 'https://user:pw@api.digitalpost.dk/apis/v1', systemUsername: 's' }, credentials: { systemPassword: 'x' } },
      { config: { baseUrl: 'http://api.digitalpost.dk/apis/v1', systemUsername: 's' }, credentials: { systemPassword: 'x' } },
    ]) {
      const r = await api('PATCH', `/admin/mailboxes/${mbId}`, body);
      expect(r.status).toBe(400);
      expect(r.body!.error!.code).toBe('base_url_not_allowed');
      expect(r.body!.error!.message).toMatch(/is not an allowed Digital Post address; the operator of this Brevdue installation sets allowed addresses with|user name or password/);
      expect(r.body!.error!.message).toContain('NGDP_ALLOWED_BASE_URLS');
    }
    const refused = await api('PATCH', `/admin/mailboxes/${mbId}`, { config: { baseUrl: internalUrl, systemUsername: 'sys-uuid', mode: 'pull' } });
    expect(refused.body!.error!.message).toContain(`"${internalUrl}" is not an allowed Digital Post address`);
    expect(refused.body!.error!.message).toContain(NGDP);

    // Adding a mailbox: the same check, for every provider.
    await app.database.db.insert(cvrNumbers).values({ orgId, cvr: '55133018', name: 'B' });
    const add = (provider: string, config: Record<string, unknown>, credentials: Record<string, unknown>) =>
      api('POST', '/admin/cvrs/55133018/mailboxes', { provider, config, credentials });
    const ngdp = await add('ngdp', { baseUrl: internalUrl, systemUsername: 'x' }, { systemPassword: 'x' });
    expect([ngdp.status, ngdp.body!.error!.code]).toEqual([400, 'base_url_not_allowed']);
    const eboks = await add('eboks', { baseUrl: internalUrl, deviceId: 'd' }, { identity: '55133018', password: 'p', activationCode: 'a' });
    expect([eboks.status, eboks.body!.error!.code]).toEqual([400, 'base_url_not_allowed']);
    expect(eboks.body!.error!.message).toMatch(/is not an allowed e-Boks address.*EBOKS_ALLOWED_BASE_URLS/);
    const mitdk = await add('mitdk', { baseUrl: internalUrl }, { dppRefreshToken: 'a', ngdpRefreshToken: 'b' });
    expect([mitdk.status, mitdk.body!.error!.code]).toEqual([400, 'base_url_not_allowed']);
    expect(mitdk.body!.error!.message).toMatch(/is not an allowed mit\.dk address.*MITDK_ALLOWED_BASE_URLS/);
    // The provider's own address (e-Boks' default, any language of its API) is allowed.
    const ok = await add('eboks', { baseUrl: 'https://rest.e-boks.dk/mobile/1/xml.svc/da-dk', deviceId: 'd' }, { identity: '55133018', password: 'p', activationCode: 'a' });
    expect(ok.status).toBe(201);

    const r = await row();
    expect(r.config.baseUrl).toBe(NGDP);
    expect(await storedPassword()).toBe('VENDOR-SYSTEM-PASSWORD');
    expect(internal.seen).toEqual([]);
  });

  test('a new address needs the credentials again: the stored ones never follow it', async () => {
    const moved = await api('PATCH', `/admin/mailboxes/${mbId}`, { config: { baseUrl: OPERATOR_NGDP, systemUsername: 'sys-uuid', mode: 'pull' } });
    expect(moved.status).toBe(400);
    expect(moved.body!.error!.code).toBe('credentials_required');
    expect(moved.body!.error!.message).toMatch(/never sends the stored credentials to another address/);
    expect((await row()).config.baseUrl).toBe(NGDP);

    // The same address written differently is no move: the credentials stay.
    const same = await api('PATCH', `/admin/mailboxes/${mbId}`, { config: { baseUrl: `${NGDP}/`, systemUsername: 'sys-2', mode: 'pull' } });
    expect(same.status).toBe(200);
    expect(await storedPassword()).toBe('VENDOR-SYSTEM-PASSWORD');

    const withCredentials = await api('PATCH', `/admin/mailboxes/${mbId}`, {
      config: { baseUrl: OPERATOR_NGDP, systemUsername: 'sys-uuid', mode: 'pull' }, credentials: { systemPassword: 'NEW-PASSWORD' },
    });
    expect(withCredentials.status).toBe(200);
    expect((await row()).config.baseUrl).toBe(OPERATOR_NGDP);
    expect(await storedPassword()).toBe('NEW-PASSWORD');
    expect(JSON.stringify(withCredentials.body)).not.toContain('NEW-PASSWORD');
  });

  test('a stored address that is not allowed (saved before the check) is never called: backfill 409, poll refused, health says why', async () => {
    const [legacy] = await app.database.db.insert(mailboxes).values({
      orgId, cvr: '55133018', provider: 'ngdp', config: { baseUrl: `${internal.origin}/latest/meta-data`, systemUsername: 'sys-uuid', mode: 'pull' },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: 'VENDOR-SYSTEM-PASSWORD' })),
    }).returning();
    for (const path of [`/admin/mailboxes/${legacy.id}/backfill`, `/admin/mailboxes/${legacy.id}/backfill/${randomUUID()}`]) {
      const r = await api('GET', path);
      expect(r.status).toBe(409);
      expect(r.body!.error!.code).toBe('base_url_not_allowed');
      expect(r.body!.error!.message).toMatch(/The Digital Post mailbox of CVR 55133018 was not called .*: ".*" is not an allowed Digital Post address; the operator of this Brevdue installation sets allowed addresses with NGDP_ALLOWED_BASE_URLS/);
    }
    const started = await api('POST', `/admin/mailboxes/${legacy.id}/backfill`, { from: '2026-01-01' });
    expect(started.status).toBe(409);
    // New credentials alone are not stored for that address either.
    const creds = await api('PATCH', `/admin/mailboxes/${legacy.id}`, { credentials: { systemPassword: 'x' } });
    expect([creds.status, creds.body!.error!.code]).toEqual([400, 'base_url_not_allowed']);

    await expect(pollMailbox(app.ctx, legacy as MailboxRow)).rejects.toThrow(/is not an allowed Digital Post address/);
    const health = (await api('GET', `/admin/mailboxes/${legacy.id}`)).body as { health: { lastError: string } };
    expect(health.health.lastError).toMatch(/is not an allowed Digital Post address.*NGDP_ALLOWED_BASE_URLS/);
    expect(internal.seen).toEqual([]);
  });

  test('production refuses plain http in the allow-list (but to this machine, listed explicitly), at start and in the environment', async () => {
    await expect(startProductionBrevdue(idp, { providerBaseUrls: { ngdp: ['http://10.0.0.9/apis/v1'] } })).rejects.toThrow(/NGDP_ALLOWED_BASE_URLS: .*must start with https:\/\//);
    expect(providerUrlPolicy({ ngdp: ['http://127.0.0.1:9/apis/v1'] }).allowed.ngdp.map((a) => a.text)).toContain('http://127.0.0.1:9/apis/v1');
    expect(providerBaseUrlRefusal(providerUrlPolicy({ ngdp: ['http://127.0.0.1:9/apis/v1'] }), 'ngdp', 'http://127.0.0.1:10/apis/v1')).toMatch(/is not an allowed/);
    const env = { BREVDUE_MODE: 'production', HOST: '0.0.0.0' };
    expect(() => readEnv({ ...env, NGDP_ALLOWED_BASE_URLS: 'http://ngdp-proxy.internal/apis/v1' })).toThrow(/Configuration error in NGDP_ALLOWED_BASE_URLS: .*https/);
    expect(() => readEnv({ ...env, EBOKS_ALLOWED_BASE_URLS: 'https://u:p@e-boks-proxy.internal/x' })).toThrow(/Configuration error in EBOKS_ALLOWED_BASE_URLS/);
    expect(() => readEnv({ ...env, MITDK_ALLOWED_BASE_URLS: 'not a url' })).toThrow(/Configuration error in MITDK_ALLOWED_BASE_URLS/);
    expect(readEnv({ ...env, NGDP_ALLOWED_BASE_URLS: ' https://a.example/apis/v1, https://b.example/apis/v1 ' }).NGDP_ALLOWED_BASE_URLS)
      .toEqual(['https://a.example/apis/v1', 'https://b.example/apis/v1']);
    expect(readEnv({ BREVDUE_MODE: 'demo', NGDP_ALLOWED_BASE_URLS: 'http://127.0.0.1:8080/apis/v1' }).NGDP_ALLOWED_BASE_URLS).toEqual(['http://127.0.0.1:8080/apis/v1']);
    expect(readEnv({ ...env, NGDP_ALLOWED_BASE_URLS: 'http://localhost:8443/apis/v1' }).NGDP_ALLOWED_BASE_URLS).toEqual(['http://localhost:8443/apis/v1']);
  });
});

describe.each(testDatabases)('provider answers in demo mode on $name', (tdb) => {
  // A test's own "provider" on a port of its own, named explicitly (never a blanket localhost).
  let provider: Awaited<ReturnType<typeof internalHost>>;
  let other: Awaited<ReturnType<typeof internalHost>>;
  let app: Brevdue; let drop: () => Promise<void>;
  let answer: (res: import('node:http').ServerResponse) => void;
  let mb: MailboxRow;

  beforeAll(async () => {
    provider = await internalHost((res) => answer(res));
    other = await internalHost();
    const d = await tdb.create(); drop = d.drop;
    app = await startBrevdue({
      databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, providerBaseUrls: { ngdp: [`${provider.origin}/apis/v1`] },
    });
    const [row] = await app.database.db.insert(mailboxes).values({
      orgId: app.demoOrgId!, cvr: '55133018', provider: 'ngdp', config: { baseUrl: `${provider.origin}/apis/v1`, systemUsername: 'sys', mode: 'pull', mailboxId: randomUUID() },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: 'pw' })),
    }).returning();
    mb = row as MailboxRow;
  }, 60_000);
  afterAll(async () => { await app?.stop(); await provider?.close(); await other?.close(); await drop?.(); });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, text: await res.text() };
  };

  test('a provider\'s answer is never quoted: the status, and only its own error code and message, bounded', async () => {
    answer = (res) => { res.statusCode = 500; res.setHeader('Content-Type', 'text/plain'); res.end(SECRET_BODY); };
    const list = await api('GET', `/admin/mailboxes/${mb.id}/backfill`);
    expect(list.status).toBe(502);
    expect(JSON.parse(list.text).error.message).toMatch(/^Digital Post answered 500 to GET \/mailboxes\/[^ ]+\/system-fetches\/\.$/);
    expect(list.text).not.toMatch(/hunter2|INTERNAL-ONLY|metadata/);
    await expect(pollMailbox(app.ctx, mb)).rejects.toThrow(/answered 500/);
    const [stored] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(stored.lastError).toMatch(/^Digital Post answered 500 to GET \/memos\/\.$/);
    expect(stored.lastError).not.toContain('hunter2');

    // NgDP's own ErrorMessage: its code and message, bounded, a CPR number masked, no markup of a page.
    answer = (res) => {
      res.statusCode = 400; res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ code: 'BAD_REQUEST', message: `Ugyldig forespørgsel for 010190-1234 ${'x'.repeat(5000)}`, fieldErrors: [{ field: 'fromDateTime', message: 'must be a date' }], extra: SECRET_BODY }));
    };
    const bad = await api('GET', `/admin/mailboxes/${mb.id}/backfill`);
    expect(bad.status).toBe(400);
    const message = JSON.parse(bad.text).error.message as string;
    expect(message).toMatch(/^Digital Post answered 400 to GET \/mailboxes\/.+: BAD_REQUEST: Ugyldig forespørgsel for 010190-XXXX x+… \(fromDateTime: must be a date\)$/);
    expect(message.length).toBeLessThan(400);
    expect(bad.text).not.toContain('hunter2');
  });

  test('demo mode allows its own simulators and the addresses named, not any other local port', async () => {
    const r = await api('PATCH', `/admin/mailboxes/${mb.id}`, { config: { baseUrl: `${other.origin}/apis/v1`, systemUsername: 'sys' }, credentials: { systemPassword: 'pw' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.code).toBe('base_url_not_allowed');
    const sim = await api('PATCH', `/admin/mailboxes/${mb.id}`, { config: { baseUrl: `${app.url}/sim/ngdp/apis/v1`, systemUsername: 'sys' }, credentials: { systemPassword: 'pw' } });
    expect(sim.status).toBe(200);
    expect(other.seen).toEqual([]);
  });

  test('e-Boks and mit.dk error bodies: their own code and message only', async () => {
    const { providerErrorDetail } = await import('../../backend/src/ingest/provider-error-body');
    expect(providerErrorDetail(Buffer.from('<?xml version="1.0"?><Error xmlns="urn:eboks:mobile:1.0.0" code="SESSION_EXPIRED">Session &amp; nonce expired for 0101901234</Error>'), 'eboks'))
      .toBe('SESSION_EXPIRED: Session & nonce expired for 010190-XXXX');
    expect(providerErrorDetail('<html><body>db_password=hunter2</body></html>', 'eboks')).toBe('');
    expect(providerErrorDetail('{"code":"UNAUTHORIZED","message":"Token\\u0000 expired\\nnow"}', 'mitdk')).toBe('UNAUTHORIZED: Token expired now');
    expect(providerErrorDetail('{"code":"<script>","stack":"at x"}', 'mitdk')).toBe('');
    expect(providerErrorDetail(SECRET_BODY, 'ngdp')).toBe('');
  });
});
