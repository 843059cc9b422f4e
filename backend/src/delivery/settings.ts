// An organisation's delivery settings (subject template, categories, dead-letter notices, reroute
// behaviour), stored as JSON on the organisation and always read through the zod schema, so a row
// written by an older version still yields every default.
import { eq } from 'drizzle-orm';
import type { Db } from '../store/db';
import { organisations } from '../store/schema';
import { deliverySettingsSchema, type DeliverySettings } from '../../../shared/src/contracts';

export function parseDeliverySettings(raw: unknown): DeliverySettings {
  const r = deliverySettingsSchema.safeParse(raw ?? {});
  // A stored value that no longer validates must not stop deliveries: fall back to the defaults.
  return r.success ? r.data : deliverySettingsSchema.parse({});
}

export async function getDeliverySettings(db: Db, orgId: string): Promise<DeliverySettings> {
  const [row] = await db.select({ s: organisations.deliverySettings }).from(organisations).where(eq(organisations.id, orgId));
  return parseDeliverySettings(row?.s);
}

export async function putDeliverySettings(db: Db, orgId: string, input: unknown): Promise<DeliverySettings> {
  const settings = deliverySettingsSchema.parse(input);
  await db.update(organisations).set({ deliverySettings: settings }).where(eq(organisations.id, orgId));
  return settings;
}
