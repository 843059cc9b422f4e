// Conditions in words (English), for the rule list and for "why" when a `not` held. What held for
// one letter (with the letter's values) is said by route.ts; this file says what a rule asks.
import type { Condition, TextField, AttentionField, RegexSpec, Provider } from './conditions';
import { maskCpr } from '../../../shared/src/identifiers';

export const TEXT_FIELD_NAMES: Record<TextField, string> = {
  label: 'subject',
  notification: 'notification',
  'subject+notification': 'subject or notification',
  documents: 'the documents',
  all: 'the letter',
};

export const ATTENTION_FIELD_NAMES: Record<AttentionField, string> = {
  person: 'attention person',
  personId: 'attention person id',
  productionUnit: 'production unit (P-number)',
  email: 'attention e-mail',
  contentResponsible: 'content responsible',
};

export const PROVIDER_NAMES: Record<Provider, string> = { ngdp: 'Digital Post (NgDP)', eboks: 'e-Boks', mitdk: 'mit.dk' };

export const quote = (s: string) => `"${s}"`;
export const quoteList = (ws: string[]) => ws.map(quote).join(', ');
export const showRegex = (r: RegexSpec) => `/${r.pattern}/${r.flags ?? ''}`;

/** "subject contains the words "moms", "kvartal"" and the like; `mention` style for documents and letter. */
export function describeWords(field: TextField, words: string[]): string {
  const list = quoteList(words);
  if (field === 'documents') return `the documents mention ${list}`;
  if (field === 'all') return `the letter mentions ${list}`;
  return `${TEXT_FIELD_NAMES[field]} contains the word${words.length === 1 ? '' : 's'} ${list}`;
}

export function describePhrase(field: TextField, phrase: string): string {
  if (field === 'documents') return `the documents contain ${quote(phrase)}`;
  return `${TEXT_FIELD_NAMES[field]} contains ${quote(phrase)}`;
}

export function describeRegex(field: TextField, r: RegexSpec): string {
  return `${TEXT_FIELD_NAMES[field]} match${field === 'documents' ? '' : 'es'} ${showRegex(r)}`;
}

function describeInner(c: Condition): string {
  if ('all' in c) return c.all.map((x) => wrap(x)).join(' and ');
  if ('any' in c) return c.any.map((x) => wrap(x)).join(' or ');
  if ('not' in c) return `not (${describeInner(c.not)})`;
  if ('always' in c) return 'catch-all';
  if ('senderId' in c) return `sender is ${c.senderId}`;
  if ('senderName' in c) return 'equals' in c.senderName ? `sender name is ${quote(c.senderName.equals)}` : `sender name contains ${quote(c.senderName.contains)}`;
  if ('recipientCvr' in c) return `recipient CVR is ${c.recipientCvr}`;
  if ('provider' in c) return `the letter came through ${PROVIDER_NAMES[c.provider]}`;
  if ('text' in c) {
    const t = c.text;
    if (t.words) return describeWords(t.field, t.words);
    if (t.phrase !== undefined) return describePhrase(t.field, t.phrase);
    if (t.regex) return describeRegex(t.field, t.regex);
    return `${TEXT_FIELD_NAMES[t.field]} (no test)`;
  }
  if ('kle' in c) return `KLE subject is ${c.kle}${c.kle.split('.').length < 3 ? ' or under it' : ''}`;
  if ('caseId' in c) return 'equals' in c.caseId ? `case id is ${quote(c.caseId.equals)}` : `case id starts with ${quote(c.caseId.prefix)}`;
  if ('caseSystem' in c) return `case system is ${quote(c.caseSystem)}`;
  if ('form' in c) return `FORM task key is ${c.form}${c.form.split('.').length < 3 ? ' or under it' : ''}`;
  if ('cprPresent' in c) return c.cprPresent ? 'the letter names a CPR number' : 'the letter names no CPR number';
  if ('cvrData' in c) return `the letter concerns CVR ${c.cvrData}`;
  if ('attention' in c) {
    const a = c.attention;
    return `${ATTENTION_FIELD_NAMES[a.field]} ${a.equals !== undefined ? `is ${quote(a.equals)}` : `contains ${quote(a.contains ?? '')}`}`;
  }
  if ('documentName' in c) {
    return 'contains' in c.documentName ? `a document's name contains ${quote(c.documentName.contains)}` : `a document's name matches ${showRegex(c.documentName.regex)}`;
  }
  if ('documentType' in c) return c.documentType.endsWith('/*') ? `a document is of type ${c.documentType}` : `a document is ${c.documentType}`;
  if ('replyRequired' in c) return c.replyRequired ? 'a reply is required' : 'no reply is required';
  if ('labelContains' in c) return `subject contains ${quote(c.labelContains)}`;
  return 'unknown condition';
}

function wrap(c: Condition): string {
  const s = describeInner(c);
  return 'all' in c || 'any' in c ? `(${s})` : s;
}

/** What a condition asks, in one English sentence; CPR numbers in it are masked. */
export function describeCondition(c: Condition): string {
  return maskCpr(describeInner(c));
}
