// Retention setting and service notices through the API: CRUD, validation sentences, roles (signed
// Entra tokens from a stand-in key endpoint, as in api.test.ts), tenant isolation, and the banner's
// time windows (shown from showFrom until endsAt; 'upcoming' before startsAt, 'active' after).
import type { AppContext } from '../../backend/src/context';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { createSealer } from '../../backend/src/crypto/envelope';
import { apiRouter } from '../../backend/src/api/router';
import { errorHandler } from '../../backend/src/api/errors';
import { organisations, serviceNotices } from '../../backend/src/store/schema';
import { silentLogger } from '../../backend/src/log';
import {
  activeNoticeListSchema, apiErrorSchema, retentionSettingsSchema, serviceNoticeListSchema, serviceNoticeSchema,
} from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe.each(testDatabases)('admin settings and service notices on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  let base: string;
  let close: () => void;
  let orgA: string;
  let orgB: string;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const entra = { clientId: 'c', audience: 'api://brevdue', authorityHost: '' };
  let idpKey: CryptoKey;

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase({ databaseUrl: d.databaseUrl, dataDir: null });
    [{ id: orgA }] = await database.db.insert(organisations).values({ name: 'Org A', entraTenantId: tenantA }).returning({ id: organisations.id });
    [{ id: orgB }] = await database.db.insert(organisations).values({ name: 'Org B', entraTenantId: tenantB }).returning({ id: organisations.id });
    const pair = await generateKeyPair('RS256');
    idpKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const sealer = createSealer(randomBytes(32));
    const app = express();
    app.use(express.json());
    app.get('/idp/:tid/discovery/v2.0/keys', (_req, res) => { res.json({ keys: [jwk] }); });
    const delivery = { ctx: { db: database.db, sealer } as unknown as AppContext, check: async () => [] };
    const common = { db: database.db, sealer, jobsRunning: () => true, version: 't', mailboxChanged: async () => undefined, delivery };
    app.use('/demo/api', apiRouter({ ...common, entra: null, demo: { orgId: orgA } }));
    app.use('/api', apiRouter({ ...common, demo: null, entra }));
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

  type Who = { tenant: string; role: 'admin' | 'operator' | 'reader' };
  const A_ADMIN: Who = { tenant: tenantA, role: 'admin' };
  const A_OPERATOR: Who = { tenant: tenantA, role: 'operator' };
  const A_READER: Who = { tenant: tenantA, role: 'reader' };
  const B_ADMIN: Who = { tenant: tenantB, role: 'admin' };

  const token = (who: Who) => new SignJWT({ tid: who.tenant, oid: `u-${who.role}`, name: `Test ${who.role}`, roles: [who.role], scp: 'access_as_user' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`${entra.authorityHost}/${who.tenant}/v2.0`).setAudience('api://brevdue')
    .setIssuedAt().setExpirationTime('1h').sign(idpKey);

  const call = async (who: Who | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (who) headers.Authorization = `Bearer ${await token(who)}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${base}${who ? '/api' : '/demo/api'}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { message: string } } };
  };
  const message = (r: { body: unknown }) => apiErrorSchema.parse(r.body).error.message;
  const notice = (over: Record<string, unknown> = {}) => ({
    severity: 'warning', textDa: 'Planlagt vedligeholdelse af Digital Post.', textEn: 'Planned maintenance of Digital Post.',
    startsAt: at(2 * DAY), endsAt: at(2 * DAY + 4 * HOUR), ...over,
  });

  describe('retention', () => {
    test('defaults to 90 days; an admin changes it, an operator reads it, a reader may do neither', async () => {
      expect((await call(A_OPERATOR, 'GET', '/admin/retention-settings')).body).toEqual({ retentionDays: 90, quarantineKeepDays: 90 });
      const put = await call(A_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 365 });
      expect(put.status).toBe(200);
      expect(retentionSettingsSchema.parse(put.body)).toEqual({ retentionDays: 365, quarantineKeepDays: 90 });
      expect((await call(A_OPERATOR, 'GET', '/admin/retention-settings')).body).toEqual({ retentionDays: 365, quarantineKeepDays: 90 });
      // How long past retention a quarantined letter nobody acted on is kept: set with it, or left as it is.
      expect((await call(A_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 365, quarantineKeepDays: 30 })).body).toEqual({ retentionDays: 365, quarantineKeepDays: 30 });
      expect((await call(A_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 365 })).body).toEqual({ retentionDays: 365, quarantineKeepDays: 30 });

      const byOperator = await call(A_OPERATOR, 'PUT', '/admin/retention-settings', { retentionDays: 30 });
      expect(byOperator.status).toBe(403);
      expect(message(byOperator)).toMatch(/needs the admin role; you have operator/);
      expect((await call(A_READER, 'GET', '/admin/retention-settings')).status).toBe(403);
      expect((await call(A_READER, 'PUT', '/admin/retention-settings', { retentionDays: 30 })).status).toBe(403);
      const [row] = await database.db.select().from(organisations).where(eq(organisations.id, orgA));
      expect(row.retentionDays).toBe(365);
    });

    test('is validated: 7 to 3,650 whole days, nothing else in the body', async () => {
      const cases: [unknown, RegExp][] = [
        [{ retentionDays: 6 }, /^retentionDays: retention is at least 7 days$/],
        [{ retentionDays: 3651 }, /^retentionDays: retention is at most 3,650 days/],
        [{ retentionDays: 30.5 }, /^retentionDays: retention must be whole days$/],
        [{ retentionDays: '30' }, /^retentionDays: retention must be a number of days$/],
        [{ retentionDays: 30, purge: true }, /Unrecognized key/],
        [{ retentionDays: 30, quarantineKeepDays: 6 }, /^quarantineKeepDays: the quarantine period is at least 7 days$/],
        [{ retentionDays: 30, quarantineKeepDays: 3651 }, /^quarantineKeepDays: the quarantine period is at most 3,650 days/],
      ];
      for (const [body, expected] of cases) {
        const r = await call(A_ADMIN, 'PUT', '/admin/retention-settings', body);
        expect(r.status).toBe(400);
        expect(message(r)).toMatch(expected);
      }
      expect((await call(A_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 7 })).body).toMatchObject({ retentionDays: 7 });
      expect((await call(A_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 3650 })).body).toMatchObject({ retentionDays: 3650 });
    });

    test('belongs to the organisation: another tenant\'s admin changes only their own', async () => {
      await call(A_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 100 });
      expect((await call(B_ADMIN, 'PUT', '/admin/retention-settings', { retentionDays: 20 })).body).toMatchObject({ retentionDays: 20 });
      expect((await call(A_ADMIN, 'GET', '/admin/retention-settings')).body).toMatchObject({ retentionDays: 100 });
    });

    test('demo mode without a token acts as the demo admin', async () => {
      expect((await call(null, 'PUT', '/admin/retention-settings', { retentionDays: 180 })).body).toMatchObject({ retentionDays: 180 });
      expect((await call(A_ADMIN, 'GET', '/admin/retention-settings')).body).toMatchObject({ retentionDays: 180 });
    });
  });

  describe('service notices', () => {
    afterEach(async () => { await database.db.delete(serviceNotices); });

    test('an admin creates, lists, changes and deletes a notice; showFrom defaults to 3 days before the start', async () => {
      const input = notice();
      const created = await call(A_ADMIN, 'POST', '/admin/notices', input);
      expect(created.status).toBe(201);
      const n = serviceNoticeSchema.parse(created.body);
      expect(n).toMatchObject({ global: false, severity: 'warning', textDa: input.textDa, textEn: input.textEn, createdBy: 'Test admin', phase: 'upcoming' });
      expect(Date.parse(n.startsAt) - Date.parse(n.showFrom)).toBe(3 * DAY);
      expect(Date.parse(n.endsAt)).toBe(Date.parse(input.endsAt));

      const list = serviceNoticeListSchema.parse((await call(A_OPERATOR, 'GET', '/admin/notices')).body);
      expect(list.items.map((i) => i.id)).toEqual([n.id]);

      const changed = await call(A_ADMIN, 'PUT', `/admin/notices/${n.id}`, notice({ severity: 'info', textEn: 'Moved.', showFrom: at(DAY), startsAt: at(5 * DAY), endsAt: at(6 * DAY) }));
      expect(changed.status).toBe(200);
      expect(serviceNoticeSchema.parse(changed.body)).toMatchObject({ id: n.id, severity: 'info', textEn: 'Moved.', phase: 'scheduled' });

      expect((await call(A_ADMIN, 'DELETE', `/admin/notices/${n.id}`)).status).toBe(204);
      expect(serviceNoticeListSchema.parse((await call(A_ADMIN, 'GET', '/admin/notices')).body).items).toEqual([]);
      // Soft delete: the row is kept with the time it was deleted.
      const [row] = await database.db.select().from(serviceNotices).where(eq(serviceNotices.id, n.id));
      expect(row.deletedAt).toBeInstanceOf(Date);
      const again = await call(A_ADMIN, 'DELETE', `/admin/notices/${n.id}`);
      expect(again.status).toBe(404);
      expect(message(again)).toMatch(/No such service notice/);
      expect((await call(A_ADMIN, 'DELETE', '/admin/notices/not-a-uuid')).status).toBe(400);
    });

    test('validation: texts in both languages, an ordered window of at most 30 days that has not ended', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [notice({ textDa: '' }), 'textDa: the Danish text is required'],
        [notice({ textEn: '   ' }), 'textEn: the English text is required'],
        [notice({ textDa: 'x'.repeat(501) }), 'textDa: the Danish text is limited to 500 characters'],
        [notice({ textEn: 'x'.repeat(501) }), 'textEn: the English text is limited to 500 characters'],
        [notice({ severity: 'panic' }), 'severity: severity is info or warning'],
        [notice({ startsAt: 'tomorrow' }), 'startsAt: startsAt must be a date and time (ISO 8601)'],
        [notice({ endsAt: at(2 * DAY) }), 'endsAt: the window must end after it starts'],
        [notice({ startsAt: at(-3 * HOUR), endsAt: at(-HOUR) }), 'endsAt: the window has already ended; choose an end in the future'],
        [notice({ endsAt: at(33 * DAY) }), 'endsAt: a window is at most 30 days long'],
        [notice({ showFrom: at(3 * DAY) }), 'showFrom: the banner must start showing no later than the window starts'],
        [notice({ showFrom: at(-40 * DAY) }), 'showFrom: the banner can be shown at most 30 days ahead'],
        [{ ...notice(), orgId: null }, "request: Unrecognized key(s) in object: 'orgId'"],
      ];
      for (const [body, expected] of cases) {
        const r = await call(A_ADMIN, 'POST', '/admin/notices', body);
        expect({ status: r.status, message: message(r) }).toEqual({ status: 400, message: expected });
      }
      // Each rule of the window as its own problem code (shared/src/contracts.ts params.code), for the pane to word.
      const coded: [Record<string, unknown>, unknown][] = [
        [notice({ endsAt: at(2 * DAY) }), { code: 'field_window_reversed', params: { field: 'endsAt' } }],
        [notice({ startsAt: at(-3 * HOUR), endsAt: at(-HOUR) }), { code: 'field_window_ended', params: { field: 'endsAt' } }],
        [notice({ endsAt: at(33 * DAY) }), { code: 'field_window_too_long', params: { field: 'endsAt', max: 30 } }],
        [notice({ showFrom: at(3 * DAY) }), { code: 'field_shown_after_start', params: { field: 'showFrom' } }],
        [notice({ showFrom: at(-40 * DAY) }), { code: 'field_shown_too_early', params: { field: 'showFrom', max: 30 } }],
      ];
      for (const [body, expected] of coded) {
        const r = await call(A_ADMIN, 'POST', '/admin/notices', body);
        expect(apiErrorSchema.parse(r.body).error.problems).toEqual([expect.objectContaining(expected as object)]);
      }
      // Exactly 30 days, and showFrom equal to the start, are allowed.
      const edge = await call(A_ADMIN, 'POST', '/admin/notices', notice({ showFrom: at(DAY), startsAt: at(DAY), endsAt: at(31 * DAY) }));
      expect(edge.status).toBe(201);
      expect(await database.db.select().from(serviceNotices)).toHaveLength(1);
    });

    test('roles: operators read the admin list, readers do not; only admins write', async () => {
      const n = serviceNoticeSchema.parse((await call(A_ADMIN, 'POST', '/admin/notices', notice())).body);
      expect((await call(A_OPERATOR, 'GET', '/admin/notices')).status).toBe(200);
      const reader = await call(A_READER, 'GET', '/admin/notices');
      expect(reader.status).toBe(403);
      expect(message(reader)).toMatch(/needs the admin or operator role; you have reader/);
      for (const who of [A_OPERATOR, A_READER]) {
        expect((await call(who, 'POST', '/admin/notices', notice())).status).toBe(403);
        expect((await call(who, 'PUT', `/admin/notices/${n.id}`, notice())).status).toBe(403);
        expect((await call(who, 'DELETE', `/admin/notices/${n.id}`)).status).toBe(403);
      }
      // Readers see the banner all the same.
      const banner = activeNoticeListSchema.parse((await call(A_READER, 'GET', '/notices')).body);
      expect(banner.items.map((i) => i.id)).toEqual([n.id]);
      expect(await database.db.select().from(serviceNotices)).toHaveLength(1);
    });

    test('tenant isolation: another organisation neither sees nor changes a notice; global notices reach everyone but no admin changes them', async () => {
      const a = serviceNoticeSchema.parse((await call(A_ADMIN, 'POST', '/admin/notices', notice({ textEn: 'Only A' }))).body);
      expect(serviceNoticeListSchema.parse((await call(B_ADMIN, 'GET', '/admin/notices')).body).items).toEqual([]);
      expect(activeNoticeListSchema.parse((await call(B_ADMIN, 'GET', '/notices')).body).items).toEqual([]);
      expect((await call(B_ADMIN, 'DELETE', `/admin/notices/${a.id}`)).status).toBe(404);
      expect((await call(B_ADMIN, 'PUT', `/admin/notices/${a.id}`, notice())).status).toBe(404);
      expect(serviceNoticeListSchema.parse((await call(A_ADMIN, 'GET', '/admin/notices')).body).items.map((i) => i.textEn)).toEqual(['Only A']);

      const [global] = await database.db.insert(serviceNotices).values({
        orgId: null, textDa: 'For alle', textEn: 'For everyone', showFrom: new Date(Date.now() - HOUR), startsAt: new Date(Date.now() + HOUR),
        endsAt: new Date(Date.now() + 2 * HOUR), createdBy: 'installation',
      }).returning();
      for (const who of [A_READER, B_ADMIN]) {
        expect(activeNoticeListSchema.parse((await call(who, 'GET', '/notices')).body).items.map((i) => i.textEn)).toContain('For everyone');
      }
      const listed = serviceNoticeListSchema.parse((await call(B_ADMIN, 'GET', '/admin/notices')).body).items;
      expect(listed).toEqual([expect.objectContaining({ id: global.id, global: true })]);
      const del = await call(B_ADMIN, 'DELETE', `/admin/notices/${global.id}`);
      expect(del.status).toBe(403);
      expect(message(del)).toMatch(/for every organisation/);
      const [row] = await database.db.select().from(serviceNotices).where(eq(serviceNotices.id, global.id));
      expect(row.deletedAt).toBeNull();
    });

    test('the banner shows a notice from showFrom until endsAt: upcoming, then active; not before, not after, not deleted', async () => {
      const insert = async (textEn: string, showFrom: number, startsAt: number, endsAt: number, deleted = false) => {
        const now = Date.now();
        await database.db.insert(serviceNotices).values({
          orgId: orgA, severity: 'info', textDa: textEn, textEn, createdBy: 't',
          showFrom: new Date(now + showFrom), startsAt: new Date(now + startsAt), endsAt: new Date(now + endsAt), deletedAt: deleted ? new Date() : null,
        });
      };
      await insert('not yet shown', HOUR, 2 * HOUR, 3 * HOUR);
      await insert('upcoming', -HOUR, 10 * HOUR, 12 * HOUR);
      await insert('active', -2 * DAY, -HOUR, HOUR);
      await insert('over', -3 * DAY, -2 * DAY, -HOUR);
      await insert('deleted', -HOUR, -HOUR, HOUR, true);
      const r = await call(A_READER, 'GET', '/notices');
      expect(r.status).toBe(200);
      const items = activeNoticeListSchema.parse(r.body).items;
      // Soonest window first.
      expect(items.map((i) => [i.textEn, i.phase])).toEqual([['active', 'active'], ['upcoming', 'upcoming']]);
      // The admin list also shows the scheduled and the recently ended, with their phase.
      const admin = serviceNoticeListSchema.parse((await call(A_ADMIN, 'GET', '/admin/notices')).body).items;
      expect(Object.fromEntries(admin.map((n) => [n.textEn, n.phase]))).toEqual({ 'not yet shown': 'scheduled', upcoming: 'upcoming', active: 'active', over: 'ended' });
    });

    test('the banner needs sign-in outside demo mode', async () => {
      const res = await fetch(`${base}/api/notices`);
      expect(res.status).toBe(401);
    });
  });
});
