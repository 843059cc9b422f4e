// Statistics from the rollup: stats_counts (folded) plus stats_deltas (not folded yet), both kept by
// migration 0010's triggers, read in one statement so a fold in between cannot count a letter twice.
// The same figures as the live queries in queries.ts (tests/integration/stats-rollup.test.ts compares
// them), in milliseconds instead of seconds at a million letters: a year is a few thousand month rows.
// A caller limited to destinations is counted from stats_letters instead, one row a letter with the
// destinations it went to: which letters it sees depends on those, and a letter delivered to two of its
// destinations must count once, which summed counts cannot tell.
import { sql, type SQL } from 'drizzle-orm';
import type { StatsBy } from '../../../shared/src/contracts';
import type { Db } from '../store/db';
import { destinationVisibleFor, limitedCvrs, limitsByDestination, visibleCountedLetters, type Scope } from '../store/scope';
import type { Period } from './period';
import { rollupParts } from './rollup-parts';


type Dim = 'channel' | 'sender' | 'destination';

const TRUNC: Record<Period['granularity'], SQL> = {
  day: sql.raw(`r.start`), month: sql.raw(`date_trunc('month', r.start::timestamp)`), year: sql.raw(`date_trunc('year', r.start::timestamp)`),
};
const FORMAT: Record<Period['granularity'], SQL> = { day: sql.raw(`'YYYY-MM-DD'`), month: sql.raw(`'YYYY-MM'`), year: sql.raw(`'YYYY'`) };

/** Counts of one breakdown in the period, as rows (start, cvr, key, label, status, automatic, n). */
function rows(scope: Scope, p: Period, dim: Dim): SQL {
  return limitsByDestination(scope) ? letterRows(scope, p, dim) : summedRows(scope, p, dim);
}

/** A caller limited to destinations: each letter it may see, n = 1 (per destination it may see, by destination). */
function letterRows(scope: Scope, p: Period, dim: Dim): SQL {
  const where = sql`where ${visibleCountedLetters(scope)} and s.day between ${p.from}::date and ${p.to}::date`;
  if (dim === 'destination') {
    // Only the deliveries the scope sees: a limit admitting the letter's CVR number and the destination together.
    const mine = destinationVisibleFor(scope, sql`s.cvr`, sql`d`);
    return sql`select s.day as start, s.cvr, d::text as key, '' as label, s.status, s.automatic, 1 as n
      from stats_letters s cross join lateral unnest(s.destination_ids) as d ${where} and ${mine}`;
  }
  return sql`select s.day as start, s.cvr, ${dim === 'channel' ? sql`s.provider` : sql`s.sender_id`} as key,
      ${dim === 'sender' ? sql`s.sender_name` : sql`''`} as label, s.status, s.automatic, 1 as n
    from stats_letters s ${where}`;
}

/** Folded and pending counts of one breakdown in the period. */
function summedRows(scope: Scope, p: Period, dim: Dim): SQL {
  const cvrs = limitedCvrs(scope);
  const cvrLimit = (col: SQL) => cvrs === null ? sql``
    : cvrs.length ? sql` and ${col} in (${sql.join(cvrs.map((c) => sql`${c}`), sql`, `)})` : sql` and false`;
  const folded = rollupParts(p).map((part) => sql`select c.start, c.cvr, c.key, c.label, c.status, c.automatic, ${part.sign === 1 ? sql`c.n` : sql`-c.n`} as n
    from stats_counts c where c.org_id = ${scope.orgId} and c.dim = ${dim} and c.grain = ${part.grain}
      and c.start between ${part.from}::date and ${part.to}::date${cvrLimit(sql`c.cvr`)}`);
  const key = dim === 'channel' ? sql`d.provider` : dim === 'sender' ? sql`d.sender_id` : sql`d.destination_id::text`;
  const pending = sql`select d.day, d.cvr, ${key}, ${dim === 'sender' ? sql`d.sender_name` : sql`''`}, d.status, d.automatic, d.n
    from stats_deltas d where d.org_id = ${scope.orgId} and d.day between ${p.from}::date and ${p.to}::date
      and d.destination_id is ${dim === 'destination' ? sql`not null` : sql`null`}${cvrLimit(sql`d.cvr`)}`;
  return sql.join([...folded, pending], sql` union all `);
}

