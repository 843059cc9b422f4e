// Replies to Digital Post, the pure parts: the reply MeMo built from the original (parties,
// ContactPoint, ReplyData chain, documents), the PDF of the text, the checks on what may be
// replied and with which files (types by content, sizes, names), and a failed send's code.
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { extractText, getDocumentProxy } from 'unpdf';
import { buildMemoXml } from '../../backend/src/memo/build';
import { parseMemo } from '../../backend/src/memo/parse';
import type { Memo } from '../../backend/src/memo/types';
import { demoMemo, DEMO_SENDERS, minimalPdf } from '../../backend/src/demo/letters';
import { buildReplyMemo, replyChain, replyLabel } from '../../backend/src/reply/build';
import { renderReplyPdf } from '../../backend/src/reply/pdf';
import { checkAttachments, checkReplyable, checkText, sanitizeFilename, ReplyRefusal } from '../../backend/src/reply/validate';
import { fileProblem, replyBlocked } from '../../addin/src/components/reply/checks';
import { createNgdpClient } from '../../backend/src/ingest/ngdp/client';
import { NgdpCertificateError } from '../../backend/src/ingest/ngdp/tls';
import { describeSendFailure, sendFailureOf } from '../../backend/src/reply/send';

const OUR_CVR = '72494814';
const NOW = new Date('2030-05-01T10:00:00Z');

function original(over: Partial<Memo> = {}): Memo {
  return demoMemo({
    reply: true,
    replyByDateTime: '2030-06-01T21:59:59Z',
    messageID: 'ERST-30-1234567',
    label: 'Påmindelse om årsrapport',
    recipientCvr: OUR_CVR,
    sender: {
      id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name,
      attentionData: { generatingSystem: { generatingSystemID: 'ERST-DP', label: 'Sagssystem' } },
      contactPoint: { contactPointID: 'erst-regnskab', label: 'Erhvervsstyrelsen, Regnskab', contactInfo: [{ label: 'Telefon', value: '35 29 10 00' }] },
    },
    contentData: { caseID: [{ caseID: '30-1234567', caseSystem: 'ESDH' }], cprData: [{ cprNumber: '0101011234' }] },
    ...over,
  });
}

const pdf = (content: Buffer) => ({ filename: 'Svar.pdf', mimeType: 'application/pdf', content });

