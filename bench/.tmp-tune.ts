import { buildCorpus, allowedAt } from './lib/corpus';
import { featuresOf } from '../backend/src/assistant/features';
import { AssistantModel, targetOf, DEFAULT_KIND_WEIGHTS, DEFAULT_OPTIONS } from '../backend/src/assistant/model';
const seeds = (process.env.SEEDS ?? '7,13').split(',').map(Number);
const data = seeds.map((seed) => buildCorpus({ seed }).letters.filter((l) => l.month <= 9).map((l) => ({ l, f: featuresOf(l.input), t: targetOf(l.truth), allowed: allowedAt(l.month) })));
function evalOpts(o: any): number {
  let ok = 0, n = 0, ok3 = 0;
  for (const d of data) {
    const m = new AssistantModel(o);
    for (const { l, f, t, allowed } of d) {
      if (l.rule) { m.learn(f, t, { at: l.at, source: 'rule' }); continue; }
      if (l.month >= 4) {
        const s = m.suggest(f, { allowedTargets: allowed, at: l.at, k: 3 });
        n++; if (s[0]?.target === t) ok++; if (s.some((x) => x.target === t)) ok3++;
      }
      m.learn(f, t, { at: l.at, source: 'rule' });
    }
  }
  return ok / n + 0.25 * ok3 / n;
}
let best: any = { kindWeights: { ...DEFAULT_KIND_WEIGHTS }, alpha: DEFAULT_OPTIONS.alpha, priorWeight: DEFAULT_OPTIONS.priorWeight };
if (process.env.START) best = JSON.parse(process.env.START);
let bestScore = evalOpts(best);
console.log('start', bestScore.toFixed(4));
for (let sweep = 0; sweep < Number(process.env.SWEEPS ?? 2); sweep++) {
  for (const key of [...Object.keys(best.kindWeights).map((k) => `w.${k}`), 'alpha', 'priorWeight']) {
    for (const mul of [0.5, 2, 0.75, 1.33]) {
      const cand = JSON.parse(JSON.stringify(best));
      if (key.startsWith('w.')) cand.kindWeights[key.slice(2)] = +(cand.kindWeights[key.slice(2)] * mul).toPrecision(3);
      else cand[key] = +(cand[key] * mul).toPrecision(3);
      const s = evalOpts(cand);
      if (s > bestScore + 1e-4) { best = cand; bestScore = s; console.log(sweep, key, mul, s.toFixed(4)); break; }
    }
  }
}
console.log(JSON.stringify(best));
