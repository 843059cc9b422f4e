// The rule engine: each condition type, Danish text matching, priority and continue, triage rules,
// "why", folder templates in decisions, the dry-run diff, and facts from a MeMo letter.
import { compileRules, diffDecisions, evaluateCondition, routeLetter, type Rule, type RoutingInput } from '../../backend/src/routing/route';
import { conditionSchema, type Condition } from '../../backend/src/routing/conditions';
import { routingFactsOf, type RoutingFacts } from '../../backend/src/routing/facts';
import { describeCondition } from '../../backend/src/routing/describe';
import { demoMemo, DEMO_SENDERS } from '../../backend/src/demo/letters';

const facts: RoutingFacts = {
  provider: 'ngdp', messageType: 'DIGITALPOST', senderId: '29188335', senderIdType: 'CVR', senderName: 'Skattestyrelsen',
  recipientCvr: '10150817', label: 'Momsangivelse for 3. kvartal', notification: 'Du har fået post fra Skattestyrelsen om moms.',
  kle: ['25.02.05'], caseIds: ['2025-0012345'], caseSystems: ['Skattestyrelsen Sag'], forms: ['27.12.00'], cvrData: ['72494814'],
  cprPresent: false, attentionPerson: 'Jens Hansen', attentionPersonId: 'JH-17', productionUnit: '1012345678',
  attentionEmail: 'bogholderi@nordlys.example', contentResponsible: 'Opkrævning', contentResponsibleId: 'SKST-OPK',
  documentNames: ['Momsangivelse.pdf', 'Bilag 1 - Specifikation.pdf'], documentTypes: ['application/pdf', 'text/plain'],
  replyRequired: false, createdAt: '2025-10-14T08:30:00Z',
};
const input: RoutingInput = {
  ...facts,
  documentText: 'Kære virksomhed\nVi skal minde jer om betalingsfristen.\nBeløbet skal være betalt senest 1. december 2025.\n' +
    'Betalingsfrist: 1. december. Sagsnummer 2025-0012345. Medarbejder 010190-1234 er nævnt.',
};

const rule = (id: string, priority: number, conditions: Condition, action: Rule['action'] = { kind: 'destinations', destinationIds: [`d-${id}`] }, extra: Partial<Rule> = {}): Rule =>
  ({ id, name: `rule ${id}`, priority, enabled: true, conditions, action, continue: false, ...extra });

/** Whether the condition holds for `input` (or the given letter). */
const holds = (c: Condition, l: RoutingInput = input) => evaluateCondition(conditionSchema.parse(c), l).holds;
const why = (c: Condition, l: RoutingInput = input) => evaluateCondition(conditionSchema.parse(c), l).why;

