// Limited callers and the jobs view (GET /api/admin/jobs). Its counts per job name are numbers only and
// stay; its recent failures quote mailboxes' errors, letters' routing errors and deliveries' errors with
// their destinations' addresses, so each is shown only to a caller who may see what it is about
// (store/scope.ts): a mailbox's failure (and an NgDP receipt's) as its quarantine (seesQuarantineOf), a
// delivery's as the delivery (mayUseDestinationFor with the letter's CVR number), a routing failure as
// its letter; an installation job's only to a caller seeing the whole organisation. Limits are held
// one at a time. Production mode, real tokens; each failure's reason is a canary.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { deliveries, destinations, mailboxes, messages, routeQueue } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { JOB } from '../../backend/src/jobs/names';
import { jobsOverviewSchema } from '../../shared/src/contracts';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';
import { callWithToken, insertTenantOrganisation } from '../helpers/tenant';

const CVR1 = '12345674';
const CVR2 = '87654328';

/** Each failure's canary, by what it is about. */
const C = {
  mailboxOne: `postkasse-one-${randomUUID()}`, mailboxTwo: `postkasse-two-${randomUUID()}`,
  receiptOne: `kvittering-one-${randomUUID()}`, receiptTwo: `kvittering-two-${randomUUID()}`,
  routeOne: `routing-one-${randomUUID()}`, routeTwo: `routing-two-${randomUUID()}`,
  // Deliveries: letter of CVR <n> to destination <d>.
  delivery1One: `levering-1-one-${randomUUID()}`, delivery2Two: `levering-2-two-${randomUUID()}`, delivery2One: `levering-2-one-${randomUUID()}`,
  noticeTwo: `besked-2-two-${randomUUID()}`,
  installation: `installation-${randomUUID()}`,
};
type Canary = keyof typeof C;

