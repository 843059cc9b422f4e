import { DELIVERY_ID_PROPERTY, renderMail } from '../../backend/src/delivery/render';

const letter = {
  label: 'Afgørelse vedr. 010190-1234 <script>', senderId: '29188335', senderName: 'Skattestyrelsen', cvr: '10150817', cvrName: 'Nordlys A/S',
  recipientId: '10150817', notification: 'Se brevet & svar senest', memoCreatedAt: new Date('2026-11-20T08:00:00Z'),
  receivedAt: new Date('2026-11-21T09:30:00Z'), replyAllowed: true, replyBy: new Date('2026-12-15T12:00:00Z'), provider: 'ngdp',
};

describe('renderMail', () => {
  const mail = renderMail(letter, [{ filename: 'Afgørelse.pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF-1.7 x') }], 'del-1');

  test('is a received, non-draft mail carrying the delivery id and times', () => {
    const props = Object.fromEntries(mail.singleValueExtendedProperties!.map((p) => [p.id, p.value]));
    expect(Number(props['Integer 0x0E07']) & 0x8).toBe(0);
    expect(props['SystemTime 0x0E06']).toBe('2026-11-21T09:30:00.000Z');
    expect(props['SystemTime 0x0039']).toBe('2026-11-20T08:00:00.000Z');
    expect(props[DELIVERY_ID_PROPERTY]).toBe('del-1');
  });

  test('masks CPR numbers and escapes HTML from the letter', () => {
    expect(mail.subject).toBe('Afgørelse vedr. 010190-XXXX <script>');
    expect(mail.body!.content).not.toContain('1234');
    expect(mail.body!.content).not.toContain('<script>');
    expect(mail.body!.content).toContain('&lt;script&gt;');
    expect(mail.body!.content).toContain('Se brevet &amp; svar senest');
  });

  test('attaches documents by name, sets sender, categories and a follow-up flag at the reply deadline', () => {
    const att = mail.attachments![0] as { name: string; contentBytes: string; contentType: string };
    expect(att.name).toBe('Afgørelse.pdf');
    expect(Buffer.from(att.contentBytes, 'base64').toString()).toBe('%PDF-1.7 x');
    expect(mail.from!.emailAddress!.name).toBe('Skattestyrelsen');
    expect(mail.categories).toEqual(['Digital Post', 'Skattestyrelsen']);
    expect(mail.flag!.dueDateTime!.dateTime).toBe('2026-12-15T12:00:00');
  });

  test('no flag when there is no deadline', () => {
    expect(renderMail({ ...letter, replyBy: null, replyAllowed: false }, [], 'x').flag).toBeUndefined();
  });
});