describe('condition types: each holds and fails as it should', () => {
  const cases: [string, Condition, Condition][] = [
    ['senderId', { senderId: '29188335' }, { senderId: '29188336' }],
    ['senderName equals', { senderName: { equals: 'skattestyrelsen' } }, { senderName: { equals: 'Skat' } }],
    ['senderName contains', { senderName: { contains: 'STYRELSEN' } }, { senderName: { contains: 'kommune' } }],
    ['recipientCvr', { recipientCvr: '10150817' }, { recipientCvr: '72494814' }],
    ['provider', { provider: 'ngdp' }, { provider: 'eboks' }],
    ['text label words', { text: { field: 'label', words: ['kvartal', 'momsangivelse'] } }, { text: { field: 'label', words: ['kvartal', 'moms'] } }],
    ['text label phrase', { text: { field: 'label', phrase: 'for 3.  kvartal' } }, { text: { field: 'label', phrase: 'for 4. kvartal' } }],
    ['text notification words', { text: { field: 'notification', words: ['post'] } }, { text: { field: 'notification', words: ['kvartal'] } }],
    ['text subject+notification words', { text: { field: 'subject+notification', words: ['kvartal', 'post'] } }, { text: { field: 'subject+notification', words: ['kvartal', 'december'] } }],
    ['text documents words', { text: { field: 'documents', words: ['betalingsfrist', 'december'] } }, { text: { field: 'documents', words: ['betalingsfrist', 'januar'] } }],
    ['text documents phrase', { text: { field: 'documents', phrase: 'minde jer om' } }, { text: { field: 'documents', phrase: 'minde os om' } }],
    ['text all words', { text: { field: 'all', words: ['kvartal', 'december', 'post'] } }, { text: { field: 'all', words: ['kvartal', 'rykker'] } }],
    ['text regex', { text: { field: 'documents', regex: { pattern: 'sagsnummer \\d{4}-\\d+', flags: 'i' } } }, { text: { field: 'documents', regex: { pattern: 'sagsnummer \\d{4}-\\d+' } } }],
    ['kle prefix', { kle: '25.02' }, { kle: '25.0' }],
    ['kle exact', { kle: '25.02.05' }, { kle: '25.02.06' }],
    ['caseId equals', { caseId: { equals: '2025-0012345' } }, { caseId: { equals: '2025-001234' } }],
    ['caseId prefix', { caseId: { prefix: '2025-' } }, { caseId: { prefix: '2024-' } }],
    ['caseSystem', { caseSystem: 'skattestyrelsen sag' }, { caseSystem: 'Workzone' }],
    ['form', { form: '27.12' }, { form: '27.13' }],
    ['cprPresent', { cprPresent: false }, { cprPresent: true }],
    ['cvrData', { cvrData: '72494814' }, { cvrData: '87033082' }],
    ['attention person equals', { attention: { field: 'person', equals: 'jens hansen' } }, { attention: { field: 'person', equals: 'Jens' } }],
    ['attention person contains', { attention: { field: 'person', contains: 'Hansen' } }, { attention: { field: 'person', contains: 'Jensen' } }],
    ['attention personId', { attention: { field: 'personId', equals: 'JH-17' } }, { attention: { field: 'personId', equals: 'JH-18' } }],
    ['attention productionUnit', { attention: { field: 'productionUnit', equals: '1012345678' } }, { attention: { field: 'productionUnit', equals: '1012345679' } }],
    ['attention email', { attention: { field: 'email', contains: '@nordlys' } }, { attention: { field: 'email', contains: '@other' } }],
    ['attention contentResponsible (label or id)', { attention: { field: 'contentResponsible', equals: 'SKST-OPK' } }, { attention: { field: 'contentResponsible', equals: 'Inddrivelse' } }],
    ['documentName contains', { documentName: { contains: 'specifikation' } }, { documentName: { contains: 'faktura' } }],
    ['documentName regex', { documentName: { regex: { pattern: '^bilag \\d+', flags: 'i' } } }, { documentName: { regex: { pattern: '^Faktura' } } }],
    ['documentType exact', { documentType: 'application/pdf' }, { documentType: 'application/xml' }],
    ['documentType wildcard', { documentType: 'TEXT/*' }, { documentType: 'image/*' }],
    ['replyRequired', { replyRequired: false }, { replyRequired: true }],
    ['labelContains (older form)', { labelContains: 'MOMS' }, { labelContains: 'årsopgørelse' }],
    ['always', { always: true }, { not: { always: true } }],
  ];
  test.each(cases)('%s', (_name, yes, no) => {
    expect(holds(yes)).toBe(true);
    expect(holds(no)).toBe(false);
    expect(why(yes).length).toBeGreaterThan(0);
    expect(why(no)).toEqual([]);
  });

  test('absent optional facts never match (and do not throw)', () => {
    const bare: RoutingInput = { provider: 'eboks', senderId: '1', senderName: '1', recipientCvr: '10150817', label: '', kle: [], caseIds: [], documentNames: [], replyRequired: true, cprPresent: true };
    for (const c of [
      { caseSystem: 'x' }, { form: '1' }, { cvrData: '72494814' }, { attention: { field: 'email', contains: 'a' } },
      { documentType: 'application/*' }, { text: { field: 'documents', words: ['x'] } }, { text: { field: 'notification', phrase: 'x' } },
      { text: { field: 'all', regex: { pattern: 'x' } } },
    ] as Condition[]) expect(holds(c, bare)).toBe(false);
  });
});

describe('combinators', () => {
  test('all needs every part; any one; not the opposite', () => {
    expect(holds({ all: [{ senderId: '29188335' }, { kle: '25' }] })).toBe(true);
    expect(holds({ all: [{ senderId: '29188335' }, { kle: '26' }] })).toBe(false);
    expect(holds({ any: [{ senderId: 'x' }, { kle: '25' }] })).toBe(true);
    expect(holds({ any: [{ senderId: 'x' }, { kle: '26' }] })).toBe(false);
    expect(holds({ not: { kle: '26' } })).toBe(true);
    expect(holds({ not: { kle: '25' } })).toBe(false);
  });

  test('why lists what held: every part of all, the alternative of any that held, not in words', () => {
    expect(why({ all: [{ senderId: '29188335' }, { any: [{ provider: 'mitdk' }, { replyRequired: false }] }, { not: { labelContains: 'rykker' } }] }))
      .toEqual(['sender is Skattestyrelsen (29188335)', 'no reply is required', 'not (subject contains "rykker")']);
  });
});