describe('the reply MeMo', () => {
  test('goes from our CVR to the original sender and its ContactPoint, naming the original in ReplyData', () => {
    const o = original({ replyData: [{ messageUUID: randomUUID(), comment: 'earlier exchange' }] });
    const uuid = randomUUID();
    const attachment = { filename: 'Bilag.png', mimeType: 'image/png', content: Buffer.from('png-bytes') };
    const reply = buildReplyMemo(o, { messageUUID: uuid, now: NOW, mainDocument: pdf(minimalPdf('Svar')), attachments: [attachment] });

    expect(reply.messageUUID).toBe(uuid);
    expect(reply.messageUUID).not.toBe(o.messageUUID);
    expect(reply.sender).toEqual({ id: OUR_CVR, idType: 'CVR', label: o.recipient.label });
    expect(reply.recipient).toEqual({ id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name, contactPoint: o.sender.contactPoint });
    expect(reply.recipient.contactPoint).not.toBe(o.sender.contactPoint); // a copy, not shared
    expect(reply.label).toBe('Re: Påmindelse om årsrapport');
    expect(reply.reply).toBe(false);
    expect(reply.replyData).toEqual([
      o.replyData[0],
      {
        messageID: 'ERST-30-1234567', messageUUID: o.messageUUID, replyUUID: uuid, senderID: DEMO_SENDERS.erst.cvr,
        recipientID: OUR_CVR, caseID: '30-1234567', contactPointID: 'erst-regnskab', generatingSystemID: 'ERST-DP',
      },
    ]);
    // Only the case number goes back: never the original's CPR data.
    expect(reply.contentData).toEqual({ caseID: [{ caseID: '30-1234567', caseSystem: 'ESDH' }] });
    expect(reply.body.createdDateTime).toBe('2030-05-01T10:00:00Z');
    expect(reply.body.mainDocument?.files[0]).toMatchObject({ encodingFormat: 'application/pdf', filename: 'Svar.pdf', language: 'da' });
    expect(reply.body.additionalDocuments).toEqual([
      { documentID: 'BILAG-1', label: 'Bilag.png', files: [{ encodingFormat: 'image/png', filename: 'Bilag.png', language: 'da', content: attachment.content }], actions: [] },
    ]);
  });

  test('is valid MeMo: it builds to XML and parses back to the same chain, parties and documents', () => {
    const o = original();
    const uuid = randomUUID();
    const xml = buildMemoXml(buildReplyMemo(o, { messageUUID: uuid, now: NOW, mainDocument: pdf(minimalPdf('Svar')), attachments: [] }));
    const back = parseMemo(xml);
    expect(back.messageUUID).toBe(uuid);
    expect(back.replyData.at(-1)?.messageUUID).toBe(o.messageUUID);
    expect(back.recipient.contactPoint?.contactPointID).toBe('erst-regnskab');
    expect(back.sender.id).toBe(OUR_CVR);
    expect(xml).not.toContain('0101011234');
  });

  test('the sender label falls back to our name for the CVR when the original named us by number only', () => {
    const o = original({ recipient: { id: OUR_CVR, idType: 'CVR' } });
    const reply = buildReplyMemo(o, { messageUUID: randomUUID(), now: NOW, senderName: 'Nordlys A/S', mainDocument: pdf(minimalPdf('x')), attachments: [] });
    expect(reply.sender.label).toBe('Nordlys A/S');
    expect(() => buildMemoXml(reply)).not.toThrow();
  });

  test('labels: "Re:" once, and never longer than MeMo allows', () => {
    expect(replyLabel('Re: Høring')).toBe('Re: Høring');
    expect(replyLabel('SV: Høring')).toBe('Re: Høring');
    const long = replyLabel('x'.repeat(300));
    expect(long).toHaveLength(256);
    expect(long.endsWith('…')).toBe(true);
  });

  test('a letter without case, contact point or chain gives a one-entry chain with just what it has', () => {
    const o = demoMemo({ reply: true, recipientCvr: OUR_CVR });
    expect(replyChain(o, 'u')).toEqual([{ messageUUID: o.messageUUID, replyUUID: 'u', senderID: o.sender.id, recipientID: OUR_CVR }]);
  });
});

describe('the reply text as a PDF', () => {
  test('holds the heading, the parties and the Danish text with its line breaks, paged when long', async () => {
    const text = `Kære Erhvervsstyrelse\n\nVi indsender årsrapporten inden fristen. Ærbødigst, Øresund & Co 😀\n${'Lang linje med mange ord. '.repeat(400)}`;
    const bytes = await renderReplyPdf({ title: 'Re: Påmindelse', from: 'Nordlys (CVR 72494814)', to: 'Erhvervsstyrelsen', date: NOW, text });
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const doc = await getDocumentProxy(new Uint8Array(bytes));
    const { totalPages, text: out } = await extractText(doc, { mergePages: true });
    expect(totalPages).toBeGreaterThan(1);
    expect(out).toContain('Re: Påmindelse');
    expect(out).toContain('Til: Erhvervsstyrelsen');
    expect(out).toContain('Vi indsender årsrapporten inden fristen. Ærbødigst, Øresund & Co ?');
  });
});

