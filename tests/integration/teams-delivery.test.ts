// Delivering a letter to a Teams channel end to end, against the Graph simulator (teams, channel
// files folders, drive uploads) and the Workflows webhook simulator, mounted in one express app on
// 127.0.0.1 and driven through the production Graph client. Also the simulators' protocol edges
// that the delivery code relies on.
import { createHash, randomUUID } from 'node:crypto';
import express from 'express';
import type { Client } from '@microsoft/microsoft-graph-client';
import { createGraphClient, staticToken } from '../../backend/src/delivery/graph-client';
import type { LetterForMail } from '../../backend/src/delivery/render';
import { renderTeamsCard } from '../../backend/src/delivery/teams/card';
import { checkTeamsDestination } from '../../backend/src/delivery/teams/check';
import { deliverToTeams } from '../../backend/src/delivery/teams/deliver-teams';
import { uploadToChannel } from '../../backend/src/delivery/teams/drive-upload';
import { TeamsDeliveryError } from '../../backend/src/delivery/teams/errors';
import { postCard } from '../../backend/src/delivery/teams/webhook';
import { createGraphSimulator, type GraphSimulatorApi, type TeamSummary } from '../../backend/src/simulators/graph';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { createWorkflowsSimulator, type WorkflowsSimulatorApi } from '../../backend/src/simulators/workflows';

const TOKEN = 'test-token-' + randomUUID();
const MB = 1024 * 1024;

interface Env {
  server: RunningServer; graphApi: GraphSimulatorApi; flows: WorkflowsSimulatorApi; graph: Client;
  team: TeamSummary; channelId: string; webhookUrl: string; flowId: string; origin: string; graphBase: string;
}
let env: Env;

beforeEach(async () => {
  const g = createGraphSimulator({ acceptedTokens: [TOKEN] });
  const w = createWorkflowsSimulator();
  const app = express();
  app.use('/sim/graph', g.router);
  app.use('/sim/workflows', w.router);
  const server = await listen(app);
  w.api.setBaseUrl(`${server.url}/sim/workflows`);
  const team = g.api.addTeam({ displayName: 'Nordlys Bogholderi', channels: [{ displayName: 'Digital Post' }] });
  const channelId = team.channels.find((c) => c.displayName === 'Digital Post')!.id;
  const flow = w.api.addFlow(team.id, channelId);
  const graphBase = `${server.url}/sim/graph/`;
  env = {
    server, graphApi: g.api, flows: w.api, team, channelId, webhookUrl: flow.url, flowId: flow.flowId, origin: new URL(server.url).origin, graphBase,
    graph: createGraphClient({ baseUrl: graphBase, tokens: staticToken(TOKEN) }),
  };
});
afterEach(() => env.server.close());

