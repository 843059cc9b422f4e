// One sentence per suggestion, Danish and English, from its strongest evidence and the counts
// behind it: "Breve fra Skattestyrelsen om »moms« gik til Økonomi 38 af 40 gange." Pure.
// A runner-up's sentence adds that the letter as a whole points to the first suggestion: its counts
// are one feature's, its confidence the whole letter's ("2 af 7 gange" next to "3 % sikker").
//
// What a sentence may show: a sender's name, a single word of the label or of the documents' text as
// written (the first word that gave the stem: "moms", not Snowball's "mom"; never more of the text), a code (KLE, FORM, P-number, CVR), an attention name or
// address, and destination names. Feature displays are already free of CPR numbers (features.ts); as
// a last guard any CPR-shaped number left in a finished sentence is cut out.
// A word of the documents' text is letter content, sealed at rest: a sentence kept on the timeline
// (`explanationAtRest`) says "the same word" instead; only the sentence made for a person looking at
// the letter names it.
import type { FeatureKind } from './features';
import { findCprNumbers } from '../../../shared/src/identifiers';

export interface Evidence {
  /** The feature key, e.g. "sw:73423023|moms". */
  feature: string;
  kind: FeatureKind;
  /** What the letter showed: the word as written, the sender's name, the code. */
  display: string;
  /** senderWord evidence: the sender's name. */
  sender?: string;
  /** How often letters with this feature went to the target (decayed counts where a half-life is set)… */
  count: number;
  /** …of all letters with this feature. */
  total: number;
  /** The suggested target. */
  target: string;
  /** The archived target whose evidence this is (the suggestion is its successor). */
  via?: string;
}

export type Lang = 'da' | 'en';

/** The display name of a target: its own name if given, else its destinations' names joined. */
export function targetName(target: string, names: ReadonlyMap<string, string>, lang: Lang): string {
  const whole = names.get(target);
  if (whole) return whole;
  const parts = (target === '' ? [] : target.split('+')).map((id) => names.get(id) ?? id);
  if (parts.length <= 1) return parts[0] ?? target;
  const and = lang === 'da' ? ' og ' : ' and ';
  return `${parts.slice(0, -1).join(', ')}${and}${parts[parts.length - 1]}`;
}

const q = (s: string, lang: Lang) => (lang === 'da' ? `»${s}«` : `‘${s}’`);

/** "Letters …" part of the sentence for each kind of evidence. */
function subject(e: Evidence, lang: Lang, withheld: boolean): string {
  const d = e.display;
  const da = lang === 'da';
  if (withheld) return da ? 'Breve med samme ord i dokumenterne' : 'Letters with the same word in their documents';
  switch (e.kind) {
    case 'senderWord': return da ? `Breve fra ${e.sender ?? '?'} om ${q(d, lang)}` : `Letters from ${e.sender ?? '?'} about ${q(d, lang)}`;
    case 'sender': return da ? `Breve fra ${d}` : `Letters from ${d}`;
    case 'senderRecipient': return da ? `Breve fra ${e.sender ?? '?'} til CVR ${d}` : `Letters from ${e.sender ?? '?'} to CVR ${d}`;
    case 'senderName': return da ? `Breve fra afsendere med ${q(d, lang)} i navnet` : `Letters from senders with ${q(d, lang)} in their name`;
    case 'recipient': return da ? `Breve til CVR ${d}` : `Letters to CVR ${d}`;
    case 'label': return da ? `Breve om ${q(d, lang)}` : `Letters about ${q(d, lang)}`;
    case 'text': return da ? `Breve, hvis dokumenter nævner ${q(d, lang)},` : `Letters whose documents mention ${q(d, lang)}`;
    case 'attention': case 'attentionId': case 'email': return da ? `Breve til att. ${d}` : `Letters for the attention of ${d}`;
    case 'pnumber': return da ? `Breve til produktionsenhed (P-nummer) ${d}` : `Letters to production unit (P-number) ${d}`;
    case 'responsible': case 'responsibleId': return da ? `Breve fra afsenderens enhed ${q(d, lang)}` : `Letters from the sender's unit ${q(d, lang)}`;
    case 'kle': return da ? `Breve med KLE-emnet ${d}` : `Letters with the KLE subject ${d}`;
    case 'klePrefix': return da ? `Breve med KLE-emner under ${d}` : `Letters with KLE subjects under ${d}`;
    case 'caseSystem': return da ? `Breve fra sagssystemet ${q(d, lang)}` : `Letters from the case system ${q(d, lang)}`;
    case 'caseId': return da ? `Breve i sagen ${d}` : `Letters in case ${d}`;
    case 'form': return da ? `Breve med FORM-opgaven ${d}` : `Letters with the FORM task ${d}`;
    case 'docName': return da ? `Breve med ${q(d, lang)} i et dokumentnavn` : `Letters with ${q(d, lang)} in a document name`;
    case 'cvrData': return da ? `Breve om CVR ${d}` : `Letters about CVR ${d}`;
    default: return da ? 'Lignende breve' : 'Similar letters';
  }
}

