// The auto-placement threshold: from a labelled history of suggestions (the top-1 confidence and
// whether a person then chose that same target), the lowest threshold at which the letters that
// would have been placed automatically are wrong at most `maxWrongRate` of the time. Pure.
//
// The product can show this to an admin as the recommended threshold (and what it would have
// automated); the benchmark picks its threshold this way on a validation slice of the training
// period, never on the months it measures.

export interface Outcome {
  /** The calibrated confidence of the top-1 suggestion. */
  confidence: number;
  /** Whether the person's placement was that suggestion (a letter placed automatically that a person rerouted: false). */
  correct: boolean;
}

export interface ThresholdOptions {
  /** Highest share of wrong automatic placements accepted (default 0.01). */
  maxWrongRate?: number;
  /** A threshold is only recommended if it would have placed at least this many letters (default 30). */
  minPlaced?: number;
  /**
   * Letters placed automatically by rules over the same period (taken as right). With it, the bound
   * is on the wrong share of all automatic placements (rules + assistant) rather than of the
   * assistant's own. Default 0: the assistant's own, the stricter reading.
   */
  alreadyAutomated?: number;
  /**
   * How the wrong placements above a threshold are counted:
   * - 'expected' (default): Σ (1 − confidence) — what the calibrated confidences promise. The
   *   calibration is fitted on every placement a person made, so this varies far less from one
   *   history to the next than counting the few wrong letters near the top;
   * - 'observed': the letters that were wrong (optionally at the upper end of a Wilson interval,
   *   `confidence`).
   * The benchmark measured both on seven corpora: 'observed' swung between 60 % and 98 % automation
   * and 0.4–3.5 % wrong; 'expected' between 86 % and 95 % and 0.6–1.3 % (2.4 % on one corpus
   * whose measured months happened to hold more inconsistent placements).
   */
  method?: 'expected' | 'observed';
  /** 'observed' only: the level of the one-sided Wilson upper bound on the wrong rate (default 0: the share seen). */
  confidence?: number;
}

export interface ThresholdRecommendation {
  /** Lowest confidence that auto-places; null: no threshold meets the bound on this history. */
  threshold: number | null;
  /** Letters in the history. */
  n: number;
  /** Of those, letters at or above the threshold, and how many of them were wrong. */
  placed: number;
  wrong: number;
  /** placed / n and wrong / placed. */
  coverage: number;
  wrongRate: number;
  /** wrong / (placed + alreadyAutomated): the wrong share of all automatic placements. */
  wrongRateOfAutomated: number;
  /** 'observed': the upper bound of the assistant's wrong rate at `confidence` (= wrongRate at 0). */
  wrongRateUpper: number;
  /** The wrong rate the confidences promise: Σ (1 − confidence) / placed. */
  expectedWrongRate: number;
}

/** What a given threshold would have done on the history. */
export function evaluateThreshold(history: readonly Outcome[], threshold: number, alreadyAutomated = 0): ThresholdRecommendation {
  let placed = 0;
  let wrong = 0;
  let expWrong = 0;
  for (const o of history) if (o.confidence >= threshold) { placed++; expWrong += 1 - o.confidence; if (!o.correct) wrong++; }
  return rec(threshold, history.length, placed, wrong, alreadyAutomated, 0, expWrong);
}

function rec(threshold: number | null, n: number, placed: number, wrong: number, already: number, z = 0, expWrong = 0): ThresholdRecommendation {
  return {
    expectedWrongRate: placed ? expWrong / placed : 0,
    threshold, n, placed, wrong, coverage: n ? placed / n : 0, wrongRate: placed ? wrong / placed : 0,
    wrongRateOfAutomated: placed + already ? wrong / (placed + already) : 0,
    wrongRateUpper: wilsonUpper(wrong, placed, z),
  };
}

/**
 * What auto-placing the `placed` most confident letters of the history would have cost: how many of
 * them were wrong, and that as a share of them and of all automatic placements (with the rules').
 * Letters of equal confidence are taken in proportion (a threshold cannot split them, so no lucky
 * order among them counts). Null when the history has fewer letters. For the admin's "what would
 * N % automation cost" and the benchmark's distance to its target.
 */
export function costOfPlacing(history: readonly Outcome[], placed: number, alreadyAutomated = 0):
  { placed: number; wrong: number; wrongRate: number; wrongRateOfAutomated: number } | null {
  if (placed > history.length) return null;
  const n = Math.max(0, placed);
  const sorted = [...history].sort((a, b) => b.confidence - a.confidence);
  let taken = 0;
  let wrong = 0;
  for (let i = 0; i < sorted.length && taken < n;) {
    let j = i;
    let w = 0;
    while (j < sorted.length && sorted[j].confidence === sorted[i].confidence) { if (!sorted[j].correct) w++; j++; }
    const take = Math.min(j - i, n - taken);
    wrong += (w * take) / (j - i);
    taken += take;
    i = j;
  }
  return { placed: n, wrong, wrongRate: n ? wrong / n : 0, wrongRateOfAutomated: n + alreadyAutomated ? wrong / (n + alreadyAutomated) : 0 };
}

/** Upper end of the one-sided Wilson score interval of a proportion (z = its normal quantile). */
export function wilsonUpper(k: number, n: number, z: number): number {
  if (n === 0) return 1;
  const p = k / n;
  if (z === 0) return p;
  const z2 = z * z;
  return Math.min(1, (p + z2 / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}

/** The standard normal quantile for a one-sided level (0.8 … 0.999), by the Abramowitz–Stegun approximation. */
function normalQuantile(level: number): number {
  if (level <= 0.5) return 0;
  // Abramowitz–Stegun 26.2.23 (|error| < 4.5e-4): plenty for a decision bound.
  const t = Math.sqrt(-2 * Math.log(1 - level));
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
}

/**
 * The lowest threshold t such that, among the history's letters with confidence ≥ t, the share of
 * wrong ones (expected or observed, see `method`) is at most maxWrongRate, and at least minPlaced
 * letters are placed; with `alreadyAutomated`, the share among those plus the rules' placements.
 * Scans the confidences from the top down, so equal confidences are taken or left together.
 */
export function recommendThreshold(history: readonly Outcome[], opts: ThresholdOptions = {}): ThresholdRecommendation {
  const maxWrong = opts.maxWrongRate ?? 0.01;
  const minPlaced = opts.minPlaced ?? 30;
  const already = opts.alreadyAutomated ?? 0;
  const z = normalQuantile(opts.confidence ?? 0);
  const expected = (opts.method ?? 'expected') === 'expected';
  const sorted = [...history].sort((a, b) => b.confidence - a.confidence);
  let placed = 0;
  let wrong = 0;
  let expWrong = 0;
  let best = rec(null, history.length, 0, 0, already, z);
  for (let i = 0; i < sorted.length;) {
    const c = sorted[i].confidence;
    while (i < sorted.length && sorted[i].confidence === c) { placed++; if (!sorted[i].correct) wrong++; expWrong += 1 - sorted[i].confidence; i++; }
    const upper = expected ? expWrong / placed : wilsonUpper(wrong, placed, z);
    if (placed >= minPlaced && upper * placed <= maxWrong * (placed + already) + 1e-9) best = rec(c, history.length, placed, wrong, already, z, expWrong);
  }
  return best;
}