const letter = (over: Partial<LetterForMail> = {}): LetterForMail => ({
  label: 'Årsopgørelse 2025', senderId: '29403473', senderName: 'Skattestyrelsen',
  cvr: '10000009', cvrName: 'Nordlys ApS', recipientId: '10000009', notification: 'Se vedlagte opgørelse.',
  memoCreatedAt: new Date('2026-03-01T16:00:00Z'), receivedAt: new Date('2026-03-02T08:15:00Z'),
  replyAllowed: true, replyBy: new Date('2026-03-20T11:00:00Z'), provider: 'ngdp', ...over,
});
/** Bytes that differ everywhere, so a misplaced or lost fragment shows. */
const bytes = (n: number, seed: number) => {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const target = (over: Partial<{ folderPath: string; webhookUrl: string; channelId: string }> = {}) =>
  ({ teamId: env.team.id, channelId: env.channelId, webhookUrl: env.webhookUrl, folderPath: 'Skat/2026', ...over });
const opts = () => ({ extraAllowedOrigins: [env.origin], letterUrl: 'https://brevdue.example/taskpane.html#/messages/7' });
const raw = (path: string, init: RequestInit = {}, token: string | null = TOKEN) => {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return fetch(`${env.graphBase}v1.0${path}`, { ...init, headers });
};

describe('deliverToTeams', () => {
  const small = bytes(20_000, 1);
  const big = bytes(9 * MB, 2);
  const docs = () => [
    { filename: 'Årsopgørelse.pdf', mimeType: 'application/pdf', content: small },
    { filename: 'Bilag: specifikation.pdf', mimeType: 'application/pdf', content: big },
  ];

  test('uploads a small and a 9 MB document into the channel folder, then posts one card linking them', async () => {
    const deliveryId = '3f9a1c0b-7d2e-4c1a-9b8f-0e1d2c3b4a59';
    const r = await deliverToTeams(env.graph, target(), letter(), docs(), deliveryId, opts());

    expect(r.cardPosted).toBe(true);
    expect(r.files.map((f) => f.name)).toEqual(['2026-03-02 Årsopgørelse (3f9a1c0b).pdf', '2026-03-02 Bilag_ specifikation (3f9a1c0b).pdf']);
    expect(r.folder.webUrl).toBe('https://contoso.sharepoint.com/sites/NordlysBogholderi/Shared%20Documents/Digital%20Post/Skat/2026');

    const files = env.graphApi.driveItems(env.team.id, env.channelId);
    expect(files.map((f) => ({ path: f.path, size: f.size, mimeType: f.mimeType }))).toEqual([
      { path: 'Skat/2026/2026-03-02 Årsopgørelse (3f9a1c0b).pdf', size: small.length, mimeType: 'application/pdf' },
      { path: 'Skat/2026/2026-03-02 Bilag_ specifikation (3f9a1c0b).pdf', size: big.length, mimeType: 'application/pdf' },
    ]);
    expect(files[0].content.equals(small)).toBe(true);
    expect(files[1].sha256).toBe(sha(big));
    expect(r.files.map((f) => f.webUrl)).toEqual(files.map((f) => f.webUrl));

    // The bytes also come back through Graph (GET …/content redirects to the download URL).
    const driveId = env.team.driveId;
    const content = await raw(`/drives/${encodeURIComponent(driveId)}/items/${r.files[1].id}/content`);
    expect(content.status).toBe(200);
    expect(sha(Buffer.from(await content.arrayBuffer()))).toBe(sha(big));

    // Small file in one PUT, big one through an upload session in 320 KiB-multiple fragments.
    const reqs = env.graphApi.requests();
    expect(reqs.filter((x) => x.method === 'PUT' && x.path.endsWith(':/content')).map((x) => x.bodyBytes)).toEqual([small.length]);
    expect(reqs.filter((x) => x.path.endsWith(':/createUploadSession'))).toHaveLength(1);
    const fragments = reqs.filter((x) => x.method === 'PUT' && x.path.startsWith('/_sp/uploadSession/'));
    expect(fragments.map((x) => [x.bodyBytes, x.status])).toEqual([[3_276_800, 202], [3_276_800, 202], [big.length - 6_553_600, 201]]);

    const cards = env.flows.cards(env.flowId);
    expect(cards).toHaveLength(1);
    const card = JSON.stringify(cards[0].card);
    expect(card).toContain('Årsopgørelse 2025');
    expect(card).toContain('Skattestyrelsen (CVR 29403473)');
    expect(card).toContain('Svarfrist: ');
    for (const f of r.files) expect(card).toContain(f.webUrl);
    expect(card).toContain('https://brevdue.example/taskpane.html#/messages/7');
  });

  test('a retry of the same delivery replaces its files instead of adding copies', async () => {
    const deliveryId = randomUUID();
    const first = await deliverToTeams(env.graph, target(), letter(), docs(), deliveryId, opts());
    const second = await deliverToTeams(env.graph, target(), letter(), docs(), deliveryId, opts());
    const files = env.graphApi.driveItems(env.team.id, env.channelId);
    expect(files).toHaveLength(2);
    expect(second.files.map((f) => f.id)).toEqual(first.files.map((f) => f.id));
    expect(files.map((f) => f.version)).toEqual([2, 2]);
    expect(files[1].sha256).toBe(sha(big));
    // Another delivery of a letter with the same document names gets its own files.
    await deliverToTeams(env.graph, target(), letter(), docs().slice(0, 1), randomUUID(), opts());
    expect(env.graphApi.driveItems(env.team.id, env.channelId)).toHaveLength(3);
  });

  test('a refused webhook URL fails before any request, webhook or Graph', async () => {
    let calls = 0;
    const spy: typeof fetch = async (...a) => { calls++; return fetch(...a); };
    const before = env.graphApi.stats().requests;
    for (const url of ['https://logic.azure.com.evil.example/workflows/x', `${env.webhookUrl}`.replace('http:', 'https:'), 'http://10.0.0.8/hook']) {
      const e = await deliverToTeams(env.graph, target({ webhookUrl: url }), letter(), docs(), randomUUID(), { ...opts(), fetch: spy })
        .then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(TeamsDeliveryError);
      expect(e).toMatchObject({ retryable: false, code: 'WebhookUrlRefused' });
      expect((e as Error).message).toMatch(/refused/);
    }
    await expect(postCard('https://example.com/hook', renderTeamsCard(letter(), []), { fetch: spy })).rejects.toMatchObject({ retryable: false });
    expect(calls).toBe(0);
    expect(env.graphApi.stats().requests).toBe(before);
    expect(env.graphApi.driveItems(env.team.id, env.channelId)).toEqual([]);
  });

  test('a webhook 429 surfaces as retryable with Retry-After; the files stay in place', async () => {
    env.flows.setFaults({ rate429: 1, retryAfterSeconds: 7 });
    const e = await deliverToTeams(env.graph, target(), letter(), docs().slice(0, 1), randomUUID(), opts()).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(TeamsDeliveryError);
    expect(e).toMatchObject({ statusCode: 429, code: 'WorkflowRequestsThrottled', retryable: true, retryAfterMs: 7000 });
    expect(env.graphApi.driveItems(env.team.id, env.channelId)).toHaveLength(1);
    expect(env.flows.cards(env.flowId)).toHaveLength(0);

    env.flows.setFaults({ errorRate: 1 });
    await expect(postCard(env.webhookUrl, renderTeamsCard(letter(), []), { extraAllowedOrigins: [env.origin] }))
      .rejects.toMatchObject({ retryable: true, uncertain: true });
    env.flows.setFaults({});
    await expect(postCard(env.webhookUrl, renderTeamsCard(letter(), []), { extraAllowedOrigins: [env.origin] })).resolves.toMatchObject({ status: 202 });
  });

  test('webhook errors that need a person are not retryable', async () => {
    const card = renderTeamsCard(letter(), []);
    const o = { extraAllowedOrigins: [env.origin] };
    await expect(postCard(env.webhookUrl.replace(env.flowId, 'f'.repeat(32)), card, o))
      .rejects.toMatchObject({ statusCode: 404, retryable: false, message: expect.stringMatching(/no longer exists/) });
    await expect(postCard(env.webhookUrl.replace(/sig=[^&]+/, 'sig=wrong'), card, o))
      .rejects.toMatchObject({ statusCode: 401, retryable: false, message: expect.stringMatching(/sig=/) });
  });

  test('Graph throttling during upload surfaces as a retryable Graph error', async () => {
    env.graphApi.setFaults({ rate503: 1, retryAfterSeconds: 0 });
    const e = await uploadToChannel(env.graph, target(), { filename: 'x.pdf', mimeType: 'application/pdf', content: small }).then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ statusCode: 503, retryable: true, uncertain: true });
    expect((e as Error).message).toMatch(/files folder/);
  });
});

