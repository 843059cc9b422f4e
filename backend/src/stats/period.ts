// Pure helpers for statistics: the period asked for (Copenhagen calendar days), its buckets, and
// counts summed and rated. No I/O, so the edge cases (leap days, month ends, limits) are unit-tested.
import type { StatsCounts, StatsGranularity } from '../../../shared/src/contracts';

export const STATS_TIME_ZONE = 'Europe/Copenhagen';

/** At most this many buckets per granularity: 3 years of days, 10 years of months, 30 years. */
export const MAX_RANGE: Record<StatsGranularity, { buckets: number; words: string }> = {
  day: { buckets: 1096, words: '3 years of days (1,096)' },
  month: { buckets: 120, words: '10 years of months (120)' },
  year: { buckets: 30, words: '30 years' },
};
const EARLIEST = '2000-01-01';

export class StatsRangeError extends Error {}

export interface Period { from: string; to: string; granularity: StatsGranularity }

/** Today's date in Copenhagen as YYYY-MM-DD. */
export function copenhagenToday(now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: STATS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  const d = toDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return toDay(d);
}

/** The first day of the month `n` months from `day`'s month. */
export function addMonths(day: string, n: number): string {
  const d = toDate(day);
  return toDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
}

/**
 * The period to report: the given days, or the default for the granularity ending today (the last
 * 30 days, the last 12 months from the 1st, the last 5 years from 1 January). Throws
 * StatsRangeError with a sentence for people when the range is backwards or too long.
 */
export function resolvePeriod(q: { from?: string; to?: string; granularity: StatsGranularity }, today: string): Period {
  const to = q.to ?? today;
  const from = q.from ?? (q.granularity === 'day' ? addDays(to, -29)
    : q.granularity === 'month' ? addMonths(to, -11) : `${Number(to.slice(0, 4)) - 4}-01-01`);
  if (from > to) throw new StatsRangeError(`from (${from}) must not be after to (${to}).`);
  if (from < EARLIEST) throw new StatsRangeError(`from must be ${EARLIEST} or later.`);
  const n = bucketKeys({ from, to, granularity: q.granularity }, MAX_RANGE[q.granularity].buckets + 1).length;
  if (n > MAX_RANGE[q.granularity].buckets) {
    throw new StatsRangeError(`The period ${from} to ${to} is too long for granularity ${q.granularity}: at most ${MAX_RANGE[q.granularity].words}. Choose a shorter period or a coarser granularity.`);
  }
  return { from, to, granularity: q.granularity };
}

/** The bucket a day falls in: YYYY-MM-DD, YYYY-MM or YYYY. */
export function bucketOf(day: string, g: StatsGranularity): string {
  return g === 'day' ? day : g === 'month' ? day.slice(0, 7) : day.slice(0, 4);
}

/** Every bucket of the period in order (stops after `limit`, so a huge range costs nothing). */
export function bucketKeys(p: Period, limit = Infinity): string[] {
  const keys: string[] = [];
  const last = bucketOf(p.to, p.granularity);
  let day = p.from;
  for (;;) {
    const key = bucketOf(day, p.granularity);
    keys.push(key);
    if (key >= last || keys.length >= limit) return keys;
    day = p.granularity === 'day' ? addDays(day, 1) : p.granularity === 'month' ? addMonths(day, 1) : `${Number(day.slice(0, 4)) + 1}-01-01`;
  }
}

export type RawCounts = Omit<StatsCounts, 'manual' | 'automationRate'>;

export const ZERO: RawCounts = { fetched: 0, delivered: 0, automatic: 0, triage: 0, failed: 0, inProgress: 0 };

/** Adds manual (delivered by a person's choice) and the automation rate (automatic / delivered). */
export function withRate(c: RawCounts): StatsCounts {
  return { ...c, manual: c.delivered - c.automatic, automationRate: c.delivered > 0 ? c.automatic / c.delivered : null };
}

export function sumCounts(rows: readonly RawCounts[]): RawCounts {
  const s = { ...ZERO };
  for (const r of rows) for (const k of Object.keys(s) as (keyof RawCounts)[]) s[k] += r[k];
  return s;
}

/** The series with every bucket of the period, zeros where no letter was fetched. */
export function fillSeries(p: Period, rows: readonly (RawCounts & { bucket: string })[]): (StatsCounts & { bucket: string })[] {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  return bucketKeys(p).map((bucket) => {
    const { bucket: _b, ...counts } = byBucket.get(bucket) ?? { bucket, ...ZERO };
    return { bucket, ...withRate(counts) };
  });
}

/**
 * Largest first (by letters fetched, then label); beyond `limit` rows the rest are summed into one
 * row with key null, so a pane never gets thousands of senders but the sums still add up.
 */
export function topBreakdown<T extends RawCounts & { key: string; label: string }>(rows: readonly T[], limit: number, otherLabel: string) {
  const sorted = [...rows].sort((a, b) => b.fetched - a.fetched || b.delivered - a.delivered || a.label.localeCompare(b.label, 'da'));
  const shown = sorted.slice(0, limit).map(({ key, label, ...c }) => ({ key: key as string | null, label, ...withRate(c) }));
  const rest = sorted.slice(limit);
  if (rest.length) shown.push({ key: null, label: otherLabel, ...withRate(sumCounts(rest.map(({ key: _k, label: _l, ...c }) => c))) });
  return shown;
}