describe('Danish text matching', () => {
  const dk: RoutingInput = { ...input, label: 'ÅRSOPGØRELSE for Ærø Kommune', documentText: 'Vedr. e-Boks og Æblegården ÅBENRÅ. Idé: CAFÉ.' };
  test('case folding of Æ/æ, Ø/ø, Å/å in words and phrases', () => {
    expect(holds({ text: { field: 'label', words: ['årsopgørelse', 'ærø'] } }, dk)).toBe(true);
    expect(holds({ text: { field: 'label', phrase: 'årsopgørelse FOR ærø' } }, dk)).toBe(true);
    expect(holds({ text: { field: 'documents', words: ['æblegården', 'åbenrå'] } }, dk)).toBe(true);
    expect(holds({ senderName: { equals: 'SKATTESTYRELSEN' } }, dk)).toBe(true);
  });
  test('æ, ø and å are letters of their own; other accents do not matter; ä and ö are æ and ø', () => {
    expect(holds({ text: { field: 'label', words: ['arsopgorelse'] } }, dk)).toBe(false);
    expect(holds({ text: { field: 'documents', words: ['ide', 'cafe'] } }, dk)).toBe(true);
    expect(holds({ text: { field: 'label', words: ['ärö'] } }, dk)).toBe(true);
  });
  test('words are whole words, a phrase is any part of the text', () => {
    expect(holds({ text: { field: 'label', words: ['moms'] } })).toBe(false); // "Momsangivelse" is not the word "moms"
    expect(holds({ text: { field: 'label', phrase: 'moms' } })).toBe(true);
    expect(holds({ text: { field: 'label', words: ['Momsangivelse'] } })).toBe(true);
    expect(holds({ text: { field: 'documents', words: ['e-boks'] } }, dk)).toBe(true); // a word with a hyphen: the two parts in sequence
    expect(holds({ text: { field: 'documents', words: ['boks-e'] } }, dk)).toBe(false);
  });
  test('decomposed letters (as PDF text extraction may give them) match composed ones', () => {
    const decomposed: RoutingInput = { ...input, documentText: 'Meddelelse om a\u030Arsopgørelse og ande\u0301n' };
    expect(holds({ text: { field: 'documents', words: ['årsopgørelse'] } }, decomposed)).toBe(true);
    expect(holds({ text: { field: 'documents', phrase: 'om årsopgørelse' } }, decomposed)).toBe(true);
  });
  test('a phrase matches across line breaks and runs of spaces', () => {
    expect(holds({ text: { field: 'documents', phrase: 'betalingsfristen. beløbet skal' } })).toBe(true);
    expect(holds({ text: { field: 'documents', phrase: 'betalingsfristen.beløbet' } })).toBe(false);
  });
});

describe('regular expressions', () => {
  test('flags: "i" ignores case, none does not', () => {
    expect(holds({ text: { field: 'label', regex: { pattern: '^MOMS', flags: 'i' } } })).toBe(true);
    expect(holds({ text: { field: 'label', regex: { pattern: '^MOMS' } } })).toBe(false);
    expect(holds({ text: { field: 'label', regex: { pattern: '^Moms', flags: '' } } })).toBe(true);
  });
  test('why names the pattern and the matched text only, with CPR numbers masked', () => {
    const w = why({ text: { field: 'documents', regex: { pattern: 'medarbejder \\d{6}-\\d{4}', flags: 'i' } } });
    expect(w).toEqual(['the documents match /medarbejder \\d{6}-\\d{4}/i ("Medarbejder 010190-XXXX")']);
  });
  test('the documents are searched only in their first 20,000 characters', () => {
    const long: RoutingInput = { ...input, documentText: `${'x '.repeat(10_000)}betalingsfrist` };
    expect(holds({ text: { field: 'documents', regex: { pattern: 'betalingsfrist' } } }, long)).toBe(false);
    expect(holds({ text: { field: 'documents', words: ['betalingsfrist'] } }, long)).toBe(false);
    expect(holds({ text: { field: 'documents', words: ['betalingsfrist'] } }, { ...long, documentText: long.documentText!.slice(1000) })).toBe(true);
  });
  test('an invalid stored pattern never matches (and does not throw)', () => {
    expect(holds({ text: { field: 'label', regex: { pattern: '(' } } })).toBe(false);
  });
});

