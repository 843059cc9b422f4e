import { routeLetter, type Rule } from '../../backend/src/routing/route';
import { conditionSchema } from '../../backend/src/routing/conditions';
import type { RoutingFacts } from '../../backend/src/routing/facts';

const facts: RoutingFacts = {
  provider: 'ngdp', senderId: '29188335', senderName: 'Skattestyrelsen', recipientCvr: '10150817', label: 'Momsangivelse for 3. kvartal',
  kle: [], caseIds: [], documentNames: ['moms.pdf'], replyRequired: false, cprPresent: false,
};
const rule = (id: string, priority: number, conditions: Rule['conditions'], destinationIds = [`d-${id}`], enabled = true): Rule =>
  ({ id, name: `rule ${id}`, priority, enabled, conditions, destinationIds });

describe('routeLetter', () => {
  test('the first matching rule by priority wins and says why', () => {
    const d = routeLetter(facts, [
      rule('late', 20, { always: true }),
      rule('moms', 10, { all: [{ senderId: '29188335' }, { labelContains: 'MOMS' }] }),
    ]);
    expect(d).toEqual({ kind: 'destinations', ruleId: 'moms', ruleName: 'rule moms', destinationIds: ['d-moms'],
      why: ['sender is 29188335', 'subject contains "MOMS"'] });
  });

  test('disabled rules and non-matching rules are skipped; nothing left means triage', () => {
    expect(routeLetter(facts, [rule('off', 1, { always: true }, ['x'], false), rule('other', 2, { recipientCvr: '12345678' })]))
      .toEqual({ kind: 'triage', why: ['no rule matched'] });
  });

  test('any, not and a rule without destinations (to triage)', () => {
    const d = routeLetter(facts, [rule('t', 1, { any: [{ senderId: 'nope' }, { not: { labelContains: 'årsopgørelse' } }] }, [])]);
    expect(d.kind).toBe('triage');
    expect(d.why[0]).toBe('rule "rule t" sends to triage');
    expect(d.why).toContain('not (subject contains "årsopgørelse")');
  });

  test('label matching is case-insensitive for Danish letters', () => {
    const d = routeLetter({ ...facts, label: 'ÅRSOPGØRELSE 2025' }, [rule('a', 1, { labelContains: 'årsopgørelse' })]);
    expect(d.kind).toBe('destinations');
  });

  test('condition validation refuses unknown fields and bad CVR numbers with a message', () => {
    expect(conditionSchema.safeParse({ recipientCvr: '123' }).success).toBe(false);
    expect(conditionSchema.safeParse({ bogus: 1 }).success).toBe(false);
    expect(conditionSchema.safeParse({ all: [] }).success).toBe(false);
    expect(conditionSchema.parse({ all: [{ always: true }, { not: { senderId: 'x' } }] })).toBeTruthy();
  });
});
