// The jobs view's recent failures (GET /api/admin/jobs) say what a person can act on: each the real
// reason while it is the row's current trouble, with the attempt it was when that is known. A mailbox
// polling again after a Digital Post outage, a delivery made after failing, a repeating job that ran
// well since: not listed (their reason is gone; the 24-hour counters still count them). A dead
// delivery sent again, a letter given up by a clean poll: the reason, without an attempt number. A
// mailbox's failure carries its provider and error kind, so the pane says it in the reader's language.
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { deliveries, mailboxes } from '../../backend/src/store/schema';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { routeStoredLetter } from '../../backend/src/routing/apply';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { retryFailed } from '../../backend/src/delivery/operations';
import { orgScope } from '../../backend/src/store/scope';
import { JOB } from '../../backend/src/jobs/names';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { jobsOverviewSchema, type JobsOverview } from '../../shared/src/contracts';
import { NO_JOBS } from '../helpers/notices';
import { callApi, receiveLetter } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

const [company] = DEMO_ORGANISATION.cvrs;

describe.each(testDatabases)('the jobs view\'s failures on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let quiet: AppContext;

  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    quiet = { ...app.ctx, jobs: NO_JOBS };
  });
  afterEach(async () => {
    await app.stop();
    await drop();
  });

  async function view(): Promise<JobsOverview> {
    const r = await callApi(app, 'GET', '/admin/jobs', undefined, { 'X-Brevdue-Demo-Role': 'operator' });
    expect(r.status).toBe(200);
    return jobsOverviewSchema.parse(r.body);
  }
  const failuresOf = async (name: string) => (await view()).recentFailures.filter((f) => f.name === name);
  const counterOf = async (name: string) => (await view()).jobs.find((j) => j.name === name)!.failedRecently;

  test('after a Digital Post outage: the failing mailbox with the real reason and its failed polls; once it polls again, nothing', async () => {
    const [mb] = await app.database.db.select().from(mailboxes)
      .where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    app.sims!.ngdp.api.setFaults({ outage: true });
    for (let i = 0; i < 2; i++) await expect(pollMailbox(quiet, mb)).rejects.toThrow();
    expect(await failuresOf(JOB.poll)).toEqual([{
      name: JOB.poll, failedAt: expect.any(String), failCount: 2, failReason: expect.stringMatching(/^Digital Post answered 503/),
      mailbox: { provider: 'ngdp', errorKind: 'provider_unavailable' },
    }]);

    app.sims!.ngdp.api.setFaults({});
    await pollMailbox(quiet, mb);
    expect(await failuresOf(JOB.poll)).toEqual([]);
    expect(await counterOf(JOB.poll)).toBe(1); // it did fail within the day

    // A clean poll that gave a letter up: the sentence, but no attempt (the poll itself worked).
    const sentence = 'The Digital Post letter abc was quarantined: MessageHeader/createdDateTime: not a date';
    await app.database.db.update(mailboxes).set({ lastError: sentence, lastErrorKind: 'letter_given_up', lastErrorAt: new Date() }).where(eq(mailboxes.id, mb.id));
    expect(await failuresOf(JOB.poll)).toEqual([{ name: JOB.poll, failedAt: expect.any(String), failCount: null, failReason: sentence, mailbox: { provider: 'ngdp', errorKind: 'letter_given_up' } }]);
    // Recorded before kinds: none (the sentence alone); a kind this version does not know: unknown.
    await app.database.db.update(mailboxes).set({ lastErrorKind: null }).where(eq(mailboxes.id, mb.id));
    expect((await failuresOf(JOB.poll))[0].mailbox).toEqual({ provider: 'ngdp', errorKind: null });
    await app.database.db.update(mailboxes).set({ lastErrorKind: 'some_future_kind' as never }).where(eq(mailboxes.id, mb.id));
    expect((await failuresOf(JOB.poll))[0].mailbox).toEqual({ provider: 'ngdp', errorKind: 'unknown' });
  });

  test('a delivery: its failed attempt; sent again, the reason without a number; made, nothing', async () => {
    await routeStoredLetter(quiet, await receiveLetter(app, demoMemo({ recipientCvr: company.cvr })));
    const [d] = await app.database.db.select().from(deliveries);
    const once = { ...quiet, delivery: { ...quiet.delivery, maxAttempts: 1 } };
    app.sims!.graph.api.setFaults({ rate503: 1 });
    await runDelivery(once, d.id);
    expect((await app.database.db.select().from(deliveries).where(eq(deliveries.id, d.id)))[0].status).toBe('dead');
    expect(await failuresOf(JOB.deliver)).toEqual([{ name: JOB.deliver, failedAt: expect.any(String), failCount: 1, failReason: expect.stringMatching(/503/) }]);

    expect(await retryFailed(quiet, orgScope(app.demoOrgId!), { id: 'test', name: 'Test' })).toBe(1);
    expect(await failuresOf(JOB.deliver)).toEqual([{ name: JOB.deliver, failedAt: expect.any(String), failCount: null, failReason: expect.stringMatching(/503/) }]);

    app.sims!.graph.api.setFaults({});
    await runDelivery(quiet, d.id);
    expect((await app.database.db.select().from(deliveries).where(eq(deliveries.id, d.id)))[0].status).toBe('delivered');
    expect(await failuresOf(JOB.deliver)).toEqual([]);
    expect(await counterOf(JOB.deliver)).toBe(1);
  });

  test('agenda\'s jobs: one whose last run failed, with its failed runs in a row; one that ran well since, not', async () => {
    // As agenda 6 leaves them (Job.run): a failure sets failed_at = last_finished_at and counts; a
    // later success sets last_finished_at and fail_count 0, and keeps failed_at and fail_reason.
    const q = app.database.pool.query.bind(app.database.pool);
    await q(`INSERT INTO agenda_jobs (name, next_run_at, failed_at, fail_count, fail_reason, last_finished_at, repeat_interval, data) VALUES
      ($1, now() + interval '1 day', now() - interval '2 hours', 0, 'the purge failed back then', now() - interval '1 hour', '86400000', '{}'::jsonb),
      ($2, now() + interval '15 seconds', now() - interval '1 minute', 3, 'the statistics could not be folded', now() - interval '1 minute', '15000', '{}'::jsonb)`,
    [JOB.retention, JOB.statsCompact]);
    const failures = (await view()).recentFailures;
    expect(failures.filter((f) => f.name === JOB.retention)).toEqual([]);
    expect(failures.filter((f) => f.name === JOB.statsCompact)).toEqual([{ name: JOB.statsCompact, failedAt: expect.any(String), failCount: 3, failReason: 'the statistics could not be folded' }]);
  });
});
