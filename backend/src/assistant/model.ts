// The assistant's model: an online, count-based classifier over targets (a target is a set of
// destinations), learnt from rule deliveries and people's placements. Pure: no I/O; the store
// persists the count deltas that `learn` returns and feeds them back through `applyDeltas`.
//
// Model: multinomial naive Bayes with one vocabulary per feature kind and a weight per kind
// (a letter's 200 text stems must not outvote its one sender), Laplace-smoothed, only features
// seen before counting (an unseen word says nothing about where a letter goes). Learning is
// O(features) per example: add the letter's features to its target's counts.
//
// Targets. A placement may choose several destinations; the class is the set: its ids sorted and
// joined by '+' (`targetOf`). A set is allowed when each of its ids is (`allowedTargets`), so an
// archived destination is never suggested, alone or in a set.
//
// Drift. (1) Counts can decay with a half-life (`halfLifeDays`; default Infinity = plain counts):
// an example learnt at time t adds 2^((t − epoch)/halfLife) (an "inflated" count), and reading at
// time `now` multiplies by 2^(−(now − epoch)/halfLife) — so decay never rewrites stored rows and
// deltas stay plain additions. (2) Succession: when a department is renamed, its destination gets
// a new id and the old one is archived. When a letter whose best (unfiltered) target holds an
// archived id is delivered to a target that holds a new id in its place, the model records
// "old → new" (`#succ` rows); afterwards the old target's evidence is offered under the new name
// until the new one has learnt its own. An admin can state it directly too (`succeed`).
//
// Confidence. Naive Bayes is far too sure of itself (its features are not independent), so the
// raw top-1 probability (a softmax with a temperature) is calibrated online: each placement a
// person makes is first scored, and the outcome (was our top-1 the person's choice?) is counted in a
// bin of the raw log-odds (`#cal` rows). The confidence is the isotonic (pool-adjacent-violators)
// fit over those bins, shrunk towards the raw value where a bin has few outcomes: monotone in the
// raw score, and ≈ P(top-1 is right) where there is data (one value per bin). Rule deliveries teach
// the counts but not the calibration (they are not triage letters); nor do auto-placements (no
// person checked them) — an audit's verdict can be recorded with `observe`, and a person's reroute
// of one is learnt as a placement (triage/lesson.ts).
//
// Corrections. A person who reroutes a letter says it belongs elsewhere: `unlearn` takes back what
// the letter taught before (learn's counts, negated: plain increments, so they add up in any order
// across processes) and `learn` teaches the new place. Counts are read as at least 0, as a process's
// model may hold a lesson's take-back before the lesson itself for up to a reload.
//
// Defaults: kind weights, alpha and priorWeight were chosen by coordinate search on months 4–9 of
// two seeds of the benchmark's synthetic corpus (7 and 13), never on a measured month; decay off
// (no gain measured), so explanations' counts are exact.
//
// Stored rows (`Delta`: feature, target, delta — upsert count += delta):
//   <prefix>:<value>  target   the feature's (inflated) count with that target
//   ''                target   the target's number of examples (inflated)
//   #k:<kind>         target   the summed count of that kind's features with the target (inflated)
//   #cal:<bin>        #all | #hit   calibration outcomes (plain counts, never decayed)
//   #succ:<oldId>     <newId>  succession evidence (plain counts)
import { kindOfKey, type Feature, type FeatureKind } from './features';
import { explain, type Evidence } from './explain';
import { MIN_SUGGESTION_CONFIDENCE, confidencePercent } from '../../../shared/src/confidence';

export interface Delta { feature: string; target: string; delta: number }

/** The class of a set of destination ids: sorted, unique, joined by '+'. */
export function targetOf(destinationIds: readonly string[]): string {
  return [...new Set(destinationIds)].sort().join('+');
}
/** The destination ids of a target. */
export function idsOf(target: string): string[] {
  return target === '' ? [] : target.split('+');
}

export const DEFAULT_KIND_WEIGHTS: Readonly<Record<FeatureKind, number>> = Object.freeze({
  provider: 0.2, messageType: 0.2, flag: 0.2,
  sender: 0.1, senderName: 0.1, senderWord: 0.8, senderRecipient: 0.4, recipient: 3.5,
  label: 0.5, text: 0.15,
  attention: 1.1, attentionId: 1, pnumber: 0.4, email: 3, responsible: 0.3, responsibleId: 1,
  kle: 1.5, klePrefix: 4, caseSystem: 0.06, caseId: 8, form: 1, docName: 0.4, cvrData: 0.25,
});

