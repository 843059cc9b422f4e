import { tokenize, stem, terms, normalizeDanish, DANISH_STOP_WORDS } from '../../backend/src/assistant/text';
import { featuresOf, type Feature } from '../../backend/src/assistant/features';
import { AssistantModel, targetOf, idsOf, pav, type Delta } from '../../backend/src/assistant/model';
import { explain } from '../../backend/src/assistant/explain';
import { recommendThreshold, evaluateThreshold, costOfPlacing } from '../../backend/src/assistant/threshold';
import { findCprNumbers } from '../../shared/src/identifiers';
import type { RoutingInput } from '../../backend/src/routing/types';

const SKST = '73423023';
const KK = '64942212';
const ORG = '72494814';

const letter = (over: Partial<RoutingInput> = {}): RoutingInput => ({
  provider: 'ngdp', senderId: SKST, senderName: 'Skattestyrelsen', recipientCvr: ORG, label: 'Moms',
  kle: [], caseIds: [], documentNames: [], replyRequired: false, cprPresent: false, ...over,
});
const names = new Map([['d-okonomi', 'Økonomi'], ['d-skat', 'Koncernskat'], ['d-loen', 'Løn'], ['d-hr', 'HR'], ['d-arbmiljo', 'Arbejdsmiljø'], ['d-hse', 'HSE']]);
let clock = Date.UTC(2025, 0, 1);
const tick = () => (clock += 3_600_000);

describe('Danish text', () => {
  test('lowercases with Danish letters kept, drops stop words, numbers and one-letter words', () => {
    expect(tokenize('ÅRSOPGØRELSE for 2024 og Lønsumsafgift til Skattestyrelsen i Ærø')).toEqual(['årsopgørelse', 'lønsumsafgift', 'skattestyrelsen', 'ærø']);
    expect(normalizeDanish('Idé, Müller, Ärlig, Ö')).toBe('ide, muller, ærlig, ø');
    for (const w of ['og', 'til', 'for', 'ikke', 'vedr', 'nr']) expect(DANISH_STOP_WORDS.has(w)).toBe(true);
  });

  test('compound words stay whole; hyphenated words give the whole and the parts', () => {
    expect(tokenize('Momsangivelsen og barselsdagpengene')).toEqual(['momsangivelsen', 'barselsdagpengene']);
    expect(tokenize('Rykker: A-skat og AM-bidrag')).toEqual(['rykker', 'a-skat', 'skat', 'am-bidrag', 'am', 'bidrag']);
  });

  test('Snowball Danish stemming joins the inflected forms', () => {
    expect(stem('momsangivelsen')).toBe(stem('momsangivelse'));
    expect(stem('byggetilladelser')).toBe(stem('byggetilladelsen'));
    expect(stem('arbejdsskader')).toBe(stem('arbejdsskade'));
    expect(stem('kommunerne')).toBe('kommun');
    const t = terms('Byggetilladelsen og byggetilladelser: to byggetilladelser. Arbejdsskade.');
    expect(t[0]).toEqual({ stem: stem('byggetilladelse'), word: 'byggetilladelsen', count: 3 });
    // Snowball strips the s of "moms" (and keeps it in "momsen"): the algorithm as published.
    expect(terms('a b c d e f moms moms moms skat skat', { max: 2 }).map((x) => [x.stem, x.word])).toEqual([['mom', 'moms'], ['skat', 'skat']]);
  });

  test('CPR numbers never reach a token, with or without hyphen', () => {
    const toks = tokenize('Medarbejder Mette Hansen, CPR-nr. 010190-1234, og 0101901234 samt 010190‐1234.');
    expect(toks.join(' ')).not.toMatch(/\d/);
    expect(toks).toEqual(['medarbejder', 'mette', 'hansen', 'cpr-nr', 'cpr', 'samt']);
  });
});

