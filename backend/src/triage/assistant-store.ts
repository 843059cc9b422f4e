// The assistant's memory: the model's counts live in `assistant_counts` (one row per feature and
// target, incremented in place, batched per second: see flush), so what it learnt survives restarts
// and is shared by processes.
// Each process keeps the model in memory and reloads it after a minute, so another process's
// placements reach it soon.
//
// Nothing of a letter is stored readable: a feature's key (a stem of the documents' text, a label or
// document-name word, a sender, a case id…) is stored, and counted by the model in memory, as
// `~<kind prefix>:<keyed hash>` (assistant/features.ts keyFeatures): HMAC-SHA-256 under the
// organisation's own random key, kept sealed in assistant_keys (crypto/keyed-hash.ts). Explanations
// still name the words: the model builds them from the displays of the letter at hand, which never
// leave memory. Rows stored in clear by an earlier version are converted when an organisation's model
// is read (convertClearRows).
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../store/db';
import { assistantCounts, assistantKeys } from '../store/schema';
import { AssistantModel, targetOf, type Delta, type LearnSource, type Suggestion } from '../assistant/model';
import { featuresOf, keyedKey, keyFeatures, KEYED_MARK, type Feature } from '../assistant/features';
import type { RoutingInput } from '../routing/types';
import type { Sealer } from '../crypto/envelope';
import { keyedHasher } from '../crypto/keyed-hash';

const RELOAD_MS = 60_000;

export class AssistantStore {
  private cache = new Map<string, { model: AssistantModel; loadedAt: number; loaded: boolean; loading?: Promise<AssistantModel> }>();
  /** Per organisation: its features' keyed hash (a failed read is not kept). */
  private hashers = new Map<string, Promise<(clearKey: string) => string>>();

  constructor(
    private readonly db: Db,
    /** Opens (and, the first time, seals) each organisation's feature key. */
    private readonly sealer: Sealer,
    private readonly now: () => number = Date.now,
    /** Told when a background write of learnt counts fails (they stay pending and are retried). */
    private readonly onFlushError: (e: unknown) => void = () => undefined,
    /** Told when a reload fails and the model read before serves meanwhile (it is read again on the next call). */
    private readonly onReloadError: (e: unknown) => void = () => undefined,
  ) {}

  async model(orgId: string): Promise<AssistantModel> {
    const c = this.cache.get(orgId);
    if (c?.loaded && this.now() - c.loadedAt < RELOAD_MS) return c.model;
    if (c?.loading) return c.loading;
    // In the cache before the read starts, so a read that fails at once finds it to take out.
    const entry: { model: AssistantModel; loadedAt: number; loaded: boolean; loading?: Promise<AssistantModel> } =
      { model: c?.model ?? new AssistantModel(), loadedAt: c?.loadedAt ?? 0, loaded: c?.loaded ?? false };
    this.cache.set(orgId, entry);
    entry.loading = (async () => {
      try {
        const hash = await this.hasher(orgId);
        const read = () => this.db.select({ feature: assistantCounts.feature, target: assistantCounts.target, count: assistantCounts.count })
          .from(assistantCounts).where(eq(assistantCounts.orgId, orgId));
        let rows = await read();
        if (rows.some((r) => isClear(r.feature))) {
          await convertClearRows(this.db, orgId, hash);
          rows = await read();
        }
        const model = new AssistantModel();
        // A clear row written meanwhile (by a process of an earlier version) is converted at the next read.
        model.applyDeltas(rows.filter((r) => !isClear(r.feature)).map((r) => ({ feature: r.feature, target: r.target, delta: r.count })));
        this.cache.set(orgId, { model, loadedAt: this.now(), loaded: true });
        return model;
      } catch (e) {
        // A failed read must not stay cached (every later call would get the same rejection until a
        // restart): the next call reads again. Meanwhile a model read before serves, a minute stale.
        if (c?.loaded) {
          this.cache.set(orgId, { model: c.model, loadedAt: c.loadedAt, loaded: true });
          this.onReloadError(e);
          return c.model;
        }
        this.cache.delete(orgId);
        throw e;
      }
    })();
    return entry.loading;
  }

  /**
   * The letter's features as the model counts them: keys keyed under the organisation's key, displays
   * as the letter shows them (for the explanations; they stay in memory).
   */
  async features(orgId: string, input: RoutingInput): Promise<Feature[]> {
    return keyFeatures(featuresOf(input), await this.hasher(orgId));
  }

