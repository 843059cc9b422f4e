// A data subject request's erase of a quarantined letter (dsr/requests.ts eraseQuarantined) empties its
// sealed bytes and also replaces its reason with a fixed, content-free sentence: a reason may quote the
// letter (an element's value, a name, a file name the MeMo validator names), not only a CPR number,
// which storing masks. The machine marks later polls read stay (ingest/letter-failures.ts passedBy):
// a letter never fetched, or whose INVALID receipt was given up, is still passed by; one whose receipt
// is still owed still gets it — carrying the fixed sentence, not the erased reason — and is never fetched
// again. The quarantine list and the admins' quarantine notice show the fixed sentence / nothing of it.
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, quarantine } from '../../backend/src/store/schema';
import { storeQuarantine } from '../../backend/src/store/letters';
import { pollMailbox } from '../../backend/src/ingest/poll';
import {
  ERASED_REASON, LETTER_ATTEMPTS, NOT_FETCHED_PREFIX, RECEIPT_NOT_SENT_PREFIX, inQuarantine, notFetchedRecord, passedBy,
} from '../../backend/src/ingest/letter-failures';
import { claimQuarantineNotices, sendDueQuarantineNotices } from '../../backend/src/delivery/quarantine-notice';
import { quarantineListSchema } from '../../shared/src/contracts';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { callApi, watchedConnectorFor } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;
const CPR = '010190-1234';
const MIN = 60_000;
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };
/** What a validator's reason may quote of a letter: a person's name, an address, a file name. */
const PERSONAL = 'Jens Hansen, Skolevej 4 (fil "jens-hansen-journal.pdf")';
const QUOTES = /Jens Hansen|Skolevej|jens-hansen-journal|createdDateTime|0000-03-01/;

/** An invalid MeMo (dated in the year 0000) naming the person; the validator's reason quotes the date. */
const invalidXml = (label: string) => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label, notification: `Vedrørende ${CPR}` }))
  .replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

describe.each(testDatabases)('an erased quarantined letter keeps no reason on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;
  let ctx: AppContext;
  let receiptsFail = true;
  const calls = { fetch: [] as string[], ack: [] as { id: string; status: string; errorMessage?: string }[] };

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, graphTimeoutMs: 1500 });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    ctx = {
      ...app.ctx, jobs: noJobs,
      connectorFor: watchedConnectorFor(app, {
        fetched: (id) => calls.fetch.push(id),
        acked: (id, ack) => calls.ack.push({ id, status: ack.status, errorMessage: ack.errorMessage }),
      }, () => receiptsFail),
    };
  });
  afterAll(async () => {
    await app.stop();
    await drop();
  });

  test('erase replaces the reason with a fixed sentence, keeps the marks polls read, and the list, the notice and the owed receipt show nothing of the old reason', async () => {
    const db = app.database.db;
    const poll = () => pollMailbox(ctx, mb).catch((e: Error) => e);
    const row = async (providerId: string) => (await db.select().from(quarantine).where(eq(quarantine.providerMessageId, providerId)))[0];

    // Through polls: one letter whose INVALID receipt was given up, one whose receipt is still owed.
    const givenUp = app.sims!.ngdp.api.inject(company.cvr, invalidXml('Journal A')).id;
    for (let i = 0; i < LETTER_ATTEMPTS; i++) await poll();
    const owed = app.sims!.ngdp.api.inject(company.cvr, invalidXml('Journal B')).id;
    await poll();
    expect((await row(givenUp)).reason).toMatch(new RegExp(`^${RECEIPT_NOT_SENT_PREFIX}.*createdDateTime`));
    expect((await row(owed)).reason).toMatch(/createdDateTime/);
    expect(passedBy((await row(owed)).reason)).toBe(false);
    // Written directly: a reason quoting a name and a file name; a letter never fetched (its record names the person).
    await storeQuarantine(db, app.ctx.sealer, mb, 'held-1', `MessageBody: element Recipient/Label has the value "${PERSONAL}", which is not allowed`, Buffer.from(`<x>${CPR}</x>`));
    const nfReason = `${NOT_FETCHED_PREFIX} ${LETTER_ATTEMPTS} attempts (it stays waiting at Digital Post): ${PERSONAL}`;
    await storeQuarantine(db, app.ctx.sealer, mb, 'never-1', nfReason, Buffer.concat([notFetchedRecord('ngdp', 'never-1', nfReason), Buffer.from(CPR)]));
    // Another letter, not the person's: still mailed about, with its own reason.
    await storeQuarantine(db, app.ctx.sealer, mb, 'other-1', 'MessageBody: not XML', Buffer.from('<x>intet</x>'));
    const ids = [givenUp, owed, 'held-1', 'never-1'];

    // A notice claimed before the erase (the letters named by it), sent after.
    const [noticeId] = await claimQuarantineNotices(ctx, { now: new Date(Date.now() + 2 * MIN) });
    expect(noticeId).toBeDefined();

    const erased = await callApi(app, 'POST', '/admin/dsr/erase', { cpr: CPR, confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body.quarantineErased).toHaveLength(4);

    // The reasons: fixed, content-free; the marks polls read are kept.
    const after = new Map(await Promise.all(ids.map(async (id) => [id, (await row(id)).reason] as const)));
    for (const [id, reason] of after) {
      expect([id, reason]).toEqual([id, expect.not.stringMatching(QUOTES)]);
      expect(reason).toContain(ERASED_REASON);
    }
    expect(after.get(givenUp)).toMatch(new RegExp(`^${RECEIPT_NOT_SENT_PREFIX}`));
    expect(after.get('never-1')).toMatch(new RegExp(`^${NOT_FETCHED_PREFIX}`));
    expect(after.get(owed)).toBe(ERASED_REASON);
    expect(after.get('held-1')).toBe(ERASED_REASON);
    const known = await inQuarantine(db, mb.id, ids);
    expect(ids.map((id) => [id, known.get(id)?.passBy])).toEqual([[givenUp, true], [owed, false], ['held-1', false], ['never-1', true]]);
    expect((await row('other-1')).reason).toBe('MessageBody: not XML');

    // The quarantine list (admins, operators) shows the fixed sentence.
    const list = quarantineListSchema.parse((await callApi(app, 'GET', `/admin/mailboxes/${mb.id}/quarantine`)).body).items;
    expect(list.filter((q) => q.erased)).toHaveLength(4);
    expect(JSON.stringify(list)).not.toMatch(QUOTES);

    // The admins' notice names the letter that is left, nothing of the erased ones.
    expect(await sendDueQuarantineNotices(ctx, { now: new Date(Date.now() + 3 * MIN) })).toEqual({ [noticeId]: 'sent' });
    const mails = app.sims!.graph.api.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/sendMail'))
      .map((r) => JSON.stringify(r.body));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('other-1');
    expect(mails[0]).not.toMatch(QUOTES);
    for (const id of ids) expect(mails[0]).not.toContain(id);

    // Later polls: the given-up letter is passed by, the owed receipt goes with the fixed sentence; nothing is fetched again.
    receiptsFail = false;
    calls.fetch = [];
    calls.ack = [];
    await poll();
    await poll();
    expect(calls.fetch).toEqual([]);
    expect(calls.ack.map((a) => a.id)).toEqual([owed]);
    expect(calls.ack[0]).toMatchObject({ status: 'INVALID', errorMessage: ERASED_REASON });
    expect(await db.select().from(quarantine).where(eq(quarantine.mailboxId, mb.id))).toHaveLength(5);
  }, 120_000);
});