const round = (n: number) => Math.max(0, Math.round(n));

/** Kinds whose display is the letter's sealed content (its documents' text): never in a stored sentence. */
const SEALED_KINDS: ReadonlySet<FeatureKind> = new Set<FeatureKind>(['text']);

/**
 * The sentences of a suggestion as they may be stored (the timeline's events are in clear, as labels
 * are): the same as shown, except that a word of the documents' text is not named. Pure.
 */
export function explanationAtRest(s: { target: string; evidence?: Evidence; outrankedBy?: string; explanation: { da: string; en: string } },
  names: ReadonlyMap<string, string>): { da: string; en: string } {
  const e = s.evidence;
  if (!e || !SEALED_KINDS.has(e.kind)) return s.explanation;
  return { da: explain(e, s.target, names, 'da', true, s.outrankedBy), en: explain(e, s.target, names, 'en', true, s.outrankedBy) };
}

/**
 * The sentence for one suggestion. Without evidence: a plain statement that the target is a usual choice.
 * `outrankedBy` (a runner-up's first suggestion): adds that the letter as a whole points there.
 */
export function explain(e: Evidence | undefined, target: string, names: ReadonlyMap<string, string>, lang: Lang, withholdWord = false,
  outrankedBy?: string): string {
  const name = targetName(target, names, lang);
  const whole = outrankedBy === undefined ? ''
    : lang === 'da' ? ` Alt i alt peger brevet dog mere på ${targetName(outrankedBy, names, lang)}.`
    : ` Taken as a whole, though, the letter points more to ${targetName(outrankedBy, names, lang)}.`;
  if (!e) return guard((lang === 'da' ? `${name} er et almindeligt valg for breve som dette.` : `${name} is a usual choice for letters like this.`) + whole);
  const a = round(e.count);
  const b = Math.max(a, round(e.total));
  const to = e.via ? targetName(e.via, names, lang) : name;
  const times = lang === 'da' ? (b === 1 ? 'gang' : 'gange') : (b === 1 ? 'time' : 'times');
  let s = lang === 'da'
    ? `${subject(e, lang, withholdWord)} gik til ${to} ${a} af ${b} ${times}`
    : `${subject(e, lang, withholdWord)} went to ${to} ${a} of ${b} ${times}`;
  if (e.via) s += lang === 'da' ? `; ${to} er afløst af ${name}` : `; ${to} has been replaced by ${name}`;
  return guard(`${s}.${whole}`);
}

function guard(sentence: string): string {
  const found = findCprNumbers(sentence, { now: new Date(Date.UTC(2200, 0, 1)) });
  if (found.length === 0) return sentence;
  let out = '';
  let at = 0;
  for (const f of found) { out += `${sentence.slice(at, f.start)}…`; at = f.end; }
  return out + sentence.slice(at);
}
