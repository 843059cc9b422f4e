// Retention's upper bound for quarantined letters nobody acts on: kept past the retention period (an
// admin may still try them), but not for ever — quarantine_keep_days (default 90, an admin setting)
// after it they are deleted, each with a `quarantine.expired` audit entry (ids and dates, no content).
// Letters an admin acted on (tried again, or erased in a data subject request) go at the retention
// period, as before; notices that name no letter any more go with them.
import { and, eq } from 'drizzle-orm';
import { auditLog, mailboxes, organisations, quarantine, quarantineNotices } from '../../backend/src/store/schema';
import { runRetention } from '../../backend/src/retention/purge';
import { verifyAuditChain } from '../../backend/src/audit/chain';
import { eraseQuarantined } from '../../backend/src/dsr/requests';
import { callApi, demoAppForSuite } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const DAY = 86_400_000;

describe.each(testDatabases)('retention bounds quarantined letters on $name', (tdb) => {
  const appOf = demoAppForSuite(tdb);

  test('one nobody acted on is deleted quarantine_keep_days past retention, audited; acted-on ones at retention; the setting is the admin\'s', async () => {
    const app = appOf();
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30 })).status).toBe(200);
    expect((await callApi(app, 'GET', '/admin/retention-settings')).body).toEqual({ retentionDays: 30, quarantineKeepDays: 90 });
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.provider, 'ngdp')));
    const [sent] = await db.insert(quarantineNotices).values({ orgId, status: 'sent', sentAt: new Date(Date.now() - 200 * DAY), sentTo: 'it@x', createdAt: new Date(Date.now() - 200 * DAY) }).returning();
    const add = (providerMessageId: string, daysAgo: number, noticeId: string | null = null) => db.insert(quarantine).values({
      orgId, mailboxId: mb.id, providerMessageId, reason: 'MessageBody: not a MeMo', rawEnc: app.ctx.sealer.seal('not a MeMo'),
      receivedAt: new Date(Date.now() - daysAgo * DAY), noticeId,
    }).returning().then((r) => r[0]);
    const forgotten = await add('forgotten', 125, sent.id); // 30 + 90 = 120 days: past the bound
    const waiting = await add('waiting', 100); // past retention, within the bound: kept
    const tried = await add('tried', 125); // an admin tried it: goes at retention (as before), not "expired"
    const erased = await add('erased', 40); // erased in a DSR: acted on, goes at retention
    const recent = await add('recent', 5);
    expect((await callApi(app, 'POST', `/admin/mailboxes/${mb.id}/quarantine/${tried.id}/retry`)).status).toBe(422);
    await eventually(async () => (await db.select().from(auditLog).where(and(eq(auditLog.action, 'quarantine.retry'), eq(auditLog.targetId, tried.id)))).length === 1, 5000, 'the try audited');
    await eraseQuarantined(db, app.ctx.sealer, orgId, [erased.id]);

    const r = await runRetention(db, app.ctx.sealer);
    expect(r).toMatchObject({ quarantined: 2, quarantineKept: 1, quarantineExpired: 1 });
    const left = (await db.select().from(quarantine).where(eq(quarantine.orgId, orgId))).map((q) => q.providerMessageId).sort();
    expect(left).toEqual(['recent', 'waiting']);
    const expired = await db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'quarantine.expired')));
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actor: 'system', targetType: 'quarantine', targetId: forgotten.id });
    expect(expired[0].details).toEqual({
      mailboxId: mb.id, providerMessageId: 'forgotten', receivedAt: forgotten.receivedAt.toISOString(),
      retentionDays: 30, quarantineKeepDays: 90, adminsMailedAt: sent.sentAt!.toISOString(),
    });
    const [run] = await db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'retention.purge')));
    expect(run.details).toMatchObject({ quarantinePurged: 2, quarantineKept: 1, quarantineExpired: 1, quarantineKeepDays: 90 });
    // The notice named only the deleted letter: it goes too.
    expect(await db.select().from(quarantineNotices).where(eq(quarantineNotices.id, sent.id))).toHaveLength(0);

    // The admin shortens the bound, confirming the one deletion (api/settings.ts): the waiting letter goes at the next run.
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30, quarantineKeepDays: 60, confirmDeletes: 1 })).body).toEqual({ retentionDays: 30, quarantineKeepDays: 60 });
    expect(await runRetention(db, app.ctx.sealer)).toMatchObject({ quarantined: 0, quarantineKept: 0, quarantineExpired: 1 });
    expect((await db.select().from(quarantine).where(eq(quarantine.orgId, orgId))).map((q) => q.id)).toEqual([recent.id]);
    expect(waiting.id).toBeTruthy();
    // Idempotent, and the chain holds.
    expect(await runRetention(db, app.ctx.sealer)).toMatchObject({ quarantined: 0, quarantineKept: 0, quarantineExpired: 0 });
    expect(await db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'quarantine.expired')))).toHaveLength(2);
    expect((await verifyAuditChain(db, orgId)).ok).toBe(true);
    const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
    expect(org.quarantineKeepDays).toBe(60);
  }, 60_000);
});
