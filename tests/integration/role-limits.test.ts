// Roles limited to CVR numbers and destinations (issue #7): grants made through
// /api/admin/role-grants, held through the token's `oid` or `groups`, and what each limit hides and
// refuses, on a production-mode server with real signed tokens. Every list route is also read by each
// limited caller and checked for letters beyond the limit (canaries).
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { auditLog, deliveries, destinations, documents, mailboxes, messages } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';
import { callWithToken, insertTenantOrganisation } from '../helpers/tenant';

const CVR1 = '12345674';
const CVR2 = '87654328';

describe.each(testDatabases)('role limits on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  const tenant = randomUUID();
  const group = { operators: randomUUID(), readers: randomUUID() };
  const users = { reader: randomUUID(), admin: randomUUID(), nobody: randomUUID() };
  let orgId = '';
  const L = {} as Record<'one' | 'two' | 'triageOne' | 'triageTwo', { id: string; label: string; doc: string }>;
  const D = {} as Record<'one' | 'two', string>;
  const MB = {} as Record<'one' | 'two', string>;

  const token = (claims: Record<string, unknown>) => idp.token({ tid: tenant, claims: { name: 'Test Person', ...claims } });
  let fullAdmin = '';
  const api = (tok: string, method: string, path: string, body?: unknown) => callWithToken(app, tok, method, path, body);

  async function letter(key: keyof typeof L, cvr: string, mb: string, opts: { deliveredTo?: string; triage?: boolean }) {
    const db = app.database.db;
    const label = `Brev ${key} ${randomUUID().slice(0, 8)}`;
    const memo = demoMemo({ recipientCvr: cvr, label });
    const [mbRow] = await db.select().from(mailboxes).where(eq(mailboxes.id, mb));
    const stored = await storeLetter(db, app.ctx.sealer, mbRow, memo, Buffer.from(buildMemoXml(memo)));
    const [doc] = await db.select().from(documents).where(eq(documents.messageId, stored.messageId));
    if (opts.deliveredTo) {
      await db.insert(deliveries).values({ orgId, messageId: stored.messageId, destinationId: opts.deliveredTo, status: 'delivered', graphMessageId: `AAMk-${randomUUID()}`, deliveredAt: new Date() });
      await db.update(messages).set({ status: 'delivered' }).where(eq(messages.id, stored.messageId));
    }
    if (opts.triage) await db.update(messages).set({ status: 'triage' }).where(eq(messages.id, stored.messageId));
    L[key] = { id: stored.messageId, label, doc: doc.id };
  }

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 } });
    const db = app.database.db;
    const org = await insertTenantOrganisation(app, tenant, { one: CVR1, two: CVR2 });
    orgId = org.orgId;
    Object.assign(MB, org.mailboxIds);
    for (const k of ['one', 'two'] as const) {
      const [dest] = await db.insert(destinations).values({ orgId, kind: 'shared_mailbox', displayName: `Afdeling ${k}`, mailbox: `${k}@a.example`, folderPath: 'Digital Post' }).returning();
      D[k] = dest.id;
    }
    await letter('one', CVR1, MB.one, { deliveredTo: D.one });
    await letter('two', CVR2, MB.two, { deliveredTo: D.two });
    await letter('triageOne', CVR1, MB.one, { triage: true });
    await letter('triageTwo', CVR2, MB.two, { triage: true });
    fullAdmin = await token({ oid: randomUUID(), roles: ['admin'] });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await idp?.close();
    await drop?.();
  });

  test('admins grant limited roles; bad grants are refused with a reason; each change is audited', async () => {
    const grant = (body: Record<string, unknown>) => api(fullAdmin, 'POST', '/admin/role-grants', body);
    const reader = await grant({ principalType: 'user', principalId: users.reader, displayName: 'Karen (kun Selskab one)', role: 'reader', cvrs: [CVR1] });
    expect(reader.status).toBe(201);
    expect(reader.json).toMatchObject({ role: 'reader', cvrs: [CVR1], destinationIds: null, principalId: users.reader });
    expect((await grant({ principalType: 'group', principalId: group.operators, displayName: 'Afdeling one', role: 'operator', destinationIds: [D.one] })).status).toBe(201);
    expect((await grant({ principalType: 'user', principalId: users.admin, displayName: 'Lokal admin', role: 'admin', cvrs: [CVR1] })).status).toBe(201);

    const dup = await grant({ principalType: 'user', principalId: users.reader, displayName: 'Igen', role: 'reader', cvrs: null });
    expect(dup.status).toBe(409);
    expect(dup.json.error).toMatchObject({ code: 'exists', params: { what: 'grant', role: 'reader', grant: 'Karen (kun Selskab one)' } });
    const unknownCvr = await grant({ principalType: 'user', principalId: users.nobody, displayName: 'X', role: 'reader', cvrs: ['10150817'] });
    expect(unknownCvr.status).toBe(400);
    expect(unknownCvr.json.error.message).toContain('10150817');
    const foreignDest = await grant({ principalType: 'user', principalId: users.nobody, displayName: 'X', role: 'reader', destinationIds: [randomUUID()] });
    expect(foreignDest.status).toBe(400);
    expect(foreignDest.json.error.message).toMatch(/registry/);
    const badId = await grant({ principalType: 'group', principalId: 'Økonomi', displayName: 'X', role: 'reader' });
    expect(badId.status).toBe(400);
    expect(badId.text).toMatch(/object id/);
    expect((await grant({ principalType: 'user', principalId: users.nobody, displayName: 'X', role: 'superuser' })).status).toBe(400);

    const list = await api(fullAdmin, 'GET', '/admin/role-grants');
    expect(list.json.items.map((g: { displayName: string }) => g.displayName).sort()).toEqual(['Afdeling one', 'Karen (kun Selskab one)', 'Lokal admin']);

    // A temporary grant, changed and revoked.
    const tmp = await grant({ principalType: 'group', principalId: group.readers, displayName: 'Læsere', role: 'reader' });
    const patched = await api(fullAdmin, 'PATCH', `/admin/role-grants/${tmp.json.id}`, { cvrs: [CVR2] });
    expect(patched.status).toBe(200);
    expect(patched.json.cvrs).toEqual([CVR2]);
    expect((await api(fullAdmin, 'PATCH', `/admin/role-grants/${tmp.json.id}`, {})).status).toBe(400);
    // The same group as operator, then changed to reader: it holds that role already (one grant per role).
    const second = await grant({ principalType: 'group', principalId: group.readers, displayName: 'Læsere, operatør', role: 'operator' });
    const collide = await api(fullAdmin, 'PATCH', `/admin/role-grants/${second.json.id}`, { role: 'reader' });
    expect(collide.status).toBe(409);
    expect(collide.json.error.message).toBe('Læsere, operatør already has the reader role in another grant.');
    expect(collide.json.error.params).toEqual({ what: 'grant', role: 'reader', grant: 'Læsere, operatør' });
    expect((await api(fullAdmin, 'DELETE', `/admin/role-grants/${second.json.id}`)).status).toBe(204);
    expect((await api(fullAdmin, 'DELETE', `/admin/role-grants/${tmp.json.id}`)).status).toBe(204);
    expect((await api(fullAdmin, 'DELETE', `/admin/role-grants/${tmp.json.id}`)).status).toBe(404);

    // Audit entries are written after each response: wait for all eight (the refused change is not one).
    let actions: string[] = [];
    for (let i = 0; i < 50 && actions.length < 8; i++) {
      actions = (await app.database.db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId)))).map((a) => a.action).filter((a) => a.startsWith('role.'));
      if (actions.length < 8) await new Promise((r) => setTimeout(r, 50));
    }
    expect(actions.sort()).toEqual(['role.grant', 'role.grant', 'role.grant', 'role.grant', 'role.grant', 'role.revoke', 'role.revoke', 'role.update']);
  });

  test('a reader limited to one CVR number sees only its letters, CVR numbers and statistics', async () => {
    const t = await token({ oid: users.reader });
    const me = await api(t, 'GET', '/me');
    expect(me.json.roles).toEqual(['reader']);
    expect(me.json.grants).toEqual([{ role: 'reader', cvrs: [CVR1], destinationIds: null }]);

    const list = await api(t, 'GET', '/messages?limit=50');
    expect(list.json.items.map((m: { id: string }) => m.id).sort()).toEqual([L.one.id, L.triageOne.id].sort());
    expect(list.text).not.toContain(L.two.label);
    expect((await api(t, 'GET', `/messages?cvr=${CVR2}`)).json.items).toEqual([]);
    expect((await api(t, 'GET', `/messages/${L.one.id}`)).status).toBe(200);
    const other = await api(t, 'GET', `/messages/${L.two.id}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain(L.two.label);
    expect((await api(t, 'GET', `/messages/${L.two.id}/documents/${L.two.doc}`)).status).toBe(404);
    expect((await api(t, 'GET', `/messages/${L.one.id}/documents/${L.one.doc}`)).status).toBe(200);
    expect((await api(t, 'GET', `/messages/${L.two.id}/replies`)).status).toBe(404);
    expect((await api(t, 'GET', '/cvrs')).json.items.map((c: { cvr: string }) => c.cvr)).toEqual([CVR1]);
    const triage = await api(t, 'GET', '/triage');
    expect(triage.json.items.map((i: { message: { id: string } }) => i.message.id)).toEqual([L.triageOne.id]);
    expect(triage.json.total).toBe(1);
    const stats = await api(t, 'GET', '/stats?granularity=year&by=cvr');
    expect(stats.status).toBe(200);
    expect(stats.text).not.toContain(CVR2);
    expect(stats.json.totals.fetched).toBe(2);
    // Still a reader: delivery actions are refused by role.
    expect((await api(t, 'POST', `/messages/${L.one.id}/resend`, {})).status).toBe(403);
  });

  test('an operator limited to a destination (through an Entra group) sees its letters and delivers only there', async () => {
    const t = await token({ oid: randomUUID(), groups: [randomUUID(), group.operators] });
    const me = await api(t, 'GET', '/me');
    expect(me.json.roles).toEqual(['operator']);
    const list = await api(t, 'GET', '/messages');
    expect(list.json.items.map((m: { id: string }) => m.id)).toEqual([L.one.id]);
    expect((await api(t, 'GET', `/messages/${L.two.id}`)).status).toBe(404);
    expect((await api(t, 'GET', '/destinations')).json.items.map((d: { id: string }) => d.id)).toEqual([D.one]);
    expect((await api(t, 'GET', '/admin/destinations')).json.items.map((d: { id: string }) => d.id)).toEqual([D.one]);
    expect((await api(t, 'GET', `/admin/destinations/${D.two}`)).status).toBe(404);
    // Triage letters have no delivery yet: not visible to a destination-limited operator.
    expect((await api(t, 'GET', '/triage')).json.items).toEqual([]);
    expect((await api(t, 'POST', `/triage/${L.triageOne.id}/place`, { destinationIds: [D.one] })).status).toBe(404);

    const before = await app.database.db.select().from(deliveries).where(eq(deliveries.messageId, L.one.id));
    const elsewhere = await api(t, 'POST', `/messages/${L.one.id}/reroute`, { destinationIds: [D.two] });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json.error.message).toMatch(/only to some destinations/);
    expect((await api(t, 'POST', `/messages/${L.two.id}/resend`, {})).status).toBe(404);
    expect(await app.database.db.select().from(deliveries).where(eq(deliveries.messageId, L.one.id))).toHaveLength(before.length);

    const resend = await api(t, 'POST', `/messages/${L.one.id}/resend`, {});
    expect(resend.status).toBe(202);
    const [copy] = await app.database.db.select().from(deliveries).where(eq(deliveries.id, resend.json.deliveryIds[0]));
    expect(copy.destinationId).toBe(D.one);
  });

  test('an admin limited to a CVR number is refused organisation-wide changes and sees only that CVR number', async () => {
    const t = await token({ oid: users.admin });
    const settings = await api(t, 'PUT', '/admin/retention-settings', { retentionDays: 30 });
    expect(settings.status).toBe(403);
    expect(settings.json.error.message).toMatch(/without limits/);
    expect((await api(t, 'GET', '/admin/role-grants')).status).toBe(403);
    expect((await api(t, 'POST', '/admin/role-grants', { principalType: 'user', principalId: users.admin, displayName: 'Mig', role: 'admin' })).status).toBe(403);
    expect((await api(t, 'GET', `/messages/${L.two.id}`)).status).toBe(404);
    expect((await api(t, 'GET', `/messages/${L.one.id}`)).status).toBe(200);
    // Operator routes work within the limit: its own CVR number's mailbox, not the other's.
    expect((await api(t, 'GET', `/admin/mailboxes/${MB.one}`)).status).toBe(200);
    expect((await api(t, 'GET', `/admin/mailboxes/${MB.two}`)).status).toBe(404);
    expect((await api(t, 'PATCH', `/admin/mailboxes/${MB.two}`, { paused: true })).status).toBe(404);
    expect((await api(t, 'GET', '/admin/cvrs')).json.items.map((c: { cvr: string }) => c.cvr)).toEqual([CVR1]);
  });

  test('every list a limited caller can read holds nothing beyond the limit', async () => {
    const callers = {
      reader: await token({ oid: users.reader }),
      operator: await token({ oid: randomUUID(), groups: [group.operators] }),
      admin: await token({ oid: users.admin }),
    };
    const lists = ['/messages?limit=200', '/triage', '/cvrs', '/destinations', '/admin/destinations', '/admin/cvrs', '/stats?granularity=year&by=cvr', '/stats?granularity=year&by=destination', '/stats.csv?granularity=year&by=cvr'];
    const problems: string[] = [];
    for (const [who, t] of Object.entries(callers)) {
      // What each caller may not see: CVR 2's letters for the CVR-limited, destination two's for the operator.
      const hidden = who === 'operator' ? [L.two.id, L.two.label, L.triageOne.id, L.triageTwo.id, D.two] : [L.two.id, L.two.label, L.triageTwo.id, CVR2];
      for (const path of lists) {
        const r = await api(t, 'GET', path);
        if (r.status === 403) continue; // not this role's route
        if (r.status !== 200) problems.push(`${who} ${path}: ${r.status} ${r.text.slice(0, 120)}`);
        const hit = hidden.find((x) => r.text.includes(x));
        if (hit) problems.push(`${who} ${path}: contains "${hit}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});
