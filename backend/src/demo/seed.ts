// Demo organisation: its CVR numbers, one Digital Post mailbox each, a shared Exchange mailbox with a
// folder per company, and a catch-all rule per CVR. Idempotent: a restart reuses what is there.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../store/db';
import type { Sealer } from '../crypto/envelope';
import { cvrNumbers, destinations, mailboxes, organisations, rules } from '../store/schema';
import { DEMO_ORGANISATION } from './letters';
import { joinFolderPath } from '../delivery/mailbox';
import { DEMO_EBOKS_SECRET } from '../simulators/eboks';
import { DEMO_MITDK_REFRESH_TOKENS } from '../simulators/mitdk';

export const DEMO_SHARED_MAILBOX = 'digitalpost@nordlys.example';
export const DEMO_SYSTEM = { username: '6f1c2a9e-3b7d-4c1e-9a2f-5d8e7b6c4a31', password: '0d9b8c7a-6e5f-4a3b-8c2d-1e0f9a8b7c6d' };

export interface DemoSeed { orgId: string; mailboxIds: string[]; fresh: boolean }

/** Where the in-process simulators listen; the URLs change with the port, so they are refreshed at every start. */
export interface DemoSimUrls { ngdp: string; eboks: string; mitdk: string }

// The demo's e-Boks and mit.dk mailboxes: private senders (banks, pension, utilities) reach the
// companies there, not through Digital Post.
const DEMO_EBOKS_DEVICE = '0d4b8a7f-3c10-4c55-9e21-6f1c2a8e3b7d';

export async function seedDemoOrganisation(db: Db, sealer: Sealer, urls: DemoSimUrls): Promise<DemoSeed> {
  const ngdpBaseUrl = urls.ngdp;
  const existing = await db.select().from(organisations).where(eq(organisations.name, DEMO_ORGANISATION.name));
  const fresh = existing.length === 0;
  const orgId = fresh
    ? (await db.insert(organisations).values({ name: DEMO_ORGANISATION.name }).returning({ id: organisations.id }))[0].id
    : existing[0].id;
  const mailboxIds: string[] = [];
  for (const [i, c] of DEMO_ORGANISATION.cvrs.entries()) {
    await db.insert(cvrNumbers).values({ orgId, cvr: c.cvr, name: c.name }).onConflictDoNothing();
    const config = { baseUrl: ngdpBaseUrl, systemUsername: DEMO_SYSTEM.username, mode: 'pull' };
    // The simulator's URL changes with the port: refresh it on every start.
    const [mb] = await db.insert(mailboxes).values({ orgId, cvr: c.cvr, provider: 'ngdp', config, secretEnc: sealer.seal(JSON.stringify({ systemPassword: DEMO_SYSTEM.password })) })
      .onConflictDoUpdate({ target: [mailboxes.orgId, mailboxes.cvr, mailboxes.provider], set: { config } })
      .returning({ id: mailboxes.id });
    mailboxIds.push(mb.id);
    if (i === 2) mailboxIds.push(await upsertMailbox(db, sealer, orgId, c.cvr, 'eboks',
      { baseUrl: urls.eboks, identity: c.cvr, deviceId: DEMO_EBOKS_DEVICE }, DEMO_EBOKS_SECRET));
    if (i === 3) mailboxIds.push(await upsertMailbox(db, sealer, orgId, c.cvr, 'mitdk',
      { baseUrl: urls.mitdk, dataSources: ['DP_PRIVATE'] }, DEMO_MITDK_REFRESH_TOKENS));
    const folderPath = joinFolderPath(['Digital Post', c.name]);
    let [dest] = await db.select().from(destinations)
      .where(and(eq(destinations.orgId, orgId), eq(destinations.mailbox, DEMO_SHARED_MAILBOX), eq(destinations.folderPath, folderPath)));
    if (!dest) {
      [dest] = await db.insert(destinations).values({ orgId, kind: 'shared_mailbox', displayName: `${c.name} – Digital Post`, mailbox: DEMO_SHARED_MAILBOX, folderPath }).returning();
      await db.insert(rules).values({
        orgId, name: `Alt til ${c.name}`, priority: 1000 + i, conditions: { recipientCvr: c.cvr }, destinationIds: [dest.id],
      });
    }
  }
  return { orgId, mailboxIds, fresh };
}

async function upsertMailbox(db: Db, sealer: Sealer, orgId: string, cvr: string, provider: string, config: Record<string, unknown>, secret: object) {
  const [mb] = await db.insert(mailboxes).values({ orgId, cvr, provider, config, secretEnc: sealer.seal(JSON.stringify(secret)) })
    .onConflictDoUpdate({ target: [mailboxes.orgId, mailboxes.cvr, mailboxes.provider], set: { config } })
    .returning({ id: mailboxes.id });
  return mb.id;
}
