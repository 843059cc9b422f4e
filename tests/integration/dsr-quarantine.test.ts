// Data subject requests cover quarantined letters: they hold sealed originals that may name the person.
// Their sealed bytes are searched in memory (the bytes as text, base64 runs decoded, embedded PDFs'
// text extracted — also when the letter does not parse at all) and indexed as keyed hashes
// (quarantine.cpr_hashes); search lists them, export gives their original bytes, erase replaces those
// with an empty sealed value (the row stays, "try again" refuses it). Per organisation, audited without
// the number; a key rotation re-indexes them.
import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeQuarantine } from '../../backend/src/store/letters';
import { auditLog, cvrNumbers, mailboxes, organisations, quarantine } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { ERASED_REASON } from '../../backend/src/ingest/letter-failures';
import { createSealer } from '../../backend/src/crypto/envelope';
import { reindexStaleMentions } from '../../backend/src/dsr/cpr-index';
import type { MailboxRow } from '../../backend/src/context';
import { callApi } from '../helpers/app';
import { eventually, testDatabases } from '../helpers/databases';

const CPR = '010190-1234';
const OTHER = '020285-4321';
/** Another organisation's CVR number (valid, modulus 11; not one of the demo organisation's). */
const ORG_B_CVR = '55133018';
const [company] = DEMO_ORGANISATION.cvrs;
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

