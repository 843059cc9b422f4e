// The shared file-name sanitiser and where it is used: the download header, Graph attachments and
// Teams file names.
import { FILENAME_MAX, safeFilename } from '../../backend/src/util/filename';
import { contentDisposition } from '../../backend/src/api/router';
import { renderMail, type LetterForMail } from '../../backend/src/delivery/render';
import { deliveryFileNames, driveNameProblem } from '../../backend/src/delivery/teams/names';

describe('safeFilename', () => {
  test.each([
    ['Årsopgørelse 2025.pdf', 'Årsopgørelse 2025.pdf'],
    ['Ærø æble ØST å.pdf', 'Ærø æble ØST å.pdf'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..\\..\\Windows\\win.ini', '_.._Windows_win.ini'],
    ['C:\\temp\\brev.pdf', 'C__temp_brev.pdf'],
    ['a\u0000b\u0007c\r\nd\u0085e.pdf', 'a b c d e.pdf'],
    ['faktura\u202Efdp.exe', 'fakturafdp.exe'],
    ['zero\u200Bwidth.pdf', 'zerowidth.pdf'],
    ['what<>:"|?*.pdf', 'what_______.pdf'],
    ['CON', '_CON'],
    ['con.pdf', '_con.pdf'],
    ['LPT1.tar.gz', '_LPT1.tar.gz'],
    ['com9 .txt', '_com9 .txt'],
    ['console.pdf', 'console.pdf'],
    ['  .hidden  ', 'hidden'],
    ['brev.pdf...', 'brev.pdf'],
    ['', 'dokument'],
    ['...', 'dokument'],
    ['\u202E', 'dokument'],
  ])('%j → %j', (raw, expected) => {
    expect(safeFilename(raw)).toBe(expected);
  });

  test('decomposed Danish letters become their composed form (NFC)', () => {
    expect(safeFilename('A\u030Arhus.pdf')).toBe('Århus.pdf');
  });

  test('a long name is cut to 200 characters keeping its ending, never splitting a character', () => {
    const long = `${'ø'.repeat(300)}.pdf`;
    const out = safeFilename(long);
    expect(Array.from(out)).toHaveLength(FILENAME_MAX);
    expect(out.endsWith('ø.pdf')).toBe(true);
    const emoji = safeFilename('😀'.repeat(250));
    expect(Array.from(emoji)).toHaveLength(FILENAME_MAX);
    expect(emoji).toBe('😀'.repeat(FILENAME_MAX));
  });

  test('the fallback is used for null and undefined', () => {
    expect(safeFilename(null, 'bilag')).toBe('bilag');
    expect(safeFilename(undefined)).toBe('dokument');
  });

  test('idempotent: sanitising a sanitised name changes nothing', () => {
    for (const raw of ['../a/b.pdf', 'CON.pdf', `${'x'.repeat(400)}.docx`, ' . a\u202e.pdf . ', 'nul', 'Øre\u0000.pdf']) {
      const once = safeFilename(raw);
      expect(safeFilename(once)).toBe(once);
    }
  });
});

describe('where file names leave Brevdue', () => {
  test('the download header carries no separator, quote or control character, and keeps Danish letters encoded', () => {
    const h = contentDisposition('../Brev "ø"\r\nSet-Cookie: x=1.pdf');
    expect(h).not.toMatch(/[\r\n]/);
    expect(h).toMatch(/^attachment; filename="[^"/\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
    expect(decodeURIComponent(h.split("UTF-8''")[1])).toBe(safeFilename('../Brev "ø"\r\nSet-Cookie: x=1.pdf'));
    expect(contentDisposition("Kim's (kopi).pdf")).toContain("filename*=UTF-8''Kim%27s%20%28kopi%29.pdf");
  });

  test('Graph mail attachments get the sanitised name', () => {
    const letter: LetterForMail = {
      label: 'Brev', senderId: '12345674', senderName: 'Skat', cvr: '87654321', cvrName: 'Nordlys', recipientId: '87654321',
      notification: null, memoCreatedAt: new Date('2026-01-02T09:00:00Z'), receivedAt: new Date('2026-01-02T10:00:00Z'),
      replyAllowed: false, replyBy: null, provider: 'ngdp',
    };
    const mail = renderMail(letter, [{ filename: '..\\..\\CON.pdf', mimeType: 'application/pdf', content: Buffer.from('x') }], 'd1');
    expect((mail.attachments ?? []).map((a) => a.name)).toEqual(['_.._CON.pdf']);
  });

  test('Teams file names are sanitised and acceptable to SharePoint', () => {
    const names = deliveryFileNames('3f9a1c0b-0000', new Date('2026-03-02T10:00:00Z'), ['a/b\\c\u202E.pdf', 'AUX', `${'å'.repeat(500)}.pdf`]);
    for (const n of names) expect(driveNameProblem(n)).toBeNull();
    expect(names[0]).toBe('2026-03-02 a_b_c (3f9a1c0b).pdf');
    expect(names[1]).toMatch(/^2026-03-02 _AUX \(3f9a1c0b\)$/);
  });
});
