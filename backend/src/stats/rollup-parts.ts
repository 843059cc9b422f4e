// Which stored counts make up a period (pure, unit-tested). stats_counts holds days ('d') and months
// ('m'); a period of months or years reads whole months as month rows, and a month it covers only in
// part as its days, or, when it covers most of it, as the month row minus the days it leaves out
// (a period ending today leaves out days that have no letters yet: one row instead of 27).
import { addDays, addMonths, type Period } from './period';

export interface RollupPart {
  grain: 'd' | 'm';
  /** First and last start (YYYY-MM-DD) of the rows to read; month rows start on the 1st. */
  from: string;
  to: string;
  sign: 1 | -1;
}

const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const monthEnd = (day: string) => addDays(addMonths(day, 1), -1);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;

export function rollupParts(p: Period): RollupPart[] {
  if (p.granularity === 'day') return [{ grain: 'd', from: p.from, to: p.to, sign: 1 }];
  const parts: RollupPart[] = [];
  const addMonth = (start: string) => {
    const last = parts[parts.length - 1];
    // Consecutive whole months are one range.
    if (last && last.grain === 'm' && last.sign === 1 && addMonths(last.to, 1) === start) last.to = start;
    else parts.push({ grain: 'm', from: start, to: start, sign: 1 });
  };
  for (let ms = monthStart(p.from); ms <= p.to; ms = addMonths(ms, 1)) {
    const me = monthEnd(ms);
    const from = p.from > ms ? p.from : ms;
    const to = p.to < me ? p.to : me;
    if (from === ms && to === me) { addMonth(ms); continue; }
    if (daysBetween(from, to) * 2 > daysBetween(ms, me)) {
      addMonth(ms);
      if (from > ms) parts.push({ grain: 'd', from: ms, to: addDays(from, -1), sign: -1 });
      if (to < me) parts.push({ grain: 'd', from: addDays(to, 1), to: me, sign: -1 });
    } else {
      parts.push({ grain: 'd', from, to, sign: 1 });
    }
  }
  return parts;
}
