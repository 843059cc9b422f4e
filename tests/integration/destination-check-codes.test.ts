// Saving an approved recipient that is refused tells the task pane what is wrong as codes it can say
// in the admin's language, at the field to change: the form's own problems (invalid_request, one
// problem per field as for any zod refusal, api/zod-problems.ts; not "mailbox: …" as one English sentence) and the check against Exchange and
// Teams (destination_check_failed, each problem coded with its params; Graph's English only as
// `reason`, never the webhook's secret). Against the demo app's Graph simulator; two refusals the
// simulator does not make (Exchange's 403s) through a Graph client that answers them itself.
import { randomUUID } from 'node:crypto';
import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { eq } from 'drizzle-orm';
import { DEMO_FINANCE_MAILBOX, DEMO_TEAM } from '../../backend/src/demo/delivery-seed';
import { FolderCache } from '../../backend/src/delivery/mailbox';
import { graphDestinationChecker } from '../../backend/src/delivery/registry/check';
import { destinations } from '../../backend/src/store/schema';
import { apiErrorSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi, demoAppForSuite } from '../helpers/app';

const SECRET = 'sig-7Hq2SecretPart';

describe.each(testDatabases)('a refused recipient\'s codes on $name', (tdb) => {
  // Any bearer token: the test's own Graph client (below) talks to the same simulator.
  const app = demoAppForSuite(tdb, { graphSim: { acceptedTokens: undefined } });
  const api = (method: string, path: string, body?: unknown) => callApi(app(), method, path, body);
  const refused = async (method: string, path: string, body: unknown, status: number) => {
    const r = await api(method, path, body);
    expect([r.status, r.body?.error?.code]).toEqual([status, expect.any(String)]);
    return apiErrorSchema.parse(r.body).error;
  };
  const count = async () => (await app().database.db.select().from(destinations).where(eq(destinations.orgId, app().demoOrgId!))).length;
  const webhook = () => `${app().url}/sim/workflows/flows/x/invoke?sig=${SECRET}`;

  test('the form\'s problems come back one per field, with nothing asked of Graph', async () => {
    const before = await count();
    app().sims!.graph.api.clearRequests();
    const bad = await refused('POST', '/admin/destinations', { kind: 'shared_mailbox', displayName: 'Løn', mailbox: 'ikke en adresse', folderPath: 'Digital Post' }, 400);
    expect(bad.code).toBe('invalid_request');
    expect(bad.problems).toEqual([{
      code: 'field_not_email', params: { field: 'mailbox' }, message: 'mailbox: the mailbox must be an e-mail address such as post@firma.dk',
    }]);
    expect(bad.message).toBe('mailbox: the mailbox must be an e-mail address such as post@firma.dk'); // API clients read what they read before

    // Several at once, each at its field: missing, too long, not a URL.
    const teams = await refused('POST', '/admin/destinations', { kind: 'teams_channel', displayName: ' ', teamId: 'x'.repeat(201), webhookUrl: 'ikke en url' }, 400);
    const byField = Object.fromEntries(teams.problems!.map((p) => [p.params?.field, p.code]));
    expect(byField).toEqual({ displayName: 'field_missing', teamId: 'field_too_long', channelId: 'field_missing', webhookUrl: 'field_not_url' });
    expect(teams.problems!.find((p) => p.params?.field === 'teamId')!.params).toEqual({ field: 'teamId', max: 200 });

    // Changing one: the same.
    const [finance] = await app().database.db.select().from(destinations).where(eq(destinations.mailbox, DEMO_FINANCE_MAILBOX));
    const patched = await refused('PATCH', `/admin/destinations/${finance.id}`, { mailbox: 'okonomi(at)nordlys.example' }, 400);
    expect(patched.problems).toEqual([expect.objectContaining({ code: 'field_not_email', params: { field: 'mailbox' } })]);

    expect(app().sims!.graph.api.requests()).toEqual([]);
    expect(await count()).toBe(before);
  });

  test('a mailbox Exchange does not know: destination_check_failed with mailbox_not_found at the mailbox field', async () => {
    const before = await count();
    const e = await refused('POST', '/admin/destinations', { kind: 'shared_mailbox', displayName: 'Jura', mailbox: 'ukendt@nordlys.example', folderPath: 'Digital Post/Jura' }, 422);
    expect(e.code).toBe('destination_check_failed');
    expect(e.problems).toEqual([{
      code: 'mailbox_not_found', params: { field: 'mailbox', mailbox: 'ukendt@nordlys.example' },
      message: expect.stringContaining('Microsoft Graph does not know the mailbox ukendt@nordlys.example'),
    }]);
    expect(e.message).toMatch(/^The destination was not saved: Microsoft Graph does not know the mailbox ukendt@nordlys\.example/);
    expect(await count()).toBe(before);
  });

  test('Graph not answering is graph_unavailable with its words as the reason, not a problem of the recipient', async () => {
    app().sims!.graph.api.setFaults({ rate503: 1, retryAfterSeconds: 0 });
    try {
      const e = await refused('POST', '/admin/destinations', { kind: 'shared_mailbox', displayName: 'Jura', mailbox: DEMO_FINANCE_MAILBOX }, 422);
      expect(e.problems).toEqual([{ code: 'graph_unavailable', params: { reason: expect.stringMatching(/^Microsoft Graph answered 503/) }, message: expect.any(String) }]);
    } finally {
      app().sims!.graph.api.setFaults({});
    }
  });

  test('a Teams channel: each problem coded at its field; the webhook named by its host, its secret nowhere', async () => {
    const cases: [unknown, string[]][] = [
      [{ teamId: DEMO_TEAM.id, channelId: '19:00000000000000000000000000000000@thread.tacv2', webhookUrl: `https://hooks.example.com/teams?sig=${SECRET}` },
        ['webhook_not_allowed', 'channel_not_found']],
      [{ teamId: randomUUID(), channelId: DEMO_TEAM.channelId, webhookUrl: webhook() }, ['team_not_found']],
      [{ teamId: 'Nordlys', channelId: 'Digital Post', webhookUrl: webhook(), folderPath: 'Skat: 2026' }, ['teams_folder_invalid', 'team_id_invalid', 'channel_id_invalid']],
    ];
    for (const [body, codes] of cases) {
      const e = await refused('POST', '/admin/destinations', { kind: 'teams_channel', displayName: 'Bestyrelsen', ...body as object }, 422);
      expect(e.code).toBe('destination_check_failed');
      expect(e.problems!.map((p) => p.code)).toEqual(codes);
      expect(JSON.stringify(e)).not.toContain(SECRET);
      const at = Object.fromEntries(e.problems!.map((p) => [p.code, p.params]));
      if (at.webhook_not_allowed) expect(at.webhook_not_allowed).toEqual({ field: 'webhookUrl', host: 'hooks.example.com', reason: expect.stringContaining('hooks.example.com') });
      if (at.channel_not_found) expect(at.channel_not_found).toEqual({ field: 'channelId', team: 'Nordlys Økonomi', reason: expect.stringMatching(/^Microsoft Graph answered 404/) });
      if (at.team_not_found) expect(at.team_not_found).toMatchObject({ field: 'teamId' });
      if (at.teams_folder_invalid) expect(at.teams_folder_invalid).toMatchObject({ field: 'folderPath', folder: 'Skat: 2026' });
    }
  });

  test('Exchange refusing the app: mailbox_access_denied at the mailbox, folder_not_creatable at the folder, Graph\'s answer as the reason', async () => {
    // A Graph client on the demo's simulator that answers 403 itself where `refuse` says (Exchange's RBAC scope, a folder it will not create).
    const client = (refuse: (method: string, url: string) => boolean) => {
      let next: Middleware | undefined;
      const gate: Middleware = {
        async execute(ctx: Context) {
          const url = typeof ctx.request === 'string' ? ctx.request : ctx.request.url;
          if (refuse(String(ctx.options?.method ?? 'GET'), decodeURIComponent(url))) {
            ctx.response = new Response(JSON.stringify({ error: { code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' } }),
              { status: 403, headers: { 'Content-Type': 'application/json' } });
            return;
          }
          ctx.options = { ...ctx.options, headers: { ...(ctx.options?.headers as Record<string, string> | undefined), Authorization: 'Bearer test' } };
          await next!.execute(ctx);
        },
        setNext(m: Middleware) { next = m; },
      };
      return Client.initWithMiddleware({ baseUrl: `${app().url}/sim/graph/`, defaultVersion: 'v1.0', middleware: [gate, new HTTPMessageHandler()] });
    };
    const target = { kind: 'shared_mailbox' as const, mailbox: DEMO_FINANCE_MAILBOX, folderPath: 'Digital Post/Ny mappe', teamId: null, channelId: null, webhookUrl: null };

    const denied = graphDestinationChecker(client((_m, url) => url.endsWith('/mailFolders/inbox?$select=id')), new FolderCache());
    expect(await denied(target)).toEqual([{
      code: 'mailbox_access_denied', params: { field: 'mailbox', mailbox: DEMO_FINANCE_MAILBOX, reason: expect.stringMatching(/^Microsoft Graph answered 403 ErrorAccessDenied/) },
      message: expect.stringContaining(DEMO_FINANCE_MAILBOX),
    }]);

    const noFolder = graphDestinationChecker(client((m, url) => m === 'POST' && url.includes('/childFolders')), new FolderCache());
    expect(await noFolder(target)).toEqual([{
      code: 'folder_not_creatable',
      params: { field: 'folderPath', mailbox: DEMO_FINANCE_MAILBOX, folder: 'Digital Post/Ny mappe', reason: expect.stringMatching(/^Microsoft Graph answered 403 ErrorAccessDenied/) },
      message: expect.stringMatching(/^The folder path could not be created/),
    }]);

    // Both pass when Exchange lets them: the refusals above are the gate's, not the simulator's.
    expect(await graphDestinationChecker(client(() => false), new FolderCache())(target)).toEqual([]);
  });
});
