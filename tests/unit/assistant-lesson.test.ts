// Taking a lesson back (a reroute): the model's unlearn, and which lesson a letter's timeline says it
// taught (triage/lesson.ts, pure parts).
import { featuresOf } from '../../backend/src/assistant/features';
import { AssistantModel, type Delta } from '../../backend/src/assistant/model';
import { currentLesson, rerouteLesson, type Lesson } from '../../backend/src/triage/lesson';
import type { RoutingInput } from '../../backend/src/routing/types';

const letter = (over: Partial<RoutingInput> = {}): RoutingInput => ({
  provider: 'ngdp', senderId: '73423023', senderName: 'Skattestyrelsen', recipientCvr: '72494814', label: 'Moms',
  kle: [], caseIds: [], documentNames: [], replyRequired: false, cprPresent: false, ...over,
});
const rowsOf = (m: AssistantModel) => [...m.rows()].map((r) => `${r.feature}|${r.target}|${r.delta}`).sort();
const sum = (deltas: Delta[]) => {
  const m = new AssistantModel();
  m.applyDeltas(deltas);
  return rowsOf(m);
};

describe('unlearn', () => {
  test('takes back exactly what learn added, and the suggestion moves to the new place', () => {
    const m = new AssistantModel();
    for (let i = 0; i < 3; i++) m.learn(featuresOf(letter({ label: 'Rykker for moms' })), 'd-okonomi', { source: 'rule' });
    const before = rowsOf(m);
    const moved = featuresOf(letter({ label: 'Afgørelse om moms' }));
    m.learn(moved, 'd-okonomi', { source: 'rule' });
    m.unlearn(moved, 'd-okonomi');
    expect(rowsOf(m)).toEqual(before);
    // Three letters for Økonomi, then two moved to Skat: a letter like those goes to Skat now.
    for (let i = 0; i < 2; i++) {
      const f = featuresOf(letter({ label: 'Afgørelse om moms', caseIds: [`K-${i}`] }));
      m.learn(f, 'd-okonomi', { source: 'rule' });
      m.unlearn(f, 'd-okonomi');
      m.learn(f, 'd-skat', { source: 'reroute' });
    }
    expect(m.suggest(featuresOf(letter({ label: 'Afgørelse om moms' })))[0].target).toBe('d-skat');
  });

  test('as increments, in any order: a take-back applied before its lesson (a stale process) sums the same and reads as zero meanwhile', () => {
    const f = featuresOf(letter({ label: 'Afgørelse om moms' }));
    const teacher = new AssistantModel();
    const learnt = teacher.learn(f, 'd-okonomi', { source: 'rule' });
    const other = new AssistantModel();
    other.learn(featuresOf(letter({ senderId: '64942212', senderName: 'Københavns Kommune', label: 'Byggesag' })), 'd-jura', { source: 'rule' });
    const takenBack = other.unlearn(f, 'd-okonomi');
    // Meanwhile the other process reads the negative rows as nothing: no NaN, no phantom target.
    expect(other.targets()).toEqual(['d-jura']);
    const s = other.suggest(f);
    expect(s[0].target).toBe('d-jura');
    expect(Number.isFinite(s[0].confidence)).toBe(true);
    // Once both are applied, the sums are as if the lesson never was.
    expect(sum([...learnt, ...takenBack])).toEqual([]);
    other.applyDeltas(learnt);
    expect(other.targets()).toEqual(['d-jura']);
  });

  test('with a half-life, the lesson\'s own time is taken back', () => {
    const m = new AssistantModel({ halfLifeDays: 30 });
    const f = featuresOf(letter());
    const at = Date.UTC(2025, 0, 1);
    const learnt = m.learn(f, 'd-okonomi', { source: 'rule', at });
    const back = m.unlearn(f, 'd-okonomi', { at });
    expect(sum([...learnt, ...back])).toEqual([]);
  });
});

describe('a letter\'s lesson', () => {
  const at = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, n));
  test('the latest rule delivery, placement or reroute that taught; earlier reroutes and other events are not lessons', () => {
    expect(currentLesson([])).toBeNull();
    expect(currentLesson([{ type: 'triage', at: at(0), data: {} }, { type: 'suggested', at: at(1), data: { suggestions: [] } }])).toBeNull();
    expect(currentLesson([{ type: 'routed', at: at(0), data: { destinationIds: ['b', 'a'] } }])).toEqual({ target: 'a+b', kind: 'rule', at: at(0) });
    expect(currentLesson([
      { type: 'triage', at: at(0), data: {} },
      { type: 'auto_placed', at: at(1), data: { destinationIds: ['a'] } },
      { type: 'reroute_requested', at: at(2), data: { destinationIds: ['x'] } }, // before reroutes taught
      { type: 'resend_requested', at: at(3), data: { destinationIds: ['a'] } },
    ])).toEqual({ target: 'a', kind: 'auto', at: at(1) });
    expect(currentLesson([
      { type: 'placed', at: at(1), data: { destinationIds: ['a'] } },
      { type: 'reroute_requested', at: at(2), data: { destinationIds: ['c', 'b'], taught: 'b+c' } },
    ])).toEqual({ target: 'b+c', kind: 'reroute', at: at(2) });
  });

  test('a reroute replaces the lesson; to where it was taught to go, nothing; a verdict only where none was counted', () => {
    const lesson = (kind: Lesson['kind'], target = 'a+b'): Lesson => ({ target, kind, at: at(0) });
    expect(rerouteLesson(lesson('rule'), ['a'], false)).toBeNull();
    expect(rerouteLesson(lesson('rule'), ['b', 'a'], false)).toBeNull();
    expect(rerouteLesson(lesson('rule'), ['c', 'a'], false)).toEqual({ from: lesson('rule'), to: ['a', 'c'], source: 'reroute' });
    expect(rerouteLesson(lesson('placement'), ['c'], false)?.source).toBe('reroute');
    expect(rerouteLesson(lesson('reroute'), ['c'], false)?.source).toBe('reroute');
    expect(rerouteLesson(lesson('auto'), ['c'], false)?.source).toBe('placement');
    expect(rerouteLesson(null, ['c'], true)).toEqual({ from: null, to: ['c'], source: 'placement' });
    expect(rerouteLesson(null, ['c'], false)).toEqual({ from: null, to: ['c'], source: 'reroute' });
  });
});
