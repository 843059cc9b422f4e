// Pure formatting helpers (no React, no Office): dates in the user's locale, sizes, ordering.
import type { TimelineEvent } from '../../shared/src/contracts';
import { confidencePercent } from '../../shared/src/confidence';

const FALLBACK_LOCALE: Record<string, string> = { da: 'da-DK', en: 'en-GB' };

/**
 * The locale for dates and numbers: the user's own locale (Outlook's display language, else the
 * browser's) when it speaks the UI language — so an en-US user sees US dates in the English UI —
 * otherwise the UI language's usual locale, so a Danish UI never shows month/day order.
 */
export function formatLocale(uiLanguage: string, userLocales: readonly (string | null | undefined)[]): string {
  const ui = uiLanguage.toLowerCase().split('-')[0];
  for (const candidate of userLocales) {
    if (!candidate) continue;
    if (candidate.toLowerCase().split('-')[0] !== ui) continue;
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([candidate])[0] ?? candidate;
    } catch { /* malformed tag: try the next */ }
  }
  return FALLBACK_LOCALE[ui] ?? uiLanguage;
}

export function formatDateTime(iso: string, locale: string, withSeconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: withSeconds ? 'medium' : 'short' }).format(d);
}

export function formatDate(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

/**
 * Compact date for list rows: the time for today (kind 'time', so the caller can say "kl." — a bare
 * Danish "21.03" reads as a date), day and month this year, the short full date before that.
 */
export function formatListDate(iso: string, locale: string, now: Date = new Date()): { kind: 'time' | 'date'; text: string } {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { kind: 'date', text: iso };
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return { kind: 'time', text: new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(d) };
  if (d.getFullYear() === now.getFullYear()) {
    return { kind: 'date', text: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(d) };
  }
  return { kind: 'date', text: new Intl.DateTimeFormat(locale, { dateStyle: 'short' }).format(d) };
}

export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

export function isPast(iso: string, now: Date = new Date()): boolean {
  return new Date(iso).getTime() < now.getTime();
}

/** Timeline events oldest first; events with the same time keep the server's order. */
export function sortTimeline(events: readonly TimelineEvent[]): TimelineEvent[] {
  return events
    .map((event, index) => ({ event, index, t: new Date(event.at).getTime() }))
    .sort((a, b) => a.t - b.t || a.index - b.index)
    .map((x) => x.event);
}

/**
 * The assistant's confidence in the locale: whole percent rounded down, never 100 % and never 0 % when
 * positive (`under`: the caller says "under 1 %"), as the backend writes it (shared/src/confidence.ts).
 */
export function formatConfidence(share: number, locale: string): { percent: string; under: boolean } {
  const { value, under } = confidencePercent(share);
  return { percent: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(value / 100), under };
}

/** A share (0–1) as a whole percentage in the locale: "82 %" in Danish, "82%" in English. */
export function formatPercent(share: number, locale: string): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(clamped);
}
