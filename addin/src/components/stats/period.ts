// The statistics view's period presets and labels (pure). Days are Copenhagen days, as on the server.
import type { StatsGranularity } from '../../../../shared/src/contracts';

export type Preset = '30d' | '12m' | '5y' | 'custom';

export const MAX_DAYS = 1096; // the server's limit for daily buckets (3 years)

export function copenhagenToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const utc = (day: string) => new Date(`${day}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The days and usual granularity of a preset ending today. */
export function presetPeriod(preset: Exclude<Preset, 'custom'>, today: string): { from: string; to: string; granularity: StatsGranularity } {
  const d = utc(today);
  if (preset === '30d') return { from: iso(new Date(d.getTime() - 29 * 86_400_000)), to: today, granularity: 'day' };
  if (preset === '12m') return { from: iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 11, 1))), to: today, granularity: 'month' };
  return { from: `${d.getUTCFullYear() - 4}-01-01`, to: today, granularity: 'year' };
}

export function daysBetween(from: string, to: string): number {
  return Math.round((utc(to).getTime() - utc(from).getTime()) / 86_400_000) + 1;
}

/** A bucket (YYYY-MM-DD, YYYY-MM, YYYY) as a date for the chart's time axis (UTC, noon-free). */
export function bucketDate(bucket: string): Date {
  return utc(bucket.length === 4 ? `${bucket}-01-01` : bucket.length === 7 ? `${bucket}-01` : bucket);
}

/** A bucket in the user's locale: "11. mar. 2024", "mar. 2024", "2024". */
export function formatBucket(bucket: string, g: StatsGranularity, locale: string): string {
  if (g === 'year') return bucket;
  const opts: Intl.DateTimeFormatOptions = g === 'day' ? { dateStyle: 'medium', timeZone: 'UTC' } : { month: 'short', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, opts).format(bucketDate(bucket));
}
