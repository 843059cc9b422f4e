// The documents' text is extracted at ingest (ingest/accept.ts), while the bytes are in memory: stored
// sealed with the documents in the same transaction and indexed for CPR numbers before any routing, so
// routing reads no document back. Non-PDF documents are 'skipped', technical ones left alone, and a PDF
// that cannot be read is stored with its reason (the letter is stored all the same).
import { eq } from 'drizzle-orm';
import { demoMemo, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { acceptLetter } from '../../backend/src/ingest/accept';
import { documentTextOf } from '../../backend/src/routing/document-text';
import { cprHashes } from '../../backend/src/dsr/cpr-index';
import { cprMentions, documents, mailboxes, messages } from '../../backend/src/store/schema';
import { testDatabases } from '../helpers/databases';
import { demoAppForSuite } from '../helpers/app';
import type { MailboxRow } from '../../backend/src/context';

describe.each(testDatabases)('document text at ingest on $name', (tdb) => {
  const demoApp = demoAppForSuite(tdb);

  test('a fetched letter is stored with its documents\' text, sealed and CPR-indexed, before routing', async () => {
    const app = demoApp();
    const memo = demoMemo({ label: 'Afgørelse om sygedagpenge' });
    memo.body.mainDocument!.files[0].content = minimalPdf('Borger 0101901234 har ret til sygedagpenge fra uge 12');
    memo.body.additionalDocuments = [
      { label: 'Vejledning', actions: [], files: [{ encodingFormat: 'text/plain', filename: 'vejledning.txt', language: 'da', content: Buffer.from('Klagevejledning') }] },
      { label: 'Skadet', actions: [], files: [{ encodingFormat: 'application/pdf', filename: 'skadet.pdf', language: 'da', content: Buffer.from('%PDF-1.7 not really a pdf') }] },
    ];
    memo.body.technicalDocuments = [{ label: 'Teknisk', actions: [], files: [{ encodingFormat: 'application/pdf', filename: 'teknisk.pdf', language: 'da', content: minimalPdf('maskinlæsbar') }] }];
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, memo.recipient.id));
    const r = await acceptLetter(app.ctx, mb as MailboxRow, 'p-1', Buffer.from(buildMemoXml(memo)), 'push');
    expect(r.kind).toBe('stored');
    const messageId = r.kind === 'stored' ? r.stored.messageId : '';

    const [m] = await app.database.db.select({ status: messages.status }).from(messages).where(eq(messages.id, messageId));
    expect(m.status).toBe('received'); // not routed yet
    const docs = await app.database.db.select().from(documents).where(eq(documents.messageId, messageId)).orderBy(documents.position);
    expect(docs.map((d) => [d.filename, d.textStatus])).toEqual([
      ['Brev.pdf', 'ok'], ['vejledning.txt', 'skipped'], ['skadet.pdf', expect.stringMatching(/^failed: /)], ['teknisk.pdf', null],
    ]);
    expect(docs[0].textEnc!.includes(Buffer.from('sygedagpenge'))).toBe(false); // sealed
    expect(app.ctx.sealer.open(docs[0].textEnc!).toString('utf8')).toContain('sygedagpenge fra uge 12');
    expect(docs[2].textEnc).toBeNull();

    // The CPR number in the PDF is findable already (the MeMo's own fields hold none).
    const mentions = await app.database.db.select().from(cprMentions).where(eq(cprMentions.messageId, messageId));
    expect(mentions.map((x) => x.cprHash)).toEqual(expect.arrayContaining([cprHashes(app.ctx.sealer, '0101901234')[0]]));

    // Routing's read finds the stored text and extracts nothing again (its statuses stay as they are).
    expect(await documentTextOf(app.ctx, messageId)).toContain('sygedagpenge fra uge 12');
    const after = await app.database.db.select({ s: documents.textStatus }).from(documents).where(eq(documents.messageId, messageId)).orderBy(documents.position);
    expect(after.map((x) => x.s)).toEqual(docs.map((d) => d.textStatus));
  });
});
