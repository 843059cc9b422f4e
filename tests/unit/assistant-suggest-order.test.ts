// The suggestions are shown in the order the model ranks them, the first highlighted: their
// confidences must not rise down the list, also when calibration makes the first less sure than its
// raw share (people disagreed about such letters). Confidences are shown as whole percent rounded
// down, never 100 % and never 0 % when positive, the same in the task pane and in the timeline's
// sentences. Suggestions too unsure to help are not offered, nor offered as a one-click button.
import { featuresOf } from '../../backend/src/assistant/features';
import { explain, explanationAtRest } from '../../backend/src/assistant/explain';
import { AssistantModel, offeredSuggestions, percent } from '../../backend/src/assistant/model';
import type { RoutingInput } from '../../backend/src/routing/types';
import { formatConfidence } from '../../addin/src/format';
import { MIN_SUGGESTION_CONFIDENCE, ONE_CLICK_MIN_CONFIDENCE, confidencePercent, offersOneClick } from '../../shared/src/confidence';

const REGISTRY = ['d-okonomi', 'd-ejendomme', 'd-jura'];
const letter = (label: string): RoutingInput => ({
  provider: 'ngdp', senderId: '19552101', senderName: 'Skattestyrelsen', recipientCvr: '12345674', label, kle: [], caseIds: [],
  documentNames: ['Brev.pdf'], replyRequired: false, cprPresent: false,
});

test('confidences do not rise down the list when people disagree about a kind of letter', () => {
  const model = new AssistantModel();
  let clock = Date.UTC(2026, 0, 5);
  // Moms letters went to Økonomi or Ejendomme almost equally often, in an order that keeps the
  // assistant's first guess wrong more often than its raw share says.
  const places = ['d-okonomi', 'd-ejendomme', 'd-ejendomme', 'd-okonomi', 'd-okonomi', 'd-ejendomme', 'd-jura'];
  for (let i = 0; i < 140; i++) {
    const input = letter(`Foreløbig fastsættelse af moms ${i % 4 === 0 ? 'for kvartalet' : ''}`);
    model.learn(featuresOf(input), places[i % places.length], { source: 'placement', allowedTargets: REGISTRY, at: clock += 60_000 });
  }
  const suggestions = model.suggest(featuresOf(letter('Foreløbig fastsættelse af moms for 3. kvartal')), { allowedTargets: REGISTRY });
  expect(suggestions.length).toBeGreaterThanOrEqual(2);
  // The case the test is about: calibration puts the first below its raw share.
  expect(suggestions[0].confidence).toBeLessThan(suggestions[0].raw);
  for (let i = 1; i < suggestions.length; i++) expect(suggestions[i].confidence).toBeLessThanOrEqual(suggestions[i - 1].confidence);
  expect(suggestions.reduce((n, s) => n + s.confidence, 0)).toBeLessThanOrEqual(1 + 1e-9);
});

test('shown confidence: rounded down, never 100 %, the same in the task pane as in the timeline', () => {
  const plain = (x: string) => x.replace(/\s/g, ' ');
  for (const p of [0, 0.01, 0.29, 0.375, 0.4099, 0.955, 0.996, 1]) {
    expect(formatConfidence(p, 'da-DK').under).toBe(false);
    expect(plain(formatConfidence(p, 'da-DK').percent)).toBe(percent(p));
  }
  expect(formatConfidence(0.996, 'en-GB')).toEqual({ percent: '99%', under: false });
  expect(formatConfidence(0.29, 'en-GB')).toEqual({ percent: '29%', under: false });
  expect(formatConfidence(Number.NaN, 'en-GB')).toEqual({ percent: '0%', under: false });
});

