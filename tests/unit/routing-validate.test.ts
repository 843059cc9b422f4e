// Rules refused before they are saved: condition schema messages, unknown or deleted destinations,
// invalid and catastrophic regular expressions, rules that can never match, template problems;
// and folder templates themselves. (Rules hidden by earlier ones: routing-shadow.test.ts.)
import { conditionSchema, type Condition } from '../../backend/src/routing/conditions';
import { validateRule, type RuleLike } from '../../backend/src/routing/validate';
import { renderFolderTemplate, templateProblems, folderValue } from '../../backend/src/routing/templates';
import { regexSafety } from '../../backend/src/routing/text-match';
import type { RoutingFacts } from '../../backend/src/routing/facts';
import { splitFolderPath } from '../../shared/src/contracts';

const ctx = { orgCvrs: ['72494814', '87033082'], destinationIds: new Set(['dest-1', 'dest-2']) };
const ruleWith = (conditions: Condition, action: RuleLike['action'] = { kind: 'destinations', destinationIds: ['dest-1'] }): RuleLike =>
  ({ name: 'Test', conditions, action });
const problems = (c: Condition, action?: RuleLike['action']) => validateRule(ruleWith(c, action), ctx);

describe('condition schema', () => {
  const issue = (v: unknown) => {
    const r = conditionSchema.safeParse(v);
    expect(r.success).toBe(false);
    return r.success ? null : r.error.issues[0];
  };
  test('accepts every condition type and the older stored forms', () => {
    const all: Condition = { all: [
      { senderId: '29188335' }, { senderName: { contains: 'styrelsen' } }, { recipientCvr: '72494814' }, { provider: 'mitdk' },
      { text: { field: 'documents', words: ['moms'] } }, { text: { field: 'label', phrase: 'moms' } }, { text: { field: 'all', regex: { pattern: 'x', flags: 'i' } } },
      { kle: '25.02' }, { caseId: { prefix: '25-' } }, { caseSystem: 'Workzone' }, { form: '27.12.00' }, { cprPresent: true }, { cvrData: '72494814' },
      { attention: { field: 'productionUnit', equals: '1012345678' } }, { documentName: { regex: { pattern: '^Bilag' } } }, { documentType: 'application/*' },
      { replyRequired: false }, { labelContains: 'moms' }, { not: { always: true } }, { any: [{ always: true }] },
    ] };
    expect(conditionSchema.parse(all)).toEqual(all);
  });
  test('refuses with a message a person can act on, at the right path', () => {
    expect(issue({ recipientCvr: '123' })).toMatchObject({ path: ['recipientCvr'], message: 'recipientCvr must be 8 digits, e.g. "10150817"' });
    expect(issue({ bogus: 1 })?.message).toMatch(/^unknown condition "bogus"; use one of all, any, not, always, senderId/);
    expect(issue({ all: [] })?.message).toBe('"all" needs a list of at least one condition');
    expect(issue({ senderId: 'x', kle: '25' })?.message).toMatch(/exactly one test.*put several tests in \{"all"/);
    expect(issue({ all: [{ always: true }, { text: { field: 'label' } }] })).toMatchObject({ path: ['all', 1, 'text'], message: 'a text test needs exactly one of "words", "phrase" or "regex"' });
    expect(issue({ text: { field: 'label', words: ['a'], phrase: 'b' } })?.message).toBe('a text test needs exactly one of "words", "phrase" or "regex"');
    expect(issue({ text: { field: 'subject', words: ['a'] } })?.message).toBe('field must be one of "label", "notification", "subject+notification", "documents", "all"');
    expect(issue({ text: { field: 'label', words: [] } })?.message).toBe('the word list is empty: name at least one word');
    expect(issue({ text: { field: 'label', words: ['—'] } })?.message).toBe('each word must contain a letter or a digit');
    expect(issue({ text: { field: 'label', regex: { pattern: 'x', flags: 'g' } } })?.message).toBe('flags must be "i" (ignore case) or "" (case matters)');
    expect(issue({ text: { field: 'label', phrase: 'x'.repeat(201) } })?.message).toBe('the phrase is limited to 200 characters');
    expect(issue({ senderName: { like: 'x' } })?.message).toMatch(/senderName does not know "like"; use "equals" or "contains"/);
    expect(issue({ kle: '25-02' })?.message).toMatch(/KLE code must be a key such as "25.02.05"/);
    expect(issue({ documentType: 'pdf' })?.message).toMatch(/MIME type such as "application\/pdf"/);
    expect(issue({ attention: { field: 'productionUnit', equals: '123' } })?.message).toBe('a P-number (productionUnit) is 10 digits, e.g. "1012345678"');
    expect(issue({ replyRequired: 'yes' })?.message).toBe('replyRequired must be true or false');
    expect(issue('senderId')?.message).toMatch(/a condition must be an object/);
  });
  test('nesting is bounded', () => {
    let c: unknown = { always: true };
    for (let i = 0; i < 20; i++) c = { not: c };
    expect(issue(c)?.message).toMatch(/nested too deeply/);
  });
});

describe('validateRule', () => {
  test('a sound rule has no problems', () => {
    expect(problems({ all: [{ recipientCvr: '72494814' }, { text: { field: 'documents', regex: { pattern: 'betalingsfrist.{0,40}\\d{1,2}\\. \\w+', flags: 'i' } } }] },
      { kind: 'destinations', destinationIds: ['dest-1', 'dest-2'], folderTemplate: 'Digital Post/{sender}/{year}' })).toEqual([]);
    expect(problems({ always: true }, { kind: 'triage' })).toEqual([]);
  });

  test('a deleted or unknown destination is refused', () => {
    expect(problems({ always: true }, { kind: 'destinations', destinationIds: ['dest-1', 'gone'] }))
      .toEqual(['Destination gone does not exist or has been deleted; choose another destination from the registry.']);
  });

  test('a destinations rule without destinations is refused', () => {
    expect(problems({ always: true }, { kind: 'destinations', destinationIds: [] }))
      .toEqual(['The rule sends letters to no destination: choose at least one destination, or send them to triage instead.']);
  });

  test('a recipient CVR the organisation does not have is refused', () => {
    expect(problems({ recipientCvr: '10150817' })).toEqual([
      "Recipient CVR 10150817 is not one of the organisation's CVR numbers (72494814, 87033082), so that test can never hold; choose one of them.",
    ]);
  });

  test('an invalid regular expression is refused with the reason', () => {
    expect(problems({ text: { field: 'label', regex: { pattern: 'moms(' } } })).toEqual(['The regular expression /moms(/ is not valid: Unterminated group.']);
    expect(problems({ documentName: { regex: { pattern: '[z-a]' } } })[0]).toMatch(/^The regular expression \/\[z-a\]\/ is not valid: Range out of order in character class\.$/);
  });

  test('a catastrophic regular expression is refused, saying why and how to fix it', () => {
    const [p] = problems({ text: { field: 'documents', regex: { pattern: '^(\\w+\\s?)*$' } } });
    expect(p).toMatch(/^The regular expression \/\^\(\\w\+\\s\?\)\*\$\/ can backtrack catastrophically: some texts make it run for an exponentially long time/);
    expect(p).toMatch(/repeat each part once/);
    expect(problems({ text: { field: 'label', regex: { pattern: '(a|a)*b', flags: 'i' } } })[0]).toMatch(/exponentially/);
  });

  test('a regex that is polynomial and too slow on the longest text it meets is refused; a bounded one is fine', () => {
    const [p] = problems({ text: { field: 'documents', regex: { pattern: 'moms.*kvartal.*\\d{4}' } } });
    expect(p).toMatch(/too slow on some texts: its time grows with the cube of the text's length/);
    expect(p).toMatch(/the limit is 50 ms\)\. Bound each gap/);
    // Quadratic but short: the subject is at most 2,000 characters.
    expect(regexSafety('moms.*\\d', 'i', 2_000).ok).toBe(true);
    expect(problems({ text: { field: 'documents', regex: { pattern: 'sagsnummer:?\\s*\\d{4}-\\d+', flags: 'i' } } })).toEqual([]);
  });

  test('rules that can never match are refused', () => {
    const never = (c: Condition) => problems(c).filter((p) => p.startsWith('The rule can never match'));
    expect(never({ all: [{ senderId: '29188335' }, { senderId: '10150817' }] })[0])
      .toBe('The rule can never match: it asks that sender is 29188335 and that sender is 10150817, and a letter has only one sender. Change or remove one of those conditions.');
    expect(never({ all: [{ recipientCvr: '72494814' }, { all: [{ recipientCvr: '87033082' }] }] })[0]).toMatch(/only one recipient CVR/);
    expect(never({ all: [{ provider: 'ngdp' }, { provider: 'eboks' }] })[0]).toMatch(/only one provider/);
    expect(never({ all: [{ replyRequired: true }, { replyRequired: false }] })[0]).toMatch(/a reply is required and that no reply is required, which cannot both be true/);
    expect(never({ all: [{ cprPresent: true }, { not: { not: { cprPresent: false } } }] })).toEqual([]); // not analysed that deep: allowed
    expect(never({ all: [{ cprPresent: true }, { cprPresent: false }] })[0]).toMatch(/names a CPR number and that the letter names no CPR number, which cannot/);
    expect(never({ all: [{ senderName: { equals: 'Skat' } }, { senderName: { equals: 'SKAT ' } }] })).toEqual([]);
    expect(never({ all: [{ senderName: { equals: 'Skat' } }, { senderName: { equals: 'Told' } }] })[0]).toMatch(/only one sender name/);
    expect(never({ not: { always: true } })[0]).toBe('The rule can never match: "not (catch-all)" never holds, since catch-all always does. Change or remove one of those conditions.');
    expect(never({ all: [{ kle: '25' }, { not: { any: [{ always: true }, { senderId: 'x' }] } }] })).toHaveLength(1);
    expect(never({ all: [{ text: { field: 'label', phrase: 'Moms' } }, { not: { labelContains: 'moms' } }] })[0])
      .toBe('The rule can never match: it asks both that subject contains "Moms" and that not (subject contains "moms"). Change or remove one of those conditions.');
    expect(never({ any: [{ not: { always: true } }, { all: [{ senderId: 'a' }, { senderId: 'b' }] }] })[0]).toMatch(/none of the alternatives can hold/);
    // Not contradictions: two KLE codes (a letter can have several), X or not X, sender and not another sender.
    expect(never({ all: [{ kle: '25' }, { kle: '03' }] })).toEqual([]);
    expect(never({ all: [{ senderId: 'a' }, { not: { senderId: 'b' } }] })).toEqual([]);
    expect(never({ any: [{ senderId: 'a' }, { not: { senderId: 'a' } }] })).toEqual([]);
  });

  test('an empty word list (built without the schema) is refused', () => {
    expect(problems({ text: { field: 'label', words: [] } }).join(' ')).toMatch(/word list .* is empty/);
  });

  test('template problems are refused', () => {
    expect(problems({ always: true }, { kind: 'destinations', destinationIds: ['dest-1'], folderTemplate: 'Post/{afsender}/{year}' })).toEqual([
      'The folder template has an unknown placeholder {afsender}; the placeholders are {sender}, {senderId}, {cvr}, {cvrName}, {year}, {month}, {kle}, {caseId}, {form}, {label}.',
    ]);
  });

  test('every problem is reported at once', () => {
    expect(problems({ all: [{ recipientCvr: '10150817' }, { text: { field: 'label', regex: { pattern: '(' } } }] },
      { kind: 'destinations', destinationIds: ['gone'], folderTemplate: '{x}' })).toHaveLength(4);
  });
});

describe('folder templates', () => {
  const facts: RoutingFacts = {
    provider: 'ngdp', senderId: '29188335', senderName: 'Nordlys Holding A/S', recipientCvr: '72494814', label: 'Vedr. 010190-1234: løn',
    kle: ['25.02.05'], caseIds: ['2025/17'], forms: ['27.12.00'], documentNames: [], replyRequired: false, cprPresent: true, createdAt: '2025-03-05T10:00:00Z',
  };
  test('each placeholder', () => {
    expect(renderFolderTemplate('{sender};{senderId};{cvr};{cvrName};{year};{month};{kle};{caseId};{form};{label}', facts, undefined, { cvrNames: { 72494814: 'Holding' } }))
      .toBe('Nordlys Holding A-S;29188335;72494814;Holding;2025;03;25.02.05;2025-17;27.12.00;Vedr. 010190-XXXX - løn');
  });
  test('a "/" inside a value stays inside one folder name, as a "-" (SharePoint has no "/" in a name)', () => {
    const path = renderFolderTemplate('Digital Post/{sender}/{year}', facts);
    expect(path).toBe('Digital Post/Nordlys Holding A-S/2025');
    expect(splitFolderPath(path)).toEqual(['Digital Post', 'Nordlys Holding A-S', '2025']);
  });
  test('empty values become "Ukendt"; without a creation time, now gives the date', () => {
    const bare = { ...facts, kle: [], caseIds: [], createdAt: undefined };
    expect(renderFolderTemplate('{kle}/{caseId}/{form}x/{year}-{month}', bare, new Date('2024-07-01T12:00:00Z'))).toBe('Ukendt/Ukendt/27.12.00x/2024-07');
  });
  test('values are one line and bounded', () => {
    expect(folderValue('  a\n\tb  ')).toBe('a b');
    expect(folderValue('x'.repeat(300))).toHaveLength(100);
    expect(folderValue('..')).toBe('Ukendt');
    expect(folderValue('a\\b')).toBe('a-b');
  });
  test('template validation', () => {
    expect(templateProblems('Digital Post/{sender}/{year}')).toEqual([]);
    expect(templateProblems('Nordlys A\\/S/{year}')).toEqual([]);
    expect(templateProblems('{sender}/{Year}/{foo}')[0]).toBe('The folder template has unknown placeholders {Year}, {foo}; the placeholders are {sender}, {senderId}, {cvr}, {cvrName}, {year}, {month}, {kle}, {caseId}, {form}, {label}.');
    expect(templateProblems('Post/{sender')[0]).toMatch(/a "\{" or "\}" that is not part of a placeholder/);
    expect(templateProblems(' / ')[0]).toMatch(/names no folder/);
    expect(templateProblems('')[0]).toMatch(/empty/);
    expect(templateProblems('a\nb')[0]).toMatch(/control character/);
  });
});
