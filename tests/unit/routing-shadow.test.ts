// Shadowed rules (backend/src/routing/shadow.ts): which earlier rules take every letter a rule could
// match — a catch-all, a test the rule itself asks for, one rule per CVR number (the demo's
// "Alt til <CVR>"), per channel — and that rules which continue, are off, or leave letters over do not;
// and, for the rules list, every rule of a set that never applies where it stands.
import type { Condition } from '../../backend/src/routing/conditions';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { firstShadow, implies, shadowedRules, shadowingRules, type OrderedRule } from '../../backend/src/routing/shadow';

const CVRS = ['10000001', '10000002', '10000003'];
const rule = (id: string, conditions: Condition, extra: Partial<OrderedRule> = {}): OrderedRule => ({ id, name: `Rule ${id}`, enabled: true, continue: false, conditions, ...extra });
const perCvr = CVRS.map((cvr, i) => rule(`cvr${i + 1}`, { recipientCvr: cvr }));
const moms: Condition = { text: { field: 'label', regex: { pattern: 'moms', flags: 'i' } } };
const ids = (rs: OrderedRule[]) => rs.map((r) => r.id);
const opts = { orgCvrs: CVRS };

describe('implies', () => {
  test.each<[string, Condition, Condition, boolean]>([
    ['anything implies a catch-all', moms, { always: true }, true],
    ['a test implies itself, spelled differently', { senderName: { contains: 'SKATTESTYRELSEN ' } }, { senderName: { contains: 'skattestyrelsen' } }, true],
    ['all of A and B implies A', { all: [moms, { senderId: '19552101' }] }, { senderId: '19552101' }, true],
    ['A implies any of A or B', { senderId: '19552101' }, { any: [{ kle: '25' }, { senderId: '19552101' }] }, true],
    ['any of A or B implies C when both do', { any: [{ all: [moms, { kle: '25' }] }, { all: [{ kle: '25' }, { cprPresent: true }] }] }, { kle: '25' }, true],
    ['A does not imply all of A and B', { senderId: '19552101' }, { all: [{ senderId: '19552101' }, moms] }, false],
    ['another value is not implied', { senderId: '19552101' }, { senderId: '29188335' }, false],
    ['a subject test does not imply a recipient', moms, { recipientCvr: CVRS[0] }, false],
  ])('%s', (_, c, e, expected) => {
    expect(implies(c, e)).toBe(expected);
  });
});

describe('shadowingRules', () => {
  test('an earlier catch-all that does not continue takes every letter', () => {
    expect(ids(shadowingRules(moms, [rule('a', { senderId: '1' }), rule('all', { always: true })], opts))).toEqual(['all']);
  });

  test('a catch-all that continues, or is off, takes nothing away', () => {
    expect(shadowingRules(moms, [rule('all', { always: true }, { continue: true })], opts)).toEqual([]);
    expect(shadowingRules(moms, [rule('all', { always: true }, { enabled: false })], opts)).toEqual([]);
  });

  test('a rule on a broader test the rule itself asks for', () => {
    const mine: Condition = { all: [{ senderName: { contains: 'Skattestyrelsen' } }, moms] };
    expect(ids(shadowingRules(mine, [rule('skat', { senderName: { contains: 'skattestyrelsen' } })], opts))).toEqual(['skat']);
  });

  test('one rule per CVR number together take every letter (the demo\'s "Alt til <CVR>")', () => {
    expect(ids(shadowingRules(moms, perCvr, opts))).toEqual(['cvr1', 'cvr2', 'cvr3']);
    // One CVR left over: its letters reach the rule.
    expect(shadowingRules(moms, perCvr.slice(0, 2), opts)).toEqual([]);
    // Without the organisation's CVR numbers nothing is claimed.
    expect(shadowingRules(moms, perCvr, { orgCvrs: [] })).toEqual([]);
  });

  test('a rule for one CVR number is taken by that CVR\'s rule only', () => {
    const mine: Condition = { all: [{ recipientCvr: CVRS[1] }, moms] };
    expect(ids(shadowingRules(mine, perCvr, opts))).toEqual(['cvr2']);
    expect(shadowingRules(mine, [perCvr[0], perCvr[2]], opts)).toEqual([]);
  });

  test('one rule per channel, and the yes/no tests', () => {
    const perProvider = (['ngdp', 'eboks', 'mitdk'] as const).map((p) => rule(p, { provider: p }));
    expect(ids(shadowingRules(moms, perProvider, opts))).toEqual(['ngdp', 'eboks', 'mitdk']);
    expect(shadowingRules(moms, perProvider.slice(1), opts)).toEqual([]);
    expect(ids(shadowingRules(moms, [rule('reply', { replyRequired: true }), rule('noreply', { replyRequired: false })], opts))).toEqual(['reply', 'noreply']);
    // A rule that itself asks for no reply needs only the rule for those.
    expect(ids(shadowingRules({ all: [moms, { replyRequired: false }] }, [rule('noreply', { replyRequired: false })], opts))).toEqual(['noreply']);
  });

  test('rules that leave some letters over are no shadow', () => {
    expect(shadowingRules(moms, [rule('skat', { senderId: '19552101' }), rule('kle', { kle: '25' })], opts)).toEqual([]);
    expect(shadowingRules({ always: true }, [rule('skat', { senderId: '19552101' })], opts)).toEqual([]);
  });
});

