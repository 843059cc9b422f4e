// The Adaptive Card announcing a letter in Teams: what it says, that letter text stays plain and
// CPR numbers masked, links, and Teams' 28 KB limit. Also checked against the Workflows
// simulator's validation, so the card is one the simulated (and real) webhook takes.
import {
  TEAMS_MESSAGE_MAX_BYTES, messageBytes, renderTeamsCard, teamsMessage, type AdaptiveCard,
} from '../../backend/src/delivery/teams/card';
import { deliveryFileNames, driveFolderSegments, safeDriveName } from '../../backend/src/delivery/teams/names';
import type { LetterForMail } from '../../backend/src/delivery/render';
import { messageProblems } from '../../backend/src/simulators/workflows';

const letter = (over: Partial<LetterForMail> = {}): LetterForMail => ({
  label: 'Årsopgørelse 2025 for 010190-1234',
  senderId: '29403473', senderName: 'Skattestyrelsen',
  cvr: '10000009', cvrName: 'Nordlys ApS', recipientId: '10000009',
  notification: 'Se vedlagte opgørelse. Spørgsmål: ring og oplys CPR 0101901234.',
  memoCreatedAt: new Date('2026-03-01T16:00:00Z'), receivedAt: new Date('2026-03-02T08:15:00Z'),
  replyAllowed: true, replyBy: new Date('2026-03-20T11:00:00Z'), provider: 'ngdp',
  ...over,
});
const FILES = [
  { name: '2026-03-02 Årsopgørelse (3f9a1c0b).pdf', webUrl: 'https://contoso.sharepoint.com/sites/Nordlys/Shared%20Documents/General/2026-03-02%20%C3%85rsopg%C3%B8relse%20(3f9a1c0b).pdf' },
  { name: '2026-03-02 Bilag (3f9a1c0b).pdf', webUrl: 'https://contoso.sharepoint.com/sites/Nordlys/Shared%20Documents/General/2026-03-02%20Bilag%20(3f9a1c0b).pdf' },
];
const FOLDER = 'https://contoso.sharepoint.com/sites/Nordlys/Shared%20Documents/General';
const LETTER_URL = 'https://brevdue.nordlys.example/taskpane.html#/messages/42';

/** Every TextRun/TextBlock text in the card, in order. */
function texts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'TextRun' || o.type === 'TextBlock') && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(card.body);
  return out;
}
const allText = (card: AdaptiveCard) => texts(card).join('\n');
const links = (card: AdaptiveCard): string[] => JSON.stringify(card).match(/"url":"[^"]+"/g)?.map((s) => s.slice(7, -1)) ?? [];

