// npm run bench:assistant — how well the triage assistant places letters no rule placed.
//
// A synthetic year of Digital Post for a company group (bench/lib/corpus.ts: 30 senders, 6 CVR
// numbers, 35 destinations, drift) goes through the group's rules in time order. A letter a rule
// places teaches the model (source 'rule'). Every other letter is triaged: the assistant suggests
// (only destinations live in the registry that month), the suggestion is scored against where the
// letter belongs, and then the simulated person places it correctly and the model learns
// (source 'placement', which also calibrates the confidence) — online, all year.
//
//   months 1–9   training; months 7–9 are also the validation slice: their triage suggestions
//                (made before each letter was learnt) choose the auto-placement threshold — the
//                lowest at which the expected wrong placements (Σ 1 − confidence) are ≤ 1 % of all
//                automatic placements of those months, the rules' and the ones it would have made
//                (recommendThreshold with alreadyAutomated, the function the product offers
//                admins; the stricter bound on the assistant's own placements, counted, is
//                printed too);
//   months 10–12 measured, the threshold fixed. A triaged letter whose top-1 confidence reaches
//                the threshold is auto-placed (no person looks; the model learns the choice it
//                made, right or wrong: 'auto'); the others are placed by the person and learnt.
//
// Printed last (fractions 0..1, over months 10–12):
//   top1_accuracy / top3_accuracy  triaged letters whose right place was the first / among the
//                                  first three suggestions;
//   automation_rate                (rule placements + auto-placements) / all letters;
//   wrong_placement_rate           wrong auto-placements / all automatic placements (rules + auto).
// Context lines before them also give the wrong share among the assistant's own auto-placements,
// and how far the 95 % target is: the wrong share had just enough of the most confident triaged
// letters been auto-placed for 95 % automation (in hindsight), next to a perfect model's, which is
// wrong only on the 2 % inconsistent placements (no model can foresee them).
//
// The model counts keyed features, as in production (triage/assistant-store.ts: each key an HMAC under
// the organisation's key, memoised the same way); `key` in the cost line is what the keying costs.
// BENCH_CLEAR=1 runs on the clear keys instead: the figures are the same.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { buildCorpus, allowedAt, type CorpusLetter } from './lib/corpus';
import { featuresOf, keyFeatures } from '../backend/src/assistant/features';
import { keyedHasher } from '../backend/src/crypto/keyed-hash';
import { AssistantModel, targetOf, type ModelOptions } from '../backend/src/assistant/model';
import { recommendThreshold, evaluateThreshold, costOfPlacing, type Outcome } from '../backend/src/assistant/threshold';

export interface RunResult {
  letters: number;
  testLetters: number;
  ruleShareTest: number;
  validation: { triaged: number; top1: number; top3: number; outcomes: Outcome[] };
  threshold: ReturnType<typeof recommendThreshold>;
  /** The stricter threshold (≤ 1 % wrong among the assistant's own auto-placements), for reference. */
  strictThreshold: ReturnType<typeof recommendThreshold>;
  test: {
    triaged: number; top1: number; top3: number; autoPlaced: number; autoWrong: number; rulePlaced: number;
    automation: number; wrongRate: number; autoWrongRate: number; outcomes: Outcome[];
    /** Triaged letters the simulated person placed inconsistently (no model can foresee them). */
    inconsistent: number;
  };
  /**
   * Distance to the target, in hindsight (not a result): the wrong share of all automatic placements
   * if just enough triaged letters of months 10–12 were auto-placed for 95 % automation — this
   * model's most confident ones (costOfPlacing), and a perfect model's, wrong only on the
   * inconsistent placements, which it cannot tell apart (their share of what it places).
   */
  at95: { placed: number; modelWrong: number; perfectWrong: number } | null;
  perMonth: { month: number; triaged: number; top1: number; auto: number }[];
  timing: { learnUsPerLetter: number; suggestUsPerLetter: number; featuresUsPerLetter: number; keyUsPerLetter: number };
  rows: number;
}

