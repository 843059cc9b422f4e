// Two polls of one mailbox at once (the repeating poll and its backlog follow-up, or a job a killed
// process left locked that another process takes over): a letter the other poll stored and
// acknowledged between our list and our fetch is answered 404. That letter is gone, not a broken
// mailbox: the poll goes on, and the mailbox is not put into backoff. Found by bench:crash, where
// such a 404 failed the poll as permanent and stopped the mailbox for 11–19 minutes.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DEMO_SYSTEM } from '../../backend/src/demo/seed';
import { mailboxes, messages } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { createNgdpClient } from '../../backend/src/ingest/ngdp/client';
import { ProviderError, type MailboxConnector } from '../../backend/src/ingest/connector';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('overlapping polls on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.cvr, company.cvr)) as MailboxRow[];
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  const client = () => createNgdpClient({ baseUrl: `${app.url}/sim/ngdp/apis/v1`, system: DEMO_SYSTEM, delegatedCVR: company.cvr });
  const ctxWith = (connector: MailboxConnector): AppContext => ({
    ...app.ctx, connectorFor: () => connector,
    jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined },
  });

  test('a letter another poll took between our list and our fetch is skipped; the poll goes on and the mailbox stays healthy', async () => {
    const letters = Array.from({ length: 4 }, () => demoMemo({ recipientCvr: company.cvr }));
    for (const m of letters) app.sims!.ngdp.api.inject(company.cvr, buildMemoXml(m));
    const other = client().connector;
    const mine = client().connector;
    let overlapped = false;
    // Our poll lists all four; before its first fetch, the other poll takes the first two.
    const racing: MailboxConnector = {
      listWaiting: () => mine.listWaiting(),
      async fetchRaw(id) {
        if (!overlapped) {
          overlapped = true;
          expect((await pollMailbox(ctxWith(other), mb, 2)).stored).toBe(2);
        }
        return mine.fetchRaw(id);
      },
      acknowledge: (id, ack) => mine.acknowledge(id, ack),
    };
    const r = await pollMailbox(ctxWith(racing), mb);
    expect(r).toEqual({ stored: 2, duplicates: 0, quarantined: 0, more: false });
    expect(await app.database.db.select({ id: messages.id }).from(messages)).toHaveLength(4);
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(0);
    const [row] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(row).toMatchObject({ lastError: null, consecutiveFailures: 0, backoffUntil: null });
  });

  test('a letter the provider keeps listing but never hands out is still an error', async () => {
    const m = demoMemo({ recipientCvr: company.cvr });
    app.sims!.ngdp.api.inject(company.cvr, buildMemoXml(m));
    const real = client().connector;
    const broken: MailboxConnector = {
      listWaiting: () => real.listWaiting(),
      fetchRaw: async (id) => { throw new ProviderError('unknown', `Digital Post answered 404 to GET /memos/${id}: No memo.`, false, 404); },
      acknowledge: (id, ack) => real.acknowledge(id, ack),
    };
    const err = await pollMailbox(ctxWith(broken), mb).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.status).toBe(404);
    expect(app.sims!.ngdp.api.waiting(company.cvr)).toHaveLength(1);
  });
});
