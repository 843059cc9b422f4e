// A letter's routing facts → named features for the assistant. Pure: no I/O.
//
// A feature key is `<prefix>:<value>` (the prefix names its kind, see FEATURE_PREFIX), so a key alone
// tells its kind when the model's state is loaded from stored rows. Keys never start with '#'
// (those are the model's own aggregate rows) or '~' (keyed keys: what the store keeps and the model
// counts in production is `~<prefix>:<keyed hash>`, see keyFeatures — a stem of a health letter's
// text is letter content and is never stored in clear). No key and no display holds a CPR number: free text
// only gives letter-only stems (text.ts), and a structured value with a CPR number in it is left out.
import type { RoutingInput } from '../routing/types';
import { findCprNumbers, isValidPNumber } from '../../../shared/src/identifiers';
import { normalizeDanish, terms, withoutCpr } from './text';

export type FeatureKind =
  | 'provider' | 'sender' | 'senderName' | 'senderWord' | 'senderRecipient' | 'recipient' | 'label' | 'text'
  | 'attention' | 'attentionId' | 'pnumber' | 'email' | 'responsible' | 'responsibleId'
  | 'kle' | 'klePrefix' | 'caseSystem' | 'caseId' | 'form' | 'docName' | 'cvrData' | 'messageType' | 'flag';

/** Key prefix of each kind. */
export const FEATURE_PREFIX: Readonly<Record<FeatureKind, string>> = Object.freeze({
  provider: 'p', sender: 's', senderName: 'sn', senderWord: 'sw', senderRecipient: 'sr', recipient: 'r', label: 'l', text: 't',
  attention: 'a', attentionId: 'ai', pnumber: 'pu', email: 'e', responsible: 'cr', responsibleId: 'ci',
  kle: 'k', klePrefix: 'kp', caseSystem: 'cs', caseId: 'case', form: 'f', docName: 'd', cvrData: 'cv',
  messageType: 'mt', flag: 'x',
});

const KIND_OF_PREFIX = new Map<string, FeatureKind>(Object.entries(FEATURE_PREFIX).map(([k, p]) => [p, k as FeatureKind]));

/** Marks a keyed feature key (keyFeatures): `~<prefix>:<keyed hash>`. A clear key never starts with it. */
export const KEYED_MARK = '~';

/** The kind of a feature key ("l:moms" or "~l:<hash>" → 'label'); undefined for aggregate rows and unknown prefixes. */
export function kindOfKey(key: string): FeatureKind | undefined {
  const s = key.startsWith(KEYED_MARK) ? 1 : 0;
  const i = key.indexOf(':', s);
  return i > s ? KIND_OF_PREFIX.get(key.slice(s, i)) : undefined;
}

/**
 * A clear feature key as it is stored: `~<prefix>:<hash of the whole clear key>`. The prefix (the
 * feature's kind: sender, label word, text stem…) stays readable — the model reads the kind from it —
 * and says nothing of the letter; the value is only compared, never read back. `hash` is a keyed hash
 * (crypto/keyed-hash.ts): a plain one could be tested against every word of a dictionary.
 */
export function keyedKey(clearKey: string, hash: (value: string) => string): string {
  const i = clearKey.indexOf(':');
  return `${KEYED_MARK}${i > 0 ? clearKey.slice(0, i) : ''}:${hash(clearKey)}`;
}

/**
 * The letter's features with keyed keys (keyedKey), each display and kind as it was: the model counts
 * and stores only the keys, and an explanation shows the display of the letter at hand, so what is
 * stored names no word and the sentences still do.
 */
export function keyFeatures(features: readonly Feature[], hash: (value: string) => string): Feature[] {
  return features.map((f) => ({ ...f, key: keyedKey(f.key, hash) }));
}

export interface Feature {
  /** `<prefix>:<value>`, what the model counts. */
  key: string;
  kind: FeatureKind;
  /** What a person reads in an explanation: a sender's name, one word as written (label, text, document name), a code. */
  display: string;
  /** For senderWord features: the sender's display name. */
  sender?: string;
}

