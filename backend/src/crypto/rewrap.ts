// Key rotation without downtime: every sealed column's values are re-wrapped under the current KEK.
// Only each value's header (key id + wrapped data key) is rewritten, in SQL, so the content never
// leaves the database and a value being replaced concurrently is left alone (compare-and-set on the
// old header). Runs in batches while Brevdue keeps working: until it is done both keys are configured.
import { sql } from 'drizzle-orm';
import type { Db } from '../store/db';
import { MAX_HEADER_BYTES, type Sealer } from './envelope';
import { reindexStaleMentions } from '../dsr/cpr-index';

/** Every sealed column: table, primary key, column. */
export const SEALED_COLUMNS = [
  { table: 'messages', column: 'raw_enc' },
  { table: 'documents', column: 'content_enc' },
  { table: 'documents', column: 'text_enc' },
  { table: 'quarantine', column: 'raw_enc' },
  { table: 'mailboxes', column: 'secret_enc' },
  { table: 'destinations', column: 'webhook_url_enc' },
  { table: 'replies', column: 'memo_enc' },
  // The assistant's feature keys: its counts are keyed hashes under them and cannot be re-made under a new key.
  { table: 'assistant_keys', column: 'key_enc' },
] as const;

export interface RewrapResult { column: string; rewrapped: number; current: number }

export async function rewrapAll(db: Db, sealer: Sealer, opts: { batch?: number; onProgress?: (r: RewrapResult) => void } = {}) {
  const batch = opts.batch ?? 500;
  const results: RewrapResult[] = [];
  for (const { table, column } of SEALED_COLUMNS) {
    const r: RewrapResult = { column: `${table}.${column}`, rewrapped: 0, current: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      // Only the header bytes are read; identifiers come from the fixed list above, never from input.
      const rows = (await db.execute(sql`select id::text as id, substring(${sql.identifier(column)} from 1 for ${MAX_HEADER_BYTES}) as head
        from ${sql.identifier(table)} where id > ${after}::uuid and ${sql.identifier(column)} is not null order by id limit ${batch}`)) as unknown;
      const list = rowsOf(rows) as { id: string; head: Buffer | Uint8Array }[];
      if (list.length === 0) break;
      for (const row of list) {
        const head = Buffer.from(row.head);
        const nw = sealer.rewrapHeader(head);
        if (!nw) { r.current++; continue; }
        const old = head.subarray(0, nw.oldLength);
        const u = await db.execute(sql`update ${sql.identifier(table)}
          set ${sql.identifier(column)} = ${nw.header}::bytea || substring(${sql.identifier(column)} from ${nw.oldLength + 1})
          where id = ${row.id}::uuid and substring(${sql.identifier(column)} from 1 for ${nw.oldLength}) = ${old}::bytea`);
        if (affected(u) > 0) r.rewrapped++;
      }
      after = list[list.length - 1].id;
    }
    results.push(r);
    opts.onProgress?.(r);
  }
  // The CPR index is keyed by a key derived from the KEK: re-hash under the current one.
  const reindexed = await reindexStaleMentions(db, sealer);
  return { columns: results, cprIndexReindexed: reindexed };
}

/** How many sealed values still use another key than the current one (0: the old key can go). */
export async function countNotCurrent(db: Db, sealer: Sealer): Promise<number> {
  const id = Buffer.from(sealer.currentKeyId, 'utf8');
  let n = 0;
  for (const { table, column } of SEALED_COLUMNS) {
    const rows = rowsOf(await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}
      where ${sql.identifier(column)} is not null and substring(${sql.identifier(column)} from 2 for ${id.length + 1}) <> ${Buffer.concat([Buffer.from([id.length]), id])}::bytea`)) as { n: number }[];
    n += Number(rows[0].n);
  }
  return n;
}

// node-postgres returns { rows, rowCount }; PGlite { rows, affectedRows }.
function rowsOf(r: unknown): unknown[] {
  return Array.isArray(r) ? r : ((r as { rows?: unknown[] }).rows ?? []);
}
function affected(r: unknown): number {
  const o = r as { rowCount?: number | null; affectedRows?: number };
  return o.rowCount ?? o.affectedRows ?? 0;
}
