// Before an admin shortens retention: GET /api/admin/retention-settings/preview counts what the next
// purge would delete with the new settings (the purge's own selection, retention/due.ts): letters past
// the cut and not on legal hold, quarantined letters acted on or past the quarantine period, the oldest
// date; never another organisation's, and it deletes nothing. A PUT that shortens a period while that
// count is not zero is refused (409 retention_deletes_unconfirmed with the counts) unless confirmDeletes
// is at least the count; the purge then deletes exactly what the preview said.
import { and, eq, isNull } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { auditLog, cvrNumbers, mailboxes, messages, organisations, quarantine } from '../../backend/src/store/schema';
import { appendAudit } from '../../backend/src/audit/chain';
import { QUARANTINE_RETRY_ACTION, runRetention } from '../../backend/src/retention/purge';
import { apiErrorSchema, retentionPreviewSchema } from '../../shared/src/contracts';
import { callApi, demoAppForSuite } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const DAY = 86_400_000;
/** Another organisation's CVR number (valid, modulus 11; not one of the demo organisation's). */
const OTHER_ORG_CVR = '55133018';
const ago = (days: number) => new Date(Date.now() - days * DAY);

describe.each(testDatabases)('retention preview and confirmed shortening on $name', (tdb) => {
  const appOf = demoAppForSuite(tdb);

  async function letter(app: Brevdue, org: string, daysAgo: number, cvr?: string): Promise<string> {
    const db = app.database.db;
    const memo = demoMemo({ label: `Lægeerklæring ${daysAgo}`, ...(cvr ? { recipientCvr: cvr } : {}) });
    let [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, org), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
    if (!mb) [mb] = await db.insert(mailboxes).values({ orgId: org, cvr: memo.recipient.id, provider: 'ngdp' }).returning();
    const { messageId } = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    await db.update(messages).set({ receivedAt: ago(daysAgo), status: 'delivered' }).where(eq(messages.id, messageId));
    return messageId;
  }

  async function quarantined(app: Brevdue, org: string, providerMessageId: string, daysAgo: number) {
    const db = app.database.db;
    const [mb] = await db.select().from(mailboxes).where(eq(mailboxes.orgId, org));
    const [q] = await db.insert(quarantine).values({
      orgId: org, mailboxId: mb.id, providerMessageId, reason: 'MessageBody: not a MeMo', rawEnc: app.ctx.sealer.seal('not a MeMo'), receivedAt: ago(daysAgo),
    }).returning();
    return q;
  }

  const preview = async (app: Brevdue, query: string, role?: string) => callApi(app, 'GET', `/admin/retention-settings/preview?${query}`, undefined, role ? { 'X-Brevdue-Demo-Role': role } : {});

  test('counts what the purge would delete, spares legal hold and other organisations, deletes nothing; a shortening must be confirmed', async () => {
    const app = appOf();
    const db = app.database.db;
    const orgId = app.demoOrgId!;

    const old = await letter(app, orgId, 100);
    const older45 = await letter(app, orgId, 45);
    const held = await letter(app, orgId, 100);
    const recent = await letter(app, orgId, 10);
    const purgedAlready = await letter(app, orgId, 300);
    await db.update(messages).set({ purgedAt: ago(200) }).where(eq(messages.id, purgedAlready));
    expect((await callApi(app, 'PUT', `/messages/${held}/legal-hold`)).status).toBe(200);
    const tried = await quarantined(app, orgId, 'tried', 110); // an admin tried it again: goes at retention
    const forgotten = await quarantined(app, orgId, 'forgotten', 130); // nobody acted: goes at retention + keep
    await quarantined(app, orgId, 'waiting', 100);
    await quarantined(app, orgId, 'recent', 5);
    await appendAudit(db, { orgId, actor: 'test', action: QUARANTINE_RETRY_ACTION, targetType: 'quarantine', targetId: tried.id, details: {} });

    // Another organisation, older letters than any of ours, kept for ten years: never counted here.
    const [{ id: otherOrg }] = await db.insert(organisations).values({ name: 'Anden organisation', retentionDays: 3650, quarantineKeepDays: 3650 }).returning({ id: organisations.id });
    await db.insert(cvrNumbers).values({ orgId: otherOrg, cvr: OTHER_ORG_CVR, name: 'Anden ApS' });
    const otherLetter = await letter(app, otherOrg, 250, OTHER_ORG_CVR);
    const otherQ = await quarantined(app, otherOrg, 'other', 250);
    await appendAudit(db, { orgId: otherOrg, actor: 'test', action: QUARANTINE_RETRY_ACTION, targetType: 'quarantine', targetId: otherQ.id, details: {} });

    const unpurged = async () => (await db.select({ id: messages.id }).from(messages).where(isNull(messages.purgedAt))).map((m) => m.id).sort();
    const quarantineIds = async () => (await db.select({ id: quarantine.id }).from(quarantine)).map((q) => q.id).sort();
    const before = { letters: await unpurged(), quarantine: await quarantineIds() };

    // 30 days, the quarantine period left as it is (90): past 30 days 2 letters (the held one spared),
    // the tried letter, and the forgotten one past 30 + 90; the oldest is the forgotten one.
    const at30 = await preview(app, 'retentionDays=30');
    expect(at30.status).toBe(200);
    expect(retentionPreviewSchema.parse(at30.body)).toEqual({
      retentionDays: 30, quarantineKeepDays: 90, letters: 2, quarantined: 2, keptOnLegalHold: 1, oldestReceivedAt: forgotten.receivedAt.toISOString(),
    });
    // A shorter quarantine period takes the waiting one too.
    expect((await preview(app, 'retentionDays=30&quarantineKeepDays=60')).body).toMatchObject({ quarantineKeepDays: 60, letters: 2, quarantined: 3 });
    // 50 days: the 45-day letter stays; the forgotten one (130 < 50 + 90) too; the oldest is the tried one.
    expect((await preview(app, 'retentionDays=50')).body).toEqual({
      retentionDays: 50, quarantineKeepDays: 90, letters: 1, quarantined: 1, keptOnLegalHold: 1, oldestReceivedAt: tried.receivedAt.toISOString(),
    });
    // 200 days: nothing of ours (the other organisation's 250-day letters are not ours to count).
    expect((await preview(app, 'retentionDays=200&quarantineKeepDays=7')).body).toEqual({
      retentionDays: 200, quarantineKeepDays: 7, letters: 0, quarantined: 0, keptOnLegalHold: 0, oldestReceivedAt: null,
    });
    // A preview changes nothing: every letter and quarantined letter is still there, and the setting too.
    expect({ letters: await unpurged(), quarantine: await quarantineIds() }).toEqual(before);
    expect((await callApi(app, 'GET', '/admin/retention-settings')).body).toEqual({ retentionDays: 90, quarantineKeepDays: 90 });

    // Admins only; checked as the PUT is, with the field named.
    expect((await preview(app, 'retentionDays=30', 'operator')).status).toBe(403);
    expect((await preview(app, 'retentionDays=30', 'reader')).status).toBe(403);
    const refused: [string, RegExp][] = [
      ['', /^retentionDays: is required$/],
      ['retentionDays=3', /^retentionDays: retention is at least 7 days$/],
      ['retentionDays=abc', /^retentionDays: must be a whole number of days$/],
      ['retentionDays=30.5', /^retentionDays: must be a whole number of days$/],
      ['retentionDays=30&retentionDays=40', /^retentionDays: must be given once/],
      ['retentionDays=30&quarantineKeepDays=5000', /^quarantineKeepDays: the quarantine period is at most 3,650 days/],
      ['retentionDays=30&purge=1', /Unrecognized key/],
    ];
    for (const [query, message] of refused) {
      const r = await preview(app, query);
      expect([query, r.status, r.body.error.code]).toEqual([query, 400, 'invalid_request']);
      expect(apiErrorSchema.parse(r.body).error.message).toMatch(message);
    }

    // Raising, or a shortening that deletes nothing, needs no confirmation.
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 365 })).status).toBe(200);
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 200, quarantineKeepDays: 7 })).body).toEqual({ retentionDays: 200, quarantineKeepDays: 7 });
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 200, quarantineKeepDays: 90 })).status).toBe(200);

    // Shortening to 30 days: refused without confirmation, with the counts; nothing saved.
    const unconfirmed = await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30 });
    expect([unconfirmed.status, unconfirmed.body.error.code]).toEqual([409, 'retention_deletes_unconfirmed']);
    expect(unconfirmed.body.error.params).toEqual({ letters: 2, quarantined: 2, total: 4, keptOnLegalHold: 1, oldest: forgotten.receivedAt.toISOString() });
    expect(unconfirmed.body.error.message).toMatch(/deletes the content of 2 letters and 2 letters in quarantine \(the oldest received \d{4}-\d{2}-\d{2}\); this cannot be undone\. Nothing was saved\. To save, send confirmDeletes: 4/);
    // Fewer than would go is not a confirmation of them.
    const tooFew = await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30, confirmDeletes: 3 });
    expect([tooFew.status, tooFew.body.error.params]).toEqual([409, { letters: 2, quarantined: 2, total: 4, keptOnLegalHold: 1, oldest: forgotten.receivedAt.toISOString(), confirmed: 3 }]);
    for (const confirmDeletes of [-1, 'all', 2.5]) {
      expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30, confirmDeletes })).status).toBe(400);
    }
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30, confirmDeletes: 4 }, { 'X-Brevdue-Demo-Role': 'operator' })).status).toBe(403);
    expect((await callApi(app, 'GET', '/admin/retention-settings')).body).toEqual({ retentionDays: 200, quarantineKeepDays: 90 });
    expect({ letters: await unpurged(), quarantine: await quarantineIds() }).toEqual(before);

    // Confirmed: saved, and the audit entry says what the admin agreed to.
    const confirmed = await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30, confirmDeletes: 4 });
    expect([confirmed.status, confirmed.body]).toEqual([200, { retentionDays: 30, quarantineKeepDays: 90 }]);
    const entry = await eventually(async () => (await db.select().from(auditLog)
      .where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'settings.retention.update')))).find((a) => a.details.confirmedDeletes), 5000, 'the confirmed change audited');
    expect(entry.details).toMatchObject({ previousRetentionDays: 200, previousQuarantineKeepDays: 90, confirmedDeletes: { letters: 2, quarantined: 2 }, fields: ['retentionDays', 'confirmDeletes'] });

    // The purge deletes exactly what the preview said, and nothing of the other organisation.
    const r = await runRetention(db, app.ctx.sealer);
    expect({ letters: r.letters, quarantine: r.quarantined + r.quarantineExpired }).toEqual({ letters: 2, quarantine: 2 });
    expect((await unpurged()).filter((id) => [old, older45, held, recent, otherLetter].includes(id)).sort()).toEqual([held, recent, otherLetter].sort());
    expect(await db.select().from(quarantine).where(eq(quarantine.id, otherQ.id))).toHaveLength(1);
    // Nothing left to confirm at the same settings.
    expect((await preview(app, 'retentionDays=30')).body).toMatchObject({ letters: 0, quarantined: 0, keptOnLegalHold: 1 });
  }, 60_000);
});