export interface ModelOptions {
  kindWeights: Record<FeatureKind, number>;
  /** Additive smoothing of each feature count. */
  alpha: number;
  /** Weight of the log prior (targets' frequencies); rules' traffic skews it, so less than 1. */
  priorWeight: number;
  /** Score differences are divided by this before the softmax that gives raw probabilities. */
  temperature: number;
  /** Half-life of counts in days; Infinity: no decay. */
  halfLifeDays: number;
  /** Reference time (ms) of the inflated counts; must stay fixed for a model's life. */
  epoch: number;
  /** Upper edges of the calibration bins over the raw top-1 log-odds (the last bin is open). */
  calibrationEdges: number[];
  /** Pseudo-outcomes per bin at the raw probability (shrinkage where a bin has few outcomes). */
  calibrationPrior: number;
}

export const DEFAULT_OPTIONS: Readonly<ModelOptions> = Object.freeze({
  kindWeights: { ...DEFAULT_KIND_WEIGHTS },
  alpha: 0.03,
  priorWeight: 4,
  temperature: 4,
  halfLifeDays: Infinity,
  epoch: Date.UTC(2020, 0, 1),
  calibrationEdges: [-2, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 15, 20, 30],
  calibrationPrior: 2,
});

export type LearnSource = 'rule' | 'placement' | 'auto' | 'reroute';

export interface LearnOptions {
  /** Weight of the example (default 1). */
  weight?: number;
  /** When it happened (ms or Date; default now). Only matters with a half-life. */
  at?: number | Date;
  /** rule: a rule delivered it; placement: a person placed it (also calibrates); auto: auto-placed; reroute: a person moved it. */
  source?: LearnSource;
  /** The destinations that existed when it was placed: lets the model learn successions and calibrate as suggest would have. */
  allowedTargets?: Iterable<string>;
}

export interface SuggestOptions {
  /** How many suggestions (default 3). */
  k?: number;
  /** Destination ids that may be suggested (the registry's live ones); default: all known. */
  allowedTargets?: Iterable<string>;
  /** Reading time (ms or Date; default: the latest example learnt). Only matters with a half-life. */
  at?: number | Date;
  /** Display names of destination ids (or of whole targets) for the explanations. */
  names?: ReadonlyMap<string, string>;
}

export interface Suggestion {
  /** The class: sorted destination ids joined by '+'. */
  target: string;
  destinationIds: string[];
  /** Calibrated: for the first suggestion ≈ the probability that it is the right place. */
  confidence: number;
  /** The uncalibrated softmax probability (for diagnostics). */
  raw: number;
  /** One sentence each, Danish and English. */
  explanation: { da: string; en: string };
  /** The strongest supporting evidence (also what the sentences say), if any. */
  evidence?: Evidence;
  /** Set when the suggestion inherits an archived target's evidence (succession). */
  inheritedFrom?: string;
  /**
   * Runners-up: the first suggestion's target. Their sentence's evidence is one feature of the letter,
   * the confidence is the whole letter, so the sentence also says the letter as a whole points there.
   */
  outrankedBy?: string;
  /**
   * First suggestion only: what placing it without a person would rest on (see autoPlaceRefusal):
   * the outcomes of people's placements behind its confidence, and the feature specific to this
   * letter that favours it (null: none, only frequencies, the recipient or common words).
   */
  basis?: { outcomes: number; specific: string | null };
}

interface Scored { target: string; score: number; via?: string }

export interface ModelState {
  version: 1;
  options: Omit<ModelOptions, 'halfLifeDays'> & { halfLifeDays: number | null };
  /** Every stored row: [feature, target, count]. */
  rows: [string, string, number][];
}

const DAY = 86_400_000;
const EPS = 1e-12;

export class AssistantModel {
  readonly options: ModelOptions;
  /** feature key → target → inflated count. */
  private readonly counts = new Map<string, Map<string, number>>();
  /** target → inflated number of examples (row feature ''). */
  private readonly totals = new Map<string, number>();
  /** kind → target → inflated summed count. */
  private readonly kindTotals = new Map<string, Map<string, number>>();
  /** kind → number of distinct features with a row. */
  private readonly vocab = new Map<string, number>();
  /** calibration bin → { all, hit }. */
  private readonly cal = new Map<number, { all: number; hit: number }>();
  /** archived id → successor id → evidence. */
  private readonly succ = new Map<string, Map<string, number>>();
  private grandTotal = 0;
  private lastAt = -Infinity;

