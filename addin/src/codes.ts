// What the API says as codes and data, in the reader's language: errors and rule problems (a `code`
// with `params`, shared Problem), why routing decided as it did (RoutingExplanation), and each
// timeline event from its `data`. Pure: the caller hands in the translate function. A code or an
// event this pane does not know (or an event stored before its data carried names) falls back to the
// API's English sentence, so nothing is ever blank.
import type { Problem, ReplyFailure, RoutingExplanation, TimelineEvent } from '../../shared/src/contracts';
import { maskCpr } from '../../shared/src/identifiers';
import { confidencePercent } from '../../shared/src/confidence';
import { conditionInWords } from './components/admin/rules/describe';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

const MISSING = '\u0000missing';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v as string[] : undefined);

/** `key` translated, or null when the catalog has no such key. */
function known(t: Translate, key: string, options: Record<string, unknown> = {}): string | null {
  const s = t(key, { ...options, defaultValue: MISSING });
  return s === MISSING || s === key ? null : s;
}

/** JavaScript's regex syntax errors as V8 words them, to our keys (`codes.regexSyntax.*`). */
const REGEX_SYNTAX: Record<string, string> = {
  'Unterminated character class': 'unterminatedClass',
  'Unterminated group': 'unterminatedGroup',
  'Nothing to repeat': 'nothingToRepeat',
  "Unmatched ')'": 'unmatchedParen',
  'Invalid group': 'invalidGroup',
  'Lone quantifier brackets': 'loneQuantifier',
  'Incomplete quantifier': 'incompleteQuantifier',
  'numbers out of order in {} quantifier': 'quantifierOrder',
  'Invalid escape': 'invalidEscape',
  '\\ at end of pattern': 'trailingBackslash',
  'Range out of order in character class': 'rangeOrder',
  'Invalid capture group name': 'invalidGroupName',
  'Duplicate capture group name': 'duplicateGroupName',
};

/**
 * Error codes the API answers whose English sentence is shown as it is, on purpose: what makes the
 * sentence useful (a name, a reason, a reference, a file) is in the sentence only, not in the code's
 * params, so a translation would lose it. Every other code the backend can answer has a sentence in
 * `codes.error` (tests/unit/addin-error-codes.test.ts reads the codes from backend/src and checks both).
 */
export const SERVER_WORDED_CODES: Readonly<Record<string, string>> = {
  not_found: 'says what was not found (a letter, rule, recipient, CVR number, grant …)',
  exists: 'names what exists already; a role grant and a CVR number\'s provider mailbox carry params the pane words itself (codes.named), a CVR number is cvr_exists',
  invalid_request: 'a zod refusal carries each problem at its field (codes.problem.field_*, said from those); the few without name what is wrong',
  internal: 'carries the reference to give the administrator',
  forbidden: 'names the role needed or the limit that applies',
  invalid_mailbox: 'names the setting; "Attach a mailbox" gets each problem with its field and translates those',
  provider: 'the provider\'s own answer',
  still_refused: 'the database\'s reason',
  store_failed: 'the reason it could not be stored',
  cannot_open: 'the reason it could not be opened',
  reply_file_empty: 'names the file',
  reply_file_too_large: 'names the file and its size',
  reply_file_type: 'names the file and its type',
  reply_mailbox_unusable: 'says what is wrong with the mailbox',
  reply_original_unreadable: 'says why',
  reply_invalid_memo: 'says what is invalid',
};

/** Values of a code's params said in the reader's language (a provider's name, a role's). */
function localParams(params: Record<string, unknown>, t: Translate): Record<string, unknown> {
  const out = { ...params };
  if (typeof out.provider === 'string') out.provider = known(t, `provider.${out.provider}`) ?? out.provider;
  if (typeof out.role === 'string') out.role = known(t, `role.${out.role}`) ?? out.role;
  return out;
}

/** A zod refusal's problem at a field (backend api/zod-problems.ts): the field's value, said without naming it where it is shown at the field. */
const FIELD_PROBLEM = /^field_/;

