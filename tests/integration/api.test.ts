// API edges: validation errors, unknown ids, auth required outside demo mode, health.
import type { AppContext } from '../../backend/src/context';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { createSealer } from '../../backend/src/crypto/envelope';
import { apiRouter } from '../../backend/src/api/router';
import { errorHandler } from '../../backend/src/api/errors';
import { organisations } from '../../backend/src/store/schema';
import { silentLogger } from '../../backend/src/log';
import { apiErrorSchema, healthSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';

describe.each(testDatabases)('API on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let base: string;
  let close: () => void;
  let orgId: string;
  const tenant = randomUUID();
  const entra = { clientId: 'c', audience: 'api://brevdue', authorityHost: '' };
  let idpKey: CryptoKey;

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    [{ id: orgId }] = await database.db.insert(organisations).values({ name: 'Testorg', entraTenantId: tenant }).returning({ id: organisations.id });
    const pair = await generateKeyPair('RS256');
    idpKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const sealer = createSealer(randomBytes(32));
    const app = express();
    // A stand-in for the Entra ID key endpoint: the middleware fetches the tenant's JWKS from here.
    app.get('/idp/:tid/discovery/v2.0/keys', (_req, res) => { res.json({ keys: [jwk] }); });
    // Delivery routes need the engine's context; these tests only reach the registry reads.
    const delivery = { ctx: { db: database.db, sealer } as unknown as AppContext, check: async () => [] };
    const common = { db: database.db, sealer, jobsRunning: () => true, version: 't', entra: null, mailboxChanged: async () => undefined, delivery };
    app.use('/demo/api', apiRouter({ ...common, demo: { orgId } }));
    app.use('/prod/api', apiRouter({ ...common, demo: null, entra }));
    app.use(errorHandler(silentLogger));
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    entra.authorityHost = `${base}/idp`;
    close = () => server.close();
  });
  afterAll(async () => {
    close();
    await database.close();
    await drop();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { headers });
    return { status: res.status, body: await res.json() as unknown };
  };

  test('health reports the database and job runner without auth', async () => {
    const r = await get('/prod/api/health');
    expect(r.status).toBe(200);
    expect(healthSchema.parse(r.body)).toMatchObject({ status: 'ok', database: 'ok', jobs: 'ok', demo: false });
  });

  test('outside demo mode every other route needs a valid token, and says so without detail', async () => {
    for (const path of ['/prod/api/me', '/prod/api/messages', `/prod/api/messages/${randomUUID()}`]) {
      const r = await get(path);
      expect(r.status).toBe(401);
      expect(apiErrorSchema.parse(r.body).error.message).toMatch(/Sign in/);
    }
    const bad = await get('/prod/api/messages', { Authorization: 'Bearer not.a.token' });
    expect(bad.status).toBe(401);
    const basic = await get('/prod/api/messages', { Authorization: 'Basic abc' });
    expect(basic.status).toBe(401);
  });

  const token = (o: { key?: CryptoKey; tid?: string; aud?: string; iss?: string; exp?: string | number; nbf?: string | number } = {}) => {
    const tid = o.tid ?? tenant;
    let t = new SignJWT({ tid, oid: 'u1', name: 'Karen Jensen', roles: ['operator', 'bogus'], scp: 'access_as_user' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(o.iss ?? `${entra.authorityHost}/${tid}/v2.0`).setAudience(o.aud ?? 'api://brevdue')
      .setIssuedAt().setExpirationTime(o.exp ?? '1h');
    if (o.nbf !== undefined) t = t.setNotBefore(o.nbf);
    return t.sign(o.key ?? idpKey);
  };
  const bearer = async (t: string | Promise<string>) => ({ Authorization: `Bearer ${await t}` });

  test('a valid Entra token maps to the tenant\'s organisation and its known roles', async () => {
    const r = await get('/prod/api/me', await bearer(token()));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userId: 'u1', displayName: 'Karen Jensen', orgId, roles: ['operator'], demo: false });
  });

  test('tokens with a wrong key, audience, issuer, lifetime or algorithm are refused with no detail', async () => {
    const other = (await generateKeyPair('RS256')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      token({ key: other }),
      token({ aud: 'api://someone-else' }),
      token({ iss: 'https://evil.example/v2.0' }),
      token({ exp: now - 60 }),
      token({ nbf: now + 3600 }),
    ];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(JSON.stringify({ tid: tenant, aud: 'api://brevdue', exp: now + 3600 })).toString('base64url');
    bad.push(Promise.resolve(`${header}.${claims}.`));
    for (const t of bad) {
      const r = await get('/prod/api/messages', await bearer(t));
      expect(r.status).toBe(401);
      expect(JSON.stringify(r.body)).not.toMatch(/issuer|audience|signature|expired|jwks|alg/i);
    }
  });

  test('roles are checked per route: an operator reads mailbox health but cannot add CVR numbers', async () => {
    const headers = await bearer(token());
    expect((await get('/prod/api/admin/cvrs', headers)).status).toBe(200);
    const res = await fetch(`${base}/prod/api/admin/cvrs`, {
      method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ cvr: '12345674', name: 'X' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json() as { error: { message: string } }).error.message).toMatch(/needs the admin role; you have operator/);
  });

  test('a valid token from a tenant with no organisation here is forbidden', async () => {
    const r = await get('/prod/api/messages', await bearer(token({ tid: randomUUID() })));
    expect(r.status).toBe(403);
  });

  test('demo mode acts as the labelled demo user', async () => {
    const r = await get('/demo/api/me');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ demo: true, orgId, orgName: 'Testorg', roles: ['admin'] });
  });

  test('bad input gets a 400 that names the field; unknown ids and routes a 404', async () => {
    const cvr = await get('/demo/api/messages?cvr=12');
    expect(cvr.status).toBe(400);
    expect(apiErrorSchema.parse(cvr.body).error.message).toMatch(/^cvr: /);
    const limit = await get('/demo/api/messages?limit=100000');
    expect(limit.status).toBe(400);
    expect(apiErrorSchema.parse(limit.body).error.message).toMatch(/^limit: /);
    const id = await get('/demo/api/messages/not-a-uuid');
    expect(id.status).toBe(400);
    expect(apiErrorSchema.parse(id.body).error.message).toMatch(/UUID/);
    const unknown = await get(`/demo/api/messages/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect((await get('/demo/api/nothing-here')).status).toBe(404);
    const empty = await get('/demo/api/messages');
    expect(empty).toEqual({ status: 200, body: { items: [], total: 0 } });
  });
});
