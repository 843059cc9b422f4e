// Teams deliveries under pacing, through the whole app (runDelivery, the Graph and Workflows
// simulators): a large file reserves its whole size of the drive's upload budget before its session
// opens, and gives the reservation back however the upload ends; the channel's files folder is looked
// up once per destination, not once per letter, and looked up again when Graph no longer finds it.
// Each attempt is driven by hand (no job runner), so the order of events is the test's.
import { eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { deliveries, rules } from '../../backend/src/store/schema';
import { routeStoredLetter } from '../../backend/src/routing/apply';
import { runDelivery } from '../../backend/src/delivery/deliver';
import { driveLane } from '../../backend/src/delivery/teams/drive-upload';
import type { AppContext } from '../../backend/src/context';
import type { Memo } from '../../backend/src/memo/types';
import type { TeamSummary } from '../../backend/src/simulators/graph';
import { callApi, receiveLetter } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

const [cvrA] = DEMO_ORGANISATION.cvrs;
const MB = 1024 * 1024;

describe.each(testDatabases)('Teams delivery pacing on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let quiet: AppContext;
  let team: TeamSummary;
  let flowId: string;
  const realFetch = globalThis.fetch;

  /** The app with a Teams channel destination that every letter is routed to. */
  const start = async (extra: Partial<Parameters<typeof startBrevdue>[0]> = {}, folderPath?: string) => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, delivery: { maxAttempts: 5, backoffMs: () => 0 }, ...extra });
    quiet = { ...app.ctx, jobs: { ...app.ctx.jobs, routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
    team = app.sims!.graph.api.addTeam({ displayName: 'Nordlys Økonomi', channels: [{ displayName: 'Digital Post' }] });
    const flow = app.sims!.workflows.api.addFlow(team.id, team.channels[1].id);
    flowId = flow.flowId;
    const dest = await callApi(app, 'POST', '/admin/destinations', {
      kind: 'teams_channel', displayName: 'Teams – Økonomi', teamId: team.id, channelId: team.channels[1].id, webhookUrl: flow.url, ...(folderPath ? { folderPath } : {}),
    });
    expect(dest.status).toBe(201);
    // Every rule's letters go to the channel, in the destination's own folder.
    await app.database.db.update(rules).set({ destinationIds: [dest.body.id], folderTemplate: null }).where(eq(rules.orgId, app.demoOrgId!));
  };
  afterEach(async () => {
    globalThis.fetch = realFetch;
    await app?.stop();
    await drop?.();
  });

  const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(bytes - 9)]);
  const letter = (label: string, big?: Buffer): Memo => {
    const memo = demoMemo({ recipientCvr: cvrA.cvr, label });
    if (big) memo.body.additionalDocuments = [{ label: 'Bilag', files: [{ encodingFormat: 'application/pdf', filename: `${label}.pdf`, language: 'da', content: big }], actions: [] }];
    return memo;
  };
  /** A letter stored and routed to the channel; its one pending delivery. */
  const routed = async (memo: Memo) => {
    const id = await receiveLetter(app, memo);
    await routeStoredLetter(quiet, id);
    const rows = await app.database.db.select().from(deliveries).where(eq(deliveries.messageId, id));
    expect(rows).toHaveLength(1);
    return rows[0].id;
  };
  const rowOf = async (id: string) => (await app.database.db.select().from(deliveries).where(eq(deliveries.id, id)))[0];
  const requests = () => app.sims!.graph.api.requests();
  const fragments = () => requests().filter((q) => q.method === 'PUT' && q.path.startsWith('/_sp/uploadSession/'));
  const filesFolderLookups = () => requests().filter((q) => q.method === 'GET' && q.path.endsWith('/filesFolder')).length;
  const files = () => app.sims!.graph.api.driveItems(team.id, team.channels[1].id);
  const reservedOnDrive = () => app.ctx.pacer.stats().find((s) => s.lane === driveLane(team.driveId))?.uploadBytesReserved ?? 0;

  test('two large files for one channel under a small upload budget both arrive; neither sends a byte twice', async () => {
    // Graph's 150 MB per 5 minutes scaled down to 10 MB per 3 s in our pacing: one 7 MB file fits, two do not.
    await start({ pacing: { uploadBytesPerWindow: 10 * MB, uploadWindowMs: 3000, maxWaitMs: 500 } });
    const big = [pdf(7 * MB), pdf(7 * MB)];
    const ids = [await routed(letter('Tegninger A', big[0])), await routed(letter('Tegninger B', big[1]))];

    // The attempts of a round run side by side, and each upload's first fragment waits until every attempt
    // of the round has reached its own first fragment or ended: both uploads are under way at once
    // whenever the pacer lets both start, however the machine schedules them.
    let inRound = 0; let arrived = 0; let ended = 0;
    let open: () => void = () => undefined;
    let gate = Promise.resolve();
    const check = () => { if (arrived + ended >= inRound) open(); };
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      const range = new Headers(init?.headers).get('Content-Range') ?? '';
      if (init?.method === 'PUT' && url.includes('/_sp/uploadSession/') && range.startsWith('bytes 0-')) {
        arrived++;
        check();
        await gate;
      }
      return realFetch(input, init);
    }) as typeof fetch;
    const round = async (pending: string[]) => {
      inRound = pending.length; arrived = 0; ended = 0;
      gate = new Promise<void>((r) => { open = r; });
      await Promise.all(pending.map((id) => runDelivery(quiet, id).finally(() => { ended++; check(); })));
    };

    for (let i = 0; i < 6; i++) {
      const pending = (await Promise.all(ids.map(rowOf))).filter((r) => r.status === 'pending');
      if (!pending.length) break;
      // Handed back, not failed: each waits for the budget, then both are tried again together.
      expect(pending.map((r) => [r.attempts, r.lastError])).toEqual(pending.map(() => [0, null]));
      const due = Math.max(...pending.map((r) => r.dueAt.getTime()));
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 50));
      await round(pending.map((r) => r.id));
    }

    expect((await Promise.all(ids.map(rowOf))).map((r) => r.status)).toEqual(['delivered', 'delivered']);
    const stored = files();
    for (const b of big) expect(stored.filter((f) => f.size === b.length && f.content.equals(b))).toHaveLength(1);
    // Every fragment sent was part of a file that arrived: the one told to wait had sent nothing.
    expect(fragments().reduce((n, q) => n + q.bodyBytes, 0)).toBe(big[0].length + big[1].length);
    expect(app.sims!.workflows.api.cards(flowId)).toHaveLength(2);
    expect(reservedOnDrive()).toBe(0);
  }, 90_000);

  test('a large file handed back by a long Retry-After gives its reserved budget back', async () => {
    await start();
    const id = await routed(letter('Stort bilag', pdf(6 * MB)));
    // The first fragment is answered 429 with two minutes' Retry-After: the next one would wait too long.
    app.sims!.graph.api.setFaults({ uploadFragment429Rate: 1, retryAfterSeconds: 120 });
    await runDelivery(quiet, id);
    app.sims!.graph.api.setFaults({});
    expect(await rowOf(id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(fragments()).toHaveLength(1);
    expect(reservedOnDrive()).toBe(0);
  }, 30_000);

  test('a large file whose upload gives up gives its reserved budget back', async () => {
    await start();
    const id = await routed(letter('Stort bilag', pdf(20 * MB)));
    // Every fragment is throttled without a wait: after five tries the upload gives up (and the attempt is
    // handed back, as for any 429), with 16 MB of its 20 MB reservation spent on refused fragments.
    app.sims!.graph.api.setFaults({ uploadFragment429Rate: 1, retryAfterSeconds: 0 });
    // On a slow machine an attempt can be handed back before its upload starts (seen once in a full
    // run): then the next one, when due, is the attempt this test is about.
    for (let i = 0; i < 3 && fragments().length === 0; i++) {
      const due = (await rowOf(id)).dueAt.getTime();
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 50));
      await runDelivery(quiet, id);
      expect(reservedOnDrive()).toBe(0);
    }
    app.sims!.graph.api.setFaults({});
    expect(await rowOf(id)).toMatchObject({ status: 'pending' });
    expect(fragments().map((q) => q.status)).toEqual([429, 429, 429, 429, 429]);
    expect(reservedOnDrive()).toBe(0);
    // The next attempt reserves again and delivers.
    await runDelivery(quiet, id);
    expect(await rowOf(id)).toMatchObject({ status: 'delivered' });
    expect(reservedOnDrive()).toBe(0);
  }, 90_000);

  test('letters to one channel look its files folder up once; a folder deleted since is found or made again and the letter still arrives', async () => {
    await start({}, 'Breve/Skat');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await routed(letter(`Brev ${i}`)));
    app.sims!.graph.api.clearRequests(); // saving the destination looked at the channel too

    for (const id of ids) await runDelivery(quiet, id);
    expect((await Promise.all(ids.map(rowOf))).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(filesFolderLookups()).toBe(1);
    // The path below it was resolved once too (made: looked for, then created folder by folder).
    expect(requests().filter((q) => q.method === 'POST' && q.path.endsWith('/children'))).toHaveLength(2);
    expect(files().map((f) => f.path.split('/').slice(0, 2).join('/'))).toEqual(['Breve/Skat', 'Breve/Skat', 'Breve/Skat']);

    // Someone deletes the folder in Teams: Graph answers 404 for its id; the attempt finds its path again.
    const skat = files()[0].path.split('/').slice(0, 2).join('/');
    const channelFolder = team.channels[1].filesFolder.id;
    const item = await app.ctx.graph.api(`/drives/${encodeURIComponent(team.driveId)}/items/${channelFolder}:/${skat}`).get() as { id: string };
    await app.ctx.graph.api(`/drives/${encodeURIComponent(team.driveId)}/items/${item.id}`).delete();
    expect(files()).toEqual([]);
    app.sims!.graph.api.clearRequests();

    const again = await routed(letter('Efter sletningen'));
    await runDelivery(quiet, again);
    expect(await rowOf(again)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(requests().filter((q) => q.status === 404 && q.method === 'PUT')).toHaveLength(1); // the upload into the deleted folder
    expect(filesFolderLookups()).toBe(1);
    const now = files();
    expect(now).toHaveLength(1);
    expect(now[0].path).toMatch(/^Breve\/Skat\/.* \(([0-9a-f]{8})\)\.pdf$/);
    expect(now[0].path).toContain(`(${again.replace(/-/g, '').slice(0, 8)})`);
    expect(app.sims!.workflows.api.cards(flowId)).toHaveLength(4);
  }, 60_000);
});
