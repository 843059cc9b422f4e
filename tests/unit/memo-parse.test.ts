// parseMemo / buildMemoXml: the MeMo 1.1 and 1.2 fixtures field by field, NEMSMS, every kind of
// rejection with its element path, hostile input (DTDs, entities, size, depth, element count),
// encodings, and the round trip through buildMemoXml.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseMemo, DEFAULT_MEMO_LIMITS } from '../../backend/src/memo/parse';
import { buildMemoXml } from '../../backend/src/memo/build';
import { cutPayloads, isCleanBase64 } from '../../backend/src/memo/payloads';
import { checkBase64 } from '../../backend/src/memo/schema';
import { MemoError, type Memo } from '../../backend/src/memo/types';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/memo/${name}`, import.meta.url)), 'utf8');
const FULL = fixture('memo-1.2-full.xml');
const V11 = fixture('memo-1.1.xml');
const SMS = fixture('nemsms-1.2.xml');

const PDF = Buffer.from('%PDF-1.4 Brevdue test\n');
const TXT = Buffer.from('Hej æøå\n');

function rejection(xml: string | Buffer, limits?: Parameters<typeof parseMemo>[1]): MemoError {
  try {
    parseMemo(xml, limits);
  } catch (e) {
    if (e instanceof MemoError) return e;
    throw new Error(`expected a MemoError, got ${String(e)}`);
  }
  throw new Error('expected the message to be rejected, but it parsed');
}

/** Replaces exactly one occurrence, so a fixture change cannot silently turn a test into a no-op. */
function edit(xml: string, from: string | RegExp, to: string): string {
  const count = typeof from === 'string' ? xml.split(from).length - 1 : (xml.match(new RegExp(from, 'g')) ?? []).length;
  if (count !== 1) throw new Error(`edit: ${String(from)} occurs ${count} times`);
  return xml.replace(from, to);
}

describe('MeMo 1.2 with every element', () => {
  const m = parseMemo(FULL);

  test('header', () => {
    expect(m).toMatchObject({
      version: '1.2',
      messageType: 'DIGITALPOST',
      messageUUID: '8c2ea4b6-0f3e-4d6b-9a51-3f2d7c1e9b40',
      messageID: 'SKST-2025-000123',
      messageCode: 'MOMS-RYK',
      label: 'Rykker: momsangivelse for 2. kvartal 2025 & renter',
      notification: 'Du har fået post fra Skattestyrelsen',
      additionalNotification: 'Svar senest 1. oktober',
      reply: true,
      replyByDateTime: '2025-10-01T21:59:59Z',
      doNotDeliverUntilDate: '2025-09-01',
      mandatory: false,
      legalNotification: true, // written as "1"
      postType: 'MYNDIGHEDSPOST',
    });
    expect(m.memoSchVersion).toBeUndefined();
  });

  test('sender with attention data, contact point and representative', () => {
    expect(m.sender).toEqual({
      id: '55133018',
      idType: 'CVR',
      idTypeLabel: 'CVR-nummer',
      label: 'Skattestyrelsen',
      attentionData: {
        attentionPerson: { personID: 'SAGSB-17', label: 'Mette Sørensen' },
        productionUnit: { productionUnitNumber: '1003388394', productionUnitName: 'Skattestyrelsen Ørestad' },
        globalLocationNumber: { globalLocationNumber: '5798000012345', location: 'Postmodtagelsen' },
        email: { emailAddress: 'moms@sktst.example', relatedAgent: 'Momskontoret' },
        seNumber: { seNumber: '55133018', companyName: 'Skattestyrelsen' },
        telephone: { telephoneNumber: '+45 72 22 18 18', relatedAgent: 'Erhverv' },
        eid: { eID: 'CVR:55133018-RID:1234', label: 'Medarbejdersignatur' },
        contentResponsible: { contentResponsibleID: '55133018', label: 'Moms, Erhverv' },
        generatingSystem: { generatingSystemID: 'SKAT-MOMS-3', label: 'Momssystemet' },
        sorData: { sorIdentifier: '123456789012345', entryName: 'Ikke relevant' },
        address: {
          id: '0a3f50a0-73bf-32b8-e044-0003ba298018', addressLabel: 'Sluseholmen', houseNumber: '8B', door: 'tv', floor: '3',
          co: 'Att. Moms', zipCode: '2450', city: 'København SV', country: 'DK',
          geographicEastingMeasure: '723456.12', geographicNorthingMeasure: '6172345.67', geographicHeightMeasure: '4.2',
        },
        unstructuredAddress: 'Sluseholmen 8B, 3. tv, 2450 København SV',
      },
      contactPoint: {
        contactGroup: 'ERHVERV',
        contactPointID: 'b1c2d3e4-moms',
        label: 'Moms for virksomheder',
        contactInfo: [{ label: 'Telefon', value: '72 22 18 18' }, { label: 'Åbningstid', value: 'Man–fre 9–15' }],
      },
      representative: { representativeID: '64942212', idType: 'CVR', idTypeLabel: 'CVR-nummer', label: 'Udbetaling og Opkrævning' },
    });
  });

  test('recipient', () => {
    expect(m.recipient).toEqual({
      id: '72494814',
      idType: 'CVR',
      label: 'Nordlys Holding A/S',
      attentionData: { attentionPerson: { label: 'Økonomiafdelingen' }, productionUnit: { productionUnitNumber: '1017654321' } },
      contactPoint: { contactPointID: 'nordlys-bogholderi', contactInfo: [] },
    });
  });

  test('content data', () => {
    expect(m.contentData).toEqual({
      cprData: [{ cprNumber: '0101901234', name: 'Jens Jensen' }],
      cvrData: [{ cvrNumber: '72494814', companyName: 'Nordlys Holding A/S' }],
      motorVehicle: [{ licenseNumber: 'AB12345', chassisNumber: 'WVWZZZ1JZXW000001' }],
      propertyNumber: ['101-123456'],
      caseID: [{ caseID: '25-0012345', caseSystem: 'SKAT Sag' }],
      kleData: [{ subjectKey: '25.02.00', version: '2025', activityFacet: 'G01', label: 'Moms' }],
      formData: [{ taskKey: '24.05.12', version: 'FORM 2.1', activityFacet: 'Opkrævning', label: 'Momsopkrævning' }],
      productionUnit: [{ productionUnitNumber: '1017654321', productionUnitName: 'Nordlys Lager' }],
      education: [{ educationCode: '5080', educationName: 'Revisor' }],
      address: [{ addressLabel: 'Havnegade', houseNumber: '12', zipCode: '8000', city: 'Aarhus C' }],
      unstructuredAddress: ['Havnegade 12, 8000 Aarhus C'],
      additionalContentData: [
        { contentDataType: 'Periode', contentDataName: 'Afregningsperiode', contentDataValue: '2025-Q2' },
        { contentDataType: '', contentDataName: 'Beløb', contentDataValue: '12.345,00 kr.' },
      ],
    });
  });

  test('forward data and the reply data chain', () => {
    expect(m.forwardData).toEqual({
      messageUUID: '1e4b7c2a-9d3f-4a8e-b6c1-2f5d8e9a0b13',
      originalMessageDateTime: '2025-08-30T08:15:00Z',
      originalSender: 'Skattestyrelsen',
      originalContentResponsible: 'Moms, Erhverv',
      originalRepresentative: 'Udbetaling og Opkrævning',
      contactPointID: 'b1c2d3e4-moms',
      comment: 'Videresendt til rette afdeling',
    });
    expect(m.replyData).toEqual([
      {
        messageID: 'SKST-2025-000100',
        messageUUID: '2f6c8d3b-0e4a-4b9f-87d2-3a6e9f0b1c24',
        replyUUID: '3a7d9e4c-1f5b-4c0a-98e3-4b7f0a1c2d35',
        senderID: '72494814',
        recipientID: '55133018',
        caseID: '25-0012345',
        contactPointID: 'b1c2d3e4-moms',
        generatingSystemID: 'SKAT-MOMS-3',
        comment: 'Svar på forespørgsel',
        additionalReplyData: [{ label: 'Reference', value: 'R-77' }],
      },
      { messageUUID: '4b8e0f5d-2a6c-4d1b-a9f4-5c8a1b2d3e46' },
    ]);
  });

  test('body: main document with files and both kinds of action, additional and technical documents', () => {
    expect(m.body.createdDateTime).toBe('2025-09-01T07:30:00.250Z');
    expect(m.body.mainDocument).toEqual({
      documentID: 'HOVED-1',
      label: 'Rykker for momsangivelse',
      files: [
        { encodingFormat: 'application/pdf', filename: 'Rykker.pdf', language: 'da', content: PDF }, // base64 split over two lines
        { encodingFormat: 'text/plain', filename: 'Rykker.txt', language: 'da', content: TXT },
      ],
      actions: [
        {
          label: 'Betal nu', actionCode: 'BETALING', startDateTime: '2025-09-01T00:00:00Z', endDateTime: '2025-10-01T21:59:59Z',
          entryPointUrl: 'https://www.skat.dk/betal?ref=25-0012345&kilde=memo',
        },
        {
          label: 'Book et møde', actionCode: 'AFTALE',
          reservation: {
            description: 'Vejledningsmøde om moms', reservationUUID: '5c9f1a6e-3b7d-4e2c-b0a5-6d9b2c3e4f57', abstract: 'Møde',
            location: 'Sluseholmen 8B', startDateTime: '2025-09-15T08:00:00Z', endDateTime: '2025-09-15T09:00:00Z',
            organizerMail: 'moms@sktst.example', organizerName: 'Mette Sørensen',
          },
        },
      ],
    });
    expect(m.body.additionalDocuments).toEqual([
      {
        documentID: 'BILAG-1', label: 'Bilag 1: Specifikation',
        files: [{ encodingFormat: 'application/pdf', filename: 'Specifikation.pdf', language: 'da', content: PDF }], // in CDATA
        actions: [{ label: 'Se din momskonto', actionCode: 'SELVBETJENING', entryPointUrl: 'https://skat.dk/erhverv' }],
      },
      { label: '', files: [{ encodingFormat: 'text/plain', filename: 'Note.txt', language: 'en', content: TXT }], actions: [] },
    ]);
    expect(m.body.technicalDocuments).toEqual([
      { documentID: 'TEK-1', label: 'Faktura (OIOUBL)', files: [{ encodingFormat: 'application/xml', filename: 'faktura.xml', language: 'da', content: Buffer.from('<faktura/>') }], actions: [] },
    ]);
  });

  test('a Buffer parses to the same Memo as the string', () => {
    expect(parseMemo(Buffer.from(FULL))).toEqual(m);
    expect(parseMemo(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FULL)]))).toEqual(m); // UTF-8 BOM
  });
});

describe('MeMo 1.1', () => {
  test('default namespace, memoSchVersion, the required mandatory/legalNotification, KLE', () => {
    const m = parseMemo(V11);
    expect(m).toEqual({
      version: '1.1',
      memoSchVersion: '1.1.0',
      messageType: 'DIGITALPOST',
      messageUUID: '6d0a2b7f-4c8e-4f3d-a1b6-7e0c3d4f5a68',
      label: 'Afgørelse om byggetilladelse',
      reply: false,
      mandatory: true,
      legalNotification: false,
      sender: { id: '64942212', idType: 'CVR', label: 'Københavns Kommune' },
      recipient: { id: '87033082', idType: 'CVR' },
      contentData: { kleData: [{ subjectKey: '02.34.02', version: '2.9', label: 'Byggetilladelser' }] },
      replyData: [],
      body: {
        createdDateTime: '2024-11-05T13:45:00Z',
        mainDocument: { label: '', files: [{ encodingFormat: 'application/pdf', filename: 'Afgørelse.pdf', language: 'da', content: PDF }], actions: [] },
        additionalDocuments: [],
        technicalDocuments: [],
      },
    } satisfies Memo);
  });

  test('1.1 rules differ from 1.2: mandatory is required, Representative does not exist', () => {
    expect(rejection(edit(V11, '<mandatory>true</mandatory>', '')).path).toBe('Message/MessageHeader/mandatory');
    expect(rejection(edit(V11, 'memoSchVersion="1.1.0"', '')).path).toBe('Message/@memoSchVersion');
    const withRep = edit(V11, '<label>Københavns Kommune</label>', '<label>Københavns Kommune</label><Representative><label>x</label></Representative>');
    expect(rejection(withRep).path).toBe('Message/MessageHeader/Sender/Representative');
    // …while the same is fine in 1.2 once the version says so.
    expect(() => parseMemo(edit(withRep, 'memoVersion="1.1" memoSchVersion="1.1.0"', 'memoVersion="1.2"'))).not.toThrow();
  });
});

describe('NEMSMS', () => {
  test('a header-only message: notification text, no MessageBody, no main document', () => {
    const m = parseMemo(SMS);
    expect(m.messageType).toBe('NEMSMS');
    expect(m.notification).toBe('Husk kontrolbesøget i morgen kl. 9. Hilsen Arbejdstilsynet');
    expect(m.recipient).toEqual({ id: '0101901234', idType: 'CPR' });
    expect(m.body).toEqual({ createdDateTime: '', additionalDocuments: [], technicalDocuments: [] });
    expect(m.body.mainDocument).toBeUndefined();
  });

  test('a DIGITALPOST message may not leave the body out', () => {
    const e = rejection(edit(SMS, '>NEMSMS<', '>DIGITALPOST<'));
    expect(e.path).toBe('Message/MessageBody');
    expect(e.rule).toMatch(/DIGITALPOST/);
  });
});

describe('rejections name the element and the rule', () => {
  const cases: [string, string, string | RegExp, string, string, RegExp][] = [
    ['a missing required element', FULL, '<memo:senderID>55133018</memo:senderID>', '', 'Message/MessageHeader/Sender/senderID', /required element is missing/],
    ['a missing label', SMS, '<label>Påmindelse</label>', '', 'Message/MessageHeader/label', /required element is missing/],
    ['a missing File', V11, /<File>[\s\S]*<\/File>/, '', 'Message/MessageBody/MainDocument/File', /required element is missing/],
    ['a messageUUID that is not a v4 UUID', FULL, '8c2ea4b6-0f3e-4d6b', '8c2ea4b6-0f3e-3d6b', 'Message/MessageHeader/messageUUID', /version-4 UUID/],
    ['a UUID in braces', SMS, '7e1b3c8a-5d9f-4a4e-b2c7-8f1d4e5a6b79', '{7e1b3c8a-5d9f-4a4e-b2c7-8f1d4e5a6b79}', 'Message/MessageHeader/messageUUID', /UUID/],
    ['a date-time with an offset instead of Z', FULL, '2025-10-01T21:59:59Z</memo:replyByDateTime>', '2025-10-01T23:59:59+02:00</memo:replyByDateTime>', 'Message/MessageHeader/replyByDateTime', /ending in Z/],
    ['a date-time without a zone', V11, '2024-11-05T13:45:00Z', '2024-11-05T13:45:00', 'Message/MessageBody/createdDateTime', /ending in Z/],
    ['an impossible date-time', V11, '2024-11-05T13:45:00Z', '2024-11-31T13:45:00Z', 'Message/MessageBody/createdDateTime', /UTC date and time/],
    // XSD has no year 0000 and PostgreSQL refuses it: such a letter used to pass and then fail every insert.
    ['a created date-time in the year 0000', V11, '2024-11-05T13:45:00Z', '0000-11-05T13:45:00Z', 'Message/MessageBody/createdDateTime', /year 0000 does not exist/],
    ['a reply-by date-time in the year 0000', FULL, '2025-10-01T21:59:59Z</memo:replyByDateTime>', '0000-10-01T21:59:59Z</memo:replyByDateTime>', 'Message/MessageHeader/replyByDateTime', /year 0000 does not exist/],
    ['a date in the year 0000', FULL, '2025-09-01</memo:doNotDeliverUntilDate>', '0000-09-01</memo:doNotDeliverUntilDate>', 'Message/MessageHeader/doNotDeliverUntilDate', /year 0000 does not exist/],
    ['24:00 at the end of the year 9999', V11, '2024-11-05T13:45:00Z', '9999-12-31T24:00:00Z', 'Message/MessageBody/createdDateTime', /year 10000/],
    ['an impossible date', FULL, '2025-09-01</memo:doNotDeliverUntilDate>', '2025-02-29</memo:doNotDeliverUntilDate>', 'Message/MessageHeader/doNotDeliverUntilDate', /date like/],
    ['a label over 256 characters', SMS, '<label>Påmindelse</label>', `<label>${'æ'.repeat(257)}</label>`, 'Message/MessageHeader/label', /257 characters.*at most 256/],
    ['a notification over 160 characters', SMS, 'Husk kontrolbesøget i morgen kl. 9. Hilsen Arbejdstilsynet', 'x'.repeat(161), 'Message/MessageHeader/notification', /at most 160/],
    ['a comment over 512 characters', FULL, 'Videresendt til rette afdeling', 'y'.repeat(513), 'Message/MessageHeader/ForwardData/comment', /at most 512/],
    ['a licence plate over 7 characters', FULL, 'AB12345<', 'AB123456<', 'Message/MessageHeader/ContentData/MotorVehicle/licenseNumber', /at most 7/],
    ['an unknown messageType', SMS, '>NEMSMS<', '>SMS<', 'Message/MessageHeader/messageType', /DIGITALPOST or NEMSMS/],
    ['an unknown idType', SMS, '<idType>CPR</idType>', '<idType>PNR</idType>', 'Message/MessageHeader/Recipient/idType', /CVR or CPR/],
    ['a CVR number that is not 8 digits', SMS, '<senderID>21481815</senderID>', '<senderID>2148181</senderID>', 'Message/MessageHeader/Sender/senderID', /8 digits/],
    ['a CPR number with a hyphen', SMS, '0101901234', '010190-1234', 'Message/MessageHeader/Recipient/recipientID', /10 digits/],
    ['a boolean that is not one', FULL, '<memo:reply>true</memo:reply>', '<memo:reply>yes</memo:reply>', 'Message/MessageHeader/reply', /true or false/],
    ['a three-letter language', V11, '<language>da</language>', '<language>dan</language>', 'Message/MessageBody/MainDocument/File[1]/language', /two letters/],
    ['a P-number that is not a number', FULL, '<grd:productionUnitNumber>1017654321</grd:productionUnitNumber>\n        <grd:productionUnitName>', '<grd:productionUnitNumber>P-1017654321</grd:productionUnitNumber>\n        <grd:productionUnitName>', 'Message/MessageHeader/ContentData/ProductionUnit/productionUnitNumber', /P-number/],
    ['elements out of order', FULL, '<memo:messageID>SKST-2025-000123</memo:messageID>\n    <memo:messageCode>MOMS-RYK</memo:messageCode>', '<memo:messageCode>MOMS-RYK</memo:messageCode>\n    <memo:messageID>SKST-2025-000123</memo:messageID>', 'Message/MessageHeader/messageID', /out of order.*before messageCode/],
    ['an element the schema does not know', SMS, '<label>Påmindelse', '<subject>x</subject><label>Påmindelse', 'Message/MessageHeader/subject', /not a MeMo element allowed in MessageHeader/],
    ['an element in the wrong namespace', FULL, '<grd:cprNumber>0101901234</grd:cprNumber>', '<memo:cprNumber>0101901234</memo:cprNumber>', 'Message/MessageHeader/ContentData/CPRdata/cprNumber', /wrong namespace/],
    ['a repeated single element', FULL, '</grd:CPRdata>', '</grd:CPRdata><grd:CPRdata><grd:cprNumber>1</grd:cprNumber></grd:CPRdata>', 'Message/MessageHeader/ContentData/CPRdata', /only once/],
    ['more than 10 AdditionalContentData', FULL, '</memo:ContentData>', `${'<memo:AdditionalContentData><memo:contentDataName>a</memo:contentDataName><memo:contentDataValue>b</memo:contentDataValue></memo:AdditionalContentData>'.repeat(9)}</memo:ContentData>`, 'Message/MessageHeader/ContentData/AdditionalContentData', /at most 10 times/],
    ['an Action with both an EntryPoint and a Reservation', FULL, '&amp;kilde=memo</memo:url>\n        </memo:EntryPoint>', '&amp;kilde=memo</memo:url></memo:EntryPoint><memo:Reservation/>', 'Message/MessageBody/MainDocument/Action[1]/Reservation', /only one of Reservation or EntryPoint/],
    ['an Action in a TechnicalDocument', FULL, '</memo:TechnicalDocument>', '<memo:Action><memo:label>x</memo:label><memo:actionCode>y</memo:actionCode></memo:Action></memo:TechnicalDocument>', 'Message/MessageBody/TechnicalDocument[1]/Action', /not a MeMo element allowed in TechnicalDocument/],
    ['text where elements belong', SMS, '<Sender>', '<Sender>hej', 'Message/MessageHeader/Sender', /only elements/],
    ['an element inside a text field', SMS, '<label>Påmindelse</label>', '<label>På<b>mindelse</b></label>', 'Message/MessageHeader/label', /only text/],
    ['an element inside File content', V11, '<content>JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg==</content>', '<content>JVBERi0x<x/>LjQgQnJldmR1ZSB0ZXN0Cg==</content>', 'Message/MessageBody/MainDocument/File[1]/content', /only text/],
    ['an attribute the schema does not have', SMS, '<label>Påmindelse', '<label lang="da">Påmindelse', 'Message/MessageHeader/label/@lang', /not allowed/],
    ['memoSchVersion on a 1.2 message', SMS, 'memoVersion="1.2"', 'memoVersion="1.2" memoSchVersion="1.2.0"', 'Message/@memoSchVersion', /not allowed/],
    ['a missing memoVersion', SMS, ' memoVersion="1.2"', '', 'Message/@memoVersion', /required attribute/],
    ['an unsupported memoVersion', SMS, 'memoVersion="1.2"', 'memoVersion="1.0"', 'Message/@memoVersion', /1\.1 or 1\.2/],
    ['a root without the MeMo namespace', SMS, ' xmlns="https://DigitalPost.dk/MeMo-1"', '', 'Message', /namespace/],
    ['an undeclared prefix', SMS, '<label>Påmindelse</label>', '<x:label>Påmindelse</x:label>', 'Message/MessageHeader/label', /prefix "x"/],
    ['an entity XML does not define', SMS, 'Påmindelse', 'P&aring;mindelse', 'Message/MessageHeader/label', /&aring;/],
    ['a character reference to a control character', SMS, 'Påmindelse', 'P&#1;mindelse', 'Message/MessageHeader/label', /&#1;/],
    ['a control character', SMS, 'Påmindelse', 'P\u0007mindelse', '(document)', /U\+0007/],
    ['a tag that is not closed', SMS, 'Påmindelse</label>', 'Påmindelse</lable>', '(document)', /not well-formed/],
    ['two root elements', SMS, '</Message>', '</Message><Message/>', '(document)', /2 root elements/],
  ];
  test.each(cases)('%s', (_name, base, from, to, path, rule) => {
    const e = rejection(edit(base, from, to));
    expect(e).toBeInstanceOf(MemoError);
    expect(e.path).toBe(path);
    expect(e.rule).toMatch(rule);
    expect(e.message).toBe(`${path}: ${e.rule}`);
    expect(e.rule).not.toMatch(/\n/);
  });

  test('empty input', () => {
    expect(rejection('').rule).toMatch(/empty/);
    expect(rejection(Buffer.alloc(0)).path).toBe('(document)');
  });
});

describe('base64 document content', () => {
  const at = 'Message/MessageBody/MainDocument/File[1]/content';
  const withContent = (c: string) => edit(V11, 'JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg==', c);
  test.each([
    ['truncated (length not a multiple of 4)', 'JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg=', /multiple of 4/],
    ['a character outside the alphabet', 'JVBERi0x*jQgQnJldmR1ZSB0ZXN0Cg==', /"\*"/],
    ['URL-safe alphabet', 'JVBERi0x_jQgQnJldmR1ZSB0ZXN0Cg==', /"_"/],
    ['padding in the middle', 'JVBE=i0xLjQgQnJldmR1ZSB0ZXN0Cg==', /padding/],
    ['non-zero bits under the padding', 'JVBERi0xLjQgQnJldmR1ZSB0ZXN0Ch==', /bits/],
  ])('%s is refused', (_n, content, rule) => {
    const e = rejection(withContent(content));
    expect(e.path).toBe(at);
    expect(e.rule).toMatch(/not valid base64/);
    expect(e.rule).toMatch(rule);
  });

  test('whitespace, line breaks, CDATA, comments and character references inside content are fine', () => {
    for (const c of ['JVBERi0xLjQg\r\n  QnJldmR1ZSB0\tZXN0Cg==', '<![CDATA[JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg==]]>', 'JVBERi0x<!-- split -->LjQgQnJldmR1ZSB0ZXN0Cg==', 'JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg&#61;&#x3D;']) {
      expect(parseMemo(withContent(c)).body.mainDocument!.files[0].content).toEqual(PDF);
    }
  });

  test('empty content is an empty file', () => {
    expect(parseMemo(withContent('')).body.mainDocument!.files[0].content).toEqual(Buffer.alloc(0));
  });
});

describe('large documents take the fast path and end exactly where the full path does', () => {
  // parseMemo(Buffer) cuts large base64 payloads out before parsing (memo/payloads.ts); a string
  // takes the full path. Both must agree on every result and every error.
  const big = randomBytes(9000);
  const b64 = big.toString('base64').replace(/.{76}/g, '$&\n'); // line-wrapped, as senders do
  const withContent = (c: string) => edit(V11, 'JVBERi0xLjQgQnJldmR1ZSB0ZXN0Cg==', c);
  const both = (xml: string) => {
    const outcome = (input: string | Buffer) => { try { return parseMemo(input); } catch (e) { return e; } };
    return { fast: outcome(Buffer.from(xml)), full: outcome(xml) };
  };

  test('a large document is decoded to the same bytes', () => {
    const cut = cutPayloads(Buffer.from(withContent(b64)));
    expect(cut!.payloads.size).toBe(1);
    expect(cut!.skeleton.length).toBeLessThan(3000); // the markup alone is parsed
    const { fast, full } = both(withContent(b64));
    expect((fast as Memo).body.mainDocument!.files[0].content).toEqual(big);
    expect(fast).toEqual(full);
  });

  test.each([
    ['truncated', b64.slice(0, -3)],
    ['padding in the middle', b64.slice(0, 100) + '=' + b64.slice(101)],
    ['non-zero bits under the padding', Buffer.from('ab').toString('base64').replace('YWI=', 'YWJ=').padStart(8000, 'A')],
    ['a stray character', b64.slice(0, 5000) + '*' + b64.slice(5001)],
  ])('a large document that is %s gets the full path\'s error', (_n, c) => {
    const { fast, full } = both(withContent(c));
    expect(full).toBeInstanceOf(MemoError);
    expect(fast).toEqual(full);
    expect((fast as MemoError).message).toBe((full as MemoError).message);
  });

  test('a content element inside a comment or a CDATA section is not mistaken for a document', () => {
    const inComment = edit(withContent(b64), '<MessageHeader>', `<!-- <content>${b64}</content> --><MessageHeader>`);
    expect(cutPayloads(Buffer.from(inComment))!.payloads.size).toBe(2); // both cut; only one comes back
    let r = both(inComment);
    expect((r.fast as Memo).body.mainDocument!.files[0].content).toEqual(big);
    expect(r.fast).toEqual(r.full);
    const inCdata = edit(withContent(b64), '<label>Afgørelse om byggetilladelse</label>', `<label><![CDATA[<content>${b64}</content>]]></label>`);
    r = both(inCdata);
    expect(r.full).toBeInstanceOf(MemoError);
    expect(r.fast).toEqual(r.full);
  });

  test('the quick base64 check agrees with the schema check', () => {
    const cases = ['', 'QQ==', 'QQ=', 'QUI=', 'QUJD', 'QUJ', 'Q===', 'QQ==QQ==', 'QR==', 'QUJ=', 'QUK=', ' Q Q = = ', 'QQ\n==', 'QUJD\r\nQUJD', 'QU\tJD', '=QUJ', 'QQ= ='];
    for (const c of cases) {
      let schema = true;
      try { checkBase64(c, 'x'); } catch { schema = false; }
      expect([c, isCleanBase64(c)]).toEqual([c, schema]);
    }
  });

  test('a well-formedness error after a large document reports the same line', () => {
    const broken = edit(withContent(b64), '</MessageBody>', '</MessageBdy>');
    const { fast, full } = both(broken);
    expect((full as MemoError).message).toMatch(/line \d+/);
    expect((fast as MemoError).message).toBe((full as MemoError).message);
  });
});

describe('hostile input', () => {
  test('a DOCTYPE with internal entities ("billion laughs") is refused outright', () => {
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
      + SMS.replace(/^<\?xml[^>]*>/, '').replace('Påmindelse', '&lol3;');
    const t = Date.now();
    const e = rejection(lol);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(e.path).toBe('(document)');
    expect(e.rule).toMatch(/DOCTYPE/);
  });

  test('an external entity is refused and never read', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${SMS.replace(/^<\?xml[^>]*>/, '').replace('Påmindelse', '&xxe;')}`;
    const e = rejection(xxe);
    expect(e.rule).toMatch(/DOCTYPE/);
    expect(e.message).not.toMatch(/root:/);
  });

  test('a bare DOCTYPE (no entities) and a stray ENTITY declaration are refused too', () => {
    expect(rejection(SMS.replace('<Message', '<!DOCTYPE Message SYSTEM "memo.dtd"><Message')).rule).toMatch(/DOCTYPE/);
    expect(rejection(SMS.replace('<MessageHeader>', '<MessageHeader><!ENTITY x "y">')).rule).toMatch(/ENTITY/);
  });

  test('without a DTD, an entity reference is an error, not an expansion', () => {
    expect(rejection(SMS.replace('Påmindelse', '&xxe;')).rule).toMatch(/&xxe;/);
  });

  test('size limit: 150 MB by default, configurable, for strings and buffers', () => {
    expect(DEFAULT_MEMO_LIMITS.maxBytes).toBe(150 * 1024 * 1024);
    const size = Buffer.byteLength(SMS);
    expect(() => parseMemo(SMS, { maxBytes: size })).not.toThrow();
    for (const input of [SMS, Buffer.from(SMS)]) {
      const e = rejection(input, { maxBytes: size - 1 });
      expect(e.path).toBe('(document)');
      expect(e.rule).toBe(`is ${size} bytes; the limit is ${size - 1} bytes`);
    }
    // Multi-byte characters count as bytes, not as UTF-16 units.
    const ae = edit(SMS, 'Påmindelse', 'æ'.repeat(100));
    expect(rejection(ae, { maxBytes: ae.length + 50 }).rule).toMatch(/bytes/);
  });

  test('depth limit', () => {
    const deep = edit(SMS, '<label>Påmindelse</label>', `<label>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</label>`);
    const e = rejection(deep);
    expect(e.rule).toMatch(/nested more than 32/);
    expect(e.path.startsWith('Message/MessageHeader/label/a/a')).toBe(true);
    expect(rejection(FULL, { maxDepth: 5 }).rule).toMatch(/nested more than 5/);
    expect(() => parseMemo(FULL, { maxDepth: 7 })).not.toThrow(); // MeMo's own depth
  });

  test('element count limit', () => {
    expect(() => parseMemo(FULL, { maxElements: 400 })).not.toThrow();
    expect(rejection(FULL, { maxElements: 100 }).rule).toMatch(/more than 100 elements/);
    const flood = edit(SMS, '</Message>', `${'<x/>'.repeat(300_000)}</Message>`);
    const t = Date.now();
    expect(rejection(flood).rule).toMatch(/more than 100000 elements/);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  test('a 20 MB letter parses in reasonable time', () => {
    const big = parseMemo(V11);
    big.body.mainDocument!.files[0].content = Buffer.alloc(15 * 1024 * 1024, 7);
    const xml = buildMemoXml(big);
    expect(xml.length).toBeGreaterThan(20_000_000);
    const t = Date.now();
    const back = parseMemo(xml);
    expect(Date.now() - t).toBeLessThan(8000); // ~0.4 s on a developer machine
    expect(back.body.mainDocument!.files[0].content.equals(big.body.mainDocument!.files[0].content)).toBe(true);
  });
});

