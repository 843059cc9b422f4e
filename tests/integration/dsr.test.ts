// Data subject requests: letters mentioning a CPR number are found through keyed hashes only (in the
// MeMo at ingest, in PDF text after extraction), exported with their documents, erased like retention
// (blocked by legal hold), per organisation, admins only, audited without the number.
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeLetter } from '../../backend/src/store/letters';
import { auditLog, cprMentions, cvrNumbers, documents, mailboxes, messages, organisations } from '../../backend/src/store/schema';
import { documentTextOf } from '../../backend/src/routing/document-text';
import { normaliseCpr } from '../../backend/src/dsr/cpr-index';
import { callApi } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const CPR = '010190-1234';
const OTHER = '020285-4321';
/** Another organisation's CVR number (valid, modulus 11; not one of the demo organisation's). */
const ORG_B_CVR = '55133018';

describe.each(testDatabases)('data subject requests on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let orgId: string;

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

  async function letter(org: string, o: { notification?: string; pdf: string; cvr?: string }): Promise<string> {
    const memo = demoMemo({ label: 'Brev fra kommunen', ...(o.cvr ? { recipientCvr: o.cvr } : {}), ...(o.notification ? { notification: o.notification } : {}) });
    memo.body.mainDocument!.files[0].content = minimalPdf(o.pdf);
    let [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.orgId, org), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
    if (!mb) [mb] = await app.database.db.insert(mailboxes).values({ orgId: org, cvr: memo.recipient.id, provider: 'ngdp' }).returning();
    const { messageId } = await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    await documentTextOf(app.ctx, messageId);
    return messageId;
  }

  test('normalises CPR input', () => {
    expect(normaliseCpr('010190-1234')).toBe('0101901234');
    expect(normaliseCpr(' 010190 1234 ')).toBe('0101901234');
    expect(normaliseCpr('01019012345')).toBeNull();
    expect(normaliseCpr('abc')).toBeNull();
  });

  test('search, export and erase by CPR number; legal hold blocks erasure; audited without the number', async () => {
    const inNotification = await letter(orgId, { notification: `Vedrørende ${CPR}`, pdf: 'Bilag uden personnummer' });
    const inPdf = await letter(orgId, { pdf: `Patient 0101901234 har unikfraseDSR` });
    const other = await letter(orgId, { notification: `Vedr. ${OTHER}`, pdf: 'intet' });
    const [{ id: orgB }] = await app.database.db.insert(organisations).values({ name: 'Anden' }).returning({ id: organisations.id });
    // A CVR number of its own: a CVR number belongs to one organisation (cvr_numbers_cvr_active_uq).
    await app.database.db.insert(cvrNumbers).values({ orgId: orgB, cvr: ORG_B_CVR, name: 'B' });
    const otherOrg = await letter(orgB, { notification: CPR, pdf: 'x', cvr: ORG_B_CVR });

    // Only keyed hashes are stored.
    const mentions = await app.database.db.select().from(cprMentions);
    expect(mentions.length).toBeGreaterThanOrEqual(4);
    for (const m of mentions) expect(m.cprHash).toMatch(/^k1:[0-9a-f]{64}$/);

    const found = await callApi(app, 'POST', '/admin/dsr/search', { cpr: '0101901234' });
    expect(found.status).toBe(200);
    expect(found.body.letters.map((l: { id: string }) => l.id).sort()).toEqual([inNotification, inPdf].sort());
    expect(JSON.stringify(found.body)).not.toContain('0101901234');
    const found2 = await callApi(app, 'POST', '/admin/dsr/search', { cpr: CPR });
    expect(found2.body.letters).toHaveLength(2);
    expect((await callApi(app, 'POST', '/admin/dsr/search', { cpr: OTHER })).body.letters.map((l: { id: string }) => l.id)).toEqual([other]);
    void otherOrg;

    const bad = await callApi(app, 'POST', '/admin/dsr/search', { cpr: '12345-67' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('cpr: must be a CPR number: 10 digits, with or without a hyphen');
    expect((await callApi(app, 'POST', '/admin/dsr/search', { cpr: CPR }, { 'X-Brevdue-Demo-Role': 'operator' })).status).toBe(403);

    const exp = await callApi(app, 'POST', '/admin/dsr/export', { cpr: CPR });
    expect(exp.status).toBe(200);
    expect(exp.body.letterCount).toBe(2);
    const pdfLetter = exp.body.letters.find((l: { id: string }) => l.id === inPdf);
    expect(Buffer.from(pdfLetter.documents[0].contentBase64, 'base64').toString('latin1')).toContain('unikfraseDSR');
    expect(pdfLetter.timeline.length).toBeGreaterThan(0);

    // Legal hold blocks erasure of all of them, with a sentence; nothing is erased.
    expect((await callApi(app, 'PUT', `/messages/${inPdf}/legal-hold`)).status).toBe(200);
    expect((await callApi(app, 'POST', '/admin/dsr/erase', { cpr: CPR })).body.error.message).toMatch(/confirm: must be true/);
    const held = await callApi(app, 'POST', '/admin/dsr/erase', { cpr: CPR, confirm: true });
    expect(held.status).toBe(409);
    expect(held.body.error.message).toMatch(new RegExp(`1 of the letters are on legal hold.*Lift the hold on ${inPdf}`));
    expect((await app.database.db.select().from(documents).where(eq(documents.messageId, inNotification)))).toHaveLength(1);

    expect((await callApi(app, 'DELETE', `/messages/${inPdf}/legal-hold`)).status).toBe(200);
    const erased = await callApi(app, 'POST', '/admin/dsr/erase', { cpr: CPR, confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body.erased.sort()).toEqual([inNotification, inPdf].sort());
    for (const id of [inNotification, inPdf]) {
      const [m] = await app.database.db.select().from(messages).where(eq(messages.id, id));
      expect(m.purgedAt).toBeInstanceOf(Date);
      expect(await app.database.db.select().from(documents).where(eq(documents.messageId, id))).toHaveLength(0);
    }
    expect((await callApi(app, 'POST', '/admin/dsr/search', { cpr: CPR })).body.letters).toEqual([]);
    // Untouched: the other person's letter and the other organisation's letter.
    expect((await app.database.db.select().from(messages).where(eq(messages.id, other)))[0].purgedAt).toBeNull();
    expect((await app.database.db.select().from(messages).where(eq(messages.id, otherOrg)))[0].purgedAt).toBeNull();

    const audit = await eventually(async () => {
      const rows = await app.database.db.select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(auditLog.seq);
      return rows.filter((r) => r.action.startsWith('dsr.')).length >= 6 && rows; // all six requests below: entries are written as each response finishes
    }, 10_000, 'dsr audit entries');
    const dsr = audit.filter((r) => r.action.startsWith('dsr.'));
    expect(dsr.map((r) => r.action)).toEqual(['dsr.search', 'dsr.search', 'dsr.search', 'dsr.export', 'dsr.erase', 'dsr.search']);
    expect(dsr[0].targetType).toBe('cpr');
    expect(dsr[0].targetId).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(dsr[0].targetId).toBe(dsr[1].targetId);
    expect(dsr[4].details).toMatchObject({ erased: 2 });
    expect(JSON.stringify(audit)).not.toMatch(/0101901234|010190-1234|020285/);
  });
});