  constructor(options: Partial<ModelOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options, kindWeights: { ...DEFAULT_KIND_WEIGHTS, ...(options.kindWeights ?? {}) } };
  }

  // ------------------------------------------------------------------------------------------
  // State

  /** Applies stored rows (or the deltas of another model) to this model: count += delta per row. */
  applyDeltas(rows: Iterable<Delta>): void {
    for (const r of rows) this.add(r.feature, r.target, r.delta);
  }

  /** Every row of the state (what a store holds). */
  *rows(): Generator<Delta> {
    for (const [t, c] of this.totals) yield { feature: '', target: t, delta: c };
    for (const [k, m] of this.kindTotals) for (const [t, c] of m) yield { feature: `#k:${k}`, target: t, delta: c };
    for (const [f, m] of this.counts) for (const [t, c] of m) yield { feature: f, target: t, delta: c };
    for (const [b, c] of this.cal) {
      if (c.all) yield { feature: `#cal:${b}`, target: '#all', delta: c.all };
      if (c.hit) yield { feature: `#cal:${b}`, target: '#hit', delta: c.hit };
    }
    for (const [o, m] of this.succ) for (const [n, c] of m) yield { feature: `#succ:${o}`, target: n, delta: c };
  }

  toJSON(): ModelState {
    const { halfLifeDays, ...rest } = this.options;
    return {
      version: 1,
      options: { ...rest, halfLifeDays: Number.isFinite(halfLifeDays) ? halfLifeDays : null },
      rows: [...this.rows()].map((r) => [r.feature, r.target, r.delta]),
    };
  }

  static fromJSON(state: ModelState): AssistantModel {
    const { halfLifeDays, ...rest } = state.options;
    const m = new AssistantModel({ ...rest, halfLifeDays: halfLifeDays ?? Infinity });
    for (const [feature, target, delta] of state.rows) m.add(feature, target, delta);
    return m;
  }

  /** The targets the model knows (with at least one example). */
  targets(): string[] {
    const out: string[] = [];
    for (const [t, c] of this.totals) if (c > 0) out.push(t);
    return out;
  }

  /** Raw (undecayed, as stored) count of a feature with a target; for tests and tooling. */
  count(feature: string, target: string): number {
    return feature === '' ? (this.totals.get(target) ?? 0) : (this.counts.get(feature)?.get(target) ?? 0);
  }

  private add(feature: string, target: string, delta: number): void {
    if (delta === 0) return;
    if (feature === '') {
      const v = (this.totals.get(target) ?? 0) + delta;
      this.grandTotal += delta;
      if (Math.abs(v) < EPS) this.totals.delete(target);
      else this.totals.set(target, v);
      return;
    }
    if (feature.startsWith('#')) {
      if (feature.startsWith('#k:')) bump(this.kindTotals, feature.slice(3), target, delta);
      else if (feature.startsWith('#cal:')) {
        const b = Number(feature.slice(5));
        const c = this.cal.get(b) ?? { all: 0, hit: 0 };
        if (target === '#hit') c.hit += delta;
        else c.all += delta;
        this.cal.set(b, c);
      } else if (feature.startsWith('#succ:')) bump(this.succ, feature.slice(6), target, delta);
      return;
    }
    const kind = kindOfKey(feature);
    if (!kind) return; // a row of a kind this version does not know: ignored, kept by the store
    let m = this.counts.get(feature);
    if (!m) {
      m = new Map();
      this.counts.set(feature, m);
      this.vocab.set(kind, (this.vocab.get(kind) ?? 0) + 1);
    }
    const v = (m.get(target) ?? 0) + delta;
    if (Math.abs(v) < EPS) m.delete(target);
    else m.set(target, v);
    if (m.size === 0) {
      this.counts.delete(feature);
      this.vocab.set(kind, (this.vocab.get(kind) ?? 1) - 1);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Learning

  private inflation(at: number): number {
    const h = this.options.halfLifeDays;
    return Number.isFinite(h) ? Math.pow(2, (at - this.options.epoch) / (h * DAY)) : 1;
  }

  /**
   * Learns that a letter with these features went to `target` (see targetOf). Returns the deltas
   * applied, one per (feature, target) row, for the store to upsert.
   */
  learn(features: readonly Feature[], target: string, opts: LearnOptions = {}): Delta[] {
    if (!target) throw new Error('learn: empty target');
    const at = opts.at === undefined ? Date.now() : +opts.at;
    const source = opts.source ?? 'placement';
    const out: Delta[] = [];
    const push = (feature: string, t: string, delta: number) => {
      this.add(feature, t, delta);
      out.push({ feature, target: t, delta });
    };

    // Before counting this example: what would the model have said? (succession and calibration)
    const allowed = opts.allowedTargets ? new Set(opts.allowedTargets) : undefined;
    const wantsCal = source === 'placement' && this.grandTotal > 0;
    const archivedKnown = allowed ? this.targets().some((t) => !isAllowed(t, allowed)) : false;
    if (wantsCal || archivedKnown) {
      const keys = dedupe(features);
      const all = this.scoreAll(keys, this.readScale(at));
      if (archivedKnown && allowed) {
        const best = all[0];
        if (best && !isAllowed(best.target, allowed) && best.target !== target) {
          const was = idsOf(best.target);
          const now = idsOf(target);
          const gone = was.filter((id) => !now.includes(id) && !allowed.has(id));
          const came = now.filter((id) => !was.includes(id));
          if (gone.length === 1 && came.length === 1) push(`#succ:${gone[0]}`, came[0], 1);
        }
      }
      if (wantsCal) {
        const { ranked, z } = this.assess(all, keys, this.readScale(at), allowed);
        if (ranked.length >= 1) {
          const bin = this.binOf(z);
          push(`#cal:${bin}`, '#all', 1);
          if (ranked[0].target === target) push(`#cal:${bin}`, '#hit', 1);
        }
      }
    }

    this.tally(features, target, (opts.weight ?? 1) * this.inflation(at), push);
    if (at > this.lastAt) this.lastAt = at;
    return out;
  }

  /**
   * Takes back an example learnt before (a person rerouted the letter): learn's counts negated, with
   * the same weight and time `at` (they matter with a half-life). Calibration outcomes and successions
   * stay: they recorded what the model said then.
   */
  unlearn(features: readonly Feature[], target: string, opts: Pick<LearnOptions, 'weight' | 'at'> = {}): Delta[] {
    if (!target) throw new Error('unlearn: empty target');
    const at = opts.at === undefined ? Date.now() : +opts.at;
    const out: Delta[] = [];
    this.tally(features, target, -(opts.weight ?? 1) * this.inflation(at), (feature, t, delta) => {
      this.add(feature, t, delta);
      out.push({ feature, target: t, delta });
    });
    return out;
  }

  /** An example's counts: each feature, its kind's sum and the target's examples, `w` each. */
  private tally(features: readonly Feature[], target: string, w: number, push: (feature: string, target: string, delta: number) => void): void {
    const byKind = new Map<string, number>();
    for (const f of dedupe(features)) {
      push(f.key, target, w);
      byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + w);
    }
    for (const [k, v] of byKind) push(`#k:${k}`, target, v);
    push('', target, w);
  }

  /** A person's verdict on an earlier suggestion without teaching counts (e.g. an audit of an auto-placement). */
  observe(features: readonly Feature[], target: string, opts: Omit<LearnOptions, 'source' | 'weight'> = {}): Delta[] {
    const at = opts.at === undefined ? Date.now() : +opts.at;
    const allowed = opts.allowedTargets ? new Set(opts.allowedTargets) : undefined;
    const keys = dedupe(features);
    const scale = this.readScale(at);
    const { ranked, z } = this.assess(this.scoreAll(keys, scale), keys, scale, allowed);
    if (ranked.length === 0) return [];
    const bin = this.binOf(z);
    const out: Delta[] = [{ feature: `#cal:${bin}`, target: '#all', delta: 1 }];
    if (ranked[0].target === target) out.push({ feature: `#cal:${bin}`, target: '#hit', delta: 1 });
    this.applyDeltas(out);
    return out;
  }

  /** States that destination `oldId` was replaced by `newId` (a renamed department). */
  succeed(oldId: string, newId: string, weight = 100): Delta[] {
    const d: Delta[] = [{ feature: `#succ:${oldId}`, target: newId, delta: weight }];
    this.applyDeltas(d);
    return d;
  }

  /** Forgets everything learnt about a target (the deltas that remove its rows). */
  forgetTarget(target: string): Delta[] {
    const out: Delta[] = [];
    for (const [f, m] of this.counts) { const c = m.get(target); if (c) out.push({ feature: f, target, delta: -c }); }
    for (const [k, m] of this.kindTotals) { const c = m.get(target); if (c) out.push({ feature: `#k:${k}`, target, delta: -c }); }
    const t = this.totals.get(target);
    if (t) out.push({ feature: '', target, delta: -t });
    this.applyDeltas(out);
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Suggesting

  private readScale(at: number | undefined): number {
    const when = at ?? (Number.isFinite(this.lastAt) ? this.lastAt : Date.now());
    return 1 / this.inflation(when);
  }

  /** Log scores of every known target (unfiltered), best first. */
  private scoreAll(features: readonly Feature[], scale: number): Scored[] {
    const o = this.options;
    const targets = this.targets();
    if (targets.length === 0) return [];
    const nT = targets.length;
    const scores = new Float64Array(nT);
    const grand = this.grandTotal * scale;
    for (let i = 0; i < nT; i++) scores[i] = o.priorWeight * Math.log((this.totals.get(targets[i])! * scale + 1) / (grand + nT));
    for (const f of features) {
      const m = this.counts.get(f.key);
      if (!m) continue; // unseen: no evidence
      const w = o.kindWeights[f.kind] ?? 0;
      if (w === 0) continue;
      const kt = this.kindTotals.get(f.kind);
      const aV = o.alpha * (this.vocab.get(f.kind) ?? 1);
      for (let i = 0; i < nT; i++) {
        const t = targets[i];
        const c = Math.max(0, m.get(t) ?? 0) * scale;
        const k = Math.max(0, kt?.get(t) ?? 0) * scale;
        scores[i] += w * Math.log((c + o.alpha) / (k + aV));
      }
    }
    const out: Scored[] = targets.map((t, i) => ({ target: t, score: scores[i] }));
    return out.sort((a, b) => b.score - a.score || (a.target < b.target ? -1 : 1));
  }

  /**
   * What a target with no examples would score for these features: the prior of an empty class and,
   * per seen feature, the kind's smoothed share (α / αV). Destinations the model has never seen
   * a letter go to are still possible places, so they compete in the top-1's log-odds.
   */
  private emptyScore(features: readonly Feature[], scale: number): number {
    const o = this.options;
    let score = o.priorWeight * Math.log(1 / (this.grandTotal * scale + this.totals.size));
    for (const f of features) {
      if (!this.counts.has(f.key)) continue;
      const w = o.kindWeights[f.kind] ?? 0;
      if (w !== 0) score += w * Math.log(1 / (this.vocab.get(f.kind) ?? 1));
    }
    return score;
  }

  /**
   * The allowed candidates, best first, and the raw top-1 log-odds against the alternatives. With a
   * single known candidate, the allowed destinations the model has not seen (at least one "somewhere
   * else") compete as empty targets: one known place is not certainty (it was log-odds 50, so an
   * unrelated letter was "100 % sure"). With two or more known candidates they are left out: counted
   * there too, bench:assistant lost automation on the default corpus (0.928 → 0.884) and placed more
   * wrong on another (seed 33: 0.011 → 0.024).
   */
  private assess(all: Scored[], keys: readonly Feature[], scale: number, allowed: Set<string> | undefined): { ranked: Scored[]; z: number; unseen: number; empty: number } {
    const ranked = this.rank(all, allowed);
    let unseen = 0;
    if (ranked.length === 1) {
      if (allowed) for (const id of allowed) if (id !== ranked[0].target) unseen++;
      unseen = Math.max(1, unseen);
    }
    const empty = ranked.length ? this.emptyScore(keys, scale) : -Infinity;
    return { ranked, z: ranked.length ? logOdds(ranked, this.options.temperature, empty, unseen) : -Infinity, unseen, empty };
  }

  /** The allowed candidates, best first; archived targets hand their score to their successors. */
  private rank(all: Scored[], allowed: Set<string> | undefined): Scored[] {
    if (!allowed) return all;
    const best = new Map<string, Scored>();
    for (const s of all) {
      if (isAllowed(s.target, allowed)) {
        if (!best.has(s.target)) best.set(s.target, s);
        continue;
      }
      const heir = this.heirOf(s.target, allowed);
      if (heir && !best.has(heir)) best.set(heir, { target: heir, score: s.score, via: s.target });
      // (all is sorted: a target met again later has a lower score; the first one stays)
    }
    return [...best.values()].sort((a, b) => b.score - a.score || (a.target < b.target ? -1 : 1));
  }

  private heirOf(target: string, allowed: Set<string>): string | undefined {
    let changed = false;
    const ids = idsOf(target).map((id) => {
      if (allowed.has(id)) return id;
      let seen = new Set<string>([id]);
      let cur = id;
      while (!allowed.has(cur)) {
        const m = this.succ.get(cur);
        if (!m || m.size === 0) return undefined;
        let next = '';
        let nc = 0;
        for (const [n, c] of m) if (c > nc || (c === nc && n < next)) { next = n; nc = c; }
        if (seen.has(next)) return undefined;
        seen.add(next);
        cur = next;
      }
      changed = true;
      return cur;
    });
    if (!changed || ids.some((x) => x === undefined)) return undefined;
    return targetOf(ids as string[]);
  }

  private binOf(z: number): number {
    const e = this.options.calibrationEdges;
    let i = 0;
    while (i < e.length && z > e[i]) i++;
    return i;
  }

  /** The calibrated probability that the top-1 suggestion is right, for raw log-odds z. */
  calibrate(z: number): number {
    return this.calibrated(z).confidence;
  }

  /**
   * The calibrated confidence for raw log-odds z, and how many outcomes of people's placements it
   * rests on (those of its bin, or of the bins the isotonic fit pooled it with; the pseudo-outcomes
   * of the shrinkage are not counted).
   */
  calibrated(z: number): { confidence: number; outcomes: number } {
    const e = this.options.calibrationEdges;
    const nb = e.length + 1;
    const centre = (i: number) => (i === 0 ? e[0] - 1 : i === e.length ? e[e.length - 1] + 5 : (e[i - 1] + e[i]) / 2);
    const m = this.options.calibrationPrior;
    const val: number[] = [];
    const wt: number[] = [];
    for (let i = 0; i < nb; i++) {
      const c = this.cal.get(i) ?? { all: 0, hit: 0 };
      val.push((c.hit + m * sigmoid(centre(i))) / (c.all + m));
      wt.push(c.all + m);
    }
    // A step per bin: interpolating between bins would blend a bin of sure letters with a
    // neighbouring bin of doubtful ones.
    const bin = this.binOf(z);
    let start = 0;
    for (const b of pavBlocks(val, wt)) {
      if (bin < start + b.n) return { confidence: b.v, outcomes: b.w - m * b.n };
      start += b.n;
    }
    return { confidence: sigmoid(z), outcomes: 0 }; // not reached: the blocks cover every bin
  }

  /** The calibration table: per bin its raw log-odds range, outcomes and fitted confidence (for the admin view and tests). */
  calibrationTable(): { from: number; to: number; all: number; hit: number; confidence: number }[] {
    const e = this.options.calibrationEdges;
    const rows = [];
    for (let i = 0; i <= e.length; i++) {
      const c = this.cal.get(i) ?? { all: 0, hit: 0 };
      const from = i === 0 ? -Infinity : e[i - 1];
      const to = i === e.length ? Infinity : e[i];
      const mid = i === 0 ? e[0] - 1 : i === e.length ? e[e.length - 1] + 5 : (from + to) / 2;
      rows.push({ from, to, all: c.all, hit: c.hit, confidence: this.calibrate(mid) });
    }
    return rows;
  }

  /** The top-k targets for a letter with calibrated confidences and explanations. */
  suggest(features: readonly Feature[], opts: SuggestOptions = {}): Suggestion[] {
    const k = opts.k ?? 3;
    const allowed = opts.allowedTargets ? new Set(opts.allowedTargets) : undefined;
    const at = opts.at === undefined ? undefined : +opts.at;
    const scale = this.readScale(at);
    const keys = dedupe(features);
    const { ranked, z, unseen, empty } = this.assess(this.scoreAll(keys, scale), keys, scale, allowed);
    if (ranked.length === 0) return [];
    const T = this.options.temperature;
    const top = ranked[0].score;
    let sum = unseen * Math.exp((empty - top) / T);
    for (const r of ranked) sum += Math.exp((r.score - top) / T);
    const raw = ranked.map((r) => Math.exp((r.score - top) / T) / sum);
    const { confidence: c1, outcomes } = this.calibrated(z);
    const rest = 1 - raw[0];
    const out: Suggestion[] = [];
    for (let i = 0; i < Math.min(k, ranked.length); i++) {
      const r = ranked[i];
      // The runners-up share what the first leaves, in proportion to their raw shares; never above the
      // first (a calibrated first can be below its raw share), so the order shown is the order ranked.
      const confidence = i === 0 ? c1 : rest > 0 ? Math.min(c1, 1 - c1, (raw[i] * (1 - c1)) / rest) : 0;
      const rival = i === 0 ? ranked[1] : ranked[0];
      const evidence = this.evidenceFor(keys, r, rival, scale);
      const names = opts.names ?? new Map<string, string>();
      const outrankedBy = i === 0 ? undefined : ranked[0].target;
      out.push({
        target: r.target,
        destinationIds: idsOf(r.target),
        confidence,
        raw: raw[i],
        explanation: { da: explain(evidence, r.target, names, 'da', false, outrankedBy), en: explain(evidence, r.target, names, 'en', false, outrankedBy) },
        ...(evidence ? { evidence } : {}),
        ...(r.via ? { inheritedFrom: r.via } : {}),
        ...(outrankedBy ? { outrankedBy } : {}),
        ...(i === 0 ? { basis: { outcomes, specific: this.specificEvidence(keys, r, ranked[1], scale) ?? null } } : {}),
      });
    }
    return out;
  }

  /** The first of the letter's specific features (IDENTITY_KINDS, distinctive WORD_KINDS) that favours s over its rival. */
  private specificEvidence(features: readonly Feature[], s: Scored, rival: Scored | undefined, scale: number): string | undefined {
    const o = this.options;
    const own = s.via ?? s.target;
    const rivalT = rival ? (rival.via ?? rival.target) : undefined;
    for (const f of features) {
      const identity = IDENTITY_KINDS.has(f.kind);
      if (!identity && !WORD_KINDS.has(f.kind)) continue;
      const m = this.counts.get(f.key);
      const c = (m?.get(own) ?? 0) * scale;
      if (!m || c <= 0) continue;
      if (!identity) {
        let total = 0;
        for (const v of m.values()) total += v;
        if (c < 2 || total * scale > DISTINCTIVE_SHARE * this.grandTotal * scale) continue;
      }
      if (rivalT) {
        const kt = this.kindTotals.get(f.kind);
        const aV = o.alpha * (this.vocab.get(f.kind) ?? 1);
        const lp = (t: string) => Math.log((Math.max(0, m.get(t) ?? 0) * scale + o.alpha) / (Math.max(0, kt?.get(t) ?? 0) * scale + aV));
        if (lp(own) - lp(rivalT) < FAVOURS) continue;
      }
      return f.key;
    }
    return undefined;
  }

  /**
   * The evidence a person can check: among the letter's features seen with this target, those that
   * favour it over its rival (log-likelihood ratio > 0; if none, any), the one whose letters most
   * often went there (share, smoothed so 1 of 1 is not certainty), readable kinds preferred.
   */
  private evidenceFor(features: readonly Feature[], s: Scored, rival: Scored | undefined, scale: number): Evidence | undefined {
    const o = this.options;
    const own = s.via ?? s.target; // an heir's evidence is its predecessor's
    const rivalT = rival ? (rival.via ?? rival.target) : undefined;
    let best: Evidence | undefined;
    let bestKey = -Infinity;
    for (const f of features) {
      const factor = EXPLAIN_FACTOR[f.kind];
      if (factor === undefined) continue;
      const m = this.counts.get(f.key);
      const c = m?.get(own);
      if (!m || !c || c < 0) continue;
      const kt = this.kindTotals.get(f.kind);
      const aV = o.alpha * (this.vocab.get(f.kind) ?? 1);
      const lp = (t: string) => Math.log((Math.max(0, m.get(t) ?? 0) * scale + o.alpha) / (Math.max(0, kt?.get(t) ?? 0) * scale + aV));
      const favours = !rivalT || lp(own) > lp(rivalT);
      let total = 0;
      for (const v of m.values()) total += v;
      const key = (favours ? 10 : 0) + ((c * scale) / (total * scale + 1)) * factor;
      if (key > bestKey) {
        bestKey = key;
        best = {
          feature: f.key, kind: f.kind, display: f.display, ...(f.sender ? { sender: f.sender } : {}),
          count: c * scale, total: total * scale, target: s.target, ...(s.via ? { via: s.via } : {}),
        };
      }
    }
    return best;
  }
}

/**
 * Evidence specific to a letter, for auto-placement. Identities (who sent it, to whose attention, which
 * case, FORM task or KLE subject) count when seen with the target; words (label, documents' text and
 * names, sender-name words) and broad codes only when distinctive: in at most DISTINCTIVE_SHARE of all
 * letters learnt and at least twice with the target. The provider, message type, flags and the
 * recipient CVR never do: most letters share them.
 */
const IDENTITY_KINDS: ReadonlySet<FeatureKind> = new Set<FeatureKind>([
  'sender', 'senderWord', 'senderRecipient', 'attention', 'attentionId', 'email', 'pnumber', 'responsible', 'responsibleId',
  'caseId', 'form', 'kle', 'cvrData',
]);
const WORD_KINDS: ReadonlySet<FeatureKind> = new Set<FeatureKind>(['label', 'text', 'docName', 'senderName', 'klePrefix', 'caseSystem']);
const DISTINCTIVE_SHARE = 0.2;
/** How much likelier under the target than under its rival a feature must be to favour it (twice): a sender all letters share does not. */
const FAVOURS = Math.log(2);

/** Person-calibrated outcomes a confidence must rest on before it may place a letter without a person. */
export const AUTO_PLACE_MIN_OUTCOMES = 20;

/**
 * Why the top suggestion may not be placed without a person at this threshold (a sentence), or null
 * when it may: its confidence reaches the threshold, rests on at least AUTO_PLACE_MIN_OUTCOMES
 * outcomes of people's placements, and something specific to the letter supports it — never the
 * targets' frequencies, the recipient CVR or common words alone.
 */
export function autoPlaceRefusal(top: Suggestion | undefined, threshold: number): string | null {
  if (!top) return 'the assistant has no suggestion';
  if (top.confidence < threshold) return `its confidence (${percent(top.confidence)}) is below the threshold (${percent(threshold)})`;
  if (!top.basis?.specific) {
    return 'nothing specific to this letter favours that place (a sender, attention, case, code or distinctive word seen with it more than elsewhere), only how often letters go there';
  }
  if (top.basis.outcomes < AUTO_PLACE_MIN_OUTCOMES) {
    return `people have placed only ${Math.round(top.basis.outcomes)} letters at this confidence so far; ${AUTO_PLACE_MIN_OUTCOMES} are needed before it places letters itself`;
  }
  return null;
}

/** A confidence as people read it (shared/src/confidence.ts): never "100 %", and never "0 %" when positive. */
export function percent(p: number): string {
  const { value, under } = confidencePercent(p);
  return under ? `less than ${value} %` : `${value} %`;
}

/**
 * The suggestions worth offering a person (the triage queue, the timeline): those at least
 * MIN_SUGGESTION_CONFIDENCE sure. Confidences do not rise down the list, so the first stays first.
 */
export function offeredSuggestions<S extends Pick<Suggestion, 'confidence'>>(suggestions: readonly S[]): S[] {
  return suggestions.filter((s) => s.confidence >= MIN_SUGGESTION_CONFIDENCE);
}

/**
 * Kinds a sentence can be made of, with a preference for the sentences people read best ("from X
 * about »y«"); provider, flags and message type say little to a person and are never used.
 */
const EXPLAIN_FACTOR: Partial<Record<FeatureKind, number>> = {
  senderWord: 1, sender: 0.95, senderRecipient: 0.95, label: 0.95, attention: 0.95, email: 0.9, caseId: 0.9,
  kle: 0.9, pnumber: 0.9, form: 0.9, recipient: 0.85, attentionId: 0.8, responsible: 0.8, responsibleId: 0.75,
  klePrefix: 0.8, caseSystem: 0.75, docName: 0.8, text: 0.75, senderName: 0.75, cvrData: 0.75,
};

function bump(m: Map<string, Map<string, number>>, a: string, b: string, d: number): void {
  let inner = m.get(a);
  if (!inner) { inner = new Map(); m.set(a, inner); }
  const v = (inner.get(b) ?? 0) + d;
  if (Math.abs(v) < EPS) inner.delete(b);
  else inner.set(b, v);
  if (inner.size === 0) m.delete(a);
}

function dedupe(features: readonly Feature[]): Feature[] {
  const seen = new Set<string>();
  const out: Feature[] = [];
  for (const f of features) if (!seen.has(f.key)) { seen.add(f.key); out.push(f); }
  return out;
}

function isAllowed(target: string, allowed: Set<string>): boolean {
  for (const id of idsOf(target)) if (!allowed.has(id)) return false;
  return true;
}

/**
 * log(p1 / (1 − p1)) of the softmax over the ranked scores and `n` more competitors scoring `other`
 * each (destinations not seen yet), computed stably.
 */
function logOdds(ranked: Scored[], T: number, other: number, n: number): number {
  const top = ranked[0].score;
  const xs: number[] = [];
  for (let i = 1; i < ranked.length; i++) xs.push((ranked[i].score - top) / T);
  const mx = Math.max(...xs, n > 0 ? (other - top) / T : -Infinity);
  if (mx === -Infinity) return 50; // nothing competes (not reached: assess adds "somewhere else")
  let s = n > 0 ? n * Math.exp((other - top) / T - mx) : 0;
  for (const x of xs) s += Math.exp(x - mx);
  return -(mx + Math.log(s));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Pool-adjacent-violators: the weighted non-decreasing fit. */
export function pav(values: readonly number[], weights: readonly number[]): number[] {
  const out: number[] = [];
  for (const b of pavBlocks(values, weights)) for (let i = 0; i < b.n; i++) out.push(b.v);
  return out;
}

/** The pooled blocks of the fit, in order: value, summed weight, number of entries. */
function pavBlocks(values: readonly number[], weights: readonly number[]): { v: number; w: number; n: number }[] {
  const blocks: { v: number; w: number; n: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    blocks.push({ v: values[i], w: weights[i], n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].v > blocks[blocks.length - 1].v) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      const w = a.w + b.w;
      blocks.push({ v: (a.v * a.w + b.v * b.w) / w, w, n: a.n + b.n });
    }
  }
  return blocks;
}