describe('text decoding', () => {
  test('references, CDATA, comments and processing instructions in text', () => {
    const m = parseMemo(edit(SMS, '<label>Påmindelse</label>', '<label>&lt;A&gt; &amp; &quot;B&quot; &apos;C&apos; &#230;&#xF8;&#229; <![CDATA[<raw & text>]]><!-- c --><?pi x?>D</label>'));
    expect(m.label).toBe('<A> & "B" \'C\' æøå <raw & text>D');
  });

  test('whitespace in text is kept exactly; CRLF becomes LF as XML says', () => {
    expect(parseMemo(edit(SMS, '<label>Påmindelse</label>', '<label>  to\tlinjer\r\nher  </label>')).label).toBe('  to\tlinjer\nher  ');
  });

  test('whitespace around typed values is collapsed as the XSD types say', () => {
    const m = parseMemo(edit(FULL, '<memo:reply>true</memo:reply>', '<memo:reply>\n  true\n</memo:reply>'));
    expect(m.reply).toBe(true);
  });

  test('a Latin-1 or UTF-16 encoded file decodes by its declaration or BOM; broken UTF-8 is refused', () => {
    const latin1 = Buffer.from(SMS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    expect(parseMemo(latin1).label).toBe('Påmindelse');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SMS.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')]);
    expect(parseMemo(utf16).label).toBe('Påmindelse');
    const broken = Buffer.from(SMS);
    broken[broken.indexOf(Buffer.from('å'))] = 0xff;
    expect(rejection(broken).rule).toMatch(/not valid UTF-8/);
    expect(rejection(Buffer.from(SMS.replace('encoding="UTF-8"', 'encoding="EBCDIC-X"'))).rule).toMatch(/not supported/);
  });

  test('prefixes are resolved by namespace: any prefix, or the default namespace, gives the same Memo', () => {
    const other = edit(FULL.replace(/memo:/g, 'dp:'), 'xmlns:memo=', 'xmlns:dp=');
    expect(parseMemo(other)).toEqual(parseMemo(FULL));
    expect(parseMemo(buildMemoXml(parseMemo(FULL)))).toEqual(parseMemo(FULL)); // the builder uses the default namespace
  });

  test('xsi:schemaLocation hints are accepted', () => {
    const hinted = edit(SMS, 'memoVersion="1.2"', 'memoVersion="1.2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="https://DigitalPost.dk/MeMo-1 MeMo_core.xsd"');
    expect(parseMemo(hinted).label).toBe('Påmindelse');
  });
});

describe('buildMemoXml', () => {
  test.each([['memo-1.2-full.xml', FULL], ['memo-1.1.xml', V11], ['nemsms-1.2.xml', SMS]])('round trip of %s', (_n, xml) => {
    const m = parseMemo(xml);
    const built = buildMemoXml(m);
    expect(parseMemo(built)).toEqual(m);
    expect(buildMemoXml(parseMemo(built))).toBe(built); // stable
  });

  test('writes MeMo 1.2 with the namespaces it uses, and nothing it does not', () => {
    const x = buildMemoXml(parseMemo(SMS));
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="https://DigitalPost.dk/MeMo-1" memoVersion="1.2">')).toBe(true);
    expect(x).not.toMatch(/MessageBody|xmlns:grd|<reply>/);
  });

  test('1.1 gets memoSchVersion and the required flags', () => {
    const m = parseMemo(V11);
    delete m.mandatory;
    delete m.legalNotification;
    delete m.memoSchVersion;
    const x = buildMemoXml(m);
    expect(x).toContain('memoVersion="1.1" memoSchVersion="1.1.0"');
    expect(parseMemo(x)).toMatchObject({ mandatory: false, legalNotification: false });
  });

  test('escapes text so every character comes back', () => {
    const m = parseMemo(SMS);
    m.label = ' <b>Tom & "Jerry"</b> ]]> \'æøå\' 😀\r\ntab\there ';
    m.notification = '&amp; is not decoded twice';
    const x = buildMemoXml(m);
    expect(x).toContain('&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt; ]]&gt;');
    expect(parseMemo(x)).toEqual(m);
  });

  test('round trip of a memo that sets every optional field', () => {
    const m = parseMemo(FULL);
    expect(parseMemo(buildMemoXml(m))).toEqual(m);
    // Boolean and whitespace normalisation: what comes back is what the parser gives anyway.
    m.reply = false;
    delete m.replyByDateTime;
    expect(parseMemo(buildMemoXml(m))).toEqual(m);
  });

  const invalid: [string, (m: Memo) => void, string, RegExp][] = [
    ['a missing sender label', (m) => { delete m.sender.label; }, 'Message/MessageHeader/Sender/label', /required/],
    ['a bad UUID', (m) => { m.messageUUID = 'not-a-uuid'; }, 'Message/MessageHeader/messageUUID', /UUID/],
    ['a date-time without Z', (m) => { m.body.createdDateTime = '2025-01-01T10:00:00'; }, 'Message/MessageBody/createdDateTime', /ending in Z/],
    ['two CPRdata (the XSD allows one)', (m) => { m.contentData!.cprData!.push({ cprNumber: '0202020202' }); }, 'Message/MessageHeader/ContentData/CPRdata', /only once/],
    ['an action on a technical document', (m) => { m.body.technicalDocuments[0].actions.push({ label: 'x', actionCode: 'INFORMATION' }); }, 'Message/MessageBody/TechnicalDocument[1]/Action', /not a MeMo element/],
    ['a field with no MeMo element', (m) => { m.sender.attentionData!.sedpData = { a: 'b' }; }, 'Message/MessageHeader/Sender/AttentionData/sedpData', /no MeMo/],
    ['an unknown address field', (m) => { m.sender.attentionData!.address!.street = 'x'; }, 'Message/MessageHeader/Sender/AttentionData/Address/street', /not a MeMo element/],
    ['a control character', (m) => { m.label = 'bell\u0007'; }, 'Message/MessageHeader/label', /U\+0007/],
    ['a DIGITALPOST without a main document', (m) => { delete m.body.mainDocument; m.body.additionalDocuments = []; m.body.technicalDocuments = []; }, 'Message/MessageBody/MainDocument', /required/],
    ['an idType the format does not match', (m) => { m.recipient.id = '123'; }, 'Message/MessageHeader/Recipient/recipientID', /8 digits/],
    ['a Representative on a 1.1 message', (m) => { m.version = '1.1'; }, 'Message/MessageHeader/Sender/Representative', /not a MeMo element allowed in Sender/],
    ['memoSchVersion on a 1.2 message', (m) => { m.memoSchVersion = '1.1.0'; }, 'Message/@memoSchVersion', /only in MeMo 1\.1/],
  ];
  test.each(invalid)('refuses %s instead of writing invalid MeMo', (_n, mutate, path, rule) => {
    const m = parseMemo(FULL);
    mutate(m);
    let err: unknown;
    try {
      buildMemoXml(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemoError);
    expect((err as MemoError).path).toBe(path);
    expect((err as MemoError).rule).toMatch(rule);
  });

  test('a NEMSMS with a creation time needs a main document to carry it', () => {
    const m = parseMemo(SMS);
    m.body.createdDateTime = '2025-01-01T10:00:00Z';
    expect(() => buildMemoXml(m)).toThrow(/MainDocument: required element is missing/);
  });
});
