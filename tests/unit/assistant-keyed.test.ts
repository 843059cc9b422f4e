// Keyed features (assistant/features.ts keyFeatures, crypto/keyed-hash.ts): the model counts hashes,
// decides exactly as on the clear keys, and still explains with the letter's own words; a sentence
// kept at rest does not name a word of the documents' text (explain.ts explanationAtRest).
import { randomBytes } from 'node:crypto';
import { featuresOf, keyFeatures, keyedKey, kindOfKey } from '../../backend/src/assistant/features';
import { AssistantModel } from '../../backend/src/assistant/model';
import { explanationAtRest } from '../../backend/src/assistant/explain';
import { keyedHasher } from '../../backend/src/crypto/keyed-hash';
import type { RoutingInput } from '../../backend/src/routing/types';

const letter = (o: Partial<RoutingInput>): RoutingInput => ({
  provider: 'ngdp', senderId: '29190925', senderName: 'Region Hovedstaden', recipientCvr: '12345674', label: 'Epikrise',
  kle: [], caseIds: [], cprPresent: false, replyRequired: false, documentNames: ['Udskrivning.pdf'], documentText: 'paranoid skizofreni og hivinfektion', ...o,
});

describe('keyed assistant features', () => {
  const hash = keyedHasher(randomBytes(32));

  test('a keyed key keeps the kind prefix, hides the value, and is the same for the same key only', () => {
    const k = keyedKey('t:skizofreni', hash);
    expect(k).toMatch(/^~t:[A-Za-z0-9_-]{22}$/);
    expect(kindOfKey(k)).toBe('text');
    expect(kindOfKey('t:skizofreni')).toBe('text');
    expect(keyedKey('t:skizofreni', hash)).toBe(k);
    expect(keyedKey('l:skizofreni', hash)).not.toBe(k.replace('~t:', '~l:')); // the kind is hashed too
    expect(keyedKey('t:skizofreni', keyedHasher(randomBytes(32)))).not.toBe(k);
    const memo = keyedHasher(Buffer.alloc(32, 7), 2);
    const plain = keyedHasher(Buffer.alloc(32, 7));
    for (const w of ['a', 'b', 'c', 'a', 'd', 'b']) expect(memo(w)).toBe(plain(w));
  });

  test('a model on keyed features suggests exactly as on clear ones, and names the letter\'s words', () => {
    const clear = new AssistantModel();
    const keyed = new AssistantModel();
    const examples: [RoutingInput, string][] = [
      [letter({}), 'psyk'],
      [letter({ senderId: '11223344', senderName: 'Skattestyrelsen', label: 'Afgørelse om moms', documentText: 'moms for kvartalet', documentNames: ['Afgørelse.pdf'] }), 'okonomi'],
      [letter({ label: 'Kopi', documentNames: ['Bilag.pdf'] }), 'psyk'],
    ];
    for (let i = 0; i < 5; i++) {
      for (const [input, target] of examples) {
        clear.learn(featuresOf(input), target, { source: 'placement', at: 1 });
        keyed.learn(keyFeatures(featuresOf(input), hash), target, { source: 'placement', at: 1 });
      }
    }
    for (const r of keyed.rows()) expect(r.feature).not.toMatch(/skizofren|moms|epikris|region|hovedstad/);
    const probe = letter({ senderId: '99999999', senderName: 'Privathospital', label: 'Orientering', recipientCvr: '87654321', documentNames: ['Notat.pdf'] });
    const a = clear.suggest(featuresOf(probe), { names: new Map([['psyk', 'Psykiatri']]) });
    const b = keyed.suggest(keyFeatures(featuresOf(probe), hash), { names: new Map([['psyk', 'Psykiatri']]) });
    expect(b.map((s) => [s.target, s.confidence, s.explanation])).toEqual(a.map((s) => [s.target, s.confidence, s.explanation]));
    expect(b[0].explanation.da).toMatch(/^Breve, hvis dokumenter nævner »(paranoid|skizofreni|hivinfektion)«, gik til Psykiatri \d+ af \d+ gange\.$/);
    // Kept at rest (the timeline), the sentence does not name the document's word; other kinds' sentences are kept as they are.
    const names = new Map([['psyk', 'Psykiatri']]);
    expect(explanationAtRest(b[0], names)).toEqual({
      da: expect.stringMatching(/^Breve med samme ord i dokumenterne gik til Psykiatri \d+ af \d+ gange\.$/),
      en: expect.stringMatching(/^Letters with the same word in their documents went to Psykiatri \d+ of \d+ times\.$/),
    });
    const bySender = keyed.suggest(keyFeatures(featuresOf(letter({ documentText: '' })), hash), { names });
    expect(bySender[0].evidence?.kind).not.toBe('text');
    expect(explanationAtRest(bySender[0], names)).toEqual(bySender[0].explanation);
  });
});