const COUNTS = sql`sum(r.n)::int as fetched,
  coalesce(sum(r.n) filter (where r.status = 'delivered'), 0)::int as delivered,
  coalesce(sum(r.n) filter (where r.automatic), 0)::int as automatic,
  coalesce(sum(r.n) filter (where r.status = 'triage'), 0)::int as triage,
  coalesce(sum(r.n) filter (where r.status = 'failed'), 0)::int as failed,
  coalesce(sum(r.n) filter (where r.status in ('received', 'routed')), 0)::int as in_progress`;

export interface RollupRow { bucket: string; key: string; label: string; fetched: number; delivered: number; automatic: number; triage: number; failed: number; in_progress: number }

async function run(db: Db, q: SQL): Promise<RollupRow[]> {
  return ((await db.execute(q)) as unknown as { rows: RollupRow[] }).rows;
}

/** Counts per bucket (only buckets with letters). */
export function rollupByBucket(db: Db, scope: Scope, p: Period): Promise<RollupRow[]> {
  return run(db, sql`with r as (${rows(scope, p, 'channel')}), g as (select ${TRUNC[p.granularity]} as b, ${COUNTS} from r group by 1)
    select to_char(g.b, ${FORMAT[p.granularity]}) as bucket, '' as key, '' as label, g.fetched, g.delivered, g.automatic, g.triage, g.failed, g.in_progress
    from g where g.fetched <> 0 order by g.b`);
}

/** Counts per group of `by` (per bucket and group with `perBucket`), ordered as the live query orders them. */
export function rollupByGroup(db: Db, scope: Scope, p: Period, by: StatsBy, perBucket: boolean): Promise<RollupRow[]> {
  const { orgId } = scope;
  const dim: Dim = by === 'destination' ? 'destination' : by === 'sender' ? 'sender' : 'channel';
  const key = by === 'cvr' ? sql`r.cvr` : sql`r.key`;
  const b = perBucket ? TRUNC[p.granularity] : sql`null::timestamp`;
  const g = sql`select ${b} as b, ${key} as key, ${COUNTS} from r group by 1, 2`;
  // A sender's name may change: the name of its latest letters labels it (per bucket in the CSV). Only
  // names still counted (net > 0) qualify, so one counted off by a rename (−1 not folded yet) never
  // does; the latest is the one with the latest day or month row (a month row starts on the 1st, so
  // two names within one month are ordered by that, not by the letters' times).
  const labels = sql`select distinct on (x.b, x.key) x.b, x.key, x.label
    from (select ${b} as b, r.key, r.label, max(r.start) filter (where r.n > 0) as latest from r group by 1, 2, 3 having sum(r.n) > 0) x
    order by x.b, x.key, x.latest desc, x.label`;
  const named = by === 'sender'
    ? sql`select g.*, lab.label as name from g left join (${labels}) lab on lab.key = g.key and lab.b is not distinct from g.b`
    : by === 'cvr'
    ? sql`select g.*, coalesce((select c.name from cvr_numbers c where c.org_id = ${orgId} and c.cvr = g.key), g.key) as name from g`
    : by === 'destination'
      // As the live query: deliveries to a destination no longer in the registry are not shown.
      ? sql`select g.*, dest.display_name as name from g join destinations dest on dest.id = g.key::uuid and dest.org_id = ${orgId}`
      : sql`select g.*, null::text as name from g`;
  return run(db, sql`with r as (${rows(scope, p, dim)}), g as (${g}), n as (${named})
    select ${perBucket ? sql`to_char(n.b, ${FORMAT[p.granularity]})` : sql`''`} as bucket, n.key, coalesce(n.name, '') as label,
      n.fetched, n.delivered, n.automatic, n.triage, n.failed, n.in_progress
    from n where n.fetched <> 0 order by n.b, n.fetched desc, n.key`);
}

/** Folds pending deltas into stats_counts (the stats-compact job); returns how many it folded. */
export async function compactStats(db: Db, maxRows = 50_000): Promise<number> {
  const r = (await db.execute(sql`select brevdue_stats_compact(${maxRows}::int) as folded`)) as unknown as { rows: { folded: number }[] };
  return Number(r.rows[0]?.folded ?? 0);
}

/** Counts every letter again (`brevdue stats rebuild`); returns the number of letters. */
export async function rebuildStats(db: Db): Promise<number> {
  const r = (await db.execute(sql`select brevdue_stats_rebuild() as letters`)) as unknown as { rows: { letters: number }[] };
  return Number(r.rows[0]?.letters ?? 0);
}