describe('features', () => {
  test('named, one per key, with human labels; the label word as written and sender × word', () => {
    const f = featuresOf(letter({
      label: 'Momsangivelse for 3. kvartal mangler', kle: ['02.34.02'], caseSystems: ['Workzone'], forms: ['FORM-24'],
      attentionPerson: 'Lønbogholderiet', productionUnit: '1017784512', attentionEmail: 'Loen@Nordlys.dk',
      contentResponsible: 'Moms, Erhverv', documentNames: ['Rykker for moms.pdf'], documentText: 'moms moms skattekonto',
    }));
    const keys = f.map((x) => x.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining([
      `s:${SKST}`, `r:${ORG}`, `sr:${SKST}|${ORG}`, 'l:momsangiv', `sw:${SKST}|momsangiv`, 't:mom', 'a:lønbogholderiet',
      'pu:1017784512', 'e:loen@nordlys.dk', 'cr:moms, erhverv', 'k:02.34.02', 'kp:02.34', 'kp:02', 'cs:workzone', 'f:FORM-24', 'd:ryk', 'p:ngdp',
    ]));
    const sw = f.find((x) => x.key === `sw:${SKST}|momsangiv`)!;
    expect(sw).toMatchObject({ kind: 'senderWord', display: 'momsangivelse', sender: 'Skattestyrelsen' });
    expect(f.find((x) => x.key === `s:${SKST}`)!.display).toBe('Skattestyrelsen');
    expect(f.find((x) => x.key === 't:mom')!.display).toBe('moms');
  });

  test('document text is capped to the most frequent stems', () => {
    const text = Array.from({ length: 500 }, (_, i) => `ord${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`).join(' ');
    expect(featuresOf(letter({ documentText: text }), { maxTextTerms: 50 }).filter((x) => x.kind === 'text')).toHaveLength(50);
  });

  test('no feature key or display holds a CPR number, wherever the letter carries one', () => {
    const f = featuresOf(letter({
      label: 'Sygedagpenge for 010190-1234', notification: 'CPR 0101901234',
      attentionPerson: 'Mette Hansen, CPR 010190-1234', attentionPersonId: '0101901234', contentResponsibleId: '010190-1234',
      caseIds: ['010190-1234', 'KK-2025-1'], documentNames: ['Sygedagpenge 010190-1234.pdf'], cvrData: ['0101901234'],
      documentText: 'Medarbejderen med CPR-nr. 010190-1234 (0101901234) er sygemeldt.', cprPresent: true,
    }));
    for (const x of f) {
      expect(findCprNumbers(`${x.key} ${x.display} ${x.sender ?? ''}`)).toEqual([]);
      expect(`${x.key} ${x.display}`).not.toContain('010190');
    }
    expect(f.find((x) => x.kind === 'attention')!.display).toBe('Mette Hansen, CPR');
    expect(f.filter((x) => x.kind === 'caseId').map((x) => x.key)).toEqual(['case:KK-2025-1']);
    expect(f.some((x) => x.kind === 'attentionId' || x.kind === 'responsibleId' || x.kind === 'cvrData')).toBe(false);
  });
});

/** Teaches `n` letters from a sender to a target, returning all deltas. */
function teach(m: AssistantModel, n: number, input: RoutingInput, target: string, opts: { allowed?: string[]; source?: 'rule' | 'placement' } = {}): Delta[] {
  const out: Delta[] = [];
  const f = featuresOf(input);
  for (let i = 0; i < n; i++) out.push(...m.learn(f, target, { at: tick(), source: opts.source ?? 'placement', ...(opts.allowed ? { allowedTargets: opts.allowed } : {}) }));
  return out;
}

