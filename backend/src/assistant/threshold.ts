// The auto-placement threshold: from a labelled history of suggestions (the top-1 confidence and
// whether a person then chose that same target), the lowest threshold at which the letters that
// would have been placed automatically were wrong at most `maxWrongRate` of the time. Pure.
//
// The product can show this to an admin as the recommended threshold (and what it would have
// automated); the benchmark picks its threshold this way on a validation slice of the training
// period, never on the months it measures.

export interface Outcome {
  /** The calibrated confidence of the top-1 suggestion. */
  confidence: number;
  /** Whether the person's placement was that suggestion. */
  correct: boolean;
}

export interface ThresholdOptions {
  /** Highest share of wrong automatic placements accepted (default 0.01). */
  maxWrongRate?: number;
  /** A threshold is only recommended if it would have placed at least this many letters (default 30). */
  minPlaced?: number;
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
}

/** What a given threshold would have done on the history. */
export function evaluateThreshold(history: readonly Outcome[], threshold: number): ThresholdRecommendation {
  let placed = 0;
  let wrong = 0;
  for (const o of history) if (o.confidence >= threshold) { placed++; if (!o.correct) wrong++; }
  return { threshold, n: history.length, placed, wrong, coverage: history.length ? placed / history.length : 0, wrongRate: placed ? wrong / placed : 0 };
}

/**
 * The lowest threshold t such that, among the history's letters with confidence ≥ t, the share of
 * wrong ones is at most maxWrongRate (and at least minPlaced letters are placed). Scans the
 * confidences from the top down, so equal confidences are taken or left together.
 */
export function recommendThreshold(history: readonly Outcome[], opts: ThresholdOptions = {}): ThresholdRecommendation {
  const maxWrong = opts.maxWrongRate ?? 0.01;
  const minPlaced = opts.minPlaced ?? 30;
  const sorted = [...history].sort((a, b) => b.confidence - a.confidence);
  let placed = 0;
  let wrong = 0;
  let best: ThresholdRecommendation = { threshold: null, n: history.length, placed: 0, wrong: 0, coverage: 0, wrongRate: 0 };
  for (let i = 0; i < sorted.length;) {
    const c = sorted[i].confidence;
    while (i < sorted.length && sorted[i].confidence === c) { placed++; if (!sorted[i].correct) wrong++; i++; }
    if (placed >= minPlaced && wrong <= maxWrong * placed) {
      best = { threshold: c, n: history.length, placed, wrong, coverage: placed / history.length, wrongRate: wrong / placed };
    }
  }
  return best;
}
