// The rules page's pure helpers: conditions to the form and back (faithful, or refused for trees the
// form cannot show), what the form still misses, priorities for moves, a rule's placement (where a new
// rule goes, the priorities that put it there, the earlier rules that would take all its letters, the
// list's rules that never apply and the move that fixes them), the dry run's draft set, and rules in
// words in Danish and English.
import type { i18n } from 'i18next';
import { conditionSchema } from '../../backend/src/routing/conditions';
import { TEMPLATE_PLACEHOLDERS as BACKEND_PLACEHOLDERS } from '../../backend/src/routing/templates';
import { describeAction, describeConditions } from '../../addin/src/components/admin/rules/describe';
import {
  LEAF_KINDS, LEAF_OPS, TEMPLATE_PLACEHOLDERS, byPriority, conditionToForm, defaultLeaf, draftOf, draftRuleSet, formToCondition,
  inputOf, movePriorities, nextPriority, type ConditionForm, type LeafForm,
} from '../../addin/src/components/admin/rules/model';
import {
  listShadows, moveBeforePriorities, othersOf, placePriorities, placementAt, placementIndex, placementOf, shadowedBy, suggestedPlacement, type Placement,
} from '../../addin/src/components/admin/rules/placement';
import type { RuleView } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

const roundTrip = (c: unknown) => {
  const form = conditionToForm(c);
  expect(form).not.toBeNull();
  const out = formToCondition(form!);
  if (!('condition' in out)) throw new Error(`form problems: ${JSON.stringify(out.problems)}`);
  return out.condition;
};

const view = (id: string, priority: number, extra: Partial<RuleView> = {}): RuleView => ({
  id, name: `Rule ${id}`, priority, enabled: true, conditions: { always: true }, action: { kind: 'triage' }, continue: false,
  version: 1, updatedAt: '2025-01-01T00:00:00.000Z', updatedBy: 'x', description: 'catch-all', ...extra,
});