describe('routeLetter: priority, continue, triage', () => {
  test('the first matching rule by priority wins and says why', () => {
    const d = routeLetter(input, [
      rule('late', 20, { always: true }),
      rule('moms', 10, { all: [{ senderId: '29188335' }, { text: { field: 'label', words: ['kvartal'] } }] }),
    ]);
    expect(d).toMatchObject({
      kind: 'destinations',
      destinations: [{ destinationId: 'd-moms', ruleId: 'moms' }],
      matched: [{ ruleId: 'moms', ruleName: 'rule moms', why: ['sender is Skattestyrelsen (29188335)', 'subject contains the word "kvartal"'] }],
    });
  });

  test('equal priorities run in order of rule id', () => {
    const rules = [rule('b', 5, { always: true }), rule('a', 5, { always: true }), rule('c', 5, { always: true })];
    const d = routeLetter(input, rules);
    expect(d.kind === 'destinations' && d.destinations.map((x) => x.ruleId)).toEqual(['a']);
  });

  test('disabled and non-matching rules are skipped; nothing left means triage', () => {
    expect(routeLetter(input, [rule('off', 1, { always: true }, undefined, { enabled: false }), rule('other', 2, { recipientCvr: '12345678' })]))
      .toEqual({ kind: 'triage', why: ['no rule matched'], cause: { code: 'no_rule_matched' }, matched: [] });
  });

  test('continue: destinations accumulate, deduplicated, the first rule to name one gives its folder', () => {
    const d = routeLetter(input, [
      rule('r1', 1, { senderId: '29188335' }, { kind: 'destinations', destinationIds: ['shared'], folderTemplate: 'Skat/{year}' }, { continue: true }),
      rule('r2', 2, { kle: '25' }, { kind: 'destinations', destinationIds: ['shared', 'finance'], folderTemplate: 'KLE/{kle}' }, { continue: true }),
      rule('r3', 3, { replyRequired: true }, { kind: 'destinations', destinationIds: ['never'] }, { continue: true }),
      rule('r4', 4, { always: true }, { kind: 'destinations', destinationIds: ['archive'] }),
      rule('r5', 5, { always: true }, { kind: 'destinations', destinationIds: ['not-reached'] }),
    ]);
    expect(d.kind).toBe('destinations');
    if (d.kind !== 'destinations') return;
    expect(d.destinations).toEqual([
      { destinationId: 'shared', ruleId: 'r1', folderPath: 'Skat/2025' },
      { destinationId: 'finance', ruleId: 'r2', folderPath: 'KLE/25.02.05' },
      { destinationId: 'archive', ruleId: 'r4' },
    ]);
    expect(d.matched.map((m) => m.ruleId)).toEqual(['r1', 'r2', 'r4']);
  });

  test('continue rules alone still route when nothing after them matches', () => {
    const d = routeLetter(input, [rule('c', 1, { always: true }, undefined, { continue: true }), rule('x', 2, { senderId: 'nope' })]);
    expect(d.kind === 'destinations' && d.destinations.map((x) => x.destinationId)).toEqual(['d-c']);
  });

  test('a triage rule sends to triage and stops, even after continue rules and even if it says continue', () => {
    const d = routeLetter(input, [
      rule('c', 1, { always: true }, undefined, { continue: true }),
      rule('t', 2, { text: { field: 'label', phrase: 'moms' } }, { kind: 'triage' }, { continue: true }),
      rule('after', 3, { always: true }),
    ]);
    expect(d.kind).toBe('triage');
    if (d.kind !== 'triage') return;
    expect(d.why).toEqual(['rule "rule t" sends to triage', 'subject contains "moms"']);
    expect(d.matched.map((m) => m.ruleId)).toEqual(['c', 't']);
  });

  test('a destinations rule that names none (stored before validation) sends to triage', () => {
    const d = routeLetter(input, [rule('empty', 1, { always: true }, { kind: 'destinations', destinationIds: [] })]);
    expect(d.kind === 'triage' && d.why[0]).toBe('rule "rule empty" names no destination');
  });

  test('why never quotes document text beyond the matched words, and masks CPR numbers', () => {
    const d = routeLetter(input, [rule('doc', 1, { all: [{ text: { field: 'documents', words: ['betalingsfrist'] } }, { text: { field: 'documents', phrase: '010190-1234' } }] })]);
    expect(d.matched[0].why).toEqual(['the documents mention "betalingsfrist"', 'the documents contain "010190-XXXX"']);
    expect(JSON.stringify(d)).not.toContain('Kære');
  });

  test('rules indexed by sender, recipient CVR and words decide exactly as unindexed ones', () => {
    const rules: Rule[] = [
      rule('s1', 1, { senderId: 'other' }),
      rule('s2', 2, { any: [{ senderId: 'x' }, { senderId: '29188335' }] }, undefined, { continue: true }),
      rule('c1', 3, { all: [{ recipientCvr: '10150817' }, { replyRequired: true }] }),
      rule('w1', 4, { all: [{ text: { field: 'all', words: ['december', 'kvartal'] } }, { provider: 'ngdp' }] }, undefined, { continue: true }),
      rule('w2', 5, { text: { field: 'documents', words: ['januar'] } }),
      rule('last', 6, { recipientCvr: '10150817' }),
    ];
    const d = compileRules(rules)(input);
    expect(d.matched.map((m) => m.ruleId)).toEqual(['s2', 'w1', 'last']);
  });

  test('a compiled rule set gives the same decisions as routeLetter', () => {
    const rules = [rule('a', 1, { kle: '25' }), rule('b', 2, { always: true })];
    const route = compileRules(rules);
    expect(route(input)).toEqual(routeLetter(input, rules));
    expect(route({ ...input, kle: [] })).toEqual(routeLetter({ ...input, kle: [] }, rules));
  });
});

