// The statistics queries. A letter counts in the period bucket of the Copenhagen day it was fetched
// (messages.received_at), with its state now. "Automatic": delivered, and the destination was chosen
// by a rule (an 'initial' delivery) or by the assistant (an 'auto_placed' event); a letter placed by
// a person from triage is manual. The SQL runs on PostgreSQL 15 and PGlite (PostgreSQL 18).
import { sql, type SQL } from 'drizzle-orm';
import type { StatsBy } from '../../../shared/src/contracts';
import type { Db } from '../store/db';
import { CHANNEL_NAMES } from './csv';
import { alias } from 'drizzle-orm/pg-core';
import { destinationVisibleFor, visibleLetters, type Scope } from '../store/scope';
import { messages } from '../store/schema';
import { rollupByBucket, rollupByGroup } from './rollup';

/** `messages` as the hand-written queries below call it. */
const M = alias(messages, 'm');
import { STATS_TIME_ZONE, addDays, type Period, type RawCounts } from './period';

const TZ = sql.raw(`'${STATS_TIME_ZONE}'`);
// Constants only (never request text), so sql.raw is safe; identical text lets GROUP BY match SELECT.
// Letters are grouped by their bucket's start (a timestamptz); only the few groups are then formatted:
// to_char on every letter cost ≈ 1 s a million letters (bench/search.ts).
const BUCKET: Record<Period['granularity'], SQL> = {
  day: sql.raw(`date_trunc('day', m.received_at, '${STATS_TIME_ZONE}')`),
  month: sql.raw(`date_trunc('month', m.received_at, '${STATS_TIME_ZONE}')`),
  year: sql.raw(`date_trunc('year', m.received_at, '${STATS_TIME_ZONE}')`),
};
const FORMAT: Record<Period['granularity'], SQL> = { day: sql.raw(`'YYYY-MM-DD'`), month: sql.raw(`'YYYY-MM'`), year: sql.raw(`'YYYY'`) };
/** A bucket's start as its key in Copenhagen time: YYYY-MM-DD, YYYY-MM or YYYY. */
const bucketKey = (p: Period, start: SQL) => sql`to_char(${start} at time zone ${TZ}, ${FORMAT[p.granularity]})`;

/**
 * The letters the scope may see, fetched in the period, each with its bucket and whether it was automatic.
 * The initial-delivery test has no org_id: the letter is the organisation's already, and so the partial
 * unique index (message_id, destination_id) where reason = 'initial' answers it without reading rows.
 */
function letters(scope: Scope, p: Period): SQL {
  // Local midnight of the first day up to local midnight after the last (23 or 25 hours on DST days).
  return sql`select m.id, m.provider, m.cvr, m.sender_id, m.sender_name, m.status, m.received_at, ${BUCKET[p.granularity]} as bucket,
      (m.status = 'delivered' and (
        exists (select 1 from deliveries d where d.message_id = m.id and d.reason = 'initial')
        or exists (select 1 from events e where e.message_id = m.id and e.org_id = m.org_id and e.type = 'auto_placed'))) as automatic
    from messages m
    where ${visibleLetters(scope, M)}
      and m.received_at >= (${p.from}::date::timestamp at time zone ${TZ})
      and m.received_at < (${addDays(p.to, 1)}::date::timestamp at time zone ${TZ})`;
}

const COUNTS = sql`count(*)::int as fetched,
  (count(*) filter (where l.status = 'delivered'))::int as delivered,
  (count(*) filter (where l.automatic))::int as automatic,
  (count(*) filter (where l.status = 'triage'))::int as triage,
  (count(*) filter (where l.status = 'failed'))::int as failed,
  (count(*) filter (where l.status in ('received', 'routed')))::int as in_progress`;

interface Row { bucket?: string; key?: string; label?: string; fetched: number; delivered: number; automatic: number; triage: number; failed: number; in_progress: number }

async function rows(db: Db, q: SQL): Promise<Row[]> {
  // A period of many letters passes the planner's jit_above_cost, and compiling the expressions took
  // longer (1–2 s) than running the query (bench/search.ts); off for this transaction only.
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return ((await tx.execute(q)) as unknown as { rows: Row[] }).rows;
  });
}

const counts = (r: Row): RawCounts => ({
  fetched: Number(r.fetched), delivered: Number(r.delivered), automatic: Number(r.automatic),
  triage: Number(r.triage), failed: Number(r.failed), inProgress: Number(r.in_progress),
});

