// Statistics routes: any signed-in role may read them, always for the letters it may see (store/scope.ts).
// GET /api/stats → JSON (totals, series per bucket, breakdown); GET /api/stats.csv → the same
// period per bucket and group as CSV (format: stats/csv.ts).
import express, { type Router } from 'express';
import { statsQuerySchema, type StatsResponse } from '../../../shared/src/contracts';
import type { Db } from '../store/db';
import { STATS_TIME_ZONE, StatsRangeError, copenhagenToday, fillSeries, resolvePeriod, sumCounts, topBreakdown, withRate, type Period } from '../stats/period';
import { csvFilename, statsCsv } from '../stats/csv';
import { statsByBucket, statsByGroup } from '../stats/queries';
import { HttpError } from './errors';
import { h } from './handler';
import { scope } from './roles';
import type { Scope } from '../store/scope';

/** Breakdown rows in the JSON; the rest are summed into one "other" row. */
const BREAKDOWN_ROWS = 50;

function period(query: unknown) {
  const q = statsQuerySchema.parse(query);
  try {
    return { q, p: resolvePeriod(q, copenhagenToday()) };
  } catch (e) {
    if (e instanceof StatsRangeError) throw new HttpError(400, 'invalid_request', e.message);
    throw e;
  }
}

export async function statsReport(db: Db, scope: Scope, p: Period, by: StatsResponse['by']): Promise<StatsResponse> {
  const buckets = await statsByBucket(db, scope, p);
  const groups = await statsByGroup(db, scope, p, by);
  return {
    from: p.from, to: p.to, granularity: p.granularity, by, timeZone: STATS_TIME_ZONE,
    totals: withRate(sumCounts(buckets)),
    series: fillSeries(p, buckets),
    breakdown: topBreakdown(groups, BREAKDOWN_ROWS, 'other'),
  };
}

export function statsRouter(db: Db): Router {
  const r = express.Router();
  r.get('/stats', h(async (req, res) => {
    const { q, p } = period(req.query);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await statsReport(db, scope(req), p, q.by));
  }));
  r.get('/stats.csv', h(async (req, res) => {
    const { q, p } = period(req.query);
    const rows = (await statsByGroup(db, scope(req), p, q.by, true)).map((x) => ({ ...x, ...withRate(x) }));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${csvFilename(p.from, p.to, q.lang)}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(statsCsv(rows, { granularity: p.granularity, by: q.by, lang: q.lang }));
  }));
  return r;
}