/**
 * Zod's refusals, by its issue: the type expected (field_invalid_type_number), a bound that is not
 * included, else the field (field_not_url_webhookUrl: what that field wants); i18next falls back to
 * the code's general sentence. No code is another's with a suffix, so a field's never lands on another code.
 */
function fieldContext(code: string, params: Record<string, unknown>): string | undefined {
  if (code === 'field_invalid_type') return typeof params.expected === 'string' ? params.expected : undefined;
  if ((code === 'field_too_small' || code === 'field_too_big') && params.exclusive === 1) return 'exclusive';
  return typeof params.field === 'string' ? params.field : undefined;
}

/**
 * One problem (or error code with its params) in the reader's language; its English message when the
 * code is unknown. A zod refusal's problem names its field first (`label`, or the request's own name
 * for it), unless it is shown `atField`.
 */
export function problemText(p: Pick<Problem, 'code' | 'params' | 'message'>, t: Translate, where: { label?: string; atField?: boolean } = {}): string {
  if (!p.code) return p.message;
  const params: Record<string, unknown> = localParams(p.params ?? {}, t);
  if (FIELD_PROBLEM.test(p.code)) {
    // What zod cannot name (a refinement's rule) is said in the schema's own words, as a sentence's end.
    if (typeof params.detail === 'string') params.detail = params.detail.replace(/\.$/, '');
    const text = known(t, `codes.problem.${p.code}`, { ...params, context: fieldContext(p.code, params) });
    if (text === null) return p.message;
    const field = where.label ?? (typeof params.field === 'string' ? params.field : '');
    return where.atField || !field ? text : t('codes.fieldNamed', { field, text });
  }
  if (p.code === 'regex_invalid' && typeof params.detail === 'string') {
    const k = REGEX_SYNTAX[params.detail];
    if (k) params.detail = t(`codes.regexSyntax.${k}`);
  }
  if (p.code === 'text_words_empty' && typeof params.field === 'string') params.field = t(`rules.textField.${params.field}`);
  if (p.code === 'regex_slow' && typeof params.degree === 'number') {
    params.power = known(t, `codes.power.${params.degree}`) ?? t('codes.power.n', { degree: params.degree });
  }
  if ((p.code === 'regex_catastrophic' || p.code === 'regex_slow') && typeof params.at === 'string') {
    params.at = params.at ? t('codes.at', { spots: params.at }) : '';
  }
  return known(t, `codes.problem.${p.code}`, params) ?? p.message;
}

/** An API error's own text (not its title): each problem of a refusal, or its code in words, or the server's sentence. */
export function apiErrorText(e: { code: string; message: string; details?: { params?: Problem['params']; problems?: Problem[] } }, t: Translate): string {
  const problems = e.details?.problems;
  if (problems?.length) return problems.map((p) => problemText(p, t)).join(' ');
  const params = localParams(e.details?.params ?? {}, t);
  // A refused address names the allowed ones when the answer lists them (an operator's list may be empty).
  const listed = (e.code === 'base_url_not_allowed' && typeof params.allowed === 'string')
    || (e.code === 'mailbox_domain_not_allowed' && typeof params.allowed === 'string' && params.allowed !== '');
  // Names the params carry come first; a code shown in the server's words (SERVER_WORDED_CODES) may have them too.
  const named = namedErrorText(e.code, params, t);
  if (named) return named;
  const text = known(t, `codes.error.${e.code}`, { ...params, ...(listed ? { context: 'listed' } : {}) });
  if (text === null) return e.message;
  // A recipient someone chose (reroute, resend, placement) is named before the operator's reason.
  const chosen = DESTINATION_REFUSALS.has(e.code) && typeof params.destination === 'string' && params.destination !== '';
  return chosen ? `${t('codes.destinationRefused', { destination: params.destination })} ${text}` : text;
}

/**
 * A code's sentence with the names its params carry (codes.named.*), when they are there; null: the
 * code's own sentence (codes.error.*) says it without them (an older server, or a path without them).
 */
