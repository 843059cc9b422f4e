// A quarantined letter whose INVALID receipt never reached the provider stays waiting there, and a poll
// passes it by only because its quarantine row names its provider id. When retention deletes that row
// (erased at a data subject's request, or expired), the next poll would fetch the letter again and
// quarantine it anew — with the CPR data the person asked to erase. Retention leaves a content-free
// tombstone (mailbox, provider id, dates: quarantine_tombstones) so later polls keep owing only the
// receipt, or pass the letter by, and never fetch it again.
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, quarantine, quarantineTombstones } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { LETTER_ATTEMPTS } from '../../backend/src/ingest/letter-failures';
import { dsrErase } from '../../backend/src/dsr/requests';
import { runRetention } from '../../backend/src/retention/purge';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { watchedConnectorFor } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;
const CPR10 = '0101901234';
const DAY = 86_400_000;
const noJobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };

const invalidXml = (label: string) => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label, notification: 'Vedrørende 010190-1234' }))
  .replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, '$10000-03-01T10:00:00Z');

describe.each(testDatabases)('a deleted quarantine row leaves a tombstone on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;
  let receiptsFail = true;
  const calls = { fetch: [] as string[], ack: [] as string[] };
  let ctx: AppContext;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    receiptsFail = true;
    calls.fetch = [];
    calls.ack = [];
    ctx = {
      ...app.ctx, jobs: noJobs,
      connectorFor: watchedConnectorFor(app, { fetched: (id) => calls.fetch.push(id), acked: (id, ack) => calls.ack.push(`${id}:${ack.status}`) }, () => receiptsFail),
    };
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const db = () => app.database.db;
  const poll = () => pollMailbox(ctx, mb).catch((e: Error) => e);
  const waitingAtProvider = async () => {
    const ids: string[] = [];
    for await (const page of app.ctx.connectorFor(mb).listWaiting()) ids.push(...page);
    return ids;
  };

  test.each([
    ['its receipt given up (passed by)', LETTER_ATTEMPTS],
    ['its receipt still owed', 1],
  ] as const)('an erased letter %s is not fetched again after retention deletes its row', async (_, failedPolls) => {
    const uuid = app.sims!.ngdp.api.inject(company.cvr, invalidXml('Journal')).id;
    for (let i = 0; i < failedPolls; i++) await poll();
    expect(calls.fetch).toEqual([uuid]);
    expect(await waitingAtProvider()).toContain(uuid); // no receipt went: still waiting at Digital Post

    const erased = await dsrErase(db(), app.ctx.sealer, app.demoOrgId!, CPR10);
    expect(erased).toMatchObject({ ok: true, quarantineErased: [expect.any(String)] });
    const r = await runRetention(db(), app.ctx.sealer, new Date(Date.now() + 91 * DAY));
    expect(r.quarantined).toBe(1);
    expect(await db().select().from(quarantine)).toEqual([]);

    // Content-free: mailbox, provider id, dates; nothing of the letter.
    const stones = await db().select().from(quarantineTombstones);
    expect(stones).toHaveLength(1);
    expect(stones[0]).toMatchObject({ mailboxId: mb.id, providerMessageId: uuid });
    expect(JSON.stringify(stones)).not.toMatch(/0101901234|010190-1234|Journal|Vedrørende|createdDateTime/);

    // Later polls never fetch it again (no new quarantine row with the erased content).
    await poll();
    receiptsFail = false;
    await poll();
    await poll();
    expect(calls.fetch).toEqual([uuid]);
    expect(await db().select().from(quarantine)).toEqual([]);
    if (failedPolls < LETTER_ATTEMPTS) {
      // The receipt was still owed: it is sent (the provider forgets the letter), without fetching it.
      expect(calls.ack.filter((a) => a === `${uuid}:INVALID`).length).toBeGreaterThan(failedPolls);
      expect(await waitingAtProvider()).not.toContain(uuid);
    } else {
      // Given up: passed by, as its row was; nothing is tried again.
      expect(calls.ack.filter((a) => a === `${uuid}:INVALID`)).toHaveLength(LETTER_ATTEMPTS);
    }
    const [health] = await db().select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(health.consecutiveFailures).toBe(0);
  }, 90_000);

  test('an expired letter (nobody acted on it) is not fetched back either', async () => {
    const uuid = app.sims!.ngdp.api.inject(company.cvr, invalidXml('Udløbet')).id;
    for (let i = 0; i < LETTER_ATTEMPTS; i++) await poll();
    const r = await runRetention(db(), app.ctx.sealer, new Date(Date.now() + 181 * DAY));
    expect(r.quarantineExpired).toBe(1);
    receiptsFail = false;
    await poll();
    expect(calls.fetch).toEqual([uuid]);
    expect(await db().select().from(quarantine)).toEqual([]);
  }, 90_000);
});
