// Fault injection at the database handle, for forcing one interleaving of two racing code paths
// deterministically: the code under test gets a wrapped handle that calls `hook` (and waits for it)
// before each write it makes — a transaction, an insert, an update or a delete — so a test can hold it
// there and run the other side first. Inside a transaction the handle given to the callback is wrapped
// the same way. Reads pass through untouched.
import type { PgTable } from 'drizzle-orm/pg-core';
import { getTableName } from 'drizzle-orm';
import type { Db } from '../../backend/src/store/db';

export interface Write {
  kind: 'transaction' | 'insert' | 'update' | 'delete';
  /** The table written (none for a transaction's start). */
  table?: string;
  /** The values an insert or update sets. */
  values?: unknown;
  /** Inside a transaction the wrapped handle started. */
  inTransaction: boolean;
}

type Hook = (w: Write) => Promise<void> | void;

/** `db` (or a transaction's handle), calling and awaiting `hook` before each write. */
export function beforeWrites<T extends object = Db>(db: T, hook: Hook, inTransaction = false): T {
  const delay = <Q extends { execute: (...a: unknown[]) => Promise<unknown> }>(q: Q, w: Write): Q => {
    const execute = q.execute;
    q.execute = async (...a: unknown[]) => { await hook(w); return execute(...a); };
    return q;
  };
  /* eslint-disable @typescript-eslint/no-explicit-any */
  return new Proxy(db, {
    get(target: any, p) {
      switch (p) {
        case 'transaction':
          return async (fn: (tx: any) => Promise<unknown>, cfg?: unknown) => {
            await hook({ kind: 'transaction', inTransaction });
            return target.transaction((tx: any) => fn(beforeWrites(tx, hook, true)), cfg);
          };
        case 'insert':
          return (t: PgTable) => {
            const b = target.insert(t);
            return { values: (v: unknown) => delay(b.values(v), { kind: 'insert', table: getTableName(t), values: v, inTransaction }) };
          };
        case 'update':
          return (t: PgTable) => {
            const b = target.update(t);
            return { set: (v: unknown) => delay(b.set(v), { kind: 'update', table: getTableName(t), values: v, inTransaction }) };
          };
        case 'delete':
          return (t: PgTable) => delay(target.delete(t), { kind: 'delete', table: getTableName(t), inTransaction });
        default: {
          const v = Reflect.get(target, p, target);
          return typeof v === 'function' ? v.bind(target) : v;
        }
      }
    },
  }) as T;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** A gate a held code path waits at: `reached` resolves when it arrives, `open()` lets it go on. */
export function gate() {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => { arrive = r; });
  const opened = new Promise<void>((r) => { release = r; });
  let passed = false;
  return {
    reached,
    /** Waits at the gate the first time only; later calls pass. */
    async wait() {
      if (passed) return;
      passed = true;
      arrive();
      await opened;
    },
    open: () => release(),
  };
}