describe('checkTeamsDestination', () => {
  test('a good destination has no problems', async () => {
    expect(await checkTeamsDestination(env.graph, target(), [env.origin])).toEqual([]);
  });

  test('reports a missing channel, a missing team and a disallowed webhook URL', async () => {
    const missing = '19:00000000000000000000000000000000@thread.tacv2';
    const p1 = await checkTeamsDestination(env.graph, target({ channelId: missing, webhookUrl: 'https://hooks.example.com/teams' }), [env.origin]);
    expect(p1.map((p) => p.code)).toEqual(['webhook_not_allowed', 'channel_not_found']);
    expect(p1[0].message).toMatch(/^Webhook URL refused: .*hooks\.example\.com/);
    expect(p1[1].message).toMatch(/Channel 19:0+@thread\.tacv2 was not found in team "Nordlys Bogholderi"/);

    const p2 = await checkTeamsDestination(env.graph, { ...target(), teamId: randomUUID() }, [env.origin]);
    expect(p2).toEqual([expect.objectContaining({ code: 'team_not_found', message: expect.stringMatching(/^Team [0-9a-f-]+ was not found/) })]);

    // The simulator's own URL is refused unless its origin is allowed.
    const p3 = await checkTeamsDestination(env.graph, target(), []);
    expect(p3).toEqual([expect.objectContaining({ code: 'webhook_not_allowed', message: expect.stringMatching(/^Webhook URL refused: .*https/) })]);
  });

  test('malformed ids and folder names are reported without asking Graph', async () => {
    const before = env.graphApi.stats().requests;
    const p = await checkTeamsDestination(env.graph, { teamId: 'Nordlys', channelId: 'Digital Post', webhookUrl: env.webhookUrl, folderPath: 'Skat: 2026' }, [env.origin]);
    expect(p.map((x) => x.message)).toEqual([
      expect.stringMatching(/cannot be used in Teams/),
      expect.stringMatching(/is not a team id/),
      expect.stringMatching(/is not a channel id/),
    ]);
    expect(env.graphApi.stats().requests).toBe(before);
  });
});

