// Demo letters: deterministic, valid MeMo (through our own parser; xmllint against the real XSD is
// a manual check, see the report), real PDFs, the variety a demo needs.
import { isDeepStrictEqual } from 'node:util';
import { DEMO_ORGANISATION, DEMO_SENDERS, demoMemo, generateDemoLetters, minimalPdf } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { parseMemo } from '../../backend/src/memo/parse';
import { isValidCvr, isValidPNumber } from '../../shared/src/identifiers';
import type { Memo } from '../../backend/src/memo/types';

const NOW = new Date('2025-06-15T10:00:00Z');
const opts = { recipients: DEMO_ORGANISATION.cvrs, count: 32, seed: 42, now: NOW };

const isPdf = (b: Buffer) => b.subarray(0, 5).toString('latin1') === '%PDF-' && b.subarray(-8).toString('latin1').includes('%%EOF');
const allFiles = (m: Memo) => [m.body.mainDocument!, ...m.body.additionalDocuments].flatMap((d) => d.files);

describe('DEMO_ORGANISATION and senders', () => {
  test('four companies with valid, distinct CVR numbers', () => {
    expect(DEMO_ORGANISATION.name).toBe('Nordlys Holding A/S');
    expect(DEMO_ORGANISATION.cvrs).toHaveLength(4);
    expect(new Set(DEMO_ORGANISATION.cvrs.map((c) => c.cvr)).size).toBe(4);
    for (const c of DEMO_ORGANISATION.cvrs) {
      expect(isValidCvr(c.cvr)).toBe(true);
      expect(c.name).toMatch(/(A\/S|ApS)$/);
    }
  });

  test('every sender has a CVR number that passes modulus 11', () => {
    for (const s of Object.values(DEMO_SENDERS)) expect([s.name, isValidCvr(s.cvr)]).toEqual([s.name, true]);
  });
});