function namedErrorText(code: string, params: Record<string, unknown>, t: Translate): string | null {
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  // A confirmed count that grew meanwhile: the new count, so the admin sees why it is asked again.
  if (code === 'retention_deletes_unconfirmed' && num(params.total) !== undefined) return t('codes.named.retentionDeletes', { count: params.total });
  if (code === 'cvr_exists' && s(params.cvr) && s(params.name)) return t('codes.named.cvrExists', { cvr: params.cvr, name: params.name });
  if (code === 'exists' && params.what === 'grant' && s(params.grant) && s(params.role)) {
    return t('codes.named.grantExists', { grant: params.grant, role: params.role }); // localParams named the role
  }
  if (code === 'exists' && params.what === 'mailbox' && s(params.cvr) && s(params.provider)) {
    return t('codes.named.mailboxExists', { cvr: params.cvr, provider: params.provider }); // localParams named the provider
  }
  if (code === 'still_invalid' && s(params.reason)) {
    // The letter's reason is the validator's own words (a MeMo path and what is wrong there), as the quarantine list shows it.
    const again = params.receiptAgain === 1 && s(params.provider) ? ` ${t('codes.named.receiptAgain', { provider: params.provider })}` : '';
    return `${t('codes.named.stillInvalid', { reason: s(params.reason)!.replace(/\.$/, '') })}${again} ${t('codes.named.askSender')}`;
  }
  return null;
}

/**
 * A reply Digital Post did not take: what happened and what to do, from its failure's code
 * (codes.error.reply_*), with Digital Post's own English words apart as the technical detail. A reply
 * that failed before codes, or with a code this pane does not know: the server's sentence, no detail.
 */
export function replyFailureText(r: { error?: string | null; failure?: ReplyFailure | null }, t: Translate): { text: string; detail: string | null } {
  const f = r.failure;
  const fallback = r.error ?? f?.detail ?? '';
  if (!f || known(t, `codes.error.${f.code}`) === null) return { text: fallback, detail: null };
  return { text: apiErrorText({ code: f.code, message: fallback, details: { params: f.params } }, t), detail: f.detail || null };
}

/** The operator's refusals of a recipient (backend delivery/registry/allowed.ts): an error's code, or why a recipient cannot be chosen. */
export const DESTINATION_REFUSALS: ReadonlySet<string> = new Set(['mailbox_domain_not_allowed', 'team_not_allowed']);

/**
 * Why a recipient of the registry cannot be chosen now (GET /api/destinations `unusable`), short
 * enough for a picker's option; the server's sentence for a reason this pane does not know.
 */
export function unusableText(u: Pick<Problem, 'code' | 'params' | 'message'>, t: Translate): string {
  return known(t, `picker.unusable.${u.code}`, localParams(u.params ?? {}, t)) ?? u.message;
}

// ---- why routing decided as it did ----

/** The conditions of a rule that held, in words ("the letter names a CPR number and …"). */
function heldText(held: RoutingExplanation['matched'][number]['held'], t: Translate): string {
  const parts = held.map((h) => {
    const words = conditionInWords(h.condition, t) ?? t('why.unknownCondition');
    return h.found ? `${words} (${maskCpr(h.found)})` : words;
  });
  return parts.length ? parts.join(t('rules.describe.and')) : t('rules.describe.always');
}

/**
 * Why a letter is where it is, one line per rule: the deciding rule once, with the conditions that held;
 * other rules that matched before it; or that no rule matched.
 */
export function explanationLines(ex: RoutingExplanation, t: Translate): string[] {
  const deciding = str(ex.outcome.params?.rule);
  const lines: string[] = [];
  let decided = false;
  for (const m of ex.matched) {
    const conditions = heldText(m.held, t);
    if (!decided && deciding === m.rule && (ex.outcome.code === 'rule_sends_to_triage' || ex.outcome.code === 'rule_names_no_destination')) {
      lines.push(t(`why.${ex.outcome.code === 'rule_sends_to_triage' ? 'sendsToTriage' : 'namesNoDestination'}`, { rule: m.rule, conditions }));
      decided = true;
    } else {
      lines.push(t('why.matched', { rule: m.rule, conditions }));
    }
  }
  if (ex.outcome.code === 'no_rule_matched') lines.push(t('why.noRuleMatched'));
  else if (ex.outcome.code === 'no_existing_destination') lines.push(t('why.noExistingDestination'));
  else if (!decided && deciding) lines.push(t(`why.${ex.outcome.code === 'rule_sends_to_triage' ? 'sendsToTriageShort' : 'namesNoDestinationShort'}`, { rule: deciding }));
  return lines;
}

