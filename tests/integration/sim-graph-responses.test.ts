// Every JSON body the Graph simulator answers with, checked against @microsoft/microsoft-graph-types
// (tests/helpers/graph-types.ts): a property the Graph type does not declare is a fidelity bug in
// the simulator, and fails here. Instance annotations (@odata.*, @microsoft.graph.*) are allowed.
// The few properties real Graph (or Outlook's upload URL) returns that the types package lacks are
// listed in DOCUMENTED_EXTRAS, each with where it is documented; nothing else gets through.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { createGraphSimulator, type GraphSimulatorApi, type TeamSummary } from '../../backend/src/simulators/graph';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { unknownProperties } from '../helpers/graph-types';

const TOKEN = 'test-token-' + randomUUID();
const MAILBOX = 'DigitalPost@Nordlys.example';
const COLLEAGUE = 'bogholderi@nordlys.example';
const MB = 1024 * 1024;
const KIB320 = 320 * 1024;
const DELIVERY_PROP = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueDeliveryId';
const enc = encodeURIComponent;

/** Returned for real but missing from @microsoft/microsoft-graph-types. */
const DOCUMENTED_EXTRAS = {
  // Graph v1.0 answers mailFolders with sizeInBytes (microsoft-graph-docs-contrib PR #9463 documents it); the types lack it.
  mailFolder: ['sizeInBytes'],
  // Outlook's upload URL answers "ExpirationDateTime" in Pascal case ("Attach large files to Outlook messages", step 2).
  outlookSessionStatus: ['ExpirationDateTime'],
};

interface Running { server: RunningServer; api: GraphSimulatorApi; root: string; team: TeamSummary; close(): Promise<void> }

let env: Running;
beforeAll(async () => {
  const sim = createGraphSimulator({ acceptedTokens: [TOKEN], random: () => 0.99 });
  sim.api.addMailbox({ userPrincipalName: MAILBOX, displayName: 'Digital Post – Nordlys', kind: 'shared' });
  sim.api.addMailbox({ userPrincipalName: COLLEAGUE, displayName: 'Bogholderi', kind: 'user' });
  const team = sim.api.addTeam({ displayName: 'Nordlys Bogholderi', description: 'Bogholderiet', channels: [{ displayName: 'Digital Post' }] });
  const app = express();
  app.use('/sim/graph', sim.router);
  const server = await listen(app);
  env = { server, api: sim.api, root: `${server.url}/sim/graph`, team, close: () => server.close() };
});
afterAll(() => env.close());

function graph(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, ...headers };
  if (body !== undefined && !Buffer.isBuffer(body)) h['Content-Type'] = 'application/json';
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? Uint8Array.from(body) : JSON.stringify(body);
  return fetch(`${env.root}/v1.0${path}`, { method, headers: h, body: payload });
}

async function json<T = any>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${res.url}: expected ${status}, got ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function empty(res: Response, status: number): Promise<void> {
  expect({ status: res.status, body: await res.text() }).toEqual({ status, body: '' });
}

/** The properties of `body` that the Graph type (or type expression) lacks, bar the allowed ones. */
function unknownIn(body: unknown, type: string, allowed: readonly string[] = []): string[] {
  return unknownProperties(body, type).filter((p) => !allowed.includes(p));
}

/** A single entity: no property the Graph type lacks. */
function expectEntity(body: unknown, type: string, allowed: readonly string[] = []): void {
  expect(body !== null && typeof body === 'object' && !Array.isArray(body)).toBe(true);
  expect({ type, unknown: unknownIn(body, type, allowed) }).toEqual({ type, unknown: [] });
}

/** A collection: only value (and annotations) in the envelope, each item conforms, and there are items. */
function expectCollection(body: unknown, type: string, allowed: readonly string[] = []): void {
  const page = body as { '@odata.context'?: unknown; value?: unknown[] };
  expect({ envelope: unknownProperties(page, '{ value: any[] }') }).toEqual({ envelope: [] });
  expect(typeof page['@odata.context']).toBe('string');
  expect(Array.isArray(page.value) && page.value.length > 0).toBe(true);
  page.value!.forEach((item, i) => expect({ type, i, unknown: unknownIn(item, type, allowed) }).toEqual({ type, i, unknown: [] }));
}

const user = (u = MAILBOX) => `/users/${enc(u)}`;
const pdf = (n: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(n, 0x20)]);
const fileAttachment = (name: string, bytes: Buffer) => ({ '@odata.type': '#microsoft.graph.fileAttachment', name, contentType: 'application/pdf', contentBytes: bytes.toString('base64') });

