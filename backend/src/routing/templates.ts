// Folder path templates of rules, e.g. "Digital Post/{sender}/{year}": '/' separates folders, a
// placeholder becomes a value of the letter. One rendered path serves every destination of the rule —
// mailbox folders and a Teams channel's files (SharePoint) alike — so each folder name is made one
// both accept (folderName): the characters SharePoint forbids (" * : < > ? / \ |) replaced, no
// leading or trailing spaces or trailing dots, no reserved name, at most 255 characters. "Nordlys
// Holding A/S" becomes "Nordlys Holding A-S": a '/' cannot be in a SharePoint folder name at all.
// Pure: the same letter and template always give the same path (dates in Danish time).
import type { RoutingFacts } from './types';
import { maskCpr } from '../../../shared/src/identifiers';

export const TEMPLATE_PLACEHOLDERS = ['sender', 'senderId', 'cvr', 'cvrName', 'year', 'month', 'kle', 'caseId', 'form', 'label'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** What an empty value becomes ("unknown" in Danish: the folders are for Danish readers). */
export const EMPTY_VALUE = 'Ukendt';
const VALUE_MAX = 100;
const TEMPLATE_MAX = 500;
const SEGMENT_MAX = 255;

export interface TemplateExtras {
  /** Names of the organisation's CVR numbers, for {cvrName}; without one, the CVR number is used. */
  cvrNames?: Record<string, string>;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const list = TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ');

/** Problems with a template (empty: it is fine), as sentences. */
export function templateProblems(template: string): string[] {
  return templateProblemList(template).map((p) => p.message);
}

/** Problems with a template, each with its code and values (shared Problem) for translation. */
export function templateProblemList(template: string): { code: string; params?: Record<string, string | number>; message: string }[] {
  const problems: { code: string; params?: Record<string, string | number>; message: string }[] = [];
  const add = (code: string, params: Record<string, string | number> | undefined, message: string) => problems.push({ code, ...(params ? { params } : {}), message });
  if (template.trim() === '') return [{ code: 'template_empty', message: 'The folder template is empty; leave it out to use the destination\'s own folder.' }];
  if (template.length > TEMPLATE_MAX) add('template_too_long', { max: TEMPLATE_MAX }, `The folder template is limited to ${TEMPLATE_MAX} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(template)) add('template_control_character', undefined, 'The folder template contains a control character (such as a line break); remove it.');
  const unknown = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(m[1])) unknown.add(m[0]);
  }
  if (unknown.size) {
    add('template_unknown_placeholder', { placeholders: [...unknown].join(', '), count: unknown.size, known: list },
      `The folder template has ${unknown.size === 1 ? 'an unknown placeholder' : 'unknown placeholders'} ${[...unknown].join(', ')}; ` +
      `the placeholders are ${list}.`);
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (/[{}]/.test(rest)) add('template_stray_brace', { known: list }, `The folder template has a "{" or "}" that is not part of a placeholder; write placeholders as ${list}.`);
  const segs = splitTemplate(template);
  if (segs.length === 0) add('template_no_folder', undefined, 'The folder template names no folder; write e.g. "Digital Post/{sender}/{year}".');
  for (const s of segs) {
    const literal = s.replace(PLACEHOLDER, '');
    if (literal.length > SEGMENT_MAX - VALUE_MAX) {
      add('template_folder_too_long', { folder: `${s.slice(0, 40)}…`, max: SEGMENT_MAX },
        `The folder name "${s.slice(0, 40)}…" in the template is too long; folder names are limited to ${SEGMENT_MAX} characters.`);
    }
  }
  return problems;
}

/** The template's folders (raw, placeholders not yet filled): split on '/' but not on '\/'. */
function splitTemplate(t: string): string[] {
  const segs: string[] = [];
  let cur = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '\\' && (t[i + 1] === '/' || t[i + 1] === '\\')) { cur += c + t[++i]; continue; }
    if (c === '/') { segs.push(cur); cur = ''; continue; }
    cur += c;
  }
  segs.push(cur);
  return segs.map((s) => s.trim()).filter(Boolean);
}

/** One value made fit for inside one folder name: one line, no forbidden character, bounded. */
export function folderValue(v: string | undefined): string {
  return folderName(v ?? '', VALUE_MAX);
}

/** SharePoint's reserved names (Exchange takes them, but one path serves both). */
const RESERVED = /^(\.lock|con|prn|aux|nul|com[0-9]|lpt[0-9]|desktop\.ini)$/i;

/**
 * A folder name every destination kind accepts (mailbox folders in Exchange, a channel's files in
 * SharePoint): control characters and runs of space become one space; ':' becomes " - ", '"' an
 * apostrophe, '/', '\' and '|' a hyphen; '*', '?', '<' and '>' go; no "_vti_", no leading "~$";
 * at most `max` characters (an ellipsis shows the cut); no leading or trailing space, no trailing
 * dot; a reserved name gets a leading '_'; nothing left → "Ukendt".
 */
export function folderName(raw: string, max = SEGMENT_MAX): string {
  let s = raw
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s*:\s*/g, ' - ').replace(/"/g, "'").replace(/[/\\|]/g, '-').replace(/[*?<>]/g, '')
    .replace(/_vti_/gi, '_vti').replace(/^\s*~\$/, '')
    .replace(/\s+/g, ' ').trim();
  const tidy = (x: string) => x.replace(/[.\s]+$/, '').replace(/^\s+/, '');
  s = tidy(s);
  if (s.length > max) s = `${tidy(s.slice(0, max - 1))}…`;
  if (s === '') return EMPTY_VALUE;
  return RESERVED.test(s) ? `_${s}` : s;
}

/** A template's folder as written, its escapes read: "A\/S" is "A/S" (which folderName then replaces). */
function unescapeSegment(seg: string): string {
  return seg.replace(/\\([/\\])/g, '$1');
}

let copenhagen: Intl.DateTimeFormat | undefined;
/** Year and month in Danish time. */
function yearMonth(d: Date): { year: string; month: string } {
  copenhagen ??= new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit' });
  const parts = copenhagen.formatToParts(d);
  return { year: parts.find((p) => p.type === 'year')!.value, month: parts.find((p) => p.type === 'month')!.value };
}

/** The raw value of each placeholder for a letter (before sanitising). */
export function placeholderValues(facts: RoutingFacts, now: Date = new Date(), extras: TemplateExtras = {}): Record<TemplatePlaceholder, string> {
  const created = facts.createdAt ? new Date(facts.createdAt) : undefined;
  const { year, month } = yearMonth(created && !Number.isNaN(created.getTime()) ? created : now);
  return {
    sender: facts.senderName || facts.senderId,
    senderId: facts.senderId,
    cvr: facts.recipientCvr,
    cvrName: extras.cvrNames?.[facts.recipientCvr] ?? facts.recipientCvr,
    year,
    month,
    kle: facts.kle[0] ?? '',
    caseId: facts.caseIds[0] ?? '',
    form: facts.forms?.[0] ?? '',
    label: maskCpr(facts.label),
  };
}

/**
 * The folder path for a letter, in the form destinations store ('/'-separated, as splitFolderPath
 * reads it; no name holds a '/' or '\', so nothing is escaped). Each name is a folderName: safe for
 * every destination kind, whatever the letter's values and however many share one folder name.
 * Unknown placeholders are left as they are (validation refuses them before a rule is saved).
 */
export function renderFolderTemplate(template: string, facts: RoutingFacts, now: Date = new Date(), extras: TemplateExtras = {}): string {
  let values: Record<string, string> | undefined;
  return splitTemplate(template).map((seg) => {
    const out = unescapeSegment(seg).replace(PLACEHOLDER, (whole, name: string) => {
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) return whole;
      values ??= placeholderValues(facts, now, extras);
      return folderValue(values[name]);
    });
    return folderName(out);
  }).join('/');
}