/** A triage card's "why it is here": from the explanation, else the English lines of a letter routed before it existed. */
export function triageWhyLines(item: { why: string[]; explanation?: RoutingExplanation }, t: Translate): string[] {
  return item.explanation ? explanationLines(item.explanation, t) : [...new Set(item.why)];
}

// ---- the timeline ----

/**
 * An event's label on the timeline: its type's, except an admins' notice that did not go — it waits
 * (the operator refuses its sender) or nobody was mailed (no address and sender) — is not "notified".
 */
export function eventTitle(e: Pick<TimelineEvent, 'type' | 'data'>, t: Translate): string {
  const d = e.data ?? {};
  if (e.type === 'admins_notified' && d.redacted !== true) {
    if (d.waiting === true) return t('timelineTitle.adminsNoticeWaiting');
    if (d.sent === false) return t('timelineTitle.adminsNotNotified');
  }
  if (e.type === 'delivery_failed' && d.redacted !== true && purgeReason(d) !== null) return t('timelineTitle.notDelivered');
  return t(`timeline.${e.type}`);
}

/** Who did it, in words: the assistant and the system are named, people by their name. */
export function actorText(actor: string, t: Translate): string {
  return known(t, `actors.${actor}`) ?? actor;
}

/**
 * Who had a delivery made (not a rule's own): "Placeret efter ønske fra Ida" for a person; the
 * assistant (or Brevdue) asked nobody, so "Placeret automatisk af assistenten". `key` is the
 * person's wording (the timeline's or the delivery card's shorter one).
 */
export function requestedByText(reason: string, by: string, t: Translate, key = 'events.requestedBy'): string {
  const automatic = known(t, `actors.${by}`);
  const what = t(`deliveryReason.${reason}`);
  return automatic ? t('events.requestedByAutomatic', { reason: what, name: automatic }) : t(key, { reason: what, name: by });
}

/**
 * A warning that belongs with an event besides its detail: a dead-letter notice sent again because
 * the mailbox an earlier attempt may have sent it from is refused now, so that copy could not be
 * looked for (backend delivery/notify.ts `duplicatePossible`).
 */
export function eventNote(e: Pick<TimelineEvent, 'type' | 'data'>, t: Translate): string | null {
  const d = e.data ?? {};
  return e.type === 'admins_notified' && d.sent === true && d.duplicatePossible === true ? t('events.adminsNotifiedTwice') : null;
}

/** A confidence as the backend's timeline writes it: never 100 %, and "under 1 %", not "0 %", when positive. */
function percent(p: number, t: Translate): string {
  const { value, under } = confidencePercent(p);
  return under ? t('triage.confidenceUnder', { percent: `${value} %` }) : `${value} %`;
}

function placeText(p: unknown, t: Translate): string | null {
  if (!isObject(p) || !str(p.name)) return null;
  if (p.kind === 'teams_channel') return t('events.placeTeams', { name: p.name });
  return str(p.folder) ? t('events.placeFolder', { name: p.name, folder: p.folder }) : String(p.name);
}

/** Why a `delivery_failed` event's letter was not delivered, when its content was deleted first; null otherwise. */
function purgeReason(d: Record<string, unknown>): 'dsr' | 'retention' | null {
  return d.purged === 'dsr' || d.purged === 'retention' ? d.purged : null;
}