describe('folder templates in decisions', () => {
  test('rendered per chosen destination from the letter (Danish time), "/" in a value made "-" (one folder name in every destination kind)', () => {
    const d = routeLetter({ ...input, senderName: 'Nordlys Holding A/S', createdAt: '2025-12-31T23:30:00Z' },
      [rule('t', 1, { always: true }, { kind: 'destinations', destinationIds: ['x'], folderTemplate: 'Digital Post/{sender}/{year}/{month}' })]);
    expect(d.kind === 'destinations' && d.destinations[0].folderPath).toBe('Digital Post/Nordlys Holding A-S/2026/01');
  });
  test('{cvrName} comes from the names given', () => {
    const d = routeLetter(input, [rule('t', 1, { always: true }, { kind: 'destinations', destinationIds: ['x'], folderTemplate: '{cvrName}' })],
      { cvrNames: { 10150817: 'Nordlys Ejendomme ApS' } });
    expect(d.kind === 'destinations' && d.destinations[0].folderPath).toBe('Nordlys Ejendomme ApS');
  });
});

describe('diffDecisions (dry run)', () => {
  const current = routeLetter(input, [rule('old', 1, { senderId: '29188335' }, { kind: 'destinations', destinationIds: ['a'] })]);
  const other: RoutingInput = { ...input, senderId: '1', senderName: 'Anden' };
  const letters = [
    { id: 'L1', input, current },
    { id: 'L2', input: other, current: routeLetter(other, []) },
    { id: 'L3', input: { ...other, kle: [] }, current: routeLetter({ ...other, kle: [] }, []) },
  ];
  test('lists the letters whose destinations or triage would change, not those where only the rule differs', () => {
    const draft = [
      rule('new', 1, { recipientCvr: '10150817' }, { kind: 'destinations', destinationIds: ['a'] }), // L1: same destination, other rule
      rule('kle', 2, { kle: '25' }, { kind: 'destinations', destinationIds: ['b'] }), // L2: from triage to b
    ];
    const changes = diffDecisions(letters, draft);
    expect(changes.map((c) => c.letterId)).toEqual(['L2', 'L3']);
    expect(changes[0].before?.kind).toBe('triage');
    expect(changes[0].after.kind).toBe('destinations');
    // L3 has no KLE, so the first draft rule takes it: from triage to a.
    expect(changes[1].after.kind === 'destinations' && changes[1].after.destinations[0].destinationId).toBe('a');
  });
  test('a changed folder is a change; a letter never routed is always listed', () => {
    const draft = [rule('x', 1, { always: true }, { kind: 'destinations', destinationIds: ['a'], folderTemplate: 'Ny/{year}' })];
    expect(diffDecisions([{ id: 'L1', input, current }], draft).map((c) => c.letterId)).toEqual(['L1']);
    expect(diffDecisions([{ id: 'L9', input, current: null }], [rule('old', 1, { always: true }, { kind: 'destinations', destinationIds: ['a'] })]))
      .toHaveLength(1);
  });
});