describe('Graph simulator: teams and drives', () => {
  const authed = { 'Content-Type': 'application/json' };
  const folderOf = async () => {
    const res = await raw(`/teams/${env.team.id}/channels/${encodeURIComponent(env.channelId)}/filesFolder`);
    expect(res.status).toBe(200);
    return await res.json() as { id: string; name: string; webUrl: string; folder: { childCount: number }; parentReference: { driveId: string; driveType: string } };
  };

  test('team, channels, channel and filesFolder', async () => {
    const ch = await (await raw(`/teams/${env.team.id}/channels/${encodeURIComponent(env.channelId)}`)).json();
    expect(ch).toMatchObject({ id: env.channelId, displayName: 'Digital Post', membershipType: 'standard' });
    const list = await (await raw(`/teams/${env.team.id}/channels`)).json() as { value: { displayName: string }[] };
    expect(list.value.map((c) => c.displayName)).toEqual(['General', 'Digital Post']);
    const f = await folderOf();
    expect(f).toMatchObject({ name: 'Digital Post', folder: { childCount: 0 }, parentReference: { driveId: env.team.driveId, driveType: 'documentLibrary' } });
    expect(Object.keys(f.parentReference)).toEqual(['driveId', 'driveType']);
    expect((await raw(`/teams/${randomUUID()}/channels`)).status).toBe(404);
    expect((await raw(`/teams/nope/channels`)).status).toBe(400);
    const missing = await raw(`/teams/${env.team.id}/channels/${encodeURIComponent('19:abc@thread.tacv2')}`);
    expect(await missing.json()).toMatchObject({ error: { code: 'NotFound' } });
    expect((await raw(`/teams/${env.team.id}`, {}, null)).status).toBe(401);
  });

  test('folders by path, conflictBehavior, SharePoint names', async () => {
    const f = await folderOf();
    const d = encodeURIComponent(f.parentReference.driveId);
    const mk = (parent: string, body: object) => raw(`/drives/${d}/items/${parent}/children`, { method: 'POST', headers: authed, body: JSON.stringify(body) });
    const a = await mk(f.id, { name: 'Skat', folder: {} });
    expect(a.status).toBe(201);
    const skat = await a.json() as { id: string };
    expect((await mk(f.id, { name: 'skat', folder: {} })).status).toBe(409);
    expect(await (await mk(f.id, { name: 'Skat', folder: {} })).json()).toMatchObject({ error: { code: 'nameAlreadyExists' } });
    expect(await (await mk(f.id, { name: 'Skat', folder: {}, '@microsoft.graph.conflictBehavior': 'rename' })).json()).toMatchObject({ name: 'Skat 1' });
    await mk(skat.id, { name: '2026', folder: {} });
    const nested = await raw(`/drives/${d}/items/${f.id}:/Skat/2026`);
    expect(await nested.json()).toMatchObject({ name: '2026', folder: { childCount: 0 } });
    expect((await raw(`/drives/${d}/items/${f.id}:/Skat/2027:`)).status).toBe(404);
    for (const bad of ['a:b', 'a*b', ' lead', 'trail ', 'CON', 'x.', 'a|b', '~$x', 'x_vti_y']) {
      const res = await mk(f.id, { name: bad, folder: {} });
      expect({ bad, status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code }).toEqual({ bad, status: 400, code: 'invalidRequest' });
    }
    const children = await (await raw(`/drives/${d}/items/${f.id}/children`)).json() as { value: { name: string }[] };
    expect(children.value.map((c) => c.name)).toEqual(['Skat', 'Skat 1']);
  });

  test('DELETE an item: a folder goes with what is in it, its id is 404 afterwards, the root stays', async () => {
    const f = await folderOf();
    const d = encodeURIComponent(f.parentReference.driveId);
    const skat = await (await raw(`/drives/${d}/items/${f.id}/children`, { method: 'POST', headers: authed, body: JSON.stringify({ name: 'Skat', folder: {} }) })).json() as { id: string };
    const put = await raw(`/drives/${d}/items/${skat.id}:/a.pdf:/content`, { method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body: new Uint8Array(bytes(10, 4)) });
    const file = await put.json() as { id: string };
    expect((await raw(`/drives/${d}/items/${f.id}:/Skat`, { method: 'DELETE' })).status).toBe(204);
    for (const id of [skat.id, file.id]) expect(await (await raw(`/drives/${d}/items/${id}`)).json()).toMatchObject({ error: { code: 'itemNotFound' } });
    const upload = await raw(`/drives/${d}/items/${skat.id}:/b.pdf:/content`, { method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body: new Uint8Array(bytes(10, 4)) });
    expect(upload.status).toBe(404);
    expect((await raw(`/drives/${d}/items/${skat.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await raw(`/drives/${d}/root`, { method: 'DELETE' })).status).toBe(403);
    expect(env.graphApi.driveItems(env.team.id, env.channelId)).toEqual([]);
  });

  test('simple upload: 201 new, 200 replaced, 409 with fail, binary intact', async () => {
    const f = await folderOf();
    const d = encodeURIComponent(f.parentReference.driveId);
    const put = (name: string, body: Buffer, q = '') => raw(`/drives/${d}/items/${f.id}:/${encodeURIComponent(name)}:/content${q}`,
      { method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body: new Uint8Array(body) });
    const one = bytes(5000, 9);
    const r1 = await put('Brev æøå.pdf', one);
    expect(r1.status).toBe(201);
    const item = await r1.json() as { id: string; size: number; file: { mimeType: string }; webUrl: string; '@microsoft.graph.downloadUrl': string };
    expect(item).toMatchObject({ size: 5000, file: { mimeType: 'application/pdf' } });
    expect(item.webUrl).toMatch(/Digital%20Post\/Brev%20%C3%A6%C3%B8%C3%A5\.pdf$/);
    const r2 = await put('Brev æøå.pdf', bytes(10, 1));
    expect(r2.status).toBe(200);
    expect((await r2.json() as { id: string }).id).toBe(item.id);
    expect((await put('Brev æøå.pdf', one, '?@microsoft.graph.conflictBehavior=fail')).status).toBe(409);
    const renamed = await put('Brev æøå.pdf', one, '?@microsoft.graph.conflictBehavior=rename');
    expect(await renamed.json()).toMatchObject({ name: 'Brev æøå 1.pdf' });
    const dl = await fetch(item['@microsoft.graph.downloadUrl']);
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes(10, 1))).toBe(true);
    expect((await put('a?b.pdf', one)).status).toBe(400);
  });

  test('upload sessions: fragment rules as Graph states them', async () => {
    const f = await folderOf();
    const d = encodeURIComponent(f.parentReference.driveId);
    const create = async (name: string, conflict = 'replace') => {
      const res = await raw(`/drives/${d}/items/${f.id}:/${encodeURIComponent(name)}:/createUploadSession`,
        { method: 'POST', headers: authed, body: JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': conflict, name } }) });
      return { status: res.status, body: await res.json() as { uploadUrl: string; expirationDateTime: string; nextExpectedRanges: string[] } };
    };
    const s = await create('stor.pdf');
    expect(s.status).toBe(200);
    expect(s.body.nextExpectedRanges).toEqual(['0-']);
    const content = bytes(700_000, 3);
    const frag = (from: number, to: number, headers: Record<string, string> = {}) => fetch(s.body.uploadUrl, {
      method: 'PUT', body: new Uint8Array(content.subarray(from, to + 1)), headers: { 'Content-Range': `bytes ${from}-${to}/${content.length}`, ...headers },
    });
    expect((await frag(0, 327_679, { Authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    const notMultiple = await frag(0, 99_999);
    expect(notMultiple.status).toBe(400);
    expect(await notMultiple.json()).toMatchObject({ error: { code: 'invalidRequest', message: expect.stringMatching(/320 KiB/) } });
    expect((await frag(327_680, 655_359)).status).toBe(416); // out of order
    const ok = await frag(0, 327_679);
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ nextExpectedRanges: ['327680-'] });
    expect((await frag(0, 327_679)).status).toBe(416); // already received
    const status = await (await fetch(s.body.uploadUrl)).json();
    expect(status).toMatchObject({ nextExpectedRanges: ['327680-'] });
    const noRange = await fetch(s.body.uploadUrl, { method: 'PUT', body: new Uint8Array(10) });
    expect(noRange.status).toBe(400);
    expect((await frag(327_680, 655_359)).status).toBe(202);
    const last = await frag(655_360, content.length - 1);
    expect(last.status).toBe(201);
    expect(await last.json()).toMatchObject({ name: 'stor.pdf', size: content.length });
    expect((await fetch(s.body.uploadUrl)).status).toBe(404); // completed

    // fail: refused at once when the name exists; a tampered URL is refused.
    const dup = await create('stor.pdf', 'fail');
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: { code: 'nameAlreadyExists' } });
    const s2 = await create('andet.pdf');
    expect((await fetch(s2.body.uploadUrl.replace(/tempauth=[^&]+/, 'tempauth=x'), { method: 'PUT', body: 'x', headers: { 'Content-Range': 'bytes 0-0/1' } })).status).toBe(401);
    expect((await fetch(s2.body.uploadUrl, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(s2.body.uploadUrl)).status).toBe(404);
    // Name in the body must match the path.
    const mismatch = await raw(`/drives/${d}/items/${f.id}:/a.pdf:/createUploadSession`, { method: 'POST', headers: authed, body: JSON.stringify({ item: { name: 'b.pdf' } }) });
    expect(mismatch.status).toBe(400);
  });

  test('control routes: create a team with channels, list files', async () => {
    const base = `${env.graphBase}sim/teams`;
    const res = await fetch(base, { method: 'POST', headers: authed, body: JSON.stringify({ displayName: 'Revision', channels: [{ displayName: 'Breve' }] }) });
    expect(res.status).toBe(201);
    const t = await res.json() as TeamSummary;
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.channels.map((c) => c.displayName)).toEqual(['General', 'Breve']);
    expect(t.channels[1].id).toMatch(/^19:[0-9a-f]{32}@thread\.tacv2$/);
    await uploadToChannel(env.graph, { teamId: t.id, channelId: t.channels[1].id }, { filename: 'x.pdf', mimeType: 'application/pdf', content: bytes(100, 5) });
    const files = await (await fetch(`${base}/${t.id}/channels/${encodeURIComponent(t.channels[1].id)}/files`)).json() as { value: { path: string; size: number; sha256: string }[] };
    expect(files.value).toEqual([expect.objectContaining({ path: 'x.pdf', size: 100, sha256: sha(bytes(100, 5)) })]);
    expect((await fetch(base, { method: 'POST', headers: authed, body: JSON.stringify({ name: 'x' }) })).status).toBe(400);
    await fetch(`${env.graphBase}sim/reset`, { method: 'POST' });
    expect(env.graphApi.teams()).toEqual([]);
  });
});

describe('Workflows simulator', () => {
  const post = (body: unknown, url = env.webhookUrl, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const good = () => ({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: renderTeamsCard(letter(), []) }] });

  test('202 for a card, kept for inspection through the api and the control route', async () => {
    const res = await post(good());
    expect(res.status).toBe(202);
    expect(res.headers.get('x-ms-workflow-run-id')).toBeTruthy();
    expect(await res.text()).toBe('');
    const viaControl = await (await fetch(`${env.server.url}/sim/workflows/${env.flowId}/cards`)).json() as { value: { card: { type: string } }[] };
    expect(viaControl.value.map((c) => c.card.type)).toEqual(['AdaptiveCard']);
    expect(env.flows.cards(env.flowId)).toHaveLength(1);
  });

  test('refuses malformed messages with a readable 400, over 28 KB with 413', async () => {
    const cases: [unknown, RegExp][] = [
      [{ text: 'hello' }, /type: must be "message"/],
      [{ type: 'message', attachments: [] }, /at least one Adaptive Card/],
      [{ type: 'message', attachments: [{ contentType: 'text/html', content: {} }] }, /contentType/],
      [{ ...good(), attachments: [{ ...good().attachments[0], content: { ...good().attachments[0].content, version: '2.0' } }] }, /versions 1\.0 to 1\.5/],
      [{ ...good(), attachments: [{ ...good().attachments[0], content: { ...good().attachments[0].content, body: [{ type: 'Txt' }] } }] }, /unknown element "Txt"/],
      [{ ...good(), attachments: [{ ...good().attachments[0], content: { ...good().attachments[0].content, actions: [{ type: 'Action.OpenUrl', url: 'javascript:x' }] } }] }, /needs an http\(s\) url/],
    ];
    for (const [body, why] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const j = await res.json() as { error: { code: string; message: string } };
      expect(j.error.code).toBe('TriggerInputSchemaMismatch');
      expect(j.error.message).toMatch(why);
    }
    expect((await post('not json')).status).toBe(400);
    expect((await post(good(), env.webhookUrl, 'text/plain')).status).toBe(400);
    const huge = good();
    (huge.attachments[0].content.body as unknown[]).push({ type: 'TextBlock', text: 'x'.repeat(30_000) });
    const big = await post(huge);
    expect(big.status).toBe(413);
    expect(env.flows.cards(env.flowId)).toHaveLength(0);
  });

  test('unknown flows 404, missing or wrong sig 401, faults', async () => {
    expect((await post(good(), env.webhookUrl.replace(env.flowId, '0'.repeat(32)))).status).toBe(404);
    expect((await post(good(), env.webhookUrl.replace(/&sig=[^&]+/, ''))).status).toBe(401);
    env.flows.setFaults({ outage: true });
    const out = await post(good());
    expect([out.status, out.headers.get('retry-after')]).toEqual([503, '30']);
    await fetch(`${env.server.url}/sim/workflows/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect((await post(good())).status).toBe(202);
    const created = await (await fetch(`${env.server.url}/sim/workflows/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ teamId: 't', channelId: 'c' }) })).json() as { url: string };
    expect((await post(good(), created.url)).status).toBe(202);
  });
});