describe('model', () => {
  const fromKK = letter({ senderId: KK, senderName: 'Københavns Kommune', label: 'Opfølgning på sygefravær', kle: ['15.21.00'] });

  test('targets are sets of destinations', () => {
    expect(targetOf(['d-b', 'd-a', 'd-b'])).toBe('d-a+d-b');
    expect(idsOf('d-a+d-b')).toEqual(['d-a', 'd-b']);
  });

  test('learning moves suggestions: after placements of a sender to D, D is top-1 with rising confidence', () => {
    const m = new AssistantModel();
    teach(m, 10, letter({ label: 'Moms' }), 'd-okonomi');
    teach(m, 3, fromKK, 'd-loen');
    const f = featuresOf(fromKK);
    const before = m.suggest(f)[0];
    expect(before.target).toBe('d-loen');
    teach(m, 12, fromKK, 'd-hr');
    const mid = m.suggest(f)[0];
    expect(mid.target).toBe('d-hr');
    teach(m, 30, fromKK, 'd-hr');
    const after = m.suggest(f, { names })[0];
    expect(after.target).toBe('d-hr');
    expect(after.confidence).toBeGreaterThan(mid.confidence);
    expect(after.confidence).toBeGreaterThan(0.5);
    expect(after.confidence).toBeLessThanOrEqual(1);
    const all = m.suggest(f, { k: 3 });
    expect(all).toHaveLength(3);
    expect(all.map((s) => s.target)).toEqual(['d-hr', 'd-loen', 'd-okonomi']);
    expect(all[0].confidence + all[1].confidence + all[2].confidence).toBeLessThanOrEqual(1 + 1e-9);
  });

  test('a destination outside allowedTargets is never suggested, alone or in a set', () => {
    const m = new AssistantModel();
    teach(m, 20, letter(), 'd-okonomi');
    teach(m, 5, letter(), 'd-okonomi+d-skat');
    teach(m, 2, letter(), 'd-skat');
    teach(m, 2, fromKK, 'd-hr');
    const f = featuresOf(letter());
    expect(m.suggest(f)[0].target).toBe('d-okonomi');
    const s = m.suggest(f, { allowedTargets: ['d-skat', 'd-hr'], k: 5 });
    expect(s.map((x) => x.target)).toEqual(['d-skat', 'd-hr']);
    expect(m.suggest(f, { allowedTargets: [] })).toEqual([]);
  });

  test('drift: a renamed department (new id, old archived) takes over its predecessor', () => {
    const m = new AssistantModel();
    const at = letter({ senderId: '22357875', senderName: 'Arbejdstilsynet', label: 'Påbud efter tilsynsbesøg: støj' });
    const live = ['d-okonomi', 'd-hr', 'd-hse'];
    teach(m, 25, at, 'd-arbmiljo', { allowed: ['d-okonomi', 'd-hr', 'd-arbmiljo'] });
    teach(m, 10, letter(), 'd-okonomi');
    teach(m, 8, letter({ senderId: '22357875', senderName: 'Arbejdstilsynet', label: 'Ansættelse' }), 'd-hr');
    const f = featuresOf(at);
    // Archived and nothing learnt yet: never suggested; something else comes first.
    expect(m.suggest(f, { allowedTargets: live }).map((s) => s.target)).not.toContain('d-arbmiljo');
    // One letter placed at the new destination (a rule re-pointed, or a person): it inherits the old one's evidence.
    teach(m, 1, at, 'd-hse', { allowed: live, source: 'rule' });
    const s = m.suggest(f, { allowedTargets: live, names })[0];
    expect(s).toMatchObject({ target: 'd-hse', inheritedFrom: 'd-arbmiljo' });
    // (25 of 26: the letter just delivered to HSE counts among them.)
    expect(s.explanation.da).toBe('Breve fra Arbejdstilsynet om »påbud« gik til Arbejdsmiljø 25 af 26 gange; Arbejdsmiljø er afløst af HSE.');
    expect(s.explanation.en).toBe('Letters from Arbejdstilsynet about ‘påbud’ went to Arbejdsmiljø 25 of 26 times; Arbejdsmiljø has been replaced by HSE.');
    // Without any succession evidence, the new one still overtakes after a few placements.
    const plain = new AssistantModel();
    teach(plain, 25, at, 'd-arbmiljo');
    teach(plain, 10, letter(), 'd-okonomi');
    teach(plain, 3, at, 'd-hse');
    expect(plain.suggest(f, { allowedTargets: live })[0].target).toBe('d-hse');
    // And an admin can state the succession outright.
    const stated = new AssistantModel();
    teach(stated, 25, at, 'd-arbmiljo');
    teach(stated, 10, letter(), 'd-okonomi');
    stated.succeed('d-arbmiljo', 'd-hse');
    expect(stated.suggest(f, { allowedTargets: live })[0]).toMatchObject({ target: 'd-hse', inheritedFrom: 'd-arbmiljo' });
  });

  test('explains with the strongest evidence and its counts, in Danish and English', () => {
    const m = new AssistantModel();
    teach(m, 38, letter(), 'd-okonomi');
    teach(m, 2, letter(), 'd-skat');
    teach(m, 5, fromKK, 'd-hr');
    const [first, second] = m.suggest(featuresOf(letter()), { names });
    expect(first.target).toBe('d-okonomi');
    expect(first.explanation.da).toBe('Breve fra Skattestyrelsen om »moms« gik til Økonomi 38 af 40 gange.');
    expect(first.explanation.en).toBe('Letters from Skattestyrelsen about ‘moms’ went to Økonomi 38 of 40 times.');
    expect(first.evidence).toMatchObject({ kind: 'senderWord', count: 38, total: 40 });
    // A runner-up: its counts are one feature's, its confidence the whole letter's; the sentence says so.
    expect(second.outrankedBy).toBe('d-okonomi');
    expect(second.explanation.da).toBe('Breve fra Skattestyrelsen om »moms« gik til Koncernskat 2 af 40 gange. Alt i alt peger brevet dog mere på Økonomi.');
    expect(second.explanation.en).toBe('Letters from Skattestyrelsen about ‘moms’ went to Koncernskat 2 of 40 times. Taken as a whole, though, the letter points more to Økonomi.');
    expect(first.outrankedBy).toBeUndefined();
    expect(explain(undefined, 'd-hr', names, 'en', false, 'd-okonomi')).toBe('HR is a usual choice for letters like this. Taken as a whole, though, the letter points more to Økonomi.');
    // A set of destinations is named by its members; a case number, KLE code or attention reads as such.
    expect(explain({ feature: 'case:KK-1', kind: 'caseId', display: 'KK-1', count: 1, total: 1, target: 'd-hr+d-loen' }, 'd-hr+d-loen', names, 'da'))
      .toBe('Breve i sagen KK-1 gik til HR og Løn 1 af 1 gang.');
    expect(explain({ feature: 'k:02.34.02', kind: 'kle', display: '02.34.02', count: 9, total: 10, target: 'd-x' }, 'd-x', names, 'en'))
      .toBe('Letters with the KLE subject 02.34.02 went to d-x 9 of 10 times.');
    expect(explain(undefined, 'd-hr', names, 'da')).toBe('HR er et almindeligt valg for breve som dette.');
  });

  test('explanations carry no CPR number and no document text beyond one stem', () => {
    const m = new AssistantModel();
    const withCpr = letter({ senderId: KK, senderName: 'Københavns Kommune', label: 'Sygedagpenge 010190-1234', attentionPerson: 'Mette Hansen 010190-1234', documentText: 'Medarbejderen 010190-1234 er syg. Lang tekst om fravær og opfølgning.' });
    teach(m, 6, withCpr, 'd-hr');
    teach(m, 6, letter(), 'd-okonomi');
    for (const s of m.suggest(featuresOf(withCpr), { names, k: 3 })) {
      for (const text of [s.explanation.da, s.explanation.en]) {
        expect(findCprNumbers(text)).toEqual([]);
        expect(text).not.toContain('010190');
        expect(text).not.toContain('Lang tekst');
      }
    }
    expect(explain({ feature: 'a:x', kind: 'attention', display: 'Mette 010190-1234', count: 1, total: 2, target: 'd-hr' }, 'd-hr', names, 'da'))
      .toBe('Breve til att. Mette … gik til HR 1 af 2 gange.');
  });

  test('persistence: the deltas, applied to an empty model, give the same suggestions; so does toJSON/fromJSON', () => {
    const live = new AssistantModel();
    const deltas: Delta[] = [];
    deltas.push(...teach(live, 20, letter(), 'd-okonomi', { source: 'rule' }));
    deltas.push(...teach(live, 7, fromKK, 'd-hr'));
    deltas.push(...teach(live, 3, fromKK, 'd-hr+d-loen', { allowed: ['d-hr', 'd-loen', 'd-okonomi'] }));
    deltas.push(...teach(live, 4, letter({ label: 'A-skat', documentText: 'indeholdt A-skat for medarbejdere' }), 'd-loen'));
    deltas.push(...live.succeed('d-arbmiljo', 'd-hse'));
    // What a store holds: one row per (feature, target), the deltas summed (upsert count += delta).
    const table = new Map<string, Delta>();
    for (const d of deltas) {
      const k = `${d.feature}\u0000${d.target}`;
      const row = table.get(k);
      if (row) row.delta += d.delta; else table.set(k, { ...d });
    }
    const loaded = new AssistantModel();
    loaded.applyDeltas(table.values());
    const revived = AssistantModel.fromJSON(JSON.parse(JSON.stringify(live.toJSON())));
    for (const input of [letter(), fromKK, letter({ label: 'A-skat' }), letter({ senderId: '99999999', senderName: 'Ukendt', label: 'Noget helt andet' })]) {
      const f = featuresOf(input);
      const want = live.suggest(f, { names, k: 4, at: clock });
      expect(loaded.suggest(f, { names, k: 4, at: clock })).toEqual(want);
      expect(revived.suggest(f, { names, k: 4, at: clock })).toEqual(want);
    }
    expect([...loaded.rows()].length).toBe(table.size);
  });

  test('with a half-life, older examples weigh less and the stored rows stay plain sums', () => {
    const m = new AssistantModel({ halfLifeDays: 30 });
    const day = 86_400_000;
    const t0 = Date.UTC(2025, 0, 1);
    const f = featuresOf(fromKK);
    const deltas: Delta[] = [];
    for (let i = 0; i < 10; i++) deltas.push(...m.learn(f, 'd-hr', { at: t0 + i * 3_600_000 }));
    for (let i = 0; i < 4; i++) deltas.push(...m.learn(f, 'd-loen', { at: t0 + 120 * day + i * 3_600_000 }));
    expect(m.suggest(f, { at: t0 + 121 * day })[0].target).toBe('d-loen');
    const loaded = new AssistantModel({ halfLifeDays: 30 });
    loaded.applyDeltas(deltas);
    expect(loaded.suggest(f, { at: t0 + 121 * day })).toEqual(m.suggest(f, { at: t0 + 121 * day }));
    expect(new AssistantModel().learn(f, 'd-hr', { at: t0 }).every((d) => d.delta === 1 || d.feature.startsWith('#'))).toBe(true);
  });

  test('forgetTarget removes what was learnt about a target', () => {
    const m = new AssistantModel();
    teach(m, 5, letter(), 'd-okonomi');
    teach(m, 5, fromKK, 'd-hr');
    const d = m.forgetTarget('d-hr');
    expect(d.every((x) => x.delta < 0)).toBe(true);
    expect(m.targets()).toEqual(['d-okonomi']);
  });
});