describe('may this letter be answered', () => {
  const refusal = (f: () => void) => { try { f(); } catch (e) { expect(e).toBeInstanceOf(ReplyRefusal); return e as ReplyRefusal; } throw new Error('expected a refusal'); };

  test('a Digital Post letter with reply=true before its deadline: yes', () => {
    expect(() => checkReplyable({ provider: 'ngdp', reply: true, replyByDateTime: '2030-06-01T00:00:00Z' }, NOW)).not.toThrow();
    expect(() => checkReplyable({ provider: 'ngdp', reply: true }, NOW)).not.toThrow();
  });
  test('reply=false, a passed deadline, e-Boks or mit.dk: no, with a reason', () => {
    expect(refusal(() => checkReplyable({ provider: 'ngdp', reply: false }, NOW))).toMatchObject({ status: 409, code: 'reply_not_allowed' });
    const late = refusal(() => checkReplyable({ provider: 'ngdp', reply: true, replyByDateTime: '2030-05-01T09:59:59Z' }, NOW));
    expect(late).toMatchObject({ status: 409, code: 'reply_deadline_passed' });
    expect(late.message).toContain('2030-05-01 09:59 UTC');
    const eboks = refusal(() => checkReplyable({ provider: 'eboks', reply: true }, NOW));
    expect(eboks).toMatchObject({ status: 409, code: 'reply_wrong_provider' });
    expect(eboks.message).toMatch(/came through e-Boks; replies can only be sent to Digital Post letters/);
    expect(refusal(() => checkReplyable({ provider: 'mitdk', reply: true }, NOW)).message).toContain('mit.dk');
  });
  test('the pane tells the same reasons before anyone clicks', () => {
    expect(replyBlocked({ provider: 'ngdp', replyAllowed: true, replyBy: '2030-06-01T00:00:00Z' }, NOW)).toBeNull();
    expect(replyBlocked({ provider: 'ngdp', replyAllowed: false, replyBy: null }, NOW)).toBe('notAllowed');
    expect(replyBlocked({ provider: 'eboks', replyAllowed: true, replyBy: null }, NOW)).toBe('wrongProvider');
    expect(replyBlocked({ provider: 'ngdp', replyAllowed: true, replyBy: '2030-04-30T00:00:00Z' }, NOW)).toBe('deadlinePassed');
  });
});

describe('the text', () => {
  test('1 to 10,000 characters (code points), line breaks normalised, controls dropped', () => {
    expect(checkText('Hej\r\nmed\rvenlig hilsen\u0007\n\n')).toBe('Hej\nmed\nvenlig hilsen');
    expect(checkText('æ'.repeat(10_000))).toHaveLength(10_000);
    expect(checkText('😀'.repeat(10_000))).toHaveLength(20_000); // 10,000 code points
    expect(() => checkText('   \n ')).toThrow(/cannot be empty/);
    expect(() => checkText(undefined)).toThrow(/field "text"/);
    try { checkText('a'.repeat(10_001)); throw new Error('no'); } catch (e) {
      expect(e).toMatchObject({ status: 400, code: 'reply_text_too_long' });
      expect((e as Error).message).toContain('10,001 characters; at most 10,000');
    }
  });
});

// ---- files

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), Buffer.alloc(64)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64)]);
const TIFF = Buffer.concat([Buffer.from('49492a0008000000', 'hex'), Buffer.alloc(64)]);
const EXE = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), Buffer.alloc(200)]);