test('shown confidence: a positive one below 1 % is "under 1 %", never "0 %" (which reads as "never")', () => {
  for (const p of [0.0001, 0.004, 0.0099]) {
    expect(confidencePercent(p)).toEqual({ value: 1, under: true });
    expect(formatConfidence(p, 'en-GB')).toEqual({ percent: '1%', under: true });
    expect(percent(p)).toBe('less than 1 %');
  }
  expect(confidencePercent(0)).toEqual({ value: 0, under: false });
  expect(confidencePercent(-0.2)).toEqual({ value: 0, under: false });
  expect(confidencePercent(0.01)).toEqual({ value: 1, under: false });
  expect(confidencePercent(0.0999)).toEqual({ value: 9, under: false });
});

test('offered: suggestions below the floor are not offered at all; below the one-click floor, not as a button', () => {
  const s = (confidence: number) => ({ confidence, target: String(confidence) });
  expect(offeredSuggestions([s(0.84), s(0.15), s(0.003)]).map((x) => x.confidence)).toEqual([0.84, 0.15]);
  expect(offeredSuggestions([s(0.009)])).toEqual([]);
  expect(offeredSuggestions([s(MIN_SUGGESTION_CONFIDENCE)])).toHaveLength(1);
  expect(offersOneClick(0.84)).toBe(true);
  expect(offersOneClick(ONE_CLICK_MIN_CONFIDENCE)).toBe(true);
  expect(offersOneClick(0.0999)).toBe(false);
  expect(offersOneClick(0.004)).toBe(false);
  expect(offersOneClick(Number.NaN)).toBe(false);
  // A suggestion offered without a button exists: the floors leave room between them.
  expect(MIN_SUGGESTION_CONFIDENCE).toBeLessThan(ONE_CLICK_MIN_CONFIDENCE);
});

test('offered from the model: a kind of letter that almost always goes to one place keeps the rare places out', () => {
  const model = new AssistantModel();
  let clock = Date.UTC(2026, 0, 5);
  for (let i = 0; i < 60; i++) {
    const to = i % 30 === 7 ? 'd-ejendomme' : 'd-okonomi';
    model.learn(featuresOf(letter(`Moms for ${i % 4 + 1}. kvartal`)), to, { source: 'placement', allowedTargets: REGISTRY, at: clock += 60_000 });
  }
  model.learn(featuresOf(letter('Ejendomsskat')), 'd-jura', { source: 'placement', allowedTargets: REGISTRY, at: clock += 60_000 });
  const all = model.suggest(featuresOf(letter('Moms for 2. kvartal')), { allowedTargets: REGISTRY });
  // The model itself ranks every place it knows…
  expect(all.map((x) => x.target)).toEqual(['d-okonomi', 'd-ejendomme', 'd-jura']);
  expect(all[2].confidence).toBeLessThan(MIN_SUGGESTION_CONFIDENCE);
  // …people are offered only those worth a look, the first first.
  const offered = offeredSuggestions(all);
  expect(offered[0]).toBe(all[0]);
  expect(offered.map((x) => x.target)).not.toContain('d-jura');
});

test('a runner-up\'s sentence says why its confidence is lower than its counts suggest, also as kept at rest', () => {
  const names = new Map([['d-okonomi', 'Økonomi'], ['d-ejendomme', 'Ejendomme']]);
  const evidence = { feature: 't:mom', kind: 'text' as const, display: 'moms', count: 2, total: 7, target: 'd-ejendomme' };
  const s = {
    target: 'd-ejendomme', evidence, outrankedBy: 'd-okonomi',
    explanation: { da: explain(evidence, 'd-ejendomme', names, 'da', false, 'd-okonomi'), en: explain(evidence, 'd-ejendomme', names, 'en', false, 'd-okonomi') },
  };
  expect(s.explanation.da).toBe('Breve, hvis dokumenter nævner »moms«, gik til Ejendomme 2 af 7 gange. Alt i alt peger brevet dog mere på Økonomi.');
  expect(explanationAtRest(s, names)).toEqual({
    da: 'Breve med samme ord i dokumenterne gik til Ejendomme 2 af 7 gange. Alt i alt peger brevet dog mere på Økonomi.',
    en: 'Letters with the same word in their documents went to Ejendomme 2 of 7 times. Taken as a whole, though, the letter points more to Økonomi.',
  });
});