describe('calibration and threshold', () => {
  test('pool-adjacent-violators gives a non-decreasing fit', () => {
    expect(pav([0.1, 0.5, 0.3, 0.9], [1, 1, 1, 1])).toEqual([0.1, 0.4, 0.4, 0.9]);
    const [a, b] = pav([0.9, 0.1], [1, 3]);
    expect(a).toBeCloseTo(0.3);
    expect(b).toBeCloseTo(0.3);
  });

  test('confidence is monotone in the raw score and tracks how often the top-1 was right', () => {
    const m = new AssistantModel();
    // Many senders, each with its own usual destination, some letters ambiguous between two.
    const dests = ['d-a', 'd-b', 'd-c', 'd-d', 'd-e'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const outcomes: { confidence: number; correct: boolean }[] = [];
    for (let i = 0; i < 1500; i++) {
      const s = Math.floor(rnd() * 20);
      const usual = dests[s % 5];
      const ambiguous = s % 4 === 0;
      const target = ambiguous && rnd() < 0.4 ? dests[(s + 1) % 5] : usual;
      const f = featuresOf(letter({ senderId: String(20000000 + s), senderName: `Afsender ${s}`, label: ambiguous ? 'Blandet post' : `Emne ${s % 5}` }));
      if (i > 500) {
        const top = m.suggest(f, { k: 1 })[0];
        outcomes.push({ confidence: top.confidence, correct: top.target === target });
      }
      m.learn(f, target, { at: tick() });
    }
    const table = m.calibrationTable();
    for (let i = 1; i < table.length; i++) expect(table[i].confidence).toBeGreaterThanOrEqual(table[i - 1].confidence - 1e-12);
    for (let z = -3; z < 40; z += 0.25) expect(m.calibrate(z + 0.25)).toBeGreaterThanOrEqual(m.calibrate(z) - 1e-12);
    // Calibrated: the confident letters are right about as often as their confidence says.
    const hi = outcomes.filter((o) => o.confidence >= 0.9);
    const lo = outcomes.filter((o) => o.confidence < 0.8);
    expect(hi.length).toBeGreaterThan(100);
    expect(lo.length).toBeGreaterThan(50);
    const acc = (xs: typeof outcomes) => xs.filter((o) => o.correct).length / xs.length;
    const mean = (xs: typeof outcomes) => xs.reduce((a, o) => a + o.confidence, 0) / xs.length;
    expect(acc(hi)).toBeGreaterThan(acc(lo));
    expect(Math.abs(acc(hi) - mean(hi))).toBeLessThan(0.05);
    expect(Math.abs(acc(lo) - mean(lo))).toBeLessThan(0.12);
  });

  const history = [
    ...Array.from({ length: 200 }, (_, i) => ({ confidence: 0.99, correct: i !== 0 })),
    ...Array.from({ length: 100 }, (_, i) => ({ confidence: 0.9, correct: i > 1 })),
    ...Array.from({ length: 100 }, (_, i) => ({ confidence: 0.6, correct: i > 30 })),
  ];

  test('observed: the lowest threshold with at most 1 % of what it places seen wrong', () => {
    const r = recommendThreshold(history, { method: 'observed' });
    expect(r).toMatchObject({ threshold: 0.9, placed: 300, wrong: 3, n: 400 });
    expect(r.wrongRate).toBeCloseTo(0.01);
    expect(recommendThreshold(history, { method: 'observed', maxWrongRate: 0.005 }).threshold).toBe(0.99);
    expect(recommendThreshold(history, { method: 'observed', maxWrongRate: 0.001 }).threshold).toBeNull();
    // Bounded over all automatic placements (rules' 3,000 too), a lower threshold passes.
    expect(recommendThreshold(history, { method: 'observed', alreadyAutomated: 3000 }).threshold).toBe(0.6);
    // A Wilson upper bound asks for more evidence than the share seen.
    expect(recommendThreshold(history, { method: 'observed', confidence: 0.9 }).threshold).toBeNull();
    expect(recommendThreshold(history, { method: 'observed', confidence: 0.9, maxWrongRate: 0.03 }).threshold).toBe(0.9);
    expect(evaluateThreshold(history, 0.95)).toMatchObject({ placed: 200, wrong: 1, coverage: 0.5 });
  });

  test('expected (default): the wrong placements the calibrated confidences promise', () => {
    const r = recommendThreshold(history);
    expect(r).toMatchObject({ threshold: 0.99, placed: 200, wrong: 1 });
    expect(r.expectedWrongRate).toBeCloseTo(0.01);
    // 2 + 10 expected wrong of 300 + 3,000 rule placements: under 1 %; adding the 0.6s (40 more) is not.
    expect(recommendThreshold(history, { alreadyAutomated: 3000 }).threshold).toBe(0.9);
    expect(recommendThreshold(history, { minPlaced: 500 }).threshold).toBeNull();
  });

  test('costOfPlacing: the wrong ones among the N most confident, ties taken in proportion', () => {
    // The 200 at 0.99 (1 wrong), then half of the 100 at 0.9 (2 wrong among them: 1 expected).
    const r = costOfPlacing(history, 250, 750)!;
    expect(r.placed).toBe(250);
    expect(r.wrong).toBeCloseTo(2);
    expect(r.wrongRate).toBeCloseTo(2 / 250);
    expect(r.wrongRateOfAutomated).toBeCloseTo(2 / 1000);
    // Order within a tie does not matter: the wrong ones listed first or last give the same cost.
    const reversed = [...history].reverse();
    expect(costOfPlacing(reversed, 250)!.wrong).toBeCloseTo(2);
    expect(costOfPlacing(history, 400)!.wrong).toBeCloseTo(1 + 2 + 31);
    expect(costOfPlacing(history, 0)).toMatchObject({ placed: 0, wrong: 0, wrongRate: 0 });
    expect(costOfPlacing(history, 401)).toBeNull();
  });
});