/** A zip with stored entries: enough for an Office Open XML file to be recognised by content. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(nameBuf.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(centrals.length / 2, 8); end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
const contentTypes = (main: string) => `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/x" ContentType="${main}"/></Types>`;
const DOCX = zip({ '[Content_Types].xml': contentTypes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'), 'word/document.xml': '<w:document/>' });
const XLSX = zip({ '[Content_Types].xml': contentTypes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'), 'xl/workbook.xml': '<workbook/>' });

describe('attachments', () => {
  async function refused(files: { filename: string; content: Buffer }[]): Promise<ReplyRefusal> {
    try { await checkAttachments(files); } catch (e) { expect(e).toBeInstanceOf(ReplyRefusal); return e as ReplyRefusal; }
    throw new Error('expected a refusal');
  }

  test('PDF, PNG, JPEG, TIFF, DOCX, XLSX and plain text are recognised by content', async () => {
    const out = await checkAttachments([
      { filename: 'a.pdf', content: minimalPdf('A') }, { filename: 'b.png', content: PNG }, { filename: 'c.jpeg', content: JPEG },
      { filename: 'd.tif', content: TIFF }, { filename: 'e.docx', content: DOCX }, { filename: 'f.xlsx', content: XLSX },
      { filename: 'g.txt', content: Buffer.from('Kære modtager\nHilsen Ø') },
    ]);
    expect(out.map((f) => f.mimeType)).toEqual([
      'application/pdf', 'image/png', 'image/jpeg', 'image/tiff',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/plain',
    ]);
  });

  test('a program, a plain zip, or binary renamed to .txt is refused, whatever its name says', async () => {
    expect(await refused([{ filename: 'faktura.pdf', content: EXE }])).toMatchObject({ status: 422, code: 'reply_file_type' });
    expect((await refused([{ filename: 'arkiv.zip', content: zip({ 'a.txt': 'x' }) }])).message).toMatch(/not a file type Digital Post replies accept. Use PDF, PNG/);
    expect((await refused([{ filename: 'data.txt', content: Buffer.from([1, 2, 3, 0, 4]) }])).code).toBe('reply_file_type');
  });

  test('a name whose ending does not match the content is refused with the right ending named', async () => {
    const e = await refused([{ filename: 'scan.pdf', content: PNG }]);
    expect(e.message).toBe('"scan.pdf" is named .pdf but its content is a .png file. Rename it to .png or choose the right file.');
  });

  test('names: no folders or odd characters, an ending added when missing, duplicates made unique', async () => {
    const out = await checkAttachments([
      { filename: '../../etc/Årsrapport:2024?.pdf', content: minimalPdf('A') },
      { filename: 'C:\\Users\\x\\Årsrapport:2024?.pdf', content: minimalPdf('B') },
      { filename: 'billede', content: PNG },
      { filename: '', content: PNG },
    ]);
    expect(out.map((f) => f.filename)).toEqual(['Årsrapport_2024_.pdf', 'Årsrapport_2024_ (2).pdf', 'billede.png', 'Bilag 4.png']);
    expect(sanitizeFilename(`${'n'.repeat(150)}.docx`, 'x')).toBe(`${'n'.repeat(95)}.docx`);
    expect(sanitizeFilename('..', 'fallback')).toBe('fallback');
  });

  test('at most 10 files, 10 MB each and 25 MB in all; empty files refused', async () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ filename: `${i}.png`, content: PNG }));
    expect(await refused(many)).toMatchObject({ status: 422, code: 'reply_too_many_files' });
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
    const e = await refused([{ filename: 'stor.png', content: big }]);
    expect(e).toMatchObject({ code: 'reply_file_too_large' });
    expect(e.message).toMatch(/"stor.png" is 10 MB; each attachment may be at most 10 MB/);
    const nine = Buffer.concat([PNG, Buffer.alloc(9 * 1024 * 1024)]);
    expect(await refused([1, 2, 3].map((i) => ({ filename: `${i}.png`, content: nine })))).toMatchObject({ code: 'reply_files_too_large' });
    expect(await refused([{ filename: 'tom.pdf', content: Buffer.alloc(0) }])).toMatchObject({ code: 'reply_file_empty' });
    await expect(checkAttachments([1, 2].map((i) => ({ filename: `${i}.png`, content: nine })))).resolves.toHaveLength(2);
  });

  test('the pane checks count, endings and sizes before uploading', () => {
    expect(fileProblem([{ name: 'a.PDF', size: 10 }, { name: 'b.docx', size: 10 }])).toBeNull();
    expect(fileProblem([{ name: 'virus.exe', size: 10 }])).toEqual({ kind: 'type', name: 'virus.exe' });
    expect(fileProblem([{ name: 'a.pdf', size: 10 * 1024 * 1024 + 1 }])).toMatchObject({ kind: 'tooLarge' });
    expect(fileProblem(Array.from({ length: 11 }, () => ({ name: 'a.pdf', size: 1 })))).toEqual({ kind: 'tooMany' });
    expect(fileProblem([1, 2, 3].map(() => ({ name: 'a.pdf', size: 9 * 1024 * 1024 })))).toMatchObject({ kind: 'totalTooLarge' });
  });
});

describe('why a send failed: a code the pane words, Digital Post\'s own words as the detail', () => {
  const memo = buildMemoXml(original());
  /** The real NgDP client's error for an answer (or a fetch that throws), as the reply's send gets it. */
  async function failureOf(answer: (signal: AbortSignal) => Promise<Response>) {
    const client = createNgdpClient({
      baseUrl: 'https://ngdp.test/apis/v1', system: { username: 'u', password: 'p' }, delegatedCVR: OUR_CVR, timeoutMs: 200,
      fetch: (_url, init) => answer(init!.signal!),
    });
    const e = await client.send(memo).then(() => { throw new Error('sent'); }, (err: unknown) => err);
    return { failure: sendFailureOf(e), english: describeSendFailure(e) };
  }
  const json = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

  test('Digital Post down: provider_unavailable with the status; nothing was received', async () => {
    const { failure, english } = await failureOf(json(503, { code: 'SERVICE_UNAVAILABLE', message: 'Digital Post is unavailable.' }));
    expect(failure).toEqual({ code: 'reply_provider_unavailable', params: { status: 503 }, detail: 'Digital Post answered 503 to POST /memos/: SERVICE_UNAVAILABLE: Digital Post is unavailable.' });
    expect(english).toMatch(/Nothing was received; try again in a few minutes\.$/);
  });

  test('refused: rejected with the status and NgDP\'s reason code when it gave one; refused credentials and certificates apart', async () => {
    expect((await failureOf(json(400, { code: 'BAD_REQUEST', message: 'The body is not a MeMo document.' }))).failure)
      .toMatchObject({ code: 'reply_rejected', params: { status: 400, reason: 'BAD_REQUEST' } });
    const html = await failureOf(async () => new Response('<html>Request Entity Too Large</html>', { status: 413 }));
    expect(html.failure).toMatchObject({ code: 'reply_rejected', params: { status: 413 } });
    expect(html.english).toMatch(/The reply was not sent; an administrator/);
    expect((await failureOf(json(401, { code: 'UNAUTHORIZED', message: 'Bad credentials.' }))).failure)
      .toMatchObject({ code: 'reply_credentials_refused', params: { status: 401 } });
    expect((await failureOf(async () => { throw new NgdpCertificateError('expired', 'The OCES system certificate expired on 2024-01-01.'); })).failure)
      .toMatchObject({ code: 'reply_certificate_problem', params: {}, detail: 'The OCES system certificate expired on 2024-01-01.' });
  });

  test('no answer, or one that cannot be read: uncertain, it may have arrived', async () => {
    const dropped = await failureOf(async () => { throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }); });
    expect(dropped.failure).toMatchObject({ code: 'reply_uncertain', params: {} });
    expect(dropped.english).toMatch(/may or may not have received the reply/);
    const slow = await failureOf((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    expect(slow.failure.code).toBe('reply_uncertain');
    expect((await failureOf(json(201, { receiptStatus: 'RECEIVED' }))).failure.code).toBe('reply_uncertain'); // taken, but no transmissionId
  });

  test('anything else: send_failed with its message as the detail', () => {
    expect(sendFailureOf(new Error('database gone'))).toEqual({ code: 'reply_send_failed', params: {}, detail: 'database gone' });
    expect(describeSendFailure(new Error('database gone'))).toBe('The reply could not be sent (database gone); try again.');
  });
});
