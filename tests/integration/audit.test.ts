// The audit log: API actions leave entries (who, when, what, from where; no content), the hash chain
// verifies, an edited or deleted row is found by verifyAuditChain and by `brevdue audit verify`,
// concurrent writers keep one chain, and every API route is classified in audit-middleware.ts.
import { and, eq, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { auditLog, documents, mailboxes, organisations } from '../../backend/src/store/schema';
import { appendAudit, verifyAuditChain } from '../../backend/src/audit/chain';
import { ROUTE_AUDIT } from '../../backend/src/api/audit-middleware';
import { main } from '../../backend/src/cli/main';
import type { CliEnv } from '../../backend/src/cli/privacy-commands';
import { callApi } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';
import { apiRoutes } from '../helpers/routes';

test('every API route is classified for the audit log (audited, or explicitly not)', () => {
  const routes = apiRoutes();
  expect(routes.length).toBeGreaterThan(40);
  const unclassified = routes.filter((r) => !(r in ROUTE_AUDIT));
  expect(unclassified).toEqual([]);
  const stale = Object.keys(ROUTE_AUDIT).filter((k) => !routes.includes(k));
  expect(stale).toEqual([]);
});

describe.each(testDatabases)('audit log on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let orgId: string;
  const cliEnv = (): CliEnv => ({ openStore: async () => ({ db: app.database.db, sealer: app.ctx.sealer, close: async () => undefined }) });
  const runCli = async (args: string[]) => {
    let out = ''; let err = '';
    const code = await main(args, { out: (t) => { out += t; }, err: (t) => { err += t; } }, cliEnv());
    return { code, out, err };
  };
  const entries = () => app.database.db.select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(auditLog.seq);

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    orgId = app.demoOrgId!;
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('views, downloads and setting changes are audited: who, when, what, from where; no content', async () => {
    const memo = demoMemo({ label: 'Lægeerklæring vedrørende 010190-1234' });
    const [mb] = await app.database.db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
    const { messageId } = await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [doc] = await app.database.db.select({ id: documents.id }).from(documents).where(eq(documents.messageId, messageId));

    expect((await callApi(app, 'GET', `/messages/${messageId}`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/messages/${messageId}/documents/${doc.id}`)).status).toBe(200);
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30 })).status).toBe(200);
    expect((await callApi(app, 'GET', '/messages')).status).toBe(200); // not audited: a list
    // Refused: a reader may not change settings, and a refusal writes no entry.
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 31 }, { 'X-Brevdue-Demo-Role': 'reader' })).status).toBe(403);

    const rows = await eventually(async () => { const r = await entries(); return r.length >= 3 && r; }, 10_000, 'three audit entries');
    expect(rows.map((r) => r.action)).toEqual(['letter.view', 'document.download', 'settings.retention.update']);
    expect(rows[0]).toMatchObject({ seq: 1, actor: 'Demo-bruger (demo)', targetType: 'message', targetId: messageId });
    expect(rows[0].actorIp).toMatch(/127\.0\.0\.1/);
    expect(rows[1]).toMatchObject({ targetType: 'document', targetId: doc.id });
    expect(rows[2].details).toMatchObject({ route: 'PUT /admin/retention-settings', fields: ['retentionDays'] });
    expect(JSON.stringify(rows)).not.toMatch(/010190|Lægeerklæring/);
    expect(await verifyAuditChain(app.database.db, orgId)).toMatchObject({ ok: true, entries: 3 });

    // Admins read and export it; a reader may not.
    const list = await callApi(app, 'GET', '/admin/audit?action=letter.view');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { action: string }) => i.action)).toEqual(['letter.view']);
    expect((await callApi(app, 'GET', '/admin/audit', undefined, { 'X-Brevdue-Demo-Role': 'reader' })).status).toBe(403);
    const csvBytes = Buffer.from(await (await fetch(`${app.url}/api/admin/audit.csv`)).arrayBuffer());
    expect(csvBytes.subarray(0, 3).toString('hex')).toBe('efbbbf'); // BOM: Excel reads UTF-8
    const csv = csvBytes.subarray(3).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,at,actor,actor_ip,action,target_type,target_id,details,prev_hash,hash');
    expect(csv).toContain('settings.retention.update');
    expect((await callApi(app, 'GET', '/admin/audit?from=2025-13-01')).body.error.message).toMatch(/from: must be a date/);
  });

  test('an edited entry and a deleted entry break the chain: found by verify and by `brevdue audit verify`', async () => {
    await eventually(async () => (await entries()).length >= 5, 10_000, 'the audit reads audited');
    const ok = await runCli(['audit', 'verify', '--org', orgId]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(new RegExp(`organisation ${orgId}: ok, \\d+ entries`));

    const [second] = (await entries()).filter((r) => r.seq === 2);
    await app.database.db.execute(sql`update audit_log set details = ${JSON.stringify({ route: 'forged' })}::jsonb where org_id = ${orgId} and seq = 2`);
    expect(await verifyAuditChain(app.database.db, orgId)).toMatchObject({ ok: false, brokenAt: 2, reason: expect.stringMatching(/changed after it was written/) });
    const bad = await runCli(['audit', 'verify']);
    expect(bad.code).toBe(3);
    expect(bad.out).toContain(`organisation ${orgId}: BROKEN at entry 2`);
    expect(bad.err).toMatch(/audit chain is broken/);

    // Put it back: the chain verifies again (the check is exact, not a heuristic).
    await app.database.db.update(auditLog).set({ details: second.details }).where(and(eq(auditLog.orgId, orgId), eq(auditLog.seq, 2)));
    expect((await verifyAuditChain(app.database.db, orgId)).ok).toBe(true);

    await app.database.db.delete(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.seq, 3)));
    expect(await verifyAuditChain(app.database.db, orgId)).toMatchObject({ ok: false, brokenAt: 3, reason: expect.stringMatching(/missing/) });
    expect((await runCli(['audit', 'verify', '--org', orgId])).code).toBe(3);
    expect((await runCli(['audit', 'verify', '--org', 'nope'])).code).toBe(2);
  });

  test('concurrent appends keep one chain without gaps or forks', async () => {
    const [{ id }] = await app.database.db.insert(organisations).values({ name: 'Samtidig' }).returning({ id: organisations.id });
    await Promise.all(Array.from({ length: 25 }, (_, i) =>
      appendAudit(app.database.db, { orgId: id, actor: `writer ${i}`, action: 'test.concurrent', details: { i } })));
    const rows = await app.database.db.select().from(auditLog).where(eq(auditLog.orgId, id)).orderBy(auditLog.seq);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await verifyAuditChain(app.database.db, id)).toMatchObject({ ok: true, entries: 25 });
  });
});