describe('the checks themselves', () => {
  test('a property a Graph type lacks fails the check', () => {
    expect(() => expectEntity({ id: 'x', displayName: 'Inbox', bogus: 1 }, 'MailFolder')).toThrow();
    expect(() => expectCollection({ '@odata.context': 'x', value: [{ id: 'x', bogus: 1 }] }, 'Channel')).toThrow();
    expect(() => expectCollection({ '@odata.context': 'x', value: [{ id: 'x' }], extra: 1 }, 'Channel')).toThrow();
    expect(() => expectCollection({ '@odata.context': 'x', value: [] }, 'Channel')).toThrow();
  });
});

describe('users', () => {
  test('GET a user, all and $select', async () => {
    expectEntity(await json(await graph('GET', user()), 200), 'User');
    const sel = await json(await graph('GET', `${user(COLLEAGUE)}?$select=displayName,mail,accountEnabled,userType`), 200);
    expect(sel).toEqual(expect.objectContaining({ accountEnabled: true, userType: 'Member' }));
    expectEntity(sel, 'User');
  });
});

describe('mail folders', () => {
  test('list, create, get, $select, child folders', async () => {
    expectCollection(await json(await graph('GET', `${user()}/mailFolders?$count=true`), 200), 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);
    const paged = await json(await graph('GET', `${user()}/mailFolders?$top=2`), 200);
    expect(paged['@odata.nextLink']).toEqual(expect.any(String));
    expectCollection(paged, 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);

    const created = await json(await graph('POST', `${user()}/mailFolders`, { displayName: 'Digital Post' }), 201);
    expectEntity(created, 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);
    const child = await json(await graph('POST', `${user()}/mailFolders/${enc(created.id)}/childFolders`, { displayName: 'Skat', isHidden: false }), 201);
    expectEntity(child, 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);
    expectCollection(await json(await graph('GET', `${user()}/mailFolders/${enc(created.id)}/childFolders`), 200), 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);

    expectEntity(await json(await graph('GET', `${user()}/mailFolders/inbox`), 200), 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);
    const sel = await json(await graph('GET', `${user()}/mailFolders/${enc(child.id)}?$select=displayName,totalItemCount`), 200);
    expect(Object.keys(sel).sort()).toEqual(['@odata.context', 'displayName', 'id', 'totalItemCount']);
    expectEntity(sel, 'MailFolder');
  });
});

