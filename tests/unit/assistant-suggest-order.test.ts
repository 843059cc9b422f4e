// The suggestions are shown in the order the model ranks them, the first highlighted: their
// confidences must not rise down the list, also when calibration makes the first less sure than its
// raw share (people disagreed about such letters). Confidences are shown as whole percent rounded
// down, never 100 %, the same in the task pane and in the timeline's sentences.
import { featuresOf } from '../../backend/src/assistant/features';
import { AssistantModel, percent } from '../../backend/src/assistant/model';
import type { RoutingInput } from '../../backend/src/routing/types';
import { formatConfidence } from '../../addin/src/format';

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
  for (const p of [0, 0.29, 0.375, 0.4099, 0.955, 0.996, 1]) {
    expect(plain(formatConfidence(p, 'da-DK'))).toBe(percent(p));
  }
  expect(formatConfidence(0.996, 'en-GB')).toBe('99%');
  expect(formatConfidence(0.29, 'en-GB')).toBe('29%');
  expect(formatConfidence(Number.NaN, 'en-GB')).toBe('0%');
});