  /**
   * The organisation's keyed hash (of a clear feature key; keyedKey makes the stored key of it): its
   * key read (created and sealed the first time) once per process. A bounded memo spares the HMAC
   * of the stems every letter shares.
   */
  private hasher(orgId: string): Promise<(clearKey: string) => string> {
    let h = this.hashers.get(orgId);
    if (!h) {
      h = (async () => keyedHasher(this.sealer.open(await featureKeyOf(this.db, this.sealer, orgId)), HASH_MEMO))();
      this.hashers.set(orgId, h);
      h.catch(() => { if (this.hashers.get(orgId) === h) this.hashers.delete(orgId); });
    }
    return h;
  }

  /** Learns one example and persists what changed (increments, so concurrent learners add up). */
  async learn(orgId: string, input: RoutingInput, destinationIds: string[], source: LearnSource, allowed?: Iterable<string>): Promise<void> {
    const model = await this.model(orgId);
    const deltas = model.learn(await this.features(orgId, input), targetOf(destinationIds), { source, allowedTargets: allowed });
    this.persist(orgId, deltas);
  }

  /**
   * A person rerouted a letter: takes back what it taught before (`from`, learnt at `at`), if
   * anything, and teaches its new destinations — one step on the model, increments to the store.
   */
  async relearn(orgId: string, input: RoutingInput, change: { from: { target: string; at: Date } | null; to: string[]; source: LearnSource }, allowed?: Iterable<string>): Promise<void> {
    const model = await this.model(orgId);
    const features = await this.features(orgId, input);
    // Taken back first: a calibrating lesson is scored without the letter's own earlier lesson.
    const deltas = change.from ? model.unlearn(features, change.from.target, { at: change.from.at }) : [];
    deltas.push(...model.learn(features, targetOf(change.to), { source: change.source, allowedTargets: allowed }));
    this.persist(orgId, deltas);
  }

  /** A destination left the registry (or was renamed into a new one): its evidence may pass on. */
  async succeed(orgId: string, oldId: string, newId: string): Promise<void> {
    const model = await this.model(orgId);
    this.persist(orgId, model.succeed(oldId, newId));
  }

  async suggest(orgId: string, input: RoutingInput, allowed: Iterable<string>, names: ReadonlyMap<string, string>, k = 3): Promise<Suggestion[]> {
    const model = await this.model(orgId);
    return model.suggest(await this.features(orgId, input), { k, allowedTargets: allowed, names });
  }

