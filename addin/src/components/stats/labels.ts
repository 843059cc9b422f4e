// The statistics breakdown's row names. Pure (no React): a group's display name, with its id where
// another group has the same name (two senders both called "Skattestyrelsen" must not read as one,
// nor merge into one bar of the chart), and always for a CVR number (the name is the company's).
import type { StatsBy, StatsResponse } from '../../../../shared/src/contracts';
import type { Translate } from '../../codes';

type Row = Pick<StatsResponse['breakdown'][number], 'key' | 'label'>;

/** An id short enough for a 350 px table: a destination's UUID by its first 8 characters. */
function shortId(key: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(key) ? key.slice(0, 8) : key;
}

/** One name a row, in the rows' order. */
export function breakdownLabels(rows: readonly Row[], by: StatsBy, t: Translate): string[] {
  const names = rows.map((r) => {
    if (r.key === null) return t('stats.other');
    if (by === 'channel') return t(`provider.${r.key}`, { defaultValue: r.label });
    return r.label;
  });
  // Names a person would take for the same: case and spacing aside.
  const same = (name: string) => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('da');
  const seen = new Map<string, number>();
  for (const n of names) seen.set(same(n), (seen.get(same(n)) ?? 0) + 1);
  return rows.map((r, i) => {
    const name = names[i];
    if (r.key === null || r.key === name) return name;
    return by === 'cvr' || (seen.get(same(name)) ?? 0) > 1 ? `${name} (${shortId(r.key)})` : name;
  });
}
