// How the assistant's confidence in a suggestion is shown to people, the same in the task pane, its
// timeline and the backend's English timeline sentences; and the floors below which a suggestion is
// not worth a click or not worth showing. Pure.

/**
 * Below this the backend does not offer a suggestion (triage queue, timeline): fewer than 1 in 100 such
 * guesses are right, so it is noise next to the ones that matter.
 */
export const MIN_SUGGESTION_CONFIDENCE = 0.01;

/**
 * Below this the task pane shows a suggestion without its one-click "Placér i …" button: a button
 * invites a click, and 9 in 10 such clicks would be wrong. The person chooses recipients instead.
 */
export const ONE_CLICK_MIN_CONFIDENCE = 0.1;

/** Whether the task pane offers a suggestion as a one-click button (an unusable recipient aside). */
export function offersOneClick(confidence: number): boolean {
  return Number.isFinite(confidence) && confidence >= ONE_CLICK_MIN_CONFIDENCE;
}

/**
 * A confidence as whole percent: rounded down and never 100 (a calibrated estimate is never certain),
 * and never 0 when positive — then 1 with `under` set, said "under 1 %": "0 %" reads as "never".
 */
export function confidencePercent(p: number): { value: number; under: boolean } {
  if (!Number.isFinite(p) || p <= 0) return { value: 0, under: false };
  const value = Math.min(99, Math.floor(p * 100 + 1e-9)); // 1e-9: 0.29 * 100 is 28.999…
  return value === 0 ? { value: 1, under: true } : { value, under: false };
}
