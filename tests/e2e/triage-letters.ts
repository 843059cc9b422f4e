// Set-up for browser tests of the triage queue against the live demo backend (./live.ts): letters from
// a given sender stored as the poller would and routed into the queue, and the organisation's
// recipients by name.
import { and, eq } from 'drizzle-orm';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import type { Memo } from '../../backend/src/memo/types';
import { storeLetter } from '../../backend/src/store/letters';
import { destinations, mailboxes } from '../../backend/src/store/schema';
import { detailOf, eventually, type Live } from './live';

/** A demo letter to the organisation's first CVR number, from `sender` (a CVR number and its name). */
export const letterFrom = (sender: { id: string; name: string }, label: string): Memo => {
  const m = demoMemo({ recipientCvr: DEMO_ORGANISATION.cvrs[0].cvr, label });
  m.sender = { id: sender.id, idType: 'CVR', label: sender.name };
  return m;
};

/** Stores a letter as the poller would and has it routed (by whatever rules there are); its id. */
export async function receiveLetter(l: Live, memo: Memo): Promise<string> {
  const { app } = l;
  const [mb] = await app.database.db.select().from(mailboxes)
    .where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
  const r = await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
  await app.ctx.jobs.routeSoon(r.messageId);
  return r.messageId;
}

/** Stores a letter as the poller would and routes it; resolves once it waits in triage. */
export async function receiveInTriage(l: Live, memo: Memo): Promise<string> {
  const id = await receiveLetter(l, memo);
  await eventually(async () => (await detailOf(l, id)).status === 'triage', `letter ${memo.label} in triage`);
  return id;
}

/** The demo organisation's recipients' ids by display name. */
export async function destinationIdsByName(l: Live): Promise<Record<string, string>> {
  const rows = await l.app.database.db.select().from(destinations).where(eq(destinations.orgId, l.app.demoOrgId!));
  return Object.fromEntries(rows.map((d) => [d.displayName, d.id]));
}