describe('conditions ⇄ form', () => {
  test.each([
    ['a single test', { recipientCvr: '10150817' }],
    ['all of two tests', { all: [{ senderId: '19552101' }, { text: { field: 'label', words: ['moms', 'kvartal'] } }] }],
    ['any with not', { any: [{ not: { provider: 'eboks' } }, { kle: '25.02' }] }],
    ['a negated single test', { not: { cprPresent: true } }],
    ['a group inside all', { all: [{ replyRequired: true }, { any: [{ senderName: { contains: 'Skat' } }, { not: { senderName: { equals: 'Kommune' } } }] }] }],
    ['a negated group', { not: { all: [{ caseId: { prefix: '2025-' } }, { caseSystem: 'SBSYS' }] } }],
    ['regexes with and without ignore case', { all: [{ text: { field: 'documents', regex: { pattern: 'rykker\\s+\\d', flags: 'i' } } }, { documentName: { regex: { pattern: '^faktura' } } }] }],
    ['every other kind', {
      all: [{ form: '27.12.00' }, { cvrData: '10150817' }, { attention: { field: 'email', contains: '@nordlys' } }, { documentName: { contains: 'bilag' } },
        { documentType: 'application/pdf' }, { text: { field: 'subject+notification', phrase: 'sidste frist' } }, { always: true }],
    }],
  ])('%s survives the form unchanged', (_, c) => {
    expect(roundTrip(c)).toEqual(c);
  });

  test('the legacy labelContains becomes the equivalent phrase test', () => {
    expect(roundTrip({ labelContains: 'Moms' })).toEqual({ text: { field: 'label', phrase: 'Moms' } });
  });

  test.each([
    ['two levels of groups', { all: [{ any: [{ all: [{ senderId: '1' }, { kle: '1' }] }] }] }],
    ['not of not', { not: { not: { senderId: '1' } } }],
    ['a word with a space (it would split)', { text: { field: 'label', words: ['3. kvartal'] } }],
    ['an unknown test', { bogus: 1 }],
    ['two keys in one condition', { senderId: '1', kle: '2' }],
    ['an empty all', { all: [] }],
    ['not an object', 'always'],
  ])('%s is beyond the form (shown as JSON)', (_, c) => {
    expect(conditionToForm(c)).toBeNull();
  });

  test('every kind the form offers gives conditions the backend accepts', () => {
    const values: Partial<Record<string, string>> = {
      senderId: '19552101', senderName: 'Skattestyrelsen', recipientCvr: '10150817', text: 'moms kvartal', kle: '25.02.05', caseId: '2025-1',
      caseSystem: 'SBSYS', form: '27.12.00', cvrData: '10150817', attention: 'Jens', documentName: 'faktura', documentType: 'application/pdf',
    };
    for (const kind of LEAF_KINDS) {
      for (const op of LEAF_OPS[kind].length ? LEAF_OPS[kind] : ['']) {
        const leaf: LeafForm = { ...defaultLeaf(kind, '10150817'), op, ...(values[kind] ? { value: values[kind]! } : {}) };
        const out = formToCondition({ combinator: 'all', items: [{ key: 'k', negate: true, node: leaf }] });
        if (!('condition' in out)) throw new Error(`${kind}/${op}: ${JSON.stringify(out.problems)}`);
        const parsed = conditionSchema.safeParse(out.condition);
        expect({ kind, op, ok: parsed.success, issues: parsed.success ? [] : parsed.error.issues.map((i) => i.message) }).toEqual({ kind, op, ok: true, issues: [] });
      }
    }
  });

  test('words are split on spaces and commas; values are trimmed, regexes are not', () => {
    const form: ConditionForm = {
      combinator: 'any',
      items: [
        { key: 'a', negate: false, node: { ...defaultLeaf('text'), op: 'words', value: ' moms, kvartal  rykker ' } },
        { key: 'b', negate: false, node: { ...defaultLeaf('text'), op: 'regex', value: ' x ', ignoreCase: false } },
        { key: 'c', negate: false, node: { ...defaultLeaf('senderId'), value: ' 19552101 ' } },
      ],
    };
    expect(formToCondition(form)).toEqual({
      condition: { any: [{ text: { field: 'label', words: ['moms', 'kvartal', 'rykker'] } }, { text: { field: 'label', regex: { pattern: ' x ' } } }, { senderId: '19552101' }] },
    });
  });

  test('what is missing is reported per item', () => {
    expect(formToCondition({ combinator: 'all', items: [] })).toEqual({ problems: { noConditions: true, emptyValues: [], emptyGroups: [] } });
    const out = formToCondition({
      combinator: 'all',
      items: [
        { key: 'a', negate: false, node: { ...defaultLeaf('senderName'), value: '  ' } },
        { key: 'b', negate: false, node: { kind: 'group', combinator: 'any', items: [] } },
        { key: 'c', negate: false, node: { kind: 'group', combinator: 'any', items: [{ key: 'd', negate: false, leaf: { ...defaultLeaf('text'), value: ', ,' } }] } },
        { key: 'e', negate: false, node: defaultLeaf('cprPresent') },
      ],
    });
    expect(out).toEqual({ problems: { noConditions: false, emptyValues: ['a', 'd'], emptyGroups: ['b'] } });
  });
});

describe('the whole rule', () => {
  const dest = '8d6c1d0e-5b8a-4c5e-9a55-2b1c3d4e5f60';

  test('a rule read and saved again without changes gives the same input', () => {
    const rule = view('r1', 30, {
      name: 'Moms', conditions: { all: [{ senderId: '19552101' }, { text: { field: 'label', words: ['moms'] } }] },
      action: { kind: 'destinations', destinationIds: [dest], folderTemplate: 'Digital Post/{sender}' }, continue: true, enabled: false,
    });
    expect(inputOf(draftOf(rule), 30)).toEqual({
      input: { name: 'Moms', priority: 30, enabled: false, continue: true, conditions: rule.conditions, action: rule.action },
    });
  });

  test('conditions beyond the form are kept as stored', () => {
    const conditions = { all: [{ any: [{ all: [{ senderId: '1' }, { kle: '2' }] }] }] };
    const d = draftOf(view('r', 1, { conditions }));
    expect(d.form).toBeNull();
    const r = inputOf({ ...d, name: 'Renamed' }, 1);
    expect('input' in r && r.input.conditions).toBe(conditions);
  });

  test('a new rule needs a name, a condition and a destination (or triage)', () => {
    expect(inputOf(draftOf(null), 10)).toEqual({ problems: { name: true, destinations: true, noConditions: true, emptyValues: [], emptyGroups: [] } });
    const d = { ...draftOf(null), name: ' X ', actionKind: 'triage' as const, folderTemplate: 'ignored', form: conditionToForm({ always: true }) };
    expect(inputOf(d, 10)).toEqual({ input: { name: 'X', priority: 10, enabled: true, continue: false, conditions: { always: true }, action: { kind: 'triage' } } });
  });
});

