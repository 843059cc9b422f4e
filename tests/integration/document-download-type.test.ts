// A document's type is the sender's choice (MeMo encodingFormat). It once went into Content-Type as
// is: a parameter with a character outside Latin-1 made Node refuse the header (a 500), and text/html
// was served as HTML from the task pane's origin. Now it is stored as the bare type and served from an
// allow-list as itself, anything else as application/octet-stream; always as a download, never sniffed.
import { eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { documents } from '../../backend/src/store/schema';
import { normaliseMimeType, servedContentType } from '../../backend/src/util/mime';
import { demoAppForSuite, receiveLetter } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

describe('document types (util/mime.ts)', () => {
  test.each([
    ['application/pdf; name="Bilag ś"', 'application/pdf', 'application/pdf'],
    ['Application/PDF', 'application/pdf', 'application/pdf'],
    ['text/plain; charset=ISO-8859-1', 'text/plain; charset=iso-8859-1', 'text/plain; charset=iso-8859-1'],
    ['text/plain', 'text/plain', 'text/plain; charset=utf-8'],
    ['text/html', 'text/html', 'application/octet-stream'],
    ['image/svg+xml', 'image/svg+xml', 'application/octet-stream'],
    ['application/xhtml+xml', 'application/xhtml+xml', 'application/octet-stream'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['image/png', 'image/png', 'image/png'],
    ['pdf', 'application/octet-stream', 'application/octet-stream'],
    ['', 'application/octet-stream', 'application/octet-stream'],
    ['ś/ś', 'application/octet-stream', 'application/octet-stream'],
  ])('%j: stored %j, served %j', (raw, stored, served) => {
    expect(normaliseMimeType(raw)).toBe(stored);
    expect(servedContentType(raw)).toBe(served);
    expect(servedContentType(stored)).toBe(served);
  });
});

describe.each(testDatabases)('document download on $name', (tdb) => {
  const app = demoAppForSuite(tdb);

  const letterWith = async (app: Brevdue, format: string) => {
    const memo = demoMemo({ recipientCvr: DEMO_ORGANISATION.cvrs[0].cvr, label: 'Brev' });
    memo.body.mainDocument!.files[0].encodingFormat = format;
    const id = await receiveLetter(app, memo);
    const [doc] = await app.database.db.select().from(documents).where(eq(documents.messageId, id));
    return { id, doc };
  };
  const download = (app: Brevdue, id: string, docId: string) => fetch(`${app.url}/api/messages/${id}/documents/${docId}`);

  test.each([
    ['application/pdf; name="Bilag ś"', 'application/pdf', 'application/pdf'],
    ['text/html', 'text/html', 'application/octet-stream'],
    ['image/svg+xml', 'image/svg+xml', 'application/octet-stream'],
    ['APPLICATION/PDF', 'application/pdf', 'application/pdf'],
  ])('%j: stored as %j, downloaded as %j', async (format, stored, served) => {
    const { id, doc } = await letterWith(app(), format);
    expect(doc.mimeType).toBe(stored);
    const res = await download(app(), id, doc.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(served);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  test('a document stored with the sender\'s raw type (before this was normalised) downloads too', async () => {
    const { id, doc } = await letterWith(app(), 'application/pdf');
    await app().database.db.update(documents).set({ mimeType: 'application/pdf; name="Bilag ś"' }).where(eq(documents.id, doc.id));
    const pdf = await download(app(), id, doc.id);
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    await app().database.db.update(documents).set({ mimeType: 'text/html; charset=utf-8' }).where(eq(documents.id, doc.id));
    const html = await download(app(), id, doc.id);
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'application/octet-stream']);
  });
});