  /**
   * Changes wait here up to FLUSH_MS, summed per organisation, feature and target, then go to the
   * database in one upsert: a busy hour of letters from the same senders about the same things
   * touches the same rows again and again (a letter teaches a few hundred features). The model in
   * memory has them at once. What a crash loses is at most FLUSH_MS of learning (not letters, not
   * placements); stop() flushes (app.ts).
   */
  private pending = new Map<string, Map<string, Delta>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  private persist(orgId: string, deltas: Delta[]): void {
    let sum = this.pending.get(orgId);
    if (!sum) this.pending.set(orgId, sum = new Map());
    for (const d of deltas) {
      // One row per key per statement (PostgreSQL refuses to update a row twice in one upsert).
      const k = `${d.feature}\u0000${d.target}`;
      const cur = sum.get(k);
      if (cur) cur.delta += d.delta; else sum.set(k, { ...d });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = null; void this.flush().catch(this.onFlushError); }, FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what was learnt and not yet stored; failed writes stay pending for the next flush. */
  async flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      const batch = [...this.pending];
      this.pending = new Map();
      for (let o = 0; o < batch.length; o++) {
        const [orgId, sum] = batch[o];
        const rows = [...sum.values()].filter((d) => d.delta !== 0);
        for (let i = 0; i < rows.length; i += FLUSH_ROWS) {
          const part = rows.slice(i, i + FLUSH_ROWS);
          try {
            // One JSON parameter, not a VALUES list of four per row: built by drizzle as rows, a flush
            // of a few thousand counts cost more CPU than routing the letters that taught them.
            const json = JSON.stringify(part.map((d) => ({ f: d.feature, t: d.target, c: d.delta })));
            await this.db.execute(sql`INSERT INTO assistant_counts (org_id, feature, target, count)
              SELECT ${orgId}::uuid, u.f, u.t, u.c FROM json_to_recordset(${json}::json) AS u(f text, t text, c float8)
              ON CONFLICT (org_id, feature, target) DO UPDATE SET count = assistant_counts.count + excluded.count`);
          } catch (e) {
            // Put back what was not written — this organisation's later rows and every later
            // organisation's (the batch left pending when it began) — and let the caller know.
            this.persist(orgId, rows.slice(i));
            for (const [laterOrg, laterSum] of batch.slice(o + 1)) this.persist(laterOrg, [...laterSum.values()]);
            throw e;
          }
        }
      }
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** At shutdown: no more timers, everything written. */
  async close(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    await this.flush();
  }
}

const FLUSH_MS = 1_000;
/** Counts per statement (one JSON parameter each). */
const FLUSH_ROWS = 5_000;
/** Clear keys whose keyed hash a process keeps at hand per organisation (then it starts again). */
const HASH_MEMO = 100_000;

/** A stored feature row in clear (an earlier version's): not keyed, not an aggregate ('#…'), not a target's total (''). */
function isClear(feature: string): boolean {
  return feature !== '' && !feature.startsWith('#') && !feature.startsWith(KEYED_MARK);
}

/** The organisation's sealed feature key; made (32 random bytes, sealed) by whichever process asks first. */
async function featureKeyOf(db: Db, sealer: Sealer, orgId: string): Promise<Buffer> {
  const read = async () => (await db.select({ k: assistantKeys.keyEnc }).from(assistantKeys).where(eq(assistantKeys.orgId, orgId)))[0]?.k;
  const found = await read();
  if (found) return found;
  // Two processes may both get here: one key is stored, and both use it.
  await db.insert(assistantKeys).values({ orgId, keyEnc: sealer.seal(randomBytes(32)) }).onConflictDoNothing({ target: assistantKeys.orgId });
  const made = await read();
  if (!made) throw new Error('the assistant\'s feature key could not be stored');
  return made;
}

/**
 * Converts an organisation's clear feature rows (stored before features were keyed) in one
 * transaction: each row's count is added to its keyed row (which may exist already, from learning
 * since) and the clear row is deleted. The organisation's key row is locked first, so two processes
 * starting at once convert one after the other, and the second finds nothing left; run again, it
 * does nothing. SQL alone cannot convert: the keyed hash needs the key, which only the KEK opens.
 * Returns how many clear rows it converted.
 */
export async function convertClearRows(db: Db, orgId: string, hash: (clearKey: string) => string): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.select({ id: assistantKeys.id }).from(assistantKeys).where(eq(assistantKeys.orgId, orgId)).for('update');
    const clear = (await tx.select({ feature: assistantCounts.feature, target: assistantCounts.target, count: assistantCounts.count })
      .from(assistantCounts).where(and(eq(assistantCounts.orgId, orgId), sql`${assistantCounts.feature} <> ''`,
        sql`left(${assistantCounts.feature}, 1) NOT IN ('#', ${KEYED_MARK})`)).for('update'))
      .filter((r) => isClear(r.feature));
    if (clear.length === 0) return 0;
    const sums = new Map<string, Delta>();
    for (const r of clear) {
      const feature = keyedKey(r.feature, hash);
      const k = `${feature}\u0000${r.target}`;
      const cur = sums.get(k);
      if (cur) cur.delta += r.count; else sums.set(k, { feature, target: r.target, delta: r.count });
    }
    const keyed = [...sums.values()];
    for (let i = 0; i < keyed.length; i += FLUSH_ROWS) {
      const json = JSON.stringify(keyed.slice(i, i + FLUSH_ROWS).map((d) => ({ f: d.feature, t: d.target, c: d.delta })));
      await tx.execute(sql`INSERT INTO assistant_counts (org_id, feature, target, count)
        SELECT ${orgId}::uuid, u.f, u.t, u.c FROM json_to_recordset(${json}::json) AS u(f text, t text, c float8)
        ON CONFLICT (org_id, feature, target) DO UPDATE SET count = assistant_counts.count + excluded.count`);
    }
    for (let i = 0; i < clear.length; i += FLUSH_ROWS) {
      const json = JSON.stringify(clear.slice(i, i + FLUSH_ROWS).map((r) => ({ f: r.feature, t: r.target })));
      await tx.execute(sql`DELETE FROM assistant_counts a USING json_to_recordset(${json}::json) AS u(f text, t text)
        WHERE a.org_id = ${orgId}::uuid AND a.feature = u.f AND a.target = u.t`);
    }
    return clear.length;
  });
}
