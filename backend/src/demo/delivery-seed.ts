// The demo's delivery side beyond the catch-all folders: a second shared mailbox, a Teams channel
// with its Workflows webhook, and an IT mailbox that gets dead-letter notices. The simulators start
// empty on every run, so their mailboxes, team and flow are made again and the destinations that
// point at them refreshed (the webhook URL changes with the port and the flow).
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../store/db';
import type { Sealer } from '../crypto/envelope';
import { destinations, organisations } from '../store/schema';
import type { GraphSimulatorApi } from '../simulators/graph';
import type { WorkflowsSimulatorApi } from '../simulators/workflows';
import { parseDeliverySettings } from '../delivery/settings';
import { DEMO_SHARED_MAILBOX } from './seed';

export const DEMO_FINANCE_MAILBOX = 'okonomi@nordlys.example';
export const DEMO_IT_MAILBOX = 'it-drift@nordlys.example';
export const DEMO_TEAM = { id: '8f0b8a52-6d3e-4c1b-9e7a-2b5c4d6e8f10', channelId: '19:5d1c7e2a9b8f4e3d@thread.tacv2' };

export async function seedDemoDelivery(db: Db, sealer: Sealer, orgId: string, graph: GraphSimulatorApi, workflows: WorkflowsSimulatorApi): Promise<void> {
  graph.addMailbox({ id: DEMO_FINANCE_MAILBOX, displayName: 'Økonomi – Nordlys', kind: 'shared' });
  graph.addMailbox({ id: DEMO_IT_MAILBOX, displayName: 'IT-drift', kind: 'user' });
  graph.addTeam({ id: DEMO_TEAM.id, displayName: 'Nordlys Økonomi', channels: [{ id: DEMO_TEAM.channelId, displayName: 'Digital Post' }] });
  const flow = workflows.addFlow(DEMO_TEAM.id, DEMO_TEAM.channelId);

  const upsert = async (displayName: string, values: Partial<typeof destinations.$inferInsert>) => {
    const [cur] = await db.select().from(destinations)
      .where(and(eq(destinations.orgId, orgId), eq(destinations.displayName, displayName), isNull(destinations.archivedAt)));
    if (cur) await db.update(destinations).set({ ...values, updatedAt: new Date() }).where(eq(destinations.id, cur.id));
    else await db.insert(destinations).values({ orgId, displayName, kind: values.kind!, ...values, checkedAt: new Date() });
  };
  await upsert('Økonomi – fælles postkasse', { kind: 'shared_mailbox', mailbox: DEMO_FINANCE_MAILBOX, folderPath: 'Digital Post' });
  await upsert('Økonomi – Teams-kanal', {
    kind: 'teams_channel', teamId: DEMO_TEAM.id, channelId: DEMO_TEAM.channelId, folderPath: 'Digital Post', webhookUrlEnc: sealer.seal(flow.url),
  });

  // Dead-letter notices go to IT unless an admin has chosen otherwise.
  const [org] = await db.select({ s: organisations.deliverySettings }).from(organisations).where(eq(organisations.id, orgId));
  const settings = parseDeliverySettings(org?.s);
  if (!settings.notifyAddress) {
    await db.update(organisations).set({ deliverySettings: { ...settings, notifyAddress: DEMO_IT_MAILBOX, notifySender: DEMO_SHARED_MAILBOX } })
      .where(eq(organisations.id, orgId));
  }
}