/** An event's detail line from its data in the reader's language; null when the data lacks what it needs (the caller shows `text`). */
export function eventDetail(e: Pick<TimelineEvent, 'type' | 'actor' | 'text' | 'data'>, t: Translate, lang: string): string | null {
  const d = e.data ?? {};
  // About recipients the caller's role does not show as well as ones it does (backend store/read.ts
  // scopedTimeline): the server keeps the type, time and actor, and replaces the data by this marker.
  if (d.redacted === true) return t('events.redacted');
  const actor = actorText(e.actor, t);
  // Retention deleted the details (retention/purge.ts): the text is a fixed Danish sentence, the data empty.
  if (e.type !== 'purged' && Object.keys(d).length === 0 && e.text === 'Detaljer slettet sammen med brevets indhold') return t('events.detailsPurged');
  const list = (xs: string[]) => xs.join(', ');
  switch (e.type) {
    case 'fetched': {
      const provider = str(d.provider); const cvr = str(d.cvr);
      return provider && cvr ? t('events.fetched', { provider: t(`provider.${provider}`), cvr }) : null;
    }
    case 'stored': {
      const n = num(d.documents);
      return n === undefined ? null : t('events.stored', { count: n });
    }
    case 'routed': {
      const ex = d.explanation as RoutingExplanation | undefined;
      const places = Array.isArray(d.places) ? d.places.map((p) => placeText(p, t)) : null;
      if (!isObject(ex) || !Array.isArray(ex.matched) || !places || places.some((p) => p === null)) return null;
      const rules = ex.matched.map((m) => t('why.matched', { rule: m.rule, conditions: heldText(m.held ?? [], t) }));
      return t('events.routed', { rules: rules.join(' '), places: list(places as string[]) });
    }
    case 'triage': {
      const ex = d.explanation as RoutingExplanation | undefined;
      if (!isObject(ex) || !Array.isArray(ex.matched) || !isObject(ex.outcome)) return null;
      return explanationLines(ex, t).join(' ');
    }
    case 'delivered': {
      const name = str(d.destination);
      if (!name) return null;
      const parts = [d.destinationKind === 'teams_channel'
        ? t('events.deliveredTeams', { destination: name, count: Array.isArray(d.files) ? d.files.length : 0 })
        : t('events.deliveredMailbox', { destination: name, mailbox: str(d.mailbox) ?? '', folder: str(d.folder) ?? '' })];
      const reason = str(d.reason); const by = str(d.requestedBy);
      if (reason && reason !== 'initial' && by && by !== 'system') {
        parts.push(requestedByText(reason, by, t));
      }
      if (d.foundExisting === true) parts.push(t('events.foundExisting'));
      if (d.contentErased === true) parts.push(t('events.copyAfterPurge'));
      // Graph's own notes stay as Graph and the delivery code worded them (English).
      for (const n of strings(d.notes) ?? []) parts.push(n);
      // A reroute's earlier copy left where it was: the allow-list refused its mailbox when it was to be removed.
      if (isObject(d.oldCopy) && d.oldCopy.action === 'kept' && str(d.oldCopy.mailbox) && str(d.oldCopy.domain)) {
        parts.push(t('events.oldCopyKept', { mailbox: d.oldCopy.mailbox, domain: d.oldCopy.domain }));
      }
      return parts.join('; ');
    }
    case 'delivery_attempt': case 'delivery_failed': {
      // Not delivered because the letter's content was deleted first (backend retention/not-delivered.ts).
      const purged = e.type === 'delivery_failed' ? purgeReason(d) : null;
      if (purged) {
        const why = t(purged === 'dsr' ? 'events.purgedWhyDsr' : 'events.purgedWhyRetention');
        const dest = str(d.destination);
        const line = dest ? t('events.notDeliveredPurged', { destination: dest, why }) : t('events.notRoutedPurged', { why });
        return d.copyUnknown === true ? `${line}; ${t('events.purgedCopyMayExist')}` : line;
      }
      const name = str(d.destination); const attempt = num(d.attempt);
      if (!name || attempt === undefined) return null;
      return t(e.type === 'delivery_failed' ? 'events.deliveryFailed' : 'events.deliveryAttempt', { destination: name, count: attempt, attempt, reason: str(d.reason) ?? '' });
    }
    case 'resend_requested': {
      const names = strings(d.destinations);
      if (!names) return null;
      return t(d.retryOfFailed ? 'events.retryRequested' : 'events.resendRequested', { actor, destinations: list(names) });
    }
    case 'reroute_requested': {
      const names = strings(d.destinations);
      if (!names) return null;
      const parts = [t('events.rerouted', { actor, destinations: list(names) })];
      const moving = num(d.moving) ?? 0; const staying = num(d.staying) ?? 0;
      if (moving > 0) parts.push(t('events.copiesMoving', { count: moving }));
      if (staying > 0) parts.push(t('events.copiesStaying', { count: staying }));
      // Copies the move left alone because the operator's allow-list refuses their mailboxes (their domains, never the allowed ones).
      const refused = num(d.refused) ?? 0; const domains = strings(d.refusedDomains);
      if (refused > 0 && domains) parts.push(t('events.copiesRefused', { count: refused, domains: list(domains) }));
      return parts.join('; ');
    }
    case 'old_copy_moved': {
      const name = str(d.destination);
      return name ? t('events.oldCopyMoved', { destination: name }) : null;
    }
    case 'old_copy_removed': {
      const mailbox = str(d.mailbox);
      return mailbox ? t('events.oldCopyRemoved', { mailbox }) : null;
    }
    case 'admins_notified': {
      if (d.waiting === true && d.reason === 'sender_not_allowed') {
        const name = str(d.destination); const domain = str(d.domain);
        // Written before it carried them (its English sentence may name the operator's list): without names.
        return name && domain ? t('events.notifyWaitingSender', { destination: name, domain }) : t('events.notifyWaiting');
      }
      // Waiting for a reason this pane does not know: the server's sentence, never "not configured".
      if (d.waiting === true) return null;
      if (d.sent === false) return t('events.notifyNotConfigured');
      const to = str(d.to); const name = str(d.destination);
      return to && name ? t('events.adminsNotified', { to, destination: name }) : null;
    }
    case 'placed': {
      const names = strings(d.destinations);
      return names ? t('events.placed', { actor, destinations: list(names) }) : null;
    }
    case 'auto_placed': {
      const names = strings(d.destinations); const c = num(d.confidence);
      if (!names || c === undefined) return null;
      const why = isObject(d.explanation) ? str(d.explanation[lang === 'da' ? 'da' : 'en']) : undefined;
      return [t('events.autoPlaced', { destinations: list(names), percent: percent(c, t) }), why].filter(Boolean).join(' ');
    }
    case 'suggested': {
      if (!Array.isArray(d.suggestions)) return null;
      const shown = d.suggestions.map((s) => (isObject(s) && strings(s.destinations) && num(s.confidence) !== undefined
        ? `${strings(s.destinations)!.join(' + ')} (${percent(num(s.confidence)!, t)})` : null));
      if (shown.some((s) => s === null)) return null;
      const parts = [t('events.suggested', { suggestions: list(shown as string[]) })];
      if (d.notAutoPlaced !== undefined) {
        const code = isObject(d.notAutoPlacedCode) ? str(d.notAutoPlacedCode.code) : undefined;
        const params = isObject(d.notAutoPlacedCode) && isObject(d.notAutoPlacedCode.params) ? d.notAutoPlacedCode.params : {};
        const why = code ? known(t, `events.notAutoPlaced.${code}`, params) : null;
        if (!why) return null; // stored before it had a code: the English sentence says it
        parts.push(why);
      }
      return parts.join('; ');
    }
    case 'reply_sent': {
      const to = str(d.to); const id = str(d.transmissionId);
      return to && id ? t('events.replySent', { actor, to, count: num(d.attachments) ?? 0, transmission: id }) : null;
    }
    case 'reply_failed': {
      const to = str(d.to);
      // With a failure code, said in the reader's language; before codes, the server's English sentence.
      const failure = isObject(d.failure) && str(d.failure.code) && isObject(d.failure.params)
        ? { code: str(d.failure.code)!, params: d.failure.params as ReplyFailure['params'], detail: str(d.failure.detail) ?? '' } : null;
      const error = failure ? replyFailureText({ error: str(d.error), failure }, t).text : str(d.error);
      return to && error ? t('events.replyFailed', { actor, to, error }) : null;
    }
    case 'purged': return d.reason === 'dsr' ? t('events.purgedDsr') : d.reason === 'retention' ? t('events.purgedRetention') : null;
    case 'quarantine_released': return t('events.quarantineReleased', { actor });
    default: return null;
  }
}
