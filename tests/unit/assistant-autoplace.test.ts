// Auto-placement must rest on more than a confident number: one known destination is not
// certainty, the targets' frequencies and the recipient CVR are not evidence about this letter, and
// a confidence no person's placements back does not place letters (assistant/model.ts).
import { featuresOf } from '../../backend/src/assistant/features';
import { AssistantModel, autoPlaceRefusal, AUTO_PLACE_MIN_OUTCOMES, percent } from '../../backend/src/assistant/model';
import type { RoutingInput } from '../../backend/src/routing/types';

const SKAT = { senderId: '19552101', senderName: 'Skattestyrelsen' };
const KBH = { senderId: '64942212', senderName: 'Københavns Kommune' };
const ORG_CVR = '12345674';
const OTHER_CVR = '87654328';
const REGISTRY = ['d-okonomi', 'd-teams', 'd-jura', 'd-hr'];

const letter = (over: Partial<RoutingInput>): RoutingInput => ({
  provider: 'ngdp', ...SKAT, recipientCvr: ORG_CVR, label: 'Afgørelse om moms', kle: [], caseIds: [],
  documentNames: ['Brev.pdf'], replyRequired: false, cprPresent: false, ...over,
});
const carport = letter({ ...KBH, recipientCvr: OTHER_CVR, label: 'Byggetilladelse til carport', documentNames: ['Brev.pdf'] });
let clock = Date.UTC(2026, 0, 5);
const at = () => (clock += 60_000);

describe('auto-placement', () => {
  test('one known destination is not certainty: an unrelated letter is suggested there, but not placed', () => {
    // One rule (Skattestyrelsen → Økonomi) has delivered one letter; nothing else is known.
    const model = new AssistantModel();
    model.learn(featuresOf(letter({})), 'd-okonomi', { source: 'rule', allowedTargets: REGISTRY, at: at() });
    for (const allowedTargets of [REGISTRY, undefined]) {
      const [top, ...rest] = model.suggest(featuresOf(carport), { allowedTargets });
      // Still a suggestion (the only place it knows), explained by the shared document name…
      expect(top.destinationIds).toEqual(['d-okonomi']);
      expect(rest).toHaveLength(0);
      // …but far from sure (it was log-odds 50: "100 % sure"), and never placed without a person.
      expect(top.confidence).toBeLessThan(0.9);
      expect(top.raw).toBeLessThan(0.9);
      expect(top.basis).toEqual({ outcomes: 0, specific: null });
      expect(autoPlaceRefusal(top, 0.95)).not.toBeNull();
      expect(autoPlaceRefusal(top, 0.05)).toMatch(/nothing specific to this letter/);
    }
  });

  test('the prior and a shared recipient CVR alone never auto-place; a known sender backed by placements does', () => {
    const model = new AssistantModel();
    const registry = ['d-okonomi', 'd-jura'];
    // 1,000 rule deliveries Skattestyrelsen → Økonomi, 50 Københavns Kommune → Jura, all to the same CVR.
    for (let i = 0; i < 1000; i++) model.learn(featuresOf(letter({ label: `Moms ${i % 4 + 1}. kvartal` })), 'd-okonomi', { source: 'rule', allowedTargets: registry, at: at() });
    for (let i = 0; i < 50; i++) model.learn(featuresOf(letter({ ...KBH, label: 'Partshøring om byggesag' })), 'd-jura', { source: 'rule', allowedTargets: registry, at: at() });
    // People then place letters from Skattestyrelsen in Økonomi (and calibrate the confidence).
    const skat = letter({ label: 'Rykker for moms' });
    for (let i = 0; i < 3 * AUTO_PLACE_MIN_OUTCOMES; i++) model.learn(featuresOf(skat), 'd-okonomi', { source: 'placement', allowedTargets: registry, at: at() });

    // A letter from a sender never seen, about words never seen, to the shared CVR: the prior and
    // the recipient make Økonomi likely, and that is all.
    const stranger = letter({ senderId: '29189404', senderName: 'Naboejendommen ApS', label: 'Hegnssyn', documentNames: ['Indkaldelse.pdf'] });
    const [top] = model.suggest(featuresOf(stranger), { allowedTargets: registry });
    expect(top.destinationIds).toEqual(['d-okonomi']);
    expect(top.basis!.specific).toBeNull();
    expect(autoPlaceRefusal(top, Math.min(0.5, top.confidence))).toMatch(/nothing specific to this letter/);

    // The same sender's next letter has a known sender favouring Økonomi and placements behind its confidence.
    const [sure] = model.suggest(featuresOf(letter({ label: 'Rykker for moms' })), { allowedTargets: registry });
    expect(sure.destinationIds).toEqual(['d-okonomi']);
    expect(sure.basis!.specific).toMatch(/^(s|sw|sr):19552101/);
    expect(sure.basis!.outcomes).toBeGreaterThanOrEqual(AUTO_PLACE_MIN_OUTCOMES);
    expect(sure.confidence).toBeGreaterThan(0.95);
    expect(autoPlaceRefusal(sure, 0.95)).toBeNull();
  });

  test('a sender whose letters go to both places alike is not evidence for either', () => {
    const model = new AssistantModel();
    const registry = ['d-okonomi', 'd-hr'];
    for (let i = 0; i < 60; i++) {
      model.learn(featuresOf(letter({ label: 'Moms' })), 'd-okonomi', { source: 'placement', allowedTargets: registry, at: at() });
      model.learn(featuresOf(letter({ label: 'Lønsumsafgift' })), 'd-hr', { source: 'placement', allowedTargets: registry, at: at() });
    }
    const [top] = model.suggest(featuresOf(letter({ label: 'Orientering' })), { allowedTargets: registry });
    expect(top.basis!.specific).toBeNull();
    expect(autoPlaceRefusal(top, 0.5)).not.toBeNull();
    // Its word does favour one place: then it is evidence.
    const [moms] = model.suggest(featuresOf(letter({ label: 'Moms' })), { allowedTargets: registry });
    expect(moms.destinationIds).toEqual(['d-okonomi']);
    expect(moms.basis!.specific).toBe('sw:19552101|mom');
  });

  test('a confidence without enough placements behind it does not place, however high', () => {
    const model = new AssistantModel();
    const registry = ['d-okonomi', 'd-jura'];
    for (let i = 0; i < 200; i++) {
      model.learn(featuresOf(letter({})), 'd-okonomi', { source: 'rule', allowedTargets: registry, at: at() });
      model.learn(featuresOf(letter({ ...KBH, label: 'Byggesag' })), 'd-jura', { source: 'rule', allowedTargets: registry, at: at() });
    }
    // Rules teach counts, not calibration: no person has judged a single suggestion yet.
    const [top] = model.suggest(featuresOf(letter({})), { allowedTargets: registry });
    expect(top.destinationIds).toEqual(['d-okonomi']);
    expect(top.basis!.specific).not.toBeNull();
    expect(top.basis!.outcomes).toBe(0);
    expect(autoPlaceRefusal(top, Math.min(0.9, top.confidence))).toMatch(/only 0 letters at this confidence/);
  });

  test('a confidence reads as at most 99 %', () => {
    expect(percent(0.9999)).toBe('99 %');
    expect(percent(0.951)).toBe('95 %');
    expect(percent(0)).toBe('0 %');
  });
});