describe('messages and attachments', () => {
  let received: { id: string };
  beforeAll(async () => {
    received = await json(await graph('POST', `${user()}/mailFolders/inbox/messages`, {
      subject: 'Årsopgørelse 2025',
      from: { emailAddress: { name: 'Skattestyrelsen', address: 'digitalpost@brevdue.invalid' } },
      toRecipients: [{ emailAddress: { name: 'Nordlys ApS', address: 'digitalpost@brevdue.invalid' } }],
      body: { contentType: 'html', content: '<p>Se vedhæftet.</p>' },
      categories: ['Digital Post'],
      singleValueExtendedProperties: [
        { id: 'Integer 0x0E07', value: '0' }, { id: 'SystemTime 0x0E06', value: '2026-03-02T08:15:00Z' }, { id: DELIVERY_PROP, value: 'd-1' },
      ],
      attachments: [fileAttachment('aarsopgoerelse.pdf', pdf(2000))],
      flag: { flagStatus: 'flagged', startDateTime: { dateTime: '2026-03-02T08:15:00', timeZone: 'UTC' }, dueDateTime: { dateTime: '2026-03-20T00:00:00', timeZone: 'UTC' } },
    }), 201);
  });

  test('create: a draft and a received message', async () => {
    expectEntity(await json(await graph('POST', `${user()}/messages`, { subject: 'Kladde', body: { contentType: 'text', content: 'x' } }), 201), 'Message');
    expectEntity(await json(await graph('GET', `${user()}/messages/${enc(received.id)}`), 200), 'Message');
  });

  test('list, $select, $expand, $filter, $count, paging', async () => {
    expectCollection(await json(await graph('GET', `${user()}/messages`), 200), 'Message');
    const filter = enc(`singleValueExtendedProperties/any(ep: ep/id eq '${DELIVERY_PROP}' and ep/value eq 'd-1')`);
    const expand = enc(`singleValueExtendedProperties($filter=id eq '${DELIVERY_PROP}'),attachments($select=name,size)`);
    const found = await json(await graph('GET', `${user()}/mailFolders/inbox/messages?$filter=${filter}&$select=subject,parentFolderId&$expand=${expand}&$count=true`), 200);
    expect(found.value).toHaveLength(1);
    expect(found.value[0].singleValueExtendedProperties).toHaveLength(1);
    expect(found.value[0].attachments).toHaveLength(1);
    expectCollection(found, 'Message');
    const paged = await json(await graph('GET', `${user()}/messages?$top=1&$orderby=receivedDateTime desc`), 200);
    expect(paged['@odata.nextLink']).toEqual(expect.any(String));
    expectCollection(paged, 'Message');
  });

  test('get with $select and $expand', async () => {
    const full = await json(await graph('GET', `${user()}/messages/${enc(received.id)}?$expand=attachments,singleValueExtendedProperties`, undefined, { Prefer: 'IdType="ImmutableId"' }), 200);
    expect(full.attachments[0].contentBytes).toEqual(expect.any(String));
    expectEntity(full, 'Message');
    expectEntity(await json(await graph('GET', `${user()}/mailFolders/inbox/messages/${enc(received.id)}?$select=subject,from,flag`), 200), 'Message');
  });

  test('attachments: add, list, get, $select', async () => {
    const draft = await json(await graph('POST', `${user()}/messages`, { subject: 'Med bilag' }), 201);
    const added = await json(await graph('POST', `${user()}/messages/${enc(draft.id)}/attachments`, fileAttachment('bilag.pdf', pdf(500))), 201);
    expectEntity(added, 'FileAttachment');
    expectEntity(added, 'Attachment'); // by its @odata.type
    expectCollection(await json(await graph('GET', `${user()}/messages/${enc(draft.id)}/attachments`), 200), 'Attachment');
    expectCollection(await json(await graph('GET', `${user()}/messages/${enc(draft.id)}/attachments?$select=name,size`), 200), 'Attachment');
    expectEntity(await json(await graph('GET', `${user()}/messages/${enc(draft.id)}/attachments/${enc(added.id)}`), 200), 'Attachment');
    expectEntity(await json(await graph('GET', `${user()}/messages/${enc(draft.id)}/attachments/${enc(added.id)}?$select=name,contentType`), 200), 'Attachment');
  });

  test('attachment upload session: createUploadSession, chunk answers, status', async () => {
    const draft = await json(await graph('POST', `${user()}/messages`, { subject: 'Stor fil' }), 201);
    const size = 3 * MB + 10;
    const s = await json(await graph('POST', `${user()}/messages/${enc(draft.id)}/attachments/createUploadSession`,
      { AttachmentItem: { attachmentType: 'file', name: 'stor.pdf', size, contentType: 'application/pdf' } }), 201);
    expectEntity(s, 'UploadSession');
    const bytes = pdf(size - 9);
    const put = (from: number, to: number) => fetch(s.uploadUrl, {
      method: 'PUT', body: Uint8Array.from(bytes.subarray(from, to)),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${from}-${to - 1}/${size}` },
    });
    const progress = await json(await put(0, 2 * MB), 200);
    expect(progress.nextExpectedRanges).toEqual([String(2 * MB)]);
    expectEntity(progress, 'UploadSession', DOCUMENTED_EXTRAS.outlookSessionStatus);
    expectEntity(await json(await fetch(s.uploadUrl), 200), 'UploadSession', DOCUMENTED_EXTRAS.outlookSessionStatus);
    const last = await put(2 * MB, size);
    await empty(last, 201);
    expect(last.headers.get('location')).toMatch(/\/Attachments\('[^']+'\)$/);
    expectCollection(await json(await graph('GET', `${user()}/messages/${enc(draft.id)}/attachments?$select=name,size`), 200), 'Attachment');
  });

  test('sendMail answers 202 without a body', async () => {
    await empty(await graph('POST', `${user()}/sendMail`, {
      message: { subject: 'Kopi', body: { contentType: 'text', content: 'Til orientering' }, toRecipients: [{ emailAddress: { address: COLLEAGUE } }] },
      saveToSentItems: true,
    }), 202);
    expectCollection(await json(await graph('GET', `${user(COLLEAGUE)}/mailFolders/inbox/messages`), 200), 'Message');
    expectCollection(await json(await graph('GET', `${user()}/mailFolders/sentitems/messages`), 200), 'Message');
  });

  test('move answers the moved message; delete has no body', async () => {
    const draft = await json(await graph('POST', `${user()}/messages`, { subject: 'Flyttes' }), 201);
    expectEntity(await json(await graph('POST', `${user()}/messages/${enc(draft.id)}/move`, { destinationId: 'archive' }), 201), 'Message');
    await empty(await graph('DELETE', `${user()}/messages/${enc(draft.id)}`), 204);
  });
});

describe('$batch', () => {
  test('the responses of a batch carry Graph bodies', async () => {
    const draft = await json(await graph('POST', `${user()}/messages`, { subject: 'Batch' }), 201);
    const body = await json(await graph('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `${user()}/mailFolders/inbox` },
        { id: '2', method: 'GET', url: `${user()}/messages?$select=subject&$top=2` },
        { id: '3', method: 'POST', url: `${user()}/mailFolders`, headers: { 'Content-Type': 'application/json' }, body: { displayName: 'Fra batch' } },
        { id: '4', method: 'GET', url: `${user()}/messages/${enc(draft.id)}`, dependsOn: ['3'] },
        { id: '5', method: 'GET', url: user() },
      ],
    }), 200);
    expect(Object.keys(body)).toEqual(['responses']);
    const by = new Map<string, { id: string; status: number; headers: Record<string, string>; body: unknown }>(
      body.responses.map((r: { id: string }) => [r.id, r]));
    for (const r of by.values()) expect(Object.keys(r).sort()).toEqual(['body', 'headers', 'id', 'status']);
    expect([...by.values()].map((r) => r.status)).toEqual([200, 200, 201, 200, 200]);
    expectEntity(by.get('1')!.body, 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);
    expectCollection(by.get('2')!.body, 'Message');
    expectEntity(by.get('3')!.body, 'MailFolder', DOCUMENTED_EXTRAS.mailFolder);
    expectEntity(by.get('4')!.body, 'Message');
    expectEntity(by.get('5')!.body, 'User');
  });
});

describe('teams, channels and their files', () => {
  const channel = () => env.team.channels.find((c) => c.displayName === 'Digital Post')!;
  const teamPath = () => `/teams/${env.team.id}`;
  const channelPath = () => `${teamPath()}/channels/${enc(channel().id)}`;

  test('team, channels, channel, filesFolder', async () => {
    expectEntity(await json(await graph('GET', teamPath()), 200), 'Team');
    expectCollection(await json(await graph('GET', `${teamPath()}/channels`), 200), 'Channel');
    expectEntity(await json(await graph('GET', channelPath()), 200), 'Channel');
    const folder = await json(await graph('GET', `${channelPath()}/filesFolder`), 200);
    expect(folder.folder).toEqual(expect.objectContaining({ childCount: expect.any(Number) }));
    expectEntity(folder, 'DriveItem');
  });

  test('drive: items, children, create folder, simple upload, upload session', async () => {
    const d = env.team.driveId;
    const f = channel().filesFolder.id;
    const items = `/drives/${enc(d)}/items`;
    expectEntity(await json(await graph('GET', `/drives/${enc(d)}/root`), 200), 'DriveItem');
    expectEntity(await json(await graph('GET', `${items}/${f}`), 200), 'DriveItem');

    const made = await json(await graph('POST', `${items}/${f}/children`, { name: 'Skat', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }), 201);
    expectEntity(made, 'DriveItem');
    const small = await json(await graph('PUT', `${items}/${made.id}:/${enc('Årsopgørelse.pdf')}:/content`, pdf(1000)), 201);
    expect(small['@microsoft.graph.downloadUrl']).toEqual(expect.any(String));
    expectEntity(small, 'DriveItem');
    expectEntity(await json(await graph('PUT', `${items}/${small.id}/content`, pdf(1200)), 200), 'DriveItem');
    expectEntity(await json(await graph('GET', `${items}/${f}:/Skat/${enc('Årsopgørelse.pdf')}`), 200), 'DriveItem');
    expectEntity(await json(await graph('GET', `${items}/${small.id}?$select=name,size,file`), 200), 'DriveItem');
    expectCollection(await json(await graph('GET', `${items}/${made.id}/children`), 200), 'DriveItem');
    const paged = await json(await graph('GET', `${items}/${f}/children?$top=1&$count=true`), 200);
    expectCollection(paged, 'DriveItem');

    const size = KIB320 + 100;
    const s = await json(await graph('POST', `${items}/${made.id}:/${enc('Bilag.pdf')}:/createUploadSession`,
      { item: { '@microsoft.graph.conflictBehavior': 'fail', name: 'Bilag.pdf' } }), 200);
    expectEntity(s, 'UploadSession');
    const bytes = pdf(size - 9);
    const frag = (from: number, to: number) => fetch(s.uploadUrl, {
      method: 'PUT', body: Uint8Array.from(bytes.subarray(from, to)), headers: { 'Content-Range': `bytes ${from}-${to - 1}/${size}` },
    });
    expectEntity(await json(await frag(0, KIB320), 202), 'UploadSession');
    expectEntity(await json(await fetch(s.uploadUrl), 200), 'UploadSession');
    const done = await json(await frag(KIB320, size), 201);
    expect(done.size).toBe(size);
    expectEntity(done, 'DriveItem');
  });
});
