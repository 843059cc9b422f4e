// What of a quarantine reason may leave the task pane: its non-personal facts. A reason is the
// validator's or the database's own words and may quote the letter (an element's value: a name, an
// e-mail address, a CPR number; an unknown element's or namespace's name), so the admins' notice mail
// and the log lines carry only what kind of failure it is and, for an invalid MeMo, where in the letter:
// the element path, with every step that is not a MeMo element or attribute name left out ("…").
// The whole reason stays in the quarantine row, shown in the pane to those who may see the mailbox's quarantine.
import { messageDecl, type ElementDecl } from '../memo/schema';
import { DOCUMENT_PATH } from '../memo/parse';
import { ERASED_REASON, FIRST_REASON_SEPARATOR, NOT_FETCHED_PREFIX, RECEIPT_NOT_SENT_PREFIX } from './letter-failures';

export type ReasonFacts =
  | { kind: 'invalid_memo'; path: string }
  /** An e-Boks or mit.dk letter its connector could not make a MeMo of (eboks/provider-letter.ts unconvertibleRaw). */
  | { kind: 'unconvertible' }
  | { kind: 'not_fetched' }
  | { kind: 'receipt_not_sent'; first: ReasonFacts | null }
  | { kind: 'database' }
  | { kind: 'given_up' }
  | { kind: 'erased' };

/** Every element and attribute name of MeMo 1.1 and 1.2: the only words of a path repeated. */
const NAMES = (() => {
  const elements = new Set<string>(['Unconvertible']);
  const attributes = new Set<string>();
  const seen = new Set<ElementDecl>();
  const walk = (d: ElementDecl): void => {
    if (seen.has(d)) return;
    seen.add(d);
    elements.add(d.name);
    for (const a of d.attrs ?? []) attributes.add(a.name);
    if (typeof d.type !== 'string') for (const p of d.type) p.alts.forEach(walk);
  };
  walk(messageDecl('1.1'));
  walk(messageDecl('1.2'));
  return { elements, attributes };
})();

function knownStep(step: string): boolean {
  if (step === DOCUMENT_PATH) return true;
  const attr = /^@([A-Za-z]\w*)$/.exec(step);
  if (attr) return NAMES.attributes.has(attr[1]);
  const el = /^([A-Za-z][\w.-]*)(?:\[\d{1,6}\])?$/.exec(step);
  return !!el && NAMES.elements.has(el[1]);
}

/** A MeMo path with only MeMo names left in it. */
export function memoPathFacts(path: string): string {
  const steps = path.split('/').map((s) => (knownStep(s) ? s : '…'));
  return steps.filter((s, i) => s !== '…' || steps[i - 1] !== '…').join('/');
}

/** The non-personal facts of a stored quarantine reason (ingest/accept.ts, poll.ts, letter-failures.ts write them). */
export function reasonFacts(reason: string): ReasonFacts {
  if (reason.startsWith(RECEIPT_NOT_SENT_PREFIX)) {
    const at = reason.indexOf(FIRST_REASON_SEPARATOR);
    return { kind: 'receipt_not_sent', first: at < 0 ? null : reasonFacts(reason.slice(at + FIRST_REASON_SEPARATOR.length)) };
  }
  if (reason.startsWith(NOT_FETCHED_PREFIX)) return { kind: 'not_fetched' };
  if (reason.startsWith('Brevdue\'s database cannot hold this letter')) return { kind: 'database' };
  if (/^Given up after \d+ attempts to store it/.test(reason)) return { kind: 'given_up' };
  if (reason === ERASED_REASON || reason.endsWith(ERASED_REASON)) return { kind: 'erased' };
  // Otherwise a MemoError's message: "<path>: <rule>".
  const at = reason.indexOf(': ');
  const path = memoPathFacts(at < 0 ? reason : reason.slice(0, at));
  return path === 'Unconvertible' ? { kind: 'unconvertible' } : { kind: 'invalid_memo', path };
}