describe.each(testDatabases)('limited callers and the jobs view on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  const tenant = randomUUID();
  const group = { one: randomUUID(), oneAtOne: randomUUID(), oneAgain: randomUUID() };
  const users = { cvrOperator: randomUUID(), mixed: randomUUID() };
  let orgId = '';
  const D = {} as Record<'one' | 'two', string>;
  const MB = {} as Record<'one' | 'two', string>;
  let fullAdmin = '';

  const token = (claims: Record<string, unknown>) => idp.token({ tid: tenant, claims: { name: 'Test Person', ...claims } });
  const api = (tok: string, method: string, path: string, body?: unknown) => callWithToken(app, tok, method, path, body);

  async function letter(mb: 'one' | 'two', cvr: string): Promise<string> {
    const db = app.database.db;
    const memo = demoMemo({ recipientCvr: cvr, label: `Brev ${randomUUID().slice(0, 8)}` });
    const [mbRow] = await db.select().from(mailboxes).where(eq(mailboxes.id, MB[mb]));
    return (await storeLetter(db, app.ctx.sealer, mbRow, memo, Buffer.from(buildMemoXml(memo)))).messageId;
  }
  /** A routed letter of `cvr` whose delivery to `dest` failed with `reason`: pending, or dead. */
  async function failedDelivery(cvr: string, dest: 'one' | 'two', reason: string, status: 'pending' | 'dead' = 'pending'): Promise<string> {
    const db = app.database.db;
    const id = await letter(cvr === CVR1 ? 'one' : 'two', cvr);
    await db.delete(routeQueue).where(eq(routeQueue.messageId, id));
    await db.update(messages).set({ status: status === 'dead' ? 'failed' : 'routed' }).where(eq(messages.id, id));
    const [d] = await db.insert(deliveries).values({
      orgId, messageId: id, destinationId: D[dest], status, attempts: 2, lastError: `Microsoft Graph answered 503: ${reason}`,
      lastFailedAt: new Date(Date.now() - 60_000), dueAt: new Date(Date.now() + 3_600_000),
    }).returning();
    return d.id;
  }

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 } });
    const db = app.database.db;
    const org = await insertTenantOrganisation(app, tenant, { one: CVR1, two: CVR2 });
    orgId = org.orgId;
    Object.assign(MB, org.mailboxIds);
    for (const k of ['one', 'two'] as const) {
      const [dest] = await db.insert(destinations).values({ orgId, kind: 'shared_mailbox', displayName: `Afdeling ${k}`, mailbox: `${k}@a.example`, folderPath: 'Digital Post' }).returning();
      D[k] = dest.id;
    }
    // Both mailboxes fail to poll now (an outage), each its own sentence.
    for (const k of ['one', 'two'] as const) {
      await db.update(mailboxes).set({ lastError: `Digital Post answered 503: ${k === 'one' ? C.mailboxOne : C.mailboxTwo}`, lastErrorAt: new Date(), consecutiveFailures: 2 })
        .where(eq(mailboxes.id, MB[k]));
    }
    // A letter of each CVR number whose routing failed (no delivery yet).
    for (const [k, cvr, reason] of [['one', CVR1, C.routeOne], ['two', CVR2, C.routeTwo]] as const) {
      const id = await letter(k, cvr);
      await db.update(routeQueue).set({ attempts: 1, lastError: `routing failed: ${reason}`, failedAt: new Date(), dueAt: new Date(Date.now() + 3_600_000) })
        .where(eq(routeQueue.messageId, id));
    }
    await failedDelivery(CVR1, 'one', C.delivery1One);
    const dead2Two = await failedDelivery(CVR2, 'two', C.delivery2Two, 'dead');
    await failedDelivery(CVR2, 'one', C.delivery2One);
    // Agenda's failed jobs: receipts (a mailbox's), a dead-letter notice (a delivery's), an installation job.
    const q = app.database.pool.query.bind(app.database.pool);
    const failedJob = (name: string, reason: string, data: Record<string, unknown>) => q(
      `INSERT INTO agenda_jobs (name, next_run_at, failed_at, fail_count, fail_reason, last_finished_at, data) VALUES ($1, now() + interval '1 hour', now(), 1, $2, now(), $3::jsonb)`,
      [name, reason, JSON.stringify(data)]);
    await failedJob(JOB.receipt, `receipt refused: ${C.receiptOne}`, { mailboxId: MB.one });
    await failedJob(JOB.receipt, `receipt refused: ${C.receiptTwo}`, { mailboxId: MB.two });
    await failedJob(JOB.notifyDead, `notice to two@a.example failed: ${C.noticeTwo}`, { deliveryId: dead2Two });
    await failedJob(JOB.recover, `recovery failed: ${C.installation}`, {});

    fullAdmin = await token({ oid: randomUUID(), roles: ['admin'] });
    const grant = async (body: Record<string, unknown>) => expect((await api(fullAdmin, 'POST', '/admin/role-grants', body)).status).toBe(201);
    await grant({ principalType: 'group', principalId: group.one, displayName: 'Afdeling one', role: 'operator', destinationIds: [D.one] });
    await grant({ principalType: 'group', principalId: group.oneAtOne, displayName: 'Selskab one hos afdeling one', role: 'operator', cvrs: [CVR1], destinationIds: [D.one] });
    await grant({ principalType: 'user', principalId: users.cvrOperator, displayName: 'Selskab one', role: 'operator', cvrs: [CVR1] });
    // Two grants held at once: CVR 1 (any destination), and letters to department one.
    await grant({ principalType: 'user', principalId: users.mixed, displayName: 'Selskab one (blandet)', role: 'operator', cvrs: [CVR1] });
    await grant({ principalType: 'group', principalId: group.oneAgain, displayName: 'Afdeling one igen', role: 'operator', destinationIds: [D.one] });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await idp?.close();
    await drop?.();
  });

  /** The canaries the caller's jobs view shows, and the view's job counts. */
  async function seen(tok: string): Promise<{ canaries: Canary[]; jobs: string[]; text: string }> {
    const r = await api(tok, 'GET', '/admin/jobs');
    expect(r.status).toBe(200);
    const view = jobsOverviewSchema.parse(r.json);
    return {
      canaries: (Object.keys(C) as Canary[]).filter((k) => r.text.includes(C[k])).sort(),
      jobs: view.jobs.map((j) => j.name),
      text: r.text,
    };
  }
  const sorted = (xs: Canary[]) => [...xs].sort();

  test('an administrator without limits sees every failure of the organisation and of the installation', async () => {
    const v = await seen(fullAdmin);
    expect(v.canaries).toEqual(sorted(Object.keys(C) as Canary[]));
  });

  test('a caller limited to a CVR number sees its mailbox\'s, letters\' and deliveries\' failures only; the counts stay', async () => {
    const v = await seen(await token({ oid: users.cvrOperator }));
    expect(v.canaries).toEqual(sorted(['mailboxOne', 'receiptOne', 'routeOne', 'delivery1One']));
    expect(v.jobs).toEqual(expect.arrayContaining([JOB.poll, JOB.route, JOB.deliver, JOB.receipt, JOB.notifyDead, JOB.recover]));
    expect(v.text).not.toContain('two@a.example');
  });

  test('a caller limited to a destination sees the failed deliveries to it only: no mailbox, routing or installation failures', async () => {
    const v = await seen(await token({ oid: randomUUID(), groups: [group.one] }));
    expect(v.canaries).toEqual(sorted(['delivery1One', 'delivery2One']));
  });

  test('a caller limited to a CVR number and a destination together sees that CVR number\'s deliveries to it only', async () => {
    const v = await seen(await token({ oid: randomUUID(), groups: [group.oneAtOne] }));
    expect(v.canaries).toEqual(['delivery1One']);
  });

  test('a CVR grant and a destination grant held together do not add up to the other CVR number\'s mailbox or deliveries elsewhere', async () => {
    const v = await seen(await token({ oid: users.mixed, groups: [group.oneAgain] }));
    expect(v.canaries).toEqual(sorted(['mailboxOne', 'receiptOne', 'routeOne', 'delivery1One', 'delivery2One']));
  });
});