/** A PDF whose text is in a compressed stream: the digits are not in its bytes, only in its text. */
function compressedPdf(line: string): Buffer {
  const stream = deflateSync(Buffer.from(`BT /F1 14 Tf 60 770 Td (${line}) Tj ET\n`, 'latin1'));
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
    Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`), stream, Buffer.from('\nendstream')]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let at = parts[0].length;
  objects.forEach((o, i) => {
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    offsets.push(at);
    parts.push(chunk);
    at += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** An invalid MeMo (dated in the year 0000). */
const invalid = (o: { notification?: string; pdf?: Buffer } = {}) => {
  const memo = demoMemo({ recipientCvr: company.cvr, notification: o.notification ?? 'Ingen personnumre her' });
  if (o.pdf) memo.body.mainDocument!.files[0].content = o.pdf;
  return buildMemoXml(memo).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');
};

describe.each(testDatabases)('data subject requests over quarantined letters on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  const k1 = randomBytes(32);

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, kek: k1.toString('base64') });
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('found in their sealed bytes (parsed or not, in a compressed PDF too), exported, erased; other persons and organisations untouched; audited without the number', async () => {
    const db = app.database.db;
    const orgId = app.demoOrgId!;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];

    // Through a poll, as they arrive: the CPR number in the notification, and only in a compressed PDF.
    app.sims!.ngdp.api.inject(company.cvr, invalid({ notification: `Vedrørende ${CPR}` }));
    app.sims!.ngdp.api.inject(company.cvr, invalid({ pdf: compressedPdf('Patient 0101901234 har en frist') }));
    app.sims!.ngdp.api.inject(company.cvr, invalid({ notification: `Vedr. ${OTHER}`, pdf: minimalPdf('intet') }));
    expect(await pollMailbox({ ...app.ctx, jobs: noJobs }, mb)).toMatchObject({ quarantined: 3 });
    const polled = await db.select().from(quarantine).orderBy(quarantine.receivedAt);
    expect(polled.every((q) => q.cprHashes === null)).toBe(true); // indexed later (the job, or the search itself)
    // Bytes that are no letter at all (a provider's record, garbage), in UTF-8 (a non-breaking hyphen) and in UTF-16.
    const garbage = Buffer.from('not a letter; regarding 010190\u20111234; \u0000\u0001 binary');
    await storeQuarantine(db, app.ctx.sealer, mb, 'garbage-1', 'MessageBody: not XML', garbage);
    await storeQuarantine(db, app.ctx.sealer, mb, 'utf16-1', 'MessageBody: not XML', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<x>cpr 0101901234</x>`, 'utf16le')]));
    const all = await db.select().from(quarantine);
    const byProvider = (id: string) => all.find((q) => q.providerMessageId === id)!;
    const [inNotification, inPdf, other] = polled;
    const mentioning = [inNotification.id, inPdf.id, byProvider('garbage-1').id, byProvider('utf16-1').id].sort();
    // Another organisation's quarantined letter naming the same person.
    const [{ id: orgB }] = await db.insert(organisations).values({ name: 'Anden' }).returning({ id: organisations.id });
    await db.insert(cvrNumbers).values({ orgId: orgB, cvr: ORG_B_CVR, name: 'B' });
    const [mbB] = await db.insert(mailboxes).values({ orgId: orgB, cvr: ORG_B_CVR, provider: 'ngdp' }).returning();
    await storeQuarantine(db, app.ctx.sealer, mbB, 'b-1', 'bad', Buffer.from(`om ${CPR}`));

    const found = await callApi(app, 'POST', '/admin/dsr/search', { cpr: CPR });
    expect(found.status).toBe(200);
    expect(found.body.letters).toEqual([]);
    expect(found.body.quarantined.map((q: { id: string }) => q.id).sort()).toEqual(mentioning);
    expect(found.body.quarantined[0]).toMatchObject({ mailboxId: mb.id, provider: 'Digital Post', cvr: company.cvr });
    expect(found.body.quarantineUnreadable).toEqual([]);
    expect(JSON.stringify(found.body)).not.toMatch(/0101901234|010190-1234/);
    // Indexed now, as keyed hashes only: the organisation's rows (the other organisation's at its own search or the job).
    const indexed = await db.select().from(quarantine).where(eq(quarantine.orgId, orgId));
    expect(indexed.every((q) => Array.isArray(q.cprHashes) && q.cprHashes.every((h) => /^k1:[0-9a-f]{64}$/.test(h)))).toBe(true);
    expect((await callApi(app, 'POST', '/admin/dsr/search', { cpr: OTHER })).body.quarantined.map((q: { id: string }) => q.id)).toEqual([other.id]);

    const exp = await callApi(app, 'POST', '/admin/dsr/export', { cpr: CPR });
    expect(exp.status).toBe(200);
    expect(exp.body.quarantinedCount).toBe(4);
    const exported = new Map<string, string>(exp.body.quarantined.map((q: { id: string; originalBase64: string }) => [q.id, q.originalBase64]));
    expect(Buffer.from(exported.get(byProvider('garbage-1').id)!, 'base64').equals(garbage)).toBe(true);
    expect(Buffer.from(exported.get(inNotification.id)!, 'base64').toString('utf8')).toContain(`Vedrørende ${CPR}`);

    const erased = await callApi(app, 'POST', '/admin/dsr/erase', { cpr: CPR, confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ erased: [], quarantineUnreadable: [] });
    expect([...erased.body.quarantineErased].sort()).toEqual(mentioning);
    for (const q of await db.select().from(quarantine).where(eq(quarantine.orgId, orgId))) {
      if (mentioning.includes(q.id)) {
        expect(q.erasedAt).toBeInstanceOf(Date);
        expect(app.ctx.sealer.open(q.rawEnc).length).toBe(0);
        expect(q.cprHashes).toEqual([]);
        expect(q.reason).toBe(ERASED_REASON); // the trace stays: mailbox, provider id, dates; the reason (it may quote the letter) is a fixed sentence
      } else {
        expect(q.erasedAt).toBeNull();
        expect(app.ctx.sealer.open(q.rawEnc).toString('utf8')).toContain(OTHER);
      }
    }
    expect((await callApi(app, 'POST', '/admin/dsr/search', { cpr: CPR })).body.quarantined).toEqual([]);
    // The other organisation's letter is untouched; its own search finds it.
    const [bRow] = await db.select().from(quarantine).where(eq(quarantine.orgId, orgB));
    expect(bRow.erasedAt).toBeNull();
    expect(app.ctx.sealer.open(bRow.rawEnc).toString()).toContain(CPR);

    // Nothing left to try again.
    const tried = await callApi(app, 'POST', `/admin/mailboxes/${mb.id}/quarantine/${inNotification.id}/retry`);
    expect([tried.status, tried.body.error.code]).toEqual([409, 'erased']);
    expect(tried.body.error.message).toMatch(/was erased at a data subject's request on \d{4}-\d{2}-\d{2}: its content is gone/);

    const audit = await eventually(async () => {
      const rows = await db.select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(auditLog.seq);
      return rows.filter((r) => r.action.startsWith('dsr.')).length >= 5 && rows;
    }, 10_000, 'dsr audit entries');
    const dsr = audit.filter((r) => r.action.startsWith('dsr.'));
    expect(dsr.map((r) => r.action)).toEqual(['dsr.search', 'dsr.search', 'dsr.export', 'dsr.erase', 'dsr.search']);
    expect(dsr[0].details).toMatchObject({ letters: 0, quarantined: 4 });
    expect(dsr[2].details).toMatchObject({ quarantined: 4 });
    expect(dsr[3].details).toMatchObject({ quarantineErased: 4 });
    expect((dsr[3].details.quarantineIds as string[]).sort()).toEqual(mentioning);
    expect(JSON.stringify(audit)).not.toMatch(/0101901234|010190-1234|020285/);
  }, 60_000);

  test('a key rotation re-indexes quarantined letters under the new key; a letter whose key is gone is reported, not silently skipped', async () => {
    const db = app.database.db;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    await storeQuarantine(db, app.ctx.sealer, mb, 'rotation-1', 'bad', Buffer.from(`<a>${OTHER}</a>`));
    const before = await callApi(app, 'POST', '/admin/dsr/search', { cpr: OTHER });
    const id = (await db.select().from(quarantine).where(eq(quarantine.providerMessageId, 'rotation-1')))[0].id;
    expect(before.body.quarantined.map((q: { id: string }) => q.id)).toContain(id);

    const k2 = randomBytes(32);
    const during = createSealer([{ id: 'k2', key: k2 }, { id: 'k1', key: k1 }]);
    await reindexStaleMentions(db, during);
    const [row] = await db.select().from(quarantine).where(eq(quarantine.id, id));
    expect(row.cprHashes).toHaveLength(1);
    expect(row.cprHashes![0]).toMatch(/^k2:/);

    // Sealed under a key no longer configured: it cannot be searched, and the answer says so.
    const other = createSealer([{ id: 'k9', key: randomBytes(32) }], 'k9');
    await storeQuarantine(db, other, mb, 'lost-key', 'bad', Buffer.from(`<a>${OTHER}</a>`));
    const lost = (await db.select().from(quarantine).where(eq(quarantine.providerMessageId, 'lost-key')))[0].id;
    const r = await callApi(app, 'POST', '/admin/dsr/search', { cpr: OTHER });
    expect(r.body.quarantineUnreadable).toEqual([lost]);
  }, 60_000);
});