export interface FeatureOptions {
  /** The N most frequent stems of the documents' text become features (bounded cost). Default 200. */
  maxTextTerms?: number;
  /** Characters of document text read at most. Default 20,000 (what rules see too). */
  maxTextChars?: number;
}

const hasCpr = (s: string) => findCprNumbers(s, { now: new Date(Date.UTC(2200, 0, 1)) }).length > 0;
/** A free-text value (a name, a department) without any CPR number, trimmed and lowercased; '' if nothing is left. */
const clean = (s: string | undefined) => (s ? normalizeDanish(withoutCpr(s)).replace(/\s+/g, ' ').trim() : '');
/** An identifier: kept only if it holds no CPR number at all. */
const ident = (s: string | undefined) => (s && !hasCpr(s) ? s.trim() : '');

/** The features of one letter (each key once). */
export function featuresOf(input: RoutingInput, opts: FeatureOptions = {}): Feature[] {
  const out: Feature[] = [];
  const seen = new Set<string>();
  const add = (kind: FeatureKind, value: string, display: string, extra?: Partial<Feature>) => {
    if (!value) return;
    const key = `${FEATURE_PREFIX[kind]}:${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ key, kind, display, ...extra });
  };

  add('provider', input.provider, input.provider);
  if (input.messageType) add('messageType', input.messageType, input.messageType);
  const senderId = ident(input.senderId);
  const senderName = clean(input.senderName) ? withoutCpr(input.senderName).trim() : senderId;
  add('sender', senderId, senderName || senderId);
  for (const t of terms(input.senderName ?? '')) add('senderName', t.stem, t.word);
  if (/^\d{8}$/.test(input.recipientCvr)) {
    add('recipient', input.recipientCvr, input.recipientCvr);
    // The same sender about the same kind of thing goes to a different department per company.
    if (senderId) add('senderRecipient', `${senderId}|${input.recipientCvr}`, input.recipientCvr, { sender: senderName || senderId });
  }

  const labelTerms = terms(`${input.label ?? ''} ${input.notification ?? ''}`);
  for (const t of labelTerms) {
    add('label', t.stem, t.word);
    if (senderId) add('senderWord', `${senderId}|${t.stem}`, t.word, { sender: senderName || senderId });
  }
  if (input.documentText) {
    for (const t of terms(input.documentText, { max: opts.maxTextTerms ?? 200, maxChars: opts.maxTextChars ?? 20_000 })) add('text', t.stem, t.word);
  }

  const att = clean(input.attentionPerson);
  if (att) add('attention', att, withoutCpr(input.attentionPerson!).trim());
  add('attentionId', ident(input.attentionPersonId), ident(input.attentionPersonId));
  if (input.productionUnit && isValidPNumber(input.productionUnit)) add('pnumber', input.productionUnit, input.productionUnit);
  const email = ident(input.attentionEmail)?.toLowerCase();
  add('email', email, email);
  const resp = clean(input.contentResponsible);
  if (resp) add('responsible', resp, withoutCpr(input.contentResponsible!).trim());
  add('responsibleId', ident(input.contentResponsibleId), ident(input.contentResponsibleId));

  for (const k of input.kle ?? []) {
    const code = ident(k);
    if (!code) continue;
    add('kle', code, code);
    const parts = code.split('.');
    for (let i = parts.length - 1; i >= 1; i--) {
      const p = parts.slice(0, i).join('.');
      add('klePrefix', p, p);
    }
  }
  for (const c of input.caseSystems ?? []) { const v = clean(c); if (v) add('caseSystem', v, c.trim()); }
  for (const c of input.caseIds ?? []) add('caseId', ident(c), ident(c));
  for (const f of input.forms ?? []) add('form', ident(f), ident(f));
  for (const c of input.cvrData ?? []) if (/^\d{8}$/.test(c)) add('cvrData', c, c);
  for (const name of input.documentNames ?? []) {
    for (const t of terms(name.replace(/\.[a-z0-9]{2,5}$/i, ''))) add('docName', t.stem, t.word);
  }
  if (input.replyRequired) add('flag', 'reply', 'svar påkrævet');
  return out;
}