describe('firstShadow', () => {
  test('the shortest stretch that shadows the rule, and the rules in it that do', () => {
    const narrow = rule('skat', { senderId: '19552101' });
    expect(firstShadow(moms, [narrow, ...perCvr, rule('all', { always: true })], opts)).toEqual({ end: 4, rules: perCvr });
    expect(firstShadow(moms, [rule('all', { always: true }), ...perCvr], opts)).toEqual({ end: 1, rules: [expect.objectContaining({ id: 'all' })] });
    expect(firstShadow(moms, [narrow], opts)).toBeNull();
    expect(firstShadow(moms, [], opts)).toBeNull();
  });
});

describe('shadowedRules (the rules list)', () => {
  // The demo's rule set: one "Alt til <company>" per CVR number (seed.ts), and a narrow rule added after them.
  const demoCvrs = DEMO_ORGANISATION.cvrs.map((c) => c.cvr);
  const demo = DEMO_ORGANISATION.cvrs.map((c, i) => ({ ...rule(`alt${i + 1}`, { recipientCvr: c.cvr }), name: `Alt til ${c.name}` }));
  const momsRule = { ...rule('moms', moms), name: 'Moms til Økonomi' };
  const demoOpts = { orgCvrs: demoCvrs };
  const marks = (rules: OrderedRule[]) => Object.fromEntries([...shadowedRules(rules, demoOpts)].map(([id, s]) => [id, { by: ids(s.by), before: s.before.id }]));

  test('the per-CVR catch-alls shadow a later narrow rule, and are not marked themselves', () => {
    expect(marks([...demo, momsRule])).toEqual({ moms: { by: ['alt1', 'alt2', 'alt3', 'alt4'], before: 'alt1' } });
    // A rule for one company: only that company's catch-all, and moved before it the rule applies.
    const oneCvr = rule('one', { all: [{ recipientCvr: demoCvrs[2] }, moms] });
    expect(marks([...demo, oneCvr])).toEqual({ one: { by: ['alt3'], before: 'alt3' } });
    expect(marks([demo[0], demo[1], oneCvr, demo[2], demo[3]])).toEqual({});
  });

  test('a rule above the catch-alls is not marked; moved just before the first one that takes its letters, it applies', () => {
    expect(marks([momsRule, ...demo])).toEqual({});
    const narrow = rule('skat', { senderId: '19552101' });
    expect(marks([narrow, ...demo, momsRule])).toEqual({ moms: { by: ['alt1', 'alt2', 'alt3', 'alt4'], before: 'alt1' } });
    // Before "alt1", not first: the narrower rule above keeps deciding what it decided.
    expect(marks([narrow, momsRule, ...demo])).toEqual({});
  });

  test('disabled and continuing rules shadow nothing', () => {
    const off = demo.map((r, i) => (i === 1 ? { ...r, enabled: false } : r));
    expect(marks([...off, momsRule])).toEqual({});
    const continuing = demo.map((r, i) => (i === 3 ? { ...r, continue: true } : r));
    expect(marks([...continuing, momsRule])).toEqual({});
  });

  test('a disabled rule is not marked (it may be parked on purpose); a continuing one is, as nothing reaches it', () => {
    expect(marks([...demo, { ...momsRule, enabled: false }])).toEqual({});
    expect(marks([...demo, { ...momsRule, continue: true }])).toEqual({ moms: { by: ['alt1', 'alt2', 'alt3', 'alt4'], before: 'alt1' } });
  });

  test('a catch-all that stops shadows every enabled rule after it', () => {
    const all = rule('all', { always: true });
    expect(marks([momsRule, all, ...demo])).toEqual(Object.fromEntries(demo.map((r) => [r.id, { by: ['all'], before: 'all' }])));
    expect(marks([momsRule, { ...all, continue: true }, ...demo])).toEqual({});
  });
});
