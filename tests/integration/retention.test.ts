// Retention: content of letters past their organisation's retention_days is purged (documents, sealed
// original, extracted text, search and routing text, CPR index, event text), the trace stays, legal
// hold keeps a letter, the run is audited and idempotent, and the daily job runs on demand too.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { auditLog, cprMentions, cvrNumbers, documents, events, mailboxes, messages, organisations, quarantine } from '../../backend/src/store/schema';
import { documentTextOf } from '../../backend/src/routing/document-text';
import { PURGED_EVENT_TEXT, PURGED_LABEL, runRetention } from '../../backend/src/retention/purge';
import { verifyAuditChain } from '../../backend/src/audit/chain';
import { messageDetailSchema } from '../../shared/src/contracts';
import { callApi } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const DAY = 86_400_000;
/** Another organisation's CVR number (valid, modulus 11; not one of the demo organisation's). */
const OTHER_ORG_CVR = '55133018';

describe.each(testDatabases)('retention on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, processEveryMs: 100 });
    orgId = app.demoOrgId!;
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  async function letter(org: string, daysAgo: number, phrase: string, cvr?: string): Promise<string> {
    const memo = demoMemo({ label: `Journalnotat ${phrase}`, notification: 'Vedr. 010190-1234', ...(cvr ? { recipientCvr: cvr } : {}) });
    memo.body.mainDocument!.files[0].content = minimalPdf(`Diagnose ${phrase} for 010190-1234`);
    let [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.orgId, org), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
    if (!mb) [mb] = await app.database.db.insert(mailboxes).values({ orgId: org, cvr: memo.recipient.id, provider: 'ngdp' }).returning();
    const { messageId } = await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    await documentTextOf(app.ctx, messageId); // as routing does: sealed text + CPR index
    await app.database.db.update(messages).set({ receivedAt: new Date(Date.now() - daysAgo * DAY), status: 'delivered' }).where(eq(messages.id, messageId));
    return messageId;
  }

  test('purges content past retention, keeps the trace, respects legal hold and each organisation\'s days; idempotent', async () => {
    expect((await callApi(app, 'PUT', '/admin/retention-settings', { retentionDays: 30 })).status).toBe(200);
    const old = await letter(orgId, 100, 'gammelfrase');
    const held = await letter(orgId, 100, 'holdfrase');
    const recent = await letter(orgId, 10, 'nyfrase');
    const past30 = await letter(orgId, 40, 'fyrrefrase');
    const [{ id: otherOrg }] = await app.database.db.insert(organisations).values({ name: 'Lang opbevaring', retentionDays: 365 }).returning({ id: organisations.id });
    // A CVR number of its own: a CVR number belongs to one organisation (cvr_numbers_cvr_active_uq).
    await app.database.db.insert(cvrNumbers).values({ orgId: otherOrg, cvr: OTHER_ORG_CVR, name: 'X' });
    const otherLetter = await letter(otherOrg, 100, 'andenorg', OTHER_ORG_CVR);
    const [oldDoc] = await app.database.db.select({ id: documents.id }).from(documents).where(eq(documents.messageId, old));
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.orgId, orgId));
    await app.database.db.insert(quarantine).values({ orgId, mailboxId: mb.id, providerMessageId: 'q1', reason: 'bad', rawEnc: app.ctx.sealer.seal('x'), receivedAt: new Date(Date.now() - 100 * DAY) });

    expect((await callApi(app, 'PUT', `/messages/${held}/legal-hold`)).status).toBe(200);
    expect((await callApi(app, 'PUT', `/messages/${held}/legal-hold`, undefined, { 'X-Brevdue-Demo-Role': 'operator' })).status).toBe(403);
    const before = await app.database.db.select().from(events).where(eq(events.messageId, old));

    const r = await runRetention(app.database.db, app.ctx.sealer);
    expect(r).toMatchObject({ letters: 2, quarantined: 0, quarantineKept: 1 });

    const rows = await app.database.db.select().from(messages).where(inArray(messages.id, [old, held, recent, past30, otherLetter]));
    const by = Object.fromEntries(rows.map((m) => [m.id, m]));
    for (const id of [old, past30]) {
      const m = by[id];
      expect(m.purgedAt).toBeInstanceOf(Date);
      expect(m).toMatchObject({ label: PURGED_LABEL, notification: null, searchText: '', status: 'delivered', cvr: demoMemo().recipient.id });
      expect(m.senderName).toBeTruthy();
      expect(app.ctx.sealer.open(m.rawEnc).length).toBe(0);
      expect(JSON.stringify(m.routingFacts)).not.toMatch(/frase|010190/);
      expect(await app.database.db.select().from(documents).where(eq(documents.messageId, id))).toHaveLength(0);
      expect(await app.database.db.select().from(cprMentions).where(eq(cprMentions.messageId, id))).toHaveLength(0);
    }
    // The timeline's steps stay (type, who, when); their text and data go; a 'purged' step is added.
    const after = await app.database.db.select().from(events).where(eq(events.messageId, old)).orderBy(events.id);
    expect(after.slice(0, before.length).map((e) => [e.type, e.actor, e.at.getTime()])).toEqual(before.map((e) => [e.type, e.actor, e.at.getTime()]));
    expect(after.slice(0, before.length).every((e) => e.text === PURGED_EVENT_TEXT && Object.keys(e.data).length === 0)).toBe(true);
    expect(after[after.length - 1]).toMatchObject({ type: 'purged', data: { reason: 'retention' } });
    // Kept: on hold, recent, and the other organisation's letter (365 days).
    for (const id of [held, recent, otherLetter]) {
      expect(by[id].purgedAt).toBeNull();
      expect(app.ctx.sealer.open(by[id].rawEnc).toString()).toContain('<MessageBody>');
      expect(await app.database.db.select().from(documents).where(eq(documents.messageId, id))).toHaveLength(1);
    }
    // The quarantined letter past retention is kept: no admin has acted on it yet (see the next test).
    expect(await app.database.db.select().from(quarantine).where(eq(quarantine.orgId, orgId))).toHaveLength(1);

    // The API tells purged letters apart; their documents answer 410 with a sentence.
    const detail = messageDetailSchema.parse((await callApi(app, 'GET', `/messages/${old}`)).body);
    expect(detail.purgedAt).toBeTruthy();
    expect(detail.documents).toEqual([]);
    expect(messageDetailSchema.parse((await callApi(app, 'GET', `/messages/${held}`)).body)).toMatchObject({ purgedAt: null, legalHold: true });
    const gone = await callApi(app, 'GET', `/messages/${old}/documents/${oldDoc.id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.message).toMatch(/documents were deleted/);
    // Nothing left to send: resend, reroute and reply refuse with a sentence instead of an empty copy.
    for (const [path, body] of [[`/messages/${old}/resend`, {}], [`/messages/${old}/reroute`, { destinationIds: ['00000000-0000-4000-8000-000000000000'] }]] as const) {
      const r = await callApi(app, 'POST', path, body);
      expect([r.status, r.body.error.code]).toEqual([410, 'purged']);
      expect(r.body.error.message).toMatch(/content was deleted on \d{4}-\d{2}-\d{2}/);
    }

    // Idempotent, and every run is audited with its counts.
    expect(await runRetention(app.database.db, app.ctx.sealer)).toMatchObject({ letters: 0, quarantined: 0, quarantineKept: 1 });
    const runs = await app.database.db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'retention.purge'))).orderBy(auditLog.seq);
    expect(runs.map((a) => [a.details.lettersPurged, a.details.keptOnLegalHold, a.details.retentionDays])).toEqual([[2, 1, 30], [0, 1, 30]]);
    await eventually(async () => (await app.database.db.select().from(auditLog)
      .where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'letter.legal_hold.set')))).length === 1, 5000, 'legal hold audited');

    // Lifting the hold: the daily job, run on demand, purges it.
    expect((await callApi(app, 'DELETE', `/messages/${held}/legal-hold`)).body).toMatchObject({ legalHold: false });
    await app.jobs.retentionNow();
    await eventually(async () => (await app.database.db.select({ p: messages.purgedAt }).from(messages).where(eq(messages.id, held)))[0].p, 15_000, 'the held letter purged by the job');
    const [job] = rowsOf(await app.database.db.execute(sql`select count(*)::int as n from agenda_jobs where name = 'retention-purge' and repeat_interval is not null`));
    expect(Number((job as { n: number }).n)).toBe(1);
    expect((await verifyAuditChain(app.database.db, orgId)).ok).toBe(true);
  });
});

describe.each(testDatabases)('retention of quarantined letters on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('never delivered, so never dropped unseen: past retention one goes only once an admin has tried it again and it stayed', async () => {
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    await db.update(organisations).set({ retentionDays: 30 }).where(eq(organisations.id, orgId));
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.orgId, orgId), eq(mailboxes.provider, 'ngdp')));
    const add = (providerMessageId: string, daysAgo: number) => db.insert(quarantine).values({
      orgId, mailboxId: mb.id, providerMessageId, reason: 'MessageBody: not a MeMo', rawEnc: app.ctx.sealer.seal('not a MeMo'), receivedAt: new Date(Date.now() - daysAgo * DAY),
    }).returning().then((r) => r[0]);
    const unseen = await add('unseen', 100);
    const seen = await add('seen', 100);
    const recentSeen = await add('recent-seen', 5);

    // An admin tries two of them again: still invalid (422), recorded in the audit log.
    for (const q of [seen, recentSeen]) {
      const r = await callApi(app, 'POST', `/admin/mailboxes/${mb.id}/quarantine/${q.id}/retry`);
      expect([r.status, r.body.error.code]).toEqual([422, 'still_invalid']);
    }
    await eventually(async () => (await db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'quarantine.retry')))).length === 2, 5000, 'the tries audited');

    const r = await runRetention(db, app.ctx.sealer);
    expect(r).toMatchObject({ quarantined: 1, quarantineKept: 1 });
    const left = (await db.select().from(quarantine).where(eq(quarantine.orgId, orgId))).map((q) => q.providerMessageId).sort();
    expect(left).toEqual(['recent-seen', 'unseen']); // unseen: kept however old; recent: within retention
    const [run] = await db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, 'retention.purge')));
    expect(run.details).toMatchObject({ quarantinePurged: 1, quarantineKept: 1 });
    expect(unseen.id).toBeTruthy();
  });
});

function rowsOf(r: unknown): unknown[] {
  return Array.isArray(r) ? r : ((r as { rows: unknown[] }).rows);
}
