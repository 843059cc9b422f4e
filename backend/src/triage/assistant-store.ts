// The assistant's memory: the model's counts live in `assistant_counts` (one row per feature and
// target, incremented in place), so what it learnt survives restarts and is shared by processes.
// Each process keeps the model in memory and reloads it after a minute, so another process's
// placements reach it soon.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../store/db';
import { assistantCounts } from '../store/schema';
import { AssistantModel, targetOf, type Delta, type LearnSource, type Suggestion } from '../assistant/model';
import { featuresOf } from '../assistant/features';
import type { RoutingInput } from '../routing/types';

const RELOAD_MS = 60_000;

export class AssistantStore {
  private cache = new Map<string, { model: AssistantModel; loadedAt: number; loading?: Promise<AssistantModel> }>();

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  async model(orgId: string): Promise<AssistantModel> {
    const c = this.cache.get(orgId);
    if (c && this.now() - c.loadedAt < RELOAD_MS) return c.model;
    if (c?.loading) return c.loading;
    const loading = (async () => {
      const rows = await this.db.select({ feature: assistantCounts.feature, target: assistantCounts.target, count: assistantCounts.count })
        .from(assistantCounts).where(eq(assistantCounts.orgId, orgId));
      const model = new AssistantModel();
      model.applyDeltas(rows.map((r) => ({ feature: r.feature, target: r.target, delta: r.count })));
      this.cache.set(orgId, { model, loadedAt: this.now() });
      return model;
    })();
    this.cache.set(orgId, { model: c?.model ?? new AssistantModel(), loadedAt: c?.loadedAt ?? 0, loading });
    return loading;
  }

  /** Learns one example and persists what changed (increments, so concurrent learners add up). */
  async learn(orgId: string, input: RoutingInput, destinationIds: string[], source: LearnSource, allowed?: Iterable<string>): Promise<void> {
    const model = await this.model(orgId);
    const deltas = model.learn(featuresOf(input), targetOf(destinationIds), { source, allowedTargets: allowed });
    await this.persist(orgId, deltas);
  }

  /** A destination left the registry (or was renamed into a new one): its evidence may pass on. */
  async succeed(orgId: string, oldId: string, newId: string): Promise<void> {
    const model = await this.model(orgId);
    await this.persist(orgId, model.succeed(oldId, newId));
  }

  async suggest(orgId: string, input: RoutingInput, allowed: Iterable<string>, names: ReadonlyMap<string, string>, k = 3): Promise<Suggestion[]> {
    const model = await this.model(orgId);
    return model.suggest(featuresOf(input), { k, allowedTargets: allowed, names });
  }

  private async persist(orgId: string, deltas: Delta[]): Promise<void> {
    // One row per key per statement (PostgreSQL refuses to update a row twice in one upsert).
    const sum = new Map<string, Delta>();
    for (const d of deltas) {
      const k = `${d.feature}\u0000${d.target}`;
      const cur = sum.get(k);
      if (cur) cur.delta += d.delta; else sum.set(k, { ...d });
    }
    const rows = [...sum.values()].filter((d) => d.delta !== 0);
    for (let i = 0; i < rows.length; i += 500) {
      await this.db.insert(assistantCounts)
        .values(rows.slice(i, i + 500).map((d) => ({ orgId, feature: d.feature, target: d.target, count: d.delta })))
        .onConflictDoUpdate({ target: [assistantCounts.orgId, assistantCounts.feature, assistantCounts.target], set: { count: sql`${assistantCounts.count} + excluded.count` } });
    }
  }
}