describe('generateDemoLetters', () => {
  let letters: Memo[];
  beforeAll(async () => { letters = await generateDemoLetters(opts); });

  test('is deterministic: same seed and now, same letters byte for byte; another seed, other letters', async () => {
    const again = await generateDemoLetters(opts);
    expect(isDeepStrictEqual(again, letters)).toBe(true);
    const other = await generateDemoLetters({ ...opts, seed: 43 });
    expect(other.map((m) => m.messageUUID)).not.toEqual(letters.map((m) => m.messageUUID));
  });

  test('every letter is valid MeMo 1.2 and survives the round trip', () => {
    expect(letters).toHaveLength(32);
    for (const m of letters) {
      expect(m.version).toBe('1.2');
      expect(m.messageType).toBe('DIGITALPOST');
      expect(parseMemo(buildMemoXml(m))).toEqual(m);
    }
  });

  test('senders are the typical authorities; recipients are the given companies, all of them', () => {
    const senders = new Set(letters.map((m) => m.sender.label));
    for (const name of ['Skattestyrelsen', 'Erhvervsstyrelsen', 'Udbetaling Danmark', 'Københavns Kommune', 'Aarhus Kommune', 'Arbejdstilsynet', 'Sikkerhedsstyrelsen', 'Energistyrelsen', 'Danmarks Statistik', 'Motorstyrelsen']) {
      expect(senders).toContain(name);
    }
    for (const m of letters) {
      expect(isValidCvr(m.sender.id)).toBe(true);
      expect(DEMO_ORGANISATION.cvrs).toContainEqual({ cvr: m.recipient.id, name: m.recipient.label });
    }
    expect(new Set(letters.map((m) => m.recipient.id)).size).toBe(4);
  });

  test('documents are PDFs, named .pdf, with Danish text', () => {
    for (const m of letters) {
      for (const f of allFiles(m)) {
        expect(f.encodingFormat).toBe('application/pdf');
        expect(f.filename).toMatch(/\.pdf$/);
        expect(f.language).toBe('da');
        expect(isPdf(f.content)).toBe(true);
      }
    }
  });

  test('labels are unique and Danish; letters are ordered by creation time, all before now', () => {
    expect(new Set(letters.map((m) => m.label)).size).toBe(letters.length);
    expect(letters.some((m) => /[æøå]/.test(m.label))).toBe(true);
    const created = letters.map((m) => m.body.createdDateTime);
    expect([...created].sort()).toEqual(created);
    for (const c of created) {
      expect(new Date(c).getTime()).toBeLessThanOrEqual(NOW.getTime());
      expect(new Date(c).getTime()).toBeGreaterThan(NOW.getTime() - 22 * 86_400_000);
    }
  });

  test('the variety a demo needs: replies with deadlines ahead, actions, attachments, attention, KLE and case numbers', () => {
    const replies = letters.filter((m) => m.reply);
    expect(replies.length).toBeGreaterThan(0);
    expect(letters.some((m) => !m.reply)).toBe(true);
    for (const m of replies) {
      const days = (new Date(m.replyByDateTime!).getTime() - NOW.getTime()) / 86_400_000;
      expect(days).toBeGreaterThan(7);
      expect(days).toBeLessThan(40);
      expect(m.sender.contactPoint?.contactPointID).toBeTruthy();
    }
    const actions = letters.flatMap((m) => m.body.mainDocument!.actions);
    expect(new Set(actions.map((a) => a.actionCode))).toEqual(new Set(['BETALING', 'SELVBETJENING', 'AFTALE']));
    for (const a of actions) expect(a.entryPointUrl ?? a.reservation?.location).toBeTruthy();
    for (const a of actions.filter((x) => x.entryPointUrl)) expect(a.entryPointUrl).toMatch(/^https:\/\//);
    expect(letters.some((m) => m.body.additionalDocuments.length > 0)).toBe(true);
    expect(letters.some((m) => m.recipient.attentionData?.attentionPerson)).toBe(true);
    const pNumbers = letters.map((m) => m.recipient.attentionData?.productionUnit?.productionUnitNumber).filter((p) => p !== undefined);
    expect(pNumbers.length).toBeGreaterThan(0);
    for (const p of pNumbers) expect(isValidPNumber(p!)).toBe(true);
    expect(letters.some((m) => m.contentData?.kleData?.length)).toBe(true);
    for (const m of letters) expect(m.contentData?.caseID?.[0].caseID).toMatch(/^\d{2}-\d{7}$/);
  });

  test('edge cases: no letters; no recipients', async () => {
    expect(await generateDemoLetters({ recipients: DEMO_ORGANISATION.cvrs, count: 0 })).toEqual([]);
    await expect(generateDemoLetters({ recipients: [], count: 1 })).rejects.toThrow(/recipient/);
  });
});

describe('demoMemo', () => {
  test('a valid letter with a small PDF and a fresh UUID each time', () => {
    const a = demoMemo();
    const b = demoMemo();
    expect(a.messageUUID).not.toBe(b.messageUUID);
    expect(parseMemo(buildMemoXml(a))).toEqual(a);
    const pdf = a.body.mainDocument!.files[0].content;
    expect(isPdf(pdf)).toBe(true);
    expect(pdf.length).toBeLessThan(2000);
  });

  test('recipientCvr and other overrides', () => {
    const [, second] = DEMO_ORGANISATION.cvrs;
    const m = demoMemo({ recipientCvr: second.cvr, label: 'Afgørelse om tilskud 2026', reply: true, replyByDateTime: '2030-01-01T12:00:00Z' });
    expect(m.recipient).toEqual({ id: second.cvr, idType: 'CVR', label: second.name });
    expect(m.label).toBe('Afgørelse om tilskud 2026');
    expect(m.body.mainDocument!.label).toBe('Afgørelse om tilskud 2026');
    expect(parseMemo(buildMemoXml(m))).toMatchObject({ reply: true, replyByDateTime: '2030-01-01T12:00:00Z' });
    expect(demoMemo({ messageUUID: '0f8fad5b-d9cb-469f-a165-70867728950e' }).messageUUID).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
  });
});

describe('minimalPdf', () => {
  test('a structurally valid PDF: the xref offsets point at the objects', () => {
    const pdf = minimalPdf('Æble (og) pære \\ ok');
    const text = pdf.toString('latin1');
    const startxref = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((o, i) => expect(text.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    expect(text).toContain('(\xc6ble \\(og\\) p\xe6re \\\\ ok) Tj'); // WinAnsi bytes, escaped
    const len = Number(/\/Length (\d+)/.exec(text)![1]);
    const streamStart = text.indexOf('stream\n') + 7;
    expect(text.slice(streamStart + len, streamStart + len + 9)).toBe('endstream');
  });
});
