// Data subject search over quarantined letters finds the person however the letter carries the number:
// XML in UTF-16 without a byte-order mark (the bytes then hold a NUL beside every digit), a small text
// document (a short base64 run), and base64 inside a CDATA section — all stored as quarantined bytes,
// searched through the real database and the keyed index (dsr/cpr-index.ts quarantineTexts).
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { storeQuarantine } from '../../backend/src/store/letters';
import { mailboxes, quarantine } from '../../backend/src/store/schema';
import { dsrSearchQuarantine, dsrErase } from '../../backend/src/dsr/requests';
import type { MailboxRow } from '../../backend/src/context';
import { demoAppForSuite } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;
const CPR10 = '0101901234';

describe.each(testDatabases)('DSR over quarantined letters in other encodings on $name', (tdb) => {
  const appOf = demoAppForSuite(tdb);

  test('UTF-16 without a BOM, a short text document, base64 in CDATA: found, and erased; a letter without the number is not', async () => {
    const app = appOf();
    const db = app.database.db;
    const [mb] = await db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    const long = Buffer.from(`Vedrørende 010190-1234 ${'og mere tekst '.repeat(20)}`).toString('base64');
    // A real MeMo (invalid: dated in the year 0000) whose main document is a small text file naming the person.
    const memo = demoMemo({ recipientCvr: company.cvr, notification: 'Ingen personnumre her' });
    const file = memo.body.mainDocument!.files[0];
    file.content = Buffer.from('Vedr. 010190-1234');
    file.encodingFormat = 'text/plain';
    file.filename = 'note.txt';
    const smallDoc = buildMemoXml(memo).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');
    const letters: Record<string, Buffer> = {
      utf16NoBom: Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a><b>Vedr. 010190-1234</b></a>', 'utf16le'),
      utf16BeNoBom: Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a><b>Vedr. 010190-1234</b></a>', 'utf16le').swap16(),
      smallDoc: Buffer.from(smallDoc),
      cdata: Buffer.from(`<a><content><![CDATA[${long}]]></content></a>`),
      other: Buffer.from(`<a><content>${Buffer.from(`Vedrørende 020285-4321 ${'x'.repeat(200)}`).toString('base64')}</content></a>`),
    };
    for (const [id, raw] of Object.entries(letters)) await storeQuarantine(db, app.ctx.sealer, mb, id, 'invalid', raw);

    const found = await dsrSearchQuarantine(db, app.ctx.sealer, app.demoOrgId!, CPR10);
    expect(found.quarantined.map((q) => q.providerMessageId).sort()).toEqual(['cdata', 'smallDoc', 'utf16BeNoBom', 'utf16NoBom']);
    const erased = await dsrErase(db, app.ctx.sealer, app.demoOrgId!, CPR10);
    expect(erased).toMatchObject({ ok: true });
    const rows = await db.select().from(quarantine);
    expect(rows.filter((r) => r.erasedAt).map((r) => r.providerMessageId).sort()).toEqual(['cdata', 'smallDoc', 'utf16BeNoBom', 'utf16NoBom']);
    expect(rows.find((r) => r.providerMessageId === 'other')!.erasedAt).toBeNull();
  }, 60_000);
});
