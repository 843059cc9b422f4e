// An organisation's settings documents (delivery, routing) are JSON columns read and written through
// a zod schema: a stored value from an older version still yields every default, and one that no
// longer validates falls back to the defaults instead of stopping the work that reads it.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from './db';
import { organisations } from './schema';

export function orgSettings<S extends z.ZodTypeAny>(schema: S, column: PgColumn, key: 'deliverySettings' | 'routingSettings') {
  const parse = (raw: unknown): z.infer<S> => {
    const r = schema.safeParse(raw ?? {});
    return r.success ? r.data : schema.parse({});
  };
  return {
    parse,
    async get(db: Db, orgId: string): Promise<z.infer<S>> {
      const [row] = await db.select({ s: column }).from(organisations).where(eq(organisations.id, orgId));
      return parse(row?.s);
    },
    async put(db: Db, orgId: string, input: unknown): Promise<z.infer<S>> {
      const value = schema.parse(input);
      await db.update(organisations).set({ [key]: value }).where(eq(organisations.id, orgId));
      return value;
    },
  };
}