describe('describeCondition', () => {
  test('says what a rule asks in one sentence', () => {
    expect(describeCondition({ all: [{ senderId: '29188335' }, { any: [{ kle: '25.02' }, { not: { replyRequired: true } }] }, { text: { field: 'documents', words: ['betalingsfrist'] } }] }))
      .toBe('sender is 29188335 and (KLE subject is 25.02 or under it or not (a reply is required)) and the documents mention "betalingsfrist"');
  });
});

describe('routingFactsOf', () => {
  test('fills every field from a MeMo letter, ContentData and AttentionData included', () => {
    const memo = demoMemo({
      label: 'Påbud om arbejdsmiljø',
      notification: 'Læs brevet i dag',
      reply: true,
      recipientCvr: '72494814',
      contentData: {
        kleData: [{ subjectKey: '03.18.04' }, { subjectKey: '03.18.04' }],
        caseID: [{ caseID: '25-0001234', caseSystem: 'AT Sag' }, { caseID: '25-0001235' }],
        formData: [{ taskKey: '27.12.00' }],
        cvrData: [{ cvrNumber: '72494814', companyName: 'Nordlys Holding A/S' }],
        cprData: [{ cprNumber: '0101901234' }],
      },
      sender: { id: DEMO_SENDERS.at.cvr, idType: 'CVR', label: DEMO_SENDERS.at.name, attentionData: { contentResponsible: { contentResponsibleID: 'AT-TILSYN', label: 'Tilsyn Øst' } } },
    });
    memo.recipient.attentionData = {
      attentionPerson: { personID: 'P-42', label: 'Arbejdsmiljøorganisationen' },
      productionUnit: { productionUnitNumber: '1012345678' },
      email: { emailAddress: 'amo@nordlys.example' },
    };
    memo.body.additionalDocuments = [{ label: 'Bilag', files: [{ encodingFormat: 'Application/PDF', filename: 'Bilag 1.pdf', language: 'da', content: Buffer.from('') }, { encodingFormat: 'text/xml', filename: 'data.xml', language: 'da', content: Buffer.from('') }], actions: [] }];
    const f = routingFactsOf(memo, 'ngdp');
    expect(f).toEqual({
      provider: 'ngdp', messageType: 'DIGITALPOST', senderId: DEMO_SENDERS.at.cvr, senderIdType: 'CVR', senderName: 'Arbejdstilsynet',
      recipientCvr: '72494814', label: 'Påbud om arbejdsmiljø', notification: 'Læs brevet i dag',
      kle: ['03.18.04'], caseIds: ['25-0001234', '25-0001235'], caseSystems: ['AT Sag'], forms: ['27.12.00'], cvrData: ['72494814'],
      cprPresent: true,
      attentionPerson: 'Arbejdsmiljøorganisationen', attentionPersonId: 'P-42', productionUnit: '1012345678', attentionEmail: 'amo@nordlys.example',
      contentResponsible: 'Tilsyn Øst', contentResponsibleId: 'AT-TILSYN',
      documentNames: ['Brev.pdf', 'Bilag 1.pdf', 'data.xml'], documentTypes: ['application/pdf', 'text/xml'],
      replyRequired: true, actions: [], createdAt: memo.body.createdDateTime,
    });
  });

  test('a plain letter: optional fields left out, CPR found in the subject counts', () => {
    const f = routingFactsOf(demoMemo({ label: 'Vedr. medarbejder 010190-1234' }), 'eboks');
    expect(f.cprPresent).toBe(true);
    expect(f.provider).toBe('eboks');
    expect(f).not.toHaveProperty('attentionPerson');
    expect(f).not.toHaveProperty('notification');
    expect(f.kle).toEqual([]);
  });

  test('facts from a letter route as expected', () => {
    const f = routingFactsOf(demoMemo({ contentData: { kleData: [{ subjectKey: '25.02.05' }] } }), 'ngdp');
    const d = routeLetter(f, [rule('erst', 1, { all: [{ senderId: DEMO_SENDERS.erst.cvr }, { kle: '25.02' }, { documentType: 'application/pdf' }] })]);
    expect(d.matched[0]?.why).toEqual([`sender is Erhvervsstyrelsen (${DEMO_SENDERS.erst.cvr})`, 'KLE subject 25.02.05 is under 25.02', 'a document is application/pdf']);
  });
});