/** Group key and label of each breakdown, and the joins they need. */
function grouping(scope: Scope, by: StatsBy): { from: SQL; key: SQL; label: SQL } {
  const { orgId } = scope;
  // A caller limited to destinations sees rows only for the deliveries it sees (a letter may have gone
  // to others too): one of its limits admits the letter's CVR number and the destination together.
  const destLimit = scope.limits === null ? sql`` : sql` and ${destinationVisibleFor(scope, sql`l.cvr`, sql`destination_id`)}`;
  switch (by) {
    case 'channel': return { from: sql``, key: sql`l.provider`, label: sql`l.provider` };
    case 'cvr': return {
      from: sql`left join cvr_numbers c on c.org_id = ${orgId} and c.cvr = l.cvr`,
      key: sql`l.cvr`, label: sql`coalesce(max(c.name), l.cvr)`,
    };
    // A sender's name may change between letters; the id groups, the latest name labels.
    case 'sender': return { from: sql``, key: sql`l.sender_id`, label: sql`(array_agg(l.sender_name order by l.received_at desc))[1]` };
    // A letter counts once per destination it went to (so the rows may add up to more than the total);
    // letters with no delivery (in triage) have no row.
    case 'destination': return {
      // Per letter of the period (an index probe each), not every delivery the organisation ever made:
      // the distinct over all of them took 11 s for 30 days at a million letters (bench/search.ts).
      from: sql`join lateral (select distinct destination_id from deliveries where message_id = l.id and org_id = ${orgId}${destLimit}) d on true
        join destinations dest on dest.id = d.destination_id and dest.org_id = ${orgId}`,
      key: sql`d.destination_id::text`, label: sql`max(dest.display_name)`,
    };
  }
}

/** Counts per bucket (only buckets with letters), from the rollup (stats/rollup.ts). */
export async function statsByBucket(db: Db, scope: Scope, p: Period): Promise<(RawCounts & { bucket: string })[]> {
  return (await rollupByBucket(db, scope, p)).map((x) => ({ bucket: x.bucket, ...counts(x) }));
}

/** Counts per group of `by` over the whole period; with `perBucket`, per bucket and group (the CSV). */
export async function statsByGroup(db: Db, scope: Scope, p: Period, by: StatsBy, perBucket = false): Promise<(RawCounts & { bucket: string; key: string; label: string })[]> {
  return (await rollupByGroup(db, scope, p, by, perBucket)).map((x) => ({
    bucket: x.bucket, key: x.key, label: by === 'channel' ? CHANNEL_NAMES[x.key] ?? x.key : x.label, ...counts(x),
  }));
}

/** Live: counts per bucket from the letters themselves: the definition the rollup is tested against. */
export async function liveStatsByBucket(db: Db, scope: Scope, p: Period): Promise<(RawCounts & { bucket: string })[]> {
  const r = await rows(db, sql`with l as (${letters(scope, p)}), g as (select l.bucket, ${COUNTS} from l group by l.bucket)
    select ${bucketKey(p, sql`g.bucket`)} as bucket, g.fetched, g.delivered, g.automatic, g.triage, g.failed, g.in_progress from g order by g.bucket`);
  return r.map((x) => ({ bucket: x.bucket!, ...counts(x) }));
}

/** Live: counts per group of `by` from the letters themselves. */
export async function liveStatsByGroup(db: Db, scope: Scope, p: Period, by: StatsBy, perBucket = false): Promise<(RawCounts & { bucket: string; key: string; label: string })[]> {
  const g = grouping(scope, by);
  const r = await rows(db, sql`with l as (${letters(scope, p)})
    select ${perBucket ? bucketKey(p, sql`l.bucket`) : sql`''`} as bucket, ${g.key} as key, ${g.label} as label, ${COUNTS}
    from l ${g.from}
    group by ${perBucket ? sql`l.bucket, ` : sql``}${g.key}
    order by ${perBucket ? sql`l.bucket` : sql`1`}, fetched desc, 2`);
  return r.map((x) => ({
    bucket: x.bucket ?? '', key: x.key ?? '',
    label: by === 'channel' ? CHANNEL_NAMES[x.key ?? ''] ?? x.key ?? '' : x.label ?? '', ...counts(x),
  }));
}
