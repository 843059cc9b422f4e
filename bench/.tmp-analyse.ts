import { buildCorpus, allowedAt } from './lib/corpus';
import { featuresOf } from '../backend/src/assistant/features';
import { AssistantModel, targetOf } from '../backend/src/assistant/model';
const opts = process.env.OPTS ? JSON.parse(process.env.OPTS) : {};
const c = buildCorpus({ seed: process.env.SEED ? Number(process.env.SEED) : 7 });
const m = new AssistantModel(opts);
const errs = new Map<string, number>();
const tot = new Map<string, number>();
let n = 0, ok = 0;
for (const l of c.letters) {
  const f = featuresOf(l.input);
  const allowed = allowedAt(l.month);
  const t = targetOf(l.truth);
  if (l.rule) { m.learn(f, t, { at: l.at, source: 'rule', allowedTargets: allowed }); continue; }
  const s = m.suggest(f, { allowedTargets: allowed, at: l.at });
  if (l.month >= 4 && l.month <= 9) {
    n++;
    const key = l.topic.replace(/^followup:.*/, 'followup') + (l.inconsistent ? '(inc)' : '');
    tot.set(key, (tot.get(key) ?? 0) + 1);
    if (s[0]?.target === t) ok++;
    else {
      errs.set(key, (errs.get(key) ?? 0) + 1);
      if (process.env.SHOW && Math.random() < 0.08) console.log(key, t, '->', s.slice(0, 3).map(x => `${x.target}:${x.confidence.toFixed(2)}`).join(' '), '|', l.input.label, '|', s[0]?.explanation.da);
    }
  }
  m.learn(f, t, { at: l.at, source: 'placement', allowedTargets: allowed });
}
console.log('top1 months 4-9', (ok / n).toFixed(4), n);
console.log([...errs].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}/${tot.get(k)}`).join('  '));
console.log(m.calibrationTable().map(r => `${r.from}..${r.to}: ${r.hit}/${r.all} -> ${r.confidence.toFixed(3)}`).join('\n'));
