// Rules in words, in the person's language (the API's `description` is English only): what a rule's
// conditions ask and what it does. Pure: the caller hands in the translate function and the names of
// CVR numbers and destinations. CPR numbers in the text are masked, as the backend's describe.ts does.
import { maskCpr } from '../../../../../shared/src/identifiers';
import type { DryRunResponse, RuleView } from '../../../../../shared/src/contracts';
import type { Condition } from './model';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export interface DescribeNames {
  cvr?: (cvr: string) => string | undefined;
  destination?: (id: string) => string | undefined;
}

const q = (s: string) => `“${s}”`;
const regex = (r: { pattern: string; flags?: string }) => `/${r.pattern}/${r.flags ?? ''}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** KLE and FORM keys with fewer than three groups also cover the keys below them. */
const below = (key: string, t: Translate) => (key.split('.').length < 3 ? t('rules.describe.orBelow') : '');

function inner(c: Condition, t: Translate, names: DescribeNames): string {
  const wrap = (x: Condition) => ('all' in x || 'any' in x ? `(${inner(x, t, names)})` : inner(x, t, names));
  if ('all' in c) return c.all.map(wrap).join(t('rules.describe.and'));
  if ('any' in c) return c.any.map(wrap).join(t('rules.describe.or'));
  if ('not' in c) return t('rules.describe.not', { inner: inner(c.not, t, names) });
  if ('always' in c) return t('rules.describe.always');
  if ('senderId' in c) return t('rules.describe.senderId', { value: c.senderId });
  if ('senderName' in c) {
    return 'equals' in c.senderName ? t('rules.describe.senderNameEquals', { value: q(c.senderName.equals) })
      : t('rules.describe.senderNameContains', { value: q(c.senderName.contains) });
  }
  if ('recipientCvr' in c) {
    const name = names.cvr?.(c.recipientCvr);
    return t('rules.describe.recipientCvr', { value: name ? `${c.recipientCvr} (${name})` : c.recipientCvr });
  }
  if ('provider' in c) return t('rules.describe.provider', { value: t(`provider.${c.provider}`) });
  if ('labelContains' in c) return t('rules.describe.phrase', { field: t('rules.textField.label'), value: q(c.labelContains) });
  if ('text' in c) {
    const x = c.text;
    const field = t(`rules.textField.${x.field}`);
    if (x.words) return t('rules.describe.words', { field, value: x.words.map(q).join(', '), count: x.words.length });
    if (x.phrase !== undefined) return t('rules.describe.phrase', { field, value: q(x.phrase) });
    if (x.regex) return t('rules.describe.regex', { field, value: regex(x.regex) });
  }
  if ('kle' in c) return t('rules.describe.kle', { value: c.kle, below: below(c.kle, t) });
  if ('form' in c) return t('rules.describe.form', { value: c.form, below: below(c.form, t) });
  if ('caseId' in c) {
    return 'equals' in c.caseId ? t('rules.describe.caseIdEquals', { value: q(c.caseId.equals) })
      : t('rules.describe.caseIdPrefix', { value: q(c.caseId.prefix) });
  }
  if ('caseSystem' in c) return t('rules.describe.caseSystem', { value: q(c.caseSystem) });
  if ('cprPresent' in c) return t(c.cprPresent ? 'rules.describe.cprYes' : 'rules.describe.cprNo');
  if ('replyRequired' in c) return t(c.replyRequired ? 'rules.describe.replyYes' : 'rules.describe.replyNo');
  if ('cvrData' in c) return t('rules.describe.cvrData', { value: c.cvrData });
  if ('attention' in c) {
    const a = c.attention;
    const field = t(`rules.attentionField.${a.field}`);
    return a.equals !== undefined ? t('rules.describe.attentionEquals', { field, value: q(a.equals) })
      : t('rules.describe.attentionContains', { field, value: q(a.contains ?? '') });
  }
  if ('documentName' in c) {
    return 'contains' in c.documentName ? t('rules.describe.documentNameContains', { value: q(c.documentName.contains) })
      : t('rules.describe.documentNameRegex', { value: regex(c.documentName.regex) });
  }
  if ('documentType' in c) return t('rules.describe.documentType', { value: c.documentType });
  throw new Error('unknown condition');
}

/**
 * What the conditions ask, in one sentence; null when they hold a test this version of the pane does
 * not know (the caller then shows the API's English description).
 */
export function describeConditions(c: unknown, t: Translate, names: DescribeNames = {}): string | null {
  if (!isObject(c)) return null;
  try {
    const s = inner(c as Condition, t, names);
    return maskCpr(s.charAt(0).toUpperCase() + s.slice(1));
  } catch {
    return null;
  }
}

/** One condition in words, uncapitalised for the middle of a sentence (CPR masked); null when this pane does not know it. */
export function conditionInWords(c: unknown, t: Translate, names: DescribeNames = {}): string | null {
  if (!isObject(c)) return null;
  try {
    return maskCpr(inner(c as Condition, t, names));
  } catch {
    return null;
  }
}

/** What the rule does: "→ A, B · folder … · continues" or "→ triage". */
export function describeAction(rule: Pick<RuleView, 'action' | 'continue'>, t: Translate, names: DescribeNames = {}): string {
  const parts: string[] = [];
  if (rule.action.kind === 'triage') parts.push(t('rules.describe.toTriage'));
  else {
    const list = rule.action.destinationIds.map((id) => names.destination?.(id) ?? t('rules.unknownDestination'));
    parts.push(t('rules.describe.toDestinations', { names: list.join(', ') }));
    if (rule.action.folderTemplate) parts.push(t('rules.describe.folder', { template: rule.action.folderTemplate }));
  }
  if (rule.continue) parts.push(t('rules.describe.continues'));
  return parts.join(' · ');
}

/**
 * One side of a dry-run change in words: "triage", or each destination with the folder a rule's
 * template chose ("Økonomi, mappe Skat/Skattestyrelsen"): a change of folder alone is a change too.
 */
export function dryRunSideText(x: DryRunResponse['changes'][number]['before'], t: Translate): string {
  if (x.kind === 'triage') return t('rules.dryRun.triageName');
  return x.places.map((p) => (p.folder ? t('rules.dryRun.inFolder', { name: p.destination, folder: p.folder }) : p.destination)).join(', ');
}
