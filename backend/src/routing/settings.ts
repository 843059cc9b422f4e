// Routing settings of an organisation (the assistant's auto-placement threshold), read through zod
// so an older stored value still yields every default.
import { eq } from 'drizzle-orm';
import type { Db } from '../store/db';
import { organisations } from '../store/schema';
import { routingSettingsSchema, type RoutingSettings } from '../../../shared/src/contracts';

export function parseRoutingSettings(raw: unknown): RoutingSettings {
  const r = routingSettingsSchema.safeParse(raw ?? {});
  return r.success ? r.data : routingSettingsSchema.parse({});
}

export async function getRoutingSettings(db: Db, orgId: string): Promise<RoutingSettings> {
  const [row] = await db.select({ s: organisations.routingSettings }).from(organisations).where(eq(organisations.id, orgId));
  return parseRoutingSettings(row?.s);
}

export async function putRoutingSettings(db: Db, orgId: string, input: unknown): Promise<RoutingSettings> {
  const s = routingSettingsSchema.parse(input);
  await db.update(organisations).set({ routingSettings: s }).where(eq(organisations.id, orgId));
  return s;
}