export function run(opts: { seed?: number; inconsistency?: number; model?: Partial<ModelOptions>; maxWrongRate?: number } = {}): RunResult {
  const corpus = buildCorpus({ seed: opts.seed, ...(opts.inconsistency !== undefined ? { inconsistency: opts.inconsistency } : {}) });
  const model = new AssistantModel(opts.model);
  const maxWrong = opts.maxWrongRate ?? 0.01;
  const val: Outcome[] = [];
  const testOut: Outcome[] = [];
  let valTop1 = 0, valTop3 = 0, valN = 0;
  let t1 = 0, t3 = 0, tn = 0, auto = 0, autoWrong = 0, rulePlaced = 0, testLetters = 0, testInconsistent = 0;
  let threshold: ReturnType<typeof recommendThreshold> | undefined;
  let strictThreshold: ReturnType<typeof recommendThreshold> | undefined;
  let valRules = 0;
  const perMonth = new Map<number, { month: number; triaged: number; top1: number; auto: number }>();
  let tLearn = 0, tSuggest = 0, tFeat = 0, tKey = 0, nLearn = 0, nSuggest = 0;
  const hash = process.env.BENCH_CLEAR ? null : keyedHasher(randomBytes(32), 100_000); // as AssistantStore's

  for (const l of corpus.letters) {
    if (l.month >= 10 && !threshold) {
      threshold = recommendThreshold(val, { maxWrongRate: maxWrong, alreadyAutomated: valRules });
      strictThreshold = recommendThreshold(val, { maxWrongRate: maxWrong, method: 'observed' });
    }
    const allowed = allowedAt(l.month);
    let t0 = performance.now();
    const clear = featuresOf(l.input);
    tFeat += performance.now() - t0;
    t0 = performance.now();
    const features = hash ? keyFeatures(clear, hash) : clear;
    tKey += performance.now() - t0;
    const target = targetOf(l.truth);
    const test = l.month >= 10;
    if (test) testLetters++;
    const learn = (tgt: string, source: 'rule' | 'placement' | 'auto') => {
      const s = performance.now();
      model.learn(features, tgt, { at: l.at, source, allowedTargets: allowed });
      tLearn += performance.now() - s;
      nLearn++;
    };
    if (l.rule) {
      if (test) rulePlaced++;
      if (l.month >= 7 && l.month <= 9) valRules++;
      learn(target, 'rule');
      continue;
    }
    t0 = performance.now();
    const sug = model.suggest(features, { allowedTargets: allowed, at: l.at });
    tSuggest += performance.now() - t0;
    nSuggest++;
    const top1 = sug[0]?.target === target;
    const top3 = sug.slice(0, 3).some((s) => s.target === target);
    const conf = sug[0]?.confidence ?? 0;
    const pm = perMonth.get(l.month) ?? { month: l.month, triaged: 0, top1: 0, auto: 0 };
    pm.triaged++;
    if (top1) pm.top1++;
    perMonth.set(l.month, pm);
    if (l.month >= 7 && l.month <= 9) {
      valN++; if (top1) valTop1++; if (top3) valTop3++;
      val.push({ confidence: conf, correct: top1 });
    }
    if (test) {
      tn++; if (top1) t1++; if (top3) t3++; if (l.inconsistent) testInconsistent++;
      testOut.push({ confidence: conf, correct: top1 });
      if (threshold!.threshold !== null && sug[0] && conf >= threshold!.threshold) {
        auto++; pm.auto++;
        if (!top1) autoWrong++;
        learn(sug[0].target, 'auto');
        continue;
      }
    }
    learn(target, 'placement');
  }
  const automated = rulePlaced + auto;
  const need = Math.max(0, Math.ceil(0.95 * testLetters) - rulePlaced);
  const cost = costOfPlacing(testOut, need, rulePlaced);
  return {
    letters: corpus.letters.length,
    testLetters,
    ruleShareTest: rulePlaced / testLetters,
    validation: { triaged: valN, top1: valTop1 / valN, top3: valTop3 / valN, outcomes: val },
    threshold: threshold!,
    strictThreshold: strictThreshold!,
    test: {
      triaged: tn, top1: t1 / tn, top3: t3 / tn, autoPlaced: auto, autoWrong, rulePlaced,
      automation: automated / testLetters, wrongRate: automated ? autoWrong / automated : 0, autoWrongRate: auto ? autoWrong / auto : 0,
      outcomes: testOut, inconsistent: testInconsistent,
    },
    at95: cost && { placed: need, modelWrong: cost.wrongRateOfAutomated, perfectWrong: (need * testInconsistent) / tn / (need + rulePlaced) },
    perMonth: [...perMonth.values()].sort((a, b) => a.month - b.month),
    timing: { learnUsPerLetter: (tLearn * 1000) / nLearn, suggestUsPerLetter: (tSuggest * 1000) / nSuggest, featuresUsPerLetter: (tFeat * 1000) / corpus.letters.length, keyUsPerLetter: (tKey * 1000) / corpus.letters.length },
    rows: [...model.rows()].length,
  };
}

const f4 = (x: number) => x.toFixed(4);

