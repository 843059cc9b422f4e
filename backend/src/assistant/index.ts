// The triage assistant: suggests where a letter no rule placed should go, learnt from rule
// deliveries and people's placements. Pure (no I/O): the store persists `learn`'s deltas.
export { tokenize, stem, terms, normalizeDanish, withoutCpr, DANISH_STOP_WORDS, type Term, type TermOptions } from './text';
export { featuresOf, kindOfKey, keyedKey, keyFeatures, KEYED_MARK, FEATURE_PREFIX, type Feature, type FeatureKind, type FeatureOptions } from './features';
export {
  AssistantModel, targetOf, idsOf, pav, autoPlaceRefusal, percent, offeredSuggestions, AUTO_PLACE_MIN_OUTCOMES, DEFAULT_OPTIONS, DEFAULT_KIND_WEIGHTS,
  type Delta, type ModelOptions, type ModelState, type LearnOptions, type LearnSource, type SuggestOptions, type Suggestion,
} from './model';
export { explain, explanationAtRest, targetName, type Evidence, type Lang } from './explain';
export { recommendThreshold, evaluateThreshold, costOfPlacing, wilsonUpper, type Outcome, type ThresholdOptions, type ThresholdRecommendation } from './threshold';
