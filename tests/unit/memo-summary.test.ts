// summarizeMemo: plain JSON with every present field, documents by role, never document content.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMemo } from '../../backend/src/memo/parse';
import { summarizeMemo } from '../../backend/src/memo/summary';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/memo/${name}`, import.meta.url)), 'utf8');

describe('summarizeMemo', () => {
  const memo = parseMemo(fixture('memo-1.2-full.xml'));
  const s = summarizeMemo(memo);

  test('identity, parties, dates and reply', () => {
    expect(s).toMatchObject({
      uuid: '8c2ea4b6-0f3e-4d6b-9a51-3f2d7c1e9b40',
      version: '1.2',
      type: 'DIGITALPOST',
      label: 'Rykker: momsangivelse for 2. kvartal 2025 & renter',
      messageID: 'SKST-2025-000123',
      notification: 'Du har fået post fra Skattestyrelsen',
      postType: 'MYNDIGHEDSPOST',
      legalNotification: true,
      mandatory: false,
      sender: { id: '55133018', idType: 'CVR', label: 'Skattestyrelsen' },
      recipient: { id: '72494814', idType: 'CVR', label: 'Nordlys Holding A/S' },
      createdDateTime: '2025-09-01T07:30:00.250Z',
      replyAllowed: true,
      replyBy: '2025-10-01T21:59:59Z',
    });
    expect(s.sender.attention?.attentionPerson?.label).toBe('Mette Sørensen');
    expect(s.recipient.attention?.productionUnit?.productionUnitNumber).toBe('1017654321');
    expect(s.sender.contactPoint?.contactPointID).toBe('b1c2d3e4-moms');
  });

  test('one entry per file, by role, with decoded size', () => {
    expect(s.documents).toEqual([
      { role: 'main', name: 'Rykker.pdf', mimeType: 'application/pdf', size: 22, language: 'da', documentID: 'HOVED-1', documentLabel: 'Rykker for momsangivelse' },
      { role: 'main', name: 'Rykker.txt', mimeType: 'text/plain', size: 11, language: 'da', documentID: 'HOVED-1', documentLabel: 'Rykker for momsangivelse' },
      { role: 'additional', name: 'Specifikation.pdf', mimeType: 'application/pdf', size: 22, language: 'da', documentID: 'BILAG-1', documentLabel: 'Bilag 1: Specifikation' },
      { role: 'additional', name: 'Note.txt', mimeType: 'text/plain', size: 11, language: 'en' },
      { role: 'technical', name: 'faktura.xml', mimeType: 'application/xml', size: 10, language: 'da', documentID: 'TEK-1', documentLabel: 'Faktura (OIOUBL)' },
    ]);
  });

  test('actions, content data, forward and reply data', () => {
    expect(s.actions?.map((a) => [a.role, a.document, a.actionCode, a.url ?? a.reservation?.location])).toEqual([
      ['main', 'Rykker.pdf', 'BETALING', 'https://www.skat.dk/betal?ref=25-0012345&kilde=memo'],
      ['main', 'Rykker.pdf', 'AFTALE', 'Sluseholmen 8B'],
      ['additional', 'Specifikation.pdf', 'SELVBETJENING', 'https://skat.dk/erhverv'],
    ]);
    expect(s.contentData).toEqual(memo.contentData);
    expect(s.forwardData).toEqual(memo.forwardData);
    expect(s.replyData).toEqual(memo.replyData);
  });

  test('is plain JSON and carries no document content', () => {
    const json = JSON.stringify(s);
    expect(JSON.parse(json)).toEqual(s);
    expect(json).not.toContain('JVBERi0x'); // base64 of the PDF
    expect(json).not.toContain('%PDF');
    expect(json).not.toContain('<faktura');
    expect(json).not.toContain('Buffer');
  });

  test('does not share objects with the Memo', () => {
    s.contentData!.caseID![0].caseID = 'changed';
    expect(memo.contentData!.caseID![0].caseID).toBe('25-0012345');
  });

  test('a NEMSMS: no creation time, no documents, absent fields left out', () => {
    const sms = summarizeMemo(parseMemo(fixture('nemsms-1.2.xml')));
    expect(sms).toEqual({
      uuid: '7e1b3c8a-5d9f-4a4e-b2c7-8f1d4e5a6b79',
      version: '1.2',
      type: 'NEMSMS',
      label: 'Påmindelse',
      notification: 'Husk kontrolbesøget i morgen kl. 9. Hilsen Arbejdstilsynet',
      sender: { id: '21481815', idType: 'CVR', label: 'Arbejdstilsynet' },
      recipient: { id: '0101901234', idType: 'CPR', label: null },
      createdDateTime: null,
      replyAllowed: false,
      replyBy: null,
      documents: [],
    });
  });
});
