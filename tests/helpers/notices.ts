// Helpers for integration tests of the admins' notices (delivery/notify.ts, delivery/quarantine-notice.ts)
// against the demo app: a context whose job queue does nothing, an app whose operator allow-list refuses
// one sender Graph has, setting the notice sender, letters quarantined by a poll, and the mails sent.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_IT_MAILBOX } from '../../backend/src/demo/delivery-seed';
import { organisations } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import type { AppContext, MailboxRow } from '../../backend/src/context';

/** A job queue that does nothing: the test runs each step itself. */
export const NO_JOBS = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

/** A mailbox the one Graph app reaches, in a domain the operator does not allow the demo organisation. */
export const FOREIGN_SENDER = 'post@rival.example';

/**
 * The demo app (no seed, no job runner, Graph giving up after 1.5 s) whose operator allows mail only to
 * nordlys.example, with FOREIGN_SENDER in the Graph simulator; its context with NO_JOBS, and `setSender`
 * to store the notice address (DEMO_IT_MAILBOX) and a sender directly, past the settings' checks.
 */
export async function startNoticeSenderApp(databaseUrl: string | undefined): Promise<{ app: Brevdue; ctx: AppContext; setSender: (sender: string) => Promise<void> }> {
  const app = await startBrevdue({
    databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, graphTimeoutMs: 1500,
    destinationsAllowed: { '*': { mailDomains: ['nordlys.example'], teams: ['*'] } },
  });
  app.sims!.graph.api.addMailbox({ id: FOREIGN_SENDER, displayName: 'Rival post', kind: 'shared' });
  const db = app.database.db;
  const [{ deliverySettings: settings }] = await db.select().from(organisations).where(eq(organisations.id, app.demoOrgId!));
  const setSender = async (sender: string) => {
    await db.update(organisations).set({ deliverySettings: { ...settings, notifyAddress: DEMO_IT_MAILBOX, notifySender: sender } })
      .where(eq(organisations.id, app.demoOrgId!));
  };
  return { app, ctx: { ...app.ctx, jobs: NO_JOBS }, setSender };
}

/** Puts each MeMo (invalid ones) waiting for `cvr` at the Digital Post simulator, and polls `mb`: each is quarantined. */
export async function quarantineByPoll(app: Brevdue, ctx: AppContext, mb: MailboxRow, cvr: string, xmls: string[]): Promise<void> {
  for (const xml of xmls) app.sims!.ngdp.api.inject(cvr, xml);
  expect(await pollMailbox(ctx, mb)).toMatchObject({ quarantined: xmls.length });
}

/** The messages Graph sendMail carried, oldest first. */
export function sentMails<T>(app: Brevdue): T[] {
  return app.sims!.graph.api.requests()
    .filter((r) => r.method === 'POST' && r.path.endsWith('/sendMail'))
    .map((r) => (r.body as { message: T }).message);
}