describe('renderTeamsCard', () => {
  const card = renderTeamsCard(letter(), FILES, { folderUrl: FOLDER, letterUrl: LETTER_URL });

  test('an Adaptive Card 1.4 that the Workflows webhook takes', () => {
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(teamsMessage(card)).toEqual({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
    });
    expect(messageProblems(teamsMessage(card))).toEqual([]);
  });

  test('subject as title, sender and recipient with CVR, dates, channel', () => {
    const t = texts(card);
    expect(t[0]).toBe('Digital Post · nyt brev');
    expect(t[1]).toBe('Årsopgørelse 2025 for 010190-XXXX');
    const all = allText(card);
    expect(all).toContain('Afsender');
    expect(all).toContain('Skattestyrelsen (CVR 29403473)');
    expect(all).toContain('Modtager');
    expect(all).toContain('Nordlys ApS (CVR 10000009)');
    expect(all).toContain('Modtaget');
    expect(all).toContain('2. marts 2026');
    expect(all).toContain('Afsendt');
    expect(all).toContain('1. marts 2026');
  });

  test('the reply deadline highlighted, with the time when not midnight', () => {
    const box = card.body.find((e) => e.type === 'Container' && e.style === 'attention') as { items: unknown[] } | undefined;
    expect(box).toBeDefined();
    const s = JSON.stringify(box);
    expect(s).toContain('Svarfrist: ');
    expect(s).toContain('20. marts 2026 kl. 12.00'); // 11:00Z is 12:00 in Copenhagen in March
    expect(s).toContain('"color":"Attention"');
  });

  test('no deadline box without a deadline; "Svar muligt" when a reply is allowed anyway', () => {
    const c = renderTeamsCard(letter({ replyBy: null }), FILES);
    expect(c.body.some((e) => e.style === 'attention')).toBe(false);
    expect(allText(c)).toContain('Svar muligt, ingen frist');
    const midnight = renderTeamsCard(letter({ replyBy: new Date('2026-03-19T23:00:00Z') }), FILES);
    expect(JSON.stringify(midnight)).toContain('{"type":"TextRun","text":"20. marts 2026","weight":"Bolder"');
  });

  test('documents linked to their files, actions to the first document, the folder and Brevdue', () => {
    const all = allText(card);
    expect(all).toContain('Dokumenter (2)');
    for (const f of FILES) {
      expect(all).toContain(f.name);
      expect(links(card)).toContain(f.webUrl);
    }
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', url: FILES[0].webUrl, title: 'Åbn brevet' },
      { type: 'Action.OpenUrl', url: FOLDER, title: 'Åbn mappen' },
      { type: 'Action.OpenUrl', url: LETTER_URL, title: 'Vis i Brevdue' },
    ]);
    const one = renderTeamsCard(letter(), FILES.slice(0, 1));
    expect(one.actions).toEqual([{ type: 'Action.OpenUrl', url: FILES[0].webUrl, title: 'Åbn dokumentet' }]);
  });

  test('CPR numbers masked everywhere', () => {
    const c = renderTeamsCard(letter({ attentionPerson: 'Att. 311299-4321', caseIds: ['SAG-1', '010190-1234'] }),
      [{ name: 'Lønseddel 010190-1234.pdf', webUrl: FILES[0].webUrl }]);
    const s = JSON.stringify(c);
    expect(s).not.toMatch(/1234|4321/);
    expect(s).toContain('010190-XXXX');
    expect(s).toContain('311299-XXXX');
  });

  test('letter text stays plain: in TextRuns (no markdown), control characters gone', () => {
    const c = renderTeamsCard(letter({ label: '**Vigtigt** [klik](https://evil.example) _nu_\u0007', senderName: 'A*B_C' }), FILES);
    const title = (c.body[1] as unknown as { inlines: { type: string; text: string }[] }).inlines[0];
    expect(c.body[1].type).toBe('RichTextBlock');
    expect(title).toMatchObject({ type: 'TextRun', text: '**Vigtigt** [klik](https://evil.example) _nu_' });
    // Letter text never lands in a TextBlock (which renders markdown).
    const blocks = JSON.stringify(c).match(/"type":"TextBlock","text":"[^"]*"/g) ?? [];
    expect(blocks.join()).not.toMatch(/Vigtigt|A\*B_C/);
    expect(links(c)).not.toContain('https://evil.example');
  });

  test('letter actions with http(s) links only', () => {
    const c = renderTeamsCard(letter({
      actions: [
        { label: 'Betal', actionCode: 'BETALING', url: 'https://betaling.skat.dk/x', startDateTime: '2026-03-05T00:00:00Z' },
        { label: 'Bad', actionCode: 'X', url: 'javascript:alert(1)' },
      ],
    }), FILES);
    expect(allText(c)).toContain('Handlinger');
    expect(allText(c)).toContain('Betal');
    expect(links(c)).toContain('https://betaling.skat.dk/x');
    expect(JSON.stringify(c)).not.toContain('javascript:');
    expect(messageProblems(teamsMessage(c))).toEqual([]);
  });

  test('stays under 28 KB with many documents, long URLs and a long notification', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      name: `2026-03-02 ${'Meget langt dokumentnavn '.repeat(4)}${i} (3f9a1c0b).pdf`,
      webUrl: `https://contoso.sharepoint.com/sites/Nordlys/Shared%20Documents/General/${'Undermappe%20'.repeat(20)}/${i}.pdf`,
    }));
    const c = renderTeamsCard(letter({ notification: 'Lang tekst. '.repeat(2000), label: 'Emne '.repeat(200) }), many, { folderUrl: FOLDER, letterUrl: LETTER_URL });
    expect(messageBytes(c)).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
    expect(Buffer.byteLength(JSON.stringify(teamsMessage(c)))).toBe(messageBytes(c));
    expect(allText(c)).toMatch(/… og \d+ til i kanalens filer/);
    expect(allText(c)).toContain('Dokumenter (60)');
    expect(messageProblems(teamsMessage(c))).toEqual([]);
    // The ordinary card is small.
    expect(messageBytes(card)).toBeLessThan(8 * 1024);
  });

  test('e-Boks and mit.dk letters say so', () => {
    expect(texts(renderTeamsCard(letter({ provider: 'eboks', senderId: 'Privat afsender' }), FILES))[0]).toBe('e-Boks · nyt brev');
    expect(allText(renderTeamsCard(letter({ provider: 'eboks', senderId: 'Privat afsender' }), FILES))).toContain('Skattestyrelsen (Privat afsender)');
  });
});

describe('file and folder names in the channel', () => {
  test('deterministic per delivery, dated, tagged, duplicates numbered', () => {
    const a = deliveryFileNames('3f9a1c0b-7d2e-4c1a-9b8f-0e1d2c3b4a59', new Date('2026-03-01T23:30:00Z'), ['Brev.pdf', 'Bilag.PDF', 'Brev.pdf']);
    expect(a).toEqual(['2026-03-02 Brev (3f9a1c0b).pdf', '2026-03-02 Bilag (3f9a1c0b).pdf', '2026-03-02 Brev (3f9a1c0b-2).pdf']);
    expect(deliveryFileNames('3f9a1c0b-7d2e-4c1a-9b8f-0e1d2c3b4a59', new Date('2026-03-01T23:30:00Z'), ['Brev.pdf', 'Bilag.PDF', 'Brev.pdf'])).toEqual(a);
  });

  test('names SharePoint would refuse are made acceptable; CPR masked', () => {
    expect(safeDriveName('Kvittering: 2025/26 <endelig>?.pdf')).toBe('Kvittering_ 2025_26 _endelig__.pdf');
    expect(safeDriveName('  CON.pdf ')).toBe('_CON.pdf');
    expect(safeDriveName('~$lock.docx')).toBe('lock.docx');
    expect(safeDriveName('Lønseddel 010190-1234.pdf')).toBe('Lønseddel 010190-XXXX.pdf');
    expect(safeDriveName('slut...')).toBe('slut');
    expect(safeDriveName(`${'x'.repeat(300)}.pdf`)).toHaveLength(104);
  });

  test('folder paths: segments, and refused names named', () => {
    expect(driveFolderSegments(' Digital Post / Skat ')).toEqual(['Digital Post', 'Skat']);
    expect(driveFolderSegments(undefined)).toEqual([]);
    expect(() => driveFolderSegments('Digital Post/Skat: 2026')).toThrow(/character SharePoint does not allow/);
    expect(() => driveFolderSegments('Post/CON')).toThrow(/reserves/);
  });
});