describe('priorities', () => {
  test('moving swaps the two priorities', () => {
    const rules = byPriority([view('c', 30), view('a', 10), view('b', 20)]);
    expect(rules.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(movePriorities(rules, 2, -1)).toEqual([{ id: 'c', priority: 20 }, { id: 'b', priority: 30 }]);
    expect(movePriorities(rules, 0, 1)).toEqual([{ id: 'a', priority: 20 }, { id: 'b', priority: 10 }]);
  });

  test('at the ends nothing moves', () => {
    const rules = [view('a', 10), view('b', 20)];
    expect(movePriorities(rules, 0, -1)).toEqual([]);
    expect(movePriorities(rules, 1, 1)).toEqual([]);
  });

  test('equal priorities are renumbered in the new order', () => {
    const rules = byPriority([view('a', 5), view('b', 5), view('c', 40)]);
    const changes = movePriorities(rules, 1, -1);
    expect(changes).toEqual([{ id: 'b', priority: 10 }, { id: 'a', priority: 20 }, { id: 'c', priority: 30 }]);
    const after = byPriority(rules.map((r) => ({ ...r, priority: changes.find((c) => c.id === r.id)?.priority ?? r.priority })));
    expect(after.map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });

  test('a new rule goes after every rule', () => {
    expect(nextPriority([])).toBe(10);
    expect(nextPriority([view('a', 1003), view('b', 7)])).toBe(1013);
  });

  test('the dry run\'s draft set replaces the edited rule, or adds the new one', () => {
    const rules = [view('a', 10), view('b', 20)];
    const draft = { name: 'New B', priority: 20, enabled: true, continue: false, conditions: { kle: '25' }, action: { kind: 'triage' as const } };
    const replaced = draftRuleSet(rules, draft, 'b');
    expect(replaced.map((r) => [r.id, r.name])).toEqual([['a', 'Rule a'], ['b', 'New B']]);
    expect(replaced[0]).not.toHaveProperty('version');
    const added = draftRuleSet(rules, draft, null);
    expect(added.map((r) => r.id)).toEqual(['a', 'b', undefined]);
    // Other rules renumbered to make room for the draft: simulated with their new priorities.
    const renumbered = draftRuleSet(rules, { ...draft, priority: 20 }, null, [{ id: 'b', priority: 30 }]);
    expect(renumbered.map((r) => [r.id, r.priority])).toEqual([['a', 10], ['b', 30], [undefined, 20]]);
  });
});

describe('placement', () => {
  // The demo: one catch-all per CVR number ("Alt til <CVR>"), priorities 1000, 1001, …
  const CVRS = ['10000001', '10000002', '10000003'];
  const demo = CVRS.map((cvr, i) => view(`cvr${i + 1}`, 1000 + i, { name: `Alt til ${cvr}`, conditions: { recipientCvr: cvr } }));
  const moms = { text: { field: 'label' as const, regex: { pattern: 'moms', flags: 'i' as const } } };
  /** The ids in order once the rule `id` has `priority` and `changes` are applied. */
  const orderAfter = (rules: RuleView[], id: string, p: { priority: number; changes: { id: string; priority: number }[] }) => byPriority([
    ...rules.filter((r) => r.id !== id).map((r) => ({ ...r, priority: p.changes.find((c) => c.id === r.id)?.priority ?? r.priority })),
    view(id, p.priority),
  ]).map((r) => r.id);

  test('first, before a rule and last read back as the same index', () => {
    const others = [view('a', 10), view('b', 20), view('c', 30)];
    for (let i = 0; i <= others.length; i++) expect(placementIndex(others, placementAt(others, i))).toBe(i);
    expect(placementAt(others, 0)).toBe('first');
    expect(placementAt(others, 1)).toBe('before:b');
    expect(placementAt(others, 3)).toBe('last');
    // A rule deleted meanwhile: the end.
    expect(placementIndex(others, 'before:gone' as Placement)).toBe(3);
    // A stored rule keeps its place.
    const all = [view('a', 10), view('x', 15), view('b', 20)];
    expect(placementOf(all, 'a')).toBe('first');
    expect(placementOf(all, 'x')).toBe('before:b');
    expect(placementOf(all, 'b')).toBe('last');
    expect(othersOf(all, 'x').map((r) => r.id)).toEqual(['a', 'b']);
  });

  test('priorities: between the neighbours when there is room, no other rule changes', () => {
    const others = [view('a', 10), view('b', 20)];
    expect(placePriorities(others, 1)).toEqual({ priority: 15, changes: [] });
    expect(placePriorities(demo, 0)).toEqual({ priority: 990, changes: [] });
    expect(placePriorities(demo, 3)).toEqual({ priority: 1012, changes: [] });
    expect(placePriorities([], 0)).toEqual({ priority: 10, changes: [] });
    expect(placePriorities([view('a', 5)], 0)).toEqual({ priority: 4, changes: [] });
  });

  test('priorities: no room between the neighbours renumbers every rule in the new order', () => {
    const p = placePriorities(demo, 2);
    expect(p.priority).toBe(30);
    expect(p.changes).toEqual([{ id: 'cvr1', priority: 10 }, { id: 'cvr2', priority: 20 }, { id: 'cvr3', priority: 40 }]);
    expect(orderAfter(demo, 'new', p)).toEqual(['cvr1', 'cvr2', 'new', 'cvr3']);
    const atZero = placePriorities([view('a', 0), view('b', 10)], 0);
    expect(orderAfter([view('a', 0), view('b', 10)], 'new', atZero)).toEqual(['new', 'a', 'b']);
    // Only rules whose priority differs are changed.
    expect(placePriorities([view('a', 10), view('b', 11), view('c', 40)], 1)).toEqual({ priority: 20, changes: [{ id: 'b', priority: 30 }] });
  });

  test('a new rule is suggested before the first rules that would take all its letters, else last', () => {
    // The review's scenario: "Moms til Økonomi" behind "Alt til <CVR>" for every CVR never applies; first it does.
    expect(suggestedPlacement(moms, demo, CVRS)).toBe('first');
    // A narrower rule above keeps deciding what it decided.
    const skat = view('skat', 500, { conditions: { senderId: '19552101' }, action: { kind: 'destinations', destinationIds: ['d'] } });
    expect(suggestedPlacement(moms, [skat, ...demo], CVRS)).toBe('before:cvr1');
    // Only a catch-all at the end: before it.
    const rest = [skat, view('all', 2000, { conditions: { always: true } })];
    expect(suggestedPlacement(moms, rest, CVRS)).toBe('before:all');
    // Nothing takes all its letters: last, as before.
    expect(suggestedPlacement(moms, [skat], CVRS)).toBe('last');
    // A rule for one CVR number: before that CVR's rule.
    expect(suggestedPlacement({ all: [{ recipientCvr: CVRS[1] }, moms] }, demo, CVRS)).toBe('before:cvr2');
  });

  test('the earlier rules that take every letter of the rule where it would stand', () => {
    expect(shadowedBy(moms, demo, demo.length, CVRS).map((r) => r.id)).toEqual(['cvr1', 'cvr2', 'cvr3']);
    expect(shadowedBy(moms, demo, 0, CVRS)).toEqual([]);
    // Off, or continuing: they do not take letters away.
    const off = demo.map((r, i) => (i === 0 ? { ...r, enabled: false } : r));
    expect(shadowedBy(moms, off, demo.length, CVRS)).toEqual([]);
    const continuing = demo.map((r, i) => (i === 0 ? { ...r, continue: true } : r));
    expect(shadowedBy(moms, continuing, demo.length, CVRS)).toEqual([]);
  });

  test('the list marks a rule behind the catch-alls; "move before" the first of them puts it where it applies', () => {
    const late = view('moms', 2000, { name: 'Moms til Økonomi', conditions: moms });
    const rules = [...demo, late];
    const marked = listShadows(rules, CVRS);
    expect([...marked.keys()]).toEqual(['moms']);
    expect(marked.get('moms')!.by).toEqual(demo);
    expect(marked.get('moms')!.before).toBe(demo[0]);
    // Room before "cvr1": only the rule moves.
    const p = moveBeforePriorities(rules, 'moms', 'cvr1');
    expect(p).toEqual({ priority: 990, changes: [] });
    const after = byPriority(rules.map((r) => (r.id === 'moms' ? { ...r, priority: p.priority } : r)));
    expect(after.map((r) => r.id)).toEqual(['moms', 'cvr1', 'cvr2', 'cvr3']);
    expect(listShadows(after, CVRS).size).toBe(0);
    // No room: the others renumbered around it.
    const tight = [view('skat', 999, { conditions: { senderId: '19552101' } }), ...demo, late];
    const q = moveBeforePriorities(tight, 'moms', 'cvr1');
    expect(orderAfter(tight, 'moms', q)).toEqual(['skat', 'moms', 'cvr1', 'cvr2', 'cvr3']);
    // Without the organisation's CVR numbers (not loaded yet) nothing is claimed.
    expect(listShadows(rules, []).size).toBe(0);
  });
});

describe('rules in words', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });

  test('conditions in Danish and English, with the CVR number\'s company name', () => {
    const c = { all: [{ recipientCvr: '10150817' }, { any: [{ text: { field: 'label', words: ['moms', 'kvartal'] } }, { not: { replyRequired: true } }] }] };
    const names = { cvr: (x: string) => (x === '10150817' ? 'Nordlys Holding A/S' : undefined) };
    expect(describeConditions(c, tr(da_), names)).toBe('Modtager-CVR er 10150817 (Nordlys Holding A/S) og (emnet indeholder ordene “moms”, “kvartal” eller ikke (brevet kræver svar))');
    expect(describeConditions(c, tr(en_), names)).toBe('Recipient CVR is 10150817 (Nordlys Holding A/S) and (the subject contains the words “moms”, “kvartal” or not (a reply is required))');
    expect(describeConditions({ text: { field: 'documents', words: ['betalingsfrist'] } }, tr(en_))).toBe('The document text contains the word “betalingsfrist”');
    expect(describeConditions({ kle: '25.02' }, tr(da_))).toBe('KLE-emnet er 25.02 eller derunder');
  });

  test('every kind has words in both languages; CPR numbers are masked; unknown tests give null', () => {
    for (const i of [da_, en_]) {
      for (const kind of LEAF_KINDS) {
        for (const op of LEAF_OPS[kind].length ? LEAF_OPS[kind] : ['']) {
          const out = formToCondition({ combinator: 'all', items: [{ key: 'k', negate: false, node: { ...defaultLeaf(kind, '10150817'), op, value: kind === 'provider' ? 'mitdk' : kind === 'cprPresent' ? 'false' : 'x' } }] });
          const s = describeConditions('condition' in out ? out.condition : null, tr(i));
          expect(s).toBeTruthy();
          expect(s).not.toMatch(/rules\.|provider\.|\{\{/);
        }
      }
    }
    expect(describeConditions({ senderName: { contains: 'Sag 0101901234' } }, tr(en_))).not.toContain('0101901234');
    expect(describeConditions({ bogus: 1 }, tr(en_))).toBeNull();
    expect(describeConditions(null, tr(en_))).toBeNull();
  });

  test('actions name the destinations, the folder and continue', () => {
    const names = { destination: (id: string) => ({ a: 'Økonomi', b: 'Teams' } as Record<string, string>)[id] };
    expect(describeAction({ action: { kind: 'destinations', destinationIds: ['a', 'b'], folderTemplate: 'DP/{year}' }, continue: true }, tr(da_), names))
      .toBe('→ Økonomi, Teams · mappe DP/{year} · fortsætter med de næste regler');
    expect(describeAction({ action: { kind: 'destinations', destinationIds: ['z'] }, continue: false }, tr(en_), names)).toBe('→ an unknown recipient');
    expect(describeAction({ action: { kind: 'triage' }, continue: false }, tr(en_))).toBe('→ triage');
  });

  test('the folder template placeholders are the backend\'s', () => {
    expect([...TEMPLATE_PLACEHOLDERS]).toEqual([...BACKEND_PLACEHOLDERS]);
  });
});