function main(): void {
  const seed = process.env.BENCH_SEED ? Number(process.env.BENCH_SEED) : undefined;
  const corpus = buildCorpus({ seed });
  const ruleShare = corpus.letters.filter((l) => l.rule).length / corpus.letters.length;
  const r = run({ seed });
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`corpus: ${r.letters} letters in 12 months, ${corpus.senders.length} senders (${corpus.senders.filter((s) => s.from > 1).length} new during the year), ${corpus.companies.length} CVR numbers, ${corpus.destinations.length} destinations (1 renamed in month 10)`);
  say(`corpus: ${corpus.letters.filter((l) => l.followUp).length} follow-up letters, ${corpus.letters.filter((l) => l.inconsistent).length} placements inconsistent with the usual place, ${corpus.letters.filter((l) => l.input.cprPresent).length} letters naming a CPR number`);
  say(`rules placed ${f4(ruleShare)} of all letters (${f4(r.ruleShareTest)} in months 10–12)`);
  say(`validation (months 7–9, triage): ${r.validation.triaged} letters, top1 ${f4(r.validation.top1)}, top3 ${f4(r.validation.top3)}`);
  const th = r.threshold;
  say(th.threshold === null
    ? 'threshold: none meets ≤ 1 % wrong on the validation slice (no auto-placement)'
    : `threshold: ${f4(th.threshold)} (lowest with ≤ 1 % expected wrong among all automatic placements of months 7–9: would have auto-placed ${th.placed} of ${th.n} triaged; expected wrong ${f4(th.expectedWrongRate)}, seen ${th.wrong} = ${f4(th.wrongRate)} of its own placements, ${f4(th.wrongRateOfAutomated)} of all automatic ones)`);
  const st = r.strictThreshold;
  say(st.threshold === null
    ? 'strict threshold (≤ 1 % seen wrong among the assistant\'s own auto-placements on months 7–9): none'
    : `strict threshold (≤ 1 % seen wrong among the assistant's own auto-placements on months 7–9): ${f4(st.threshold)}, would have auto-placed ${st.placed} of ${st.n}`);
  for (const t of [0.5, 0.8, 0.9, 0.95, 0.98]) {
    const e = evaluateThreshold(r.test.outcomes, t);
    say(`  at threshold ${t.toFixed(2)} on months 10–12 (for reference): auto-places ${f4(e.coverage)} of triage, ${f4(e.wrongRate)} of those wrong`);
  }
  // Calibration on the measured months: does the top-1 confidence mean P(right)?
  const bands = [[0, 0.5], [0.5, 0.8], [0.8, 0.95], [0.95, 1.01]] as const;
  say(`calibration (months 10–12, triage): ${bands.map(([lo, hi]) => {
    const xs = r.test.outcomes.filter((o) => o.confidence >= lo && o.confidence < hi);
    if (!xs.length) return `[${lo}, ${Math.min(hi, 1)}) none`;
    const mean = xs.reduce((a, o) => a + o.confidence, 0) / xs.length;
    return `[${lo}, ${Math.min(hi, 1)}) ${xs.length} letters, mean confidence ${f4(mean)}, right ${f4(xs.filter((o) => o.correct).length / xs.length)}`;
  }).join('; ')}`);
  for (const m of r.perMonth) say(`month ${String(m.month).padStart(2)}: ${String(m.triaged).padStart(4)} triaged, top1 ${f4(m.top1 / m.triaged)}${m.auto ? `, auto-placed ${m.auto}` : ''}`);
  say(`test (months 10–12): ${r.testLetters} letters, ${r.test.rulePlaced} by rules, ${r.test.triaged} triaged (${r.test.inconsistent} placed inconsistently), ${r.test.autoPlaced} auto-placed (${r.test.autoWrong} wrong: ${f4(r.test.autoWrongRate)} of auto-placements)`);
  const at95 = (x: RunResult) => (x.at95 ? `wrong at 95 % automation in hindsight ${f4(x.at95.modelWrong)} (a perfect model ${f4(x.at95.perfectWrong)})` : 'too few triaged letters for 95 % automation');
  say(`distance to the target (hindsight, not a result; the ${r.at95?.placed ?? '?'} most confident triaged letters auto-placed; a perfect model is wrong only on the inconsistent placements, expected): ${at95(r)}`);
  // Sensitivity, not a result: the same corpus where people always place alike (no 2 % inconsistency).
  const c = run({ seed, inconsistency: 0 });
  say(`if people placed with no inconsistency (same corpus otherwise, for reference): top1 ${f4(c.test.top1)}, threshold ${c.threshold.threshold === null ? 'none' : f4(c.threshold.threshold)}, automation ${f4(c.test.automation)}, wrong ${f4(c.test.wrongRate)} of automatic placements (${f4(c.test.autoWrongRate)} of auto-placements)`);
  // Spread: the same run on other corpora (seeds never used to choose the model's weights, which
  // were chosen on months 4–9 of seeds 7 and 13).
  if (!process.env.BENCH_SEED) {
    for (const other of [5, 21, 33, 99]) {
      const o = run({ seed: other });
      say(`other corpus (seed ${other}, for the spread): top1 ${f4(o.test.top1)}, top3 ${f4(o.test.top3)}, threshold ${o.threshold.threshold === null ? 'none' : f4(o.threshold.threshold)}, automation ${f4(o.test.automation)}, wrong ${f4(o.test.wrongRate)}; ${at95(o)}`);
    }
  }
  say(`cost: features ${r.timing.featuresUsPerLetter.toFixed(0)} µs, key ${r.timing.keyUsPerLetter.toFixed(0)} µs, learn ${r.timing.learnUsPerLetter.toFixed(0)} µs, suggest ${r.timing.suggestUsPerLetter.toFixed(0)} µs per letter; ${r.rows} stored rows after the year`);
  say(`top1_accuracy: ${f4(r.test.top1)}`);
  say(`top3_accuracy: ${f4(r.test.top3)}`);
  say(`automation_rate: ${f4(r.test.automation)}`);
  say(`wrong_placement_rate: ${f4(r.test.wrongRate)}`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
