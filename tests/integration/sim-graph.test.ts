// The Graph simulator driven through the production SDK (@microsoft/microsoft-graph-client) and,
// where the SDK hides what we check (status codes, raw headers), through fetch.
import { randomUUID } from 'node:crypto';
import express from 'express';
import {
  Client, GraphError, HTTPMessageHandler, RedirectHandler, RetryHandler, RetryHandlerOptions,
  type Middleware, type Context,
} from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { createGraphSimulator, type GraphSimulatorApi, type GraphSimulatorOptions } from '../../backend/src/simulators/graph';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { FolderCache, createMessage, ensureFolder, findDelivered } from '../../backend/src/delivery/mailbox';
import { renderMail } from '../../backend/src/delivery/render';
import { checkRecordedRequests } from '../helpers/graph-types';

const TOKEN = 'test-token-' + randomUUID();
const MAILBOX = 'DigitalPost@Nordlys.example';
const DELIVERY_PROP = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueDeliveryId';
const IMMUTABLE = 'IdType="ImmutableId"';

interface Running { server: RunningServer; api: GraphSimulatorApi; baseUrl: string; close(): Promise<void> }

/** A simulator on its own server; `rolls` feeds fault decisions (default 0.99: only rate 1 strikes). */
async function start(opts: GraphSimulatorOptions = {}, rolls: number[] = []): Promise<Running> {
  const sim = createGraphSimulator({ acceptedTokens: [TOKEN], random: () => rolls.shift() ?? 0.99, ...opts });
  sim.api.addMailbox({ userPrincipalName: MAILBOX, displayName: 'Digital Post – Nordlys', kind: 'shared' });
  const app = express();
  app.use('/sim/graph', sim.router);
  const server = await listen(app);
  return { server, api: sim.api, baseUrl: `${server.url}/sim/graph/`, close: () => server.close() };
}

/**
 * The SDK with a bearer middleware. The SDK's own AuthenticationHandler attaches the token only to
 * https Graph hosts (see the first test), so against a plain-http simulator the token is added here.
 */
function sdk(baseUrl: string, { token = TOKEN, retries = 0 } = {}): Client {
  let next: Middleware | undefined;
  const bearer: Middleware = {
    async execute(ctx: Context) {
      ctx.options = ctx.options ?? {};
      const h = ctx.options.headers;
      if (h instanceof Headers) h.set('Authorization', `Bearer ${token}`);
      else ctx.options.headers = { ...(h as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
      await next!.execute(ctx);
    },
    setNext(m) { next = m; },
  };
  return Client.initWithMiddleware({
    baseUrl, defaultVersion: 'v1.0',
    middleware: [bearer, new RetryHandler(new RetryHandlerOptions(0, retries)), new RedirectHandler(), new HTTPMessageHandler()],
  });
}

const enc = encodeURIComponent;
const pdf = (n: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(n, 0x20)]);

/** Shaped like delivery/render.ts's output: a received, unread mail with a delivery id and a PDF. */
function letter(deliveryId: string, received = '2026-03-02T08:15:00Z', submitted = '2026-03-01T16:00:00Z'): MicrosoftGraph.Message {
  return {
    subject: 'Årsopgørelse 2025',
    from: { emailAddress: { name: 'Skattestyrelsen', address: 'digitalpost@brevdue.invalid' } },
    toRecipients: [{ emailAddress: { name: 'Nordlys ApS', address: 'digitalpost@brevdue.invalid' } }],
    body: { contentType: 'html', content: '<html><body><h2>Årsopgørelse</h2><p>Se vedhæftet.</p></body></html>' },
    isRead: false,
    categories: ['Digital Post', 'Skattestyrelsen'],
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: '0' },
      { id: 'SystemTime 0x0E06', value: received },
      { id: 'SystemTime 0x0039', value: submitted },
      { id: DELIVERY_PROP, value: deliveryId },
    ],
    attachments: [{
      '@odata.type': '#microsoft.graph.fileAttachment', name: 'aarsopgoerelse.pdf', contentType: 'application/pdf',
      contentBytes: pdf(2000).toString('base64'),
    } as MicrosoftGraph.FileAttachment],
    flag: { flagStatus: 'flagged', startDateTime: { dateTime: '2026-03-02T08:15:00', timeZone: 'UTC' }, dueDateTime: { dateTime: '2026-03-20T00:00:00', timeZone: 'UTC' } },
  };
}

async function expectGraphError(p: Promise<unknown>, status: number, code: string): Promise<GraphError> {
  try { await p; } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    expect({ status: (e as GraphError).statusCode, code: (e as GraphError).code }).toEqual({ status, code });
    return e as GraphError;
  }
  throw new Error(`expected Graph error ${status} ${code}, got success`);
}

let env: Running;
let graph: Client;
beforeEach(async () => { env = await start(); graph = sdk(env.baseUrl); });
afterEach(() => env.close());

const raw = (path: string, init: RequestInit = {}, token: string | null = TOKEN) => {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  return fetch(`${env.baseUrl}v1.0${path}`, { ...init, headers });
};

async function folderPath(path: string): Promise<string> {
  let parent = 'inbox';
  for (const name of path.split('/')) {
    const found = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(parent)}/childFolders`)
      .filter(`displayName eq '${name.replace(/'/g, "''")}'`).top(1).get() as { value: MicrosoftGraph.MailFolder[] };
    parent = found.value[0]?.id ?? (await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(parent)}/childFolders`).post({ displayName: name }) as MicrosoftGraph.MailFolder).id!;
  }
  return parent;
}

describe('authentication and errors', () => {
  test('the SDK\'s Client.init sends no token to a plain-http base URL, so the simulator answers 401', async () => {
    const plain = Client.init({ authProvider: (done) => done(null, TOKEN), baseUrl: env.baseUrl, defaultVersion: 'v1.0' });
    await expectGraphError(plain.api(`/users/${enc(MAILBOX)}`).get(), 401, 'InvalidAuthenticationToken');
  });

  test('401 in Graph\'s error shape without a token or with an unaccepted one', async () => {
    const res = await raw(`/users/${enc(MAILBOX)}`, { headers: { 'client-request-id': 'abc-123' } }, null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = await res.json();
    expect(body).toEqual({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: {
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), 'request-id': res.headers.get('request-id'), 'client-request-id': 'abc-123',
    } } });
    await expectGraphError(sdk(env.baseUrl, { token: 'nope' }).api(`/users/${enc(MAILBOX)}`).get(), 401, 'InvalidAuthenticationToken');
  });

  test('without acceptedTokens any bearer token passes', async () => {
    const open = await start({ acceptedTokens: undefined });
    try {
      const u = await sdk(open.baseUrl, { token: 'whatever' }).api(`/users/${enc(MAILBOX)}`).get() as MicrosoftGraph.User;
      expect(u.userPrincipalName).toBe(MAILBOX);
    } finally { await open.close(); }
  });

  test('unknown users, segments and versions', async () => {
    await expectGraphError(graph.api('/users/nobody@nordlys.example').get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(graph.api('/users/nobody@nordlys.example/mailFolders').get(), 404, 'ErrorInvalidUser');
    await expectGraphError(graph.api('/groups').get(), 400, 'BadRequest');
    const beta = await fetch(`${env.baseUrl}beta/users`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(beta.status).toBe(400);
  });
});

describe('users and folders', () => {
  test('GET /users/{u} by UPN (any case) and by id, with @odata.context and request-id', async () => {
    const res = await raw(`/users/${enc(MAILBOX.toUpperCase())}`, { headers: { Prefer: IMMUTABLE } });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('preference-applied')).toBe(IMMUTABLE);
    const u = await res.json();
    expect(u).toMatchObject({ displayName: 'Digital Post – Nordlys', userPrincipalName: MAILBOX, mail: MAILBOX });
    expect(u['@odata.context']).toMatch(/\/sim\/graph\/v1\.0\/\$metadata#users\/\$entity$/);
    const byId = await graph.api(`/users/${u.id}`).get() as MicrosoftGraph.User;
    expect(byId.userPrincipalName).toBe(MAILBOX);
  });

  test('well-known folders with Exchange-like ids, addressable by name', async () => {
    const top = await graph.api(`/users/${enc(MAILBOX)}/mailFolders`).get() as { value: MicrosoftGraph.MailFolder[] };
    expect(top.value.map((f) => f.displayName)).toEqual(['Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Archive']);
    for (const f of top.value) expect(f.id).toMatch(/^AAMkA[A-Za-z0-9_-]{60,}$/);
    const inbox = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/Inbox`).get() as MicrosoftGraph.MailFolder;
    expect(inbox.id).toBe(top.value[0].id);
    const root = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/msgfolderroot`).get() as MicrosoftGraph.MailFolder;
    expect(root.displayName).toBe('Top of Information Store');
    expect(inbox.parentFolderId).toBe(root.id);
    const byId = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(inbox.id!)}`).select('displayName').get();
    expect(byId).toEqual({ '@odata.context': expect.any(String), id: inbox.id, displayName: 'Inbox' });
  });

  test('create child folders, find them with $filter (quotes escaped), 409 on a duplicate sibling', async () => {
    const dp = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`).post({ displayName: 'Digital Post' }) as MicrosoftGraph.MailFolder;
    expect(dp).toMatchObject({ displayName: 'Digital Post', childFolderCount: 0, totalItemCount: 0 });
    const obrien = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(dp.id!)}/childFolders`).post({ displayName: "O'Brien ApS" }) as MicrosoftGraph.MailFolder;
    await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(dp.id!)}/childFolders`).post({ displayName: 'Acme' });

    const found = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(dp.id!)}/childFolders`)
      .filter("displayName eq 'O''Brien ApS'").select('id,displayName').top(1).get() as { value: MicrosoftGraph.MailFolder[] };
    expect(found.value).toEqual([{ id: obrien.id, displayName: "O'Brien ApS" }]);
    const none = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(dp.id!)}/childFolders`).filter("displayName eq 'Nobody'").get();
    expect(none.value).toEqual([]);

    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`).post({ displayName: 'digital post' }), 409, 'ErrorFolderExists');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`).post({ displayName: '  ' }), 400, 'ErrorInvalidRequest');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`).post({ name: 'x' }), 400, 'RequestBodyRead');
    const dpAgain = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(dp.id!)}`).get() as MicrosoftGraph.MailFolder;
    expect(dpAgain.childFolderCount).toBe(2);
    expect(env.api.mailboxes()[0].folders).toEqual(expect.arrayContaining(['Inbox/Digital Post/Acme', "Inbox/Digital Post/O'Brien ApS"]));
  });

  test('DELETE moves a folder with its messages to Deleted Items; permanentDelete removes it (then 404); well-known folders stay', async () => {
    const acme = await folderPath('Digital Post/Acme');
    const m = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(acme)}/messages`).post(letter(randomUUID())) as MicrosoftGraph.Message;
    const top = (await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(acme)}`).get() as MicrosoftGraph.MailFolder).parentFolderId!;
    await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(top)}`).delete();
    expect(env.api.messages(MAILBOX).map((x) => x.folderPath)).toEqual(['Deleted Items/Digital Post/Acme']);
    // Still there (soft): mail can be created in it.
    await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(acme)}/messages`).post(letter(randomUUID()));
    await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(top)}/permanentDelete`).post(null);
    expect(env.api.messages(MAILBOX)).toEqual([]);
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(acme)}/messages`).post(letter(randomUUID())), 404, 'ErrorItemNotFound');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages/${enc(m.id!)}`).get(), 404, 'ErrorItemNotFound');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox`).delete(), 400, 'ErrorDeleteDistinguishedFolder');
  });

  test('a percent-encoded filter with & in the name works; $top pages with @odata.nextLink', async () => {
    for (const n of ['Skat & Moms', 'B', 'C']) await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`).post({ displayName: n });
    const res = await raw(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders?$filter=${enc("displayName eq 'Skat & Moms'")}`);
    expect((await res.json()).value.map((f: MicrosoftGraph.MailFolder) => f.displayName)).toEqual(['Skat & Moms']);

    const page1 = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`).top(2).get();
    expect(page1.value).toHaveLength(2);
    expect(decodeURIComponent(page1['@odata.nextLink'])).toMatch(/[?&]\$skip=2(&|$)/);
    // The SDK takes only https URLs as absolute, so the http nextLink is followed with fetch.
    const page2 = await (await fetch(page1['@odata.nextLink'], { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
    expect(page2.value.map((f: MicrosoftGraph.MailFolder) => f.displayName)).toEqual(['C']);
    expect(page2['@odata.nextLink']).toBeUndefined();
  });

  test('unknown folder ids are 404 ErrorItemNotFound, malformed ones 400', async () => {
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/AAMkAGI2TUNKNOWNFOLDERAAA=`).get(), 404, 'ErrorItemNotFound');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/x!/childFolders`).get(), 400, 'ErrorInvalidIdMalformed');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/AAMkAGI2TUNKNOWNFOLDERAAA=/childFolders`).post({ displayName: 'x' }), 404, 'ErrorItemNotFound');
  });
});

describe('messages', () => {
  test('create a received message with extended properties and an attachment, find it again by delivery id', async () => {
    const folderId = await folderPath('Digital Post/Acme');
    const deliveryId = randomUUID();
    const created = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(folderId)}/messages`)
      .header('Prefer', IMMUTABLE).post(letter(deliveryId)) as MicrosoftGraph.Message;
    expect(created).toMatchObject({
      subject: 'Årsopgørelse 2025', isDraft: false, isRead: false, hasAttachments: true, parentFolderId: folderId,
      receivedDateTime: '2026-03-02T08:15:00Z', sentDateTime: '2026-03-01T16:00:00Z',
      categories: ['Digital Post', 'Skattestyrelsen'], flag: { flagStatus: 'flagged' },
      from: { emailAddress: { name: 'Skattestyrelsen', address: 'digitalpost@brevdue.invalid' } },
      bodyPreview: 'Årsopgørelse Se vedhæftet.',
    });
    expect(created.id).toMatch(/^AAMkA/);
    expect(created).not.toHaveProperty('singleValueExtendedProperties');
    expect(created).not.toHaveProperty('attachments');

    const byProp = await graph.api(`/users/${enc(MAILBOX)}/messages`).header('Prefer', IMMUTABLE)
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_PROP}' and ep/value eq '${deliveryId}')`)
      .select('id').top(1).get() as { value: MicrosoftGraph.Message[] };
    expect(byProp.value).toEqual([{ '@odata.etag': expect.stringMatching(/^W\//), id: created.id }]);
    const other = await graph.api(`/users/${enc(MAILBOX)}/messages`)
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_PROP}' and ep/value eq '${randomUUID()}')`).get();
    expect(other.value).toEqual([]);
    // Hex digits and GUID case do not matter for a property id, as in Exchange.
    const upper = DELIVERY_PROP.replace('0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11', '0B7F7A52-2CF4-4E4C-9D5A-6F0D2B1E8A11');
    const again = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(folderId)}/messages`)
      .filter(`singleValueExtendedProperties/any(p: p/id eq '${upper}' and p/value eq '${deliveryId}')`).get();
    expect(again.value.map((m: MicrosoftGraph.Message) => m.id)).toEqual([created.id]);

    const expanded = await graph.api(`/users/${enc(MAILBOX)}/messages/${enc(created.id!)}`)
      .expand(`singleValueExtendedProperties($filter=id eq '${DELIVERY_PROP}')`).get() as MicrosoftGraph.Message;
    expect(expanded.singleValueExtendedProperties).toEqual([{ id: DELIVERY_PROP, value: deliveryId }]);

    const atts = await graph.api(`/users/${enc(MAILBOX)}/messages/${enc(created.id!)}/attachments`).get() as { value: MicrosoftGraph.FileAttachment[] };
    expect(atts.value).toEqual([expect.objectContaining({
      '@odata.type': '#microsoft.graph.fileAttachment', name: 'aarsopgoerelse.pdf', contentType: 'application/pdf', size: 2009, isInline: false,
    })]);
    const one = await graph.api(`/users/${enc(MAILBOX)}/messages/${enc(created.id!)}/attachments/${enc(atts.value[0].id!)}`).get() as MicrosoftGraph.FileAttachment;
    expect(Buffer.from(one.contentBytes!, 'base64').equals(pdf(2000))).toBe(true);
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages/${enc(created.id!)}/attachments/AAMkAnotanattachmentid=`).get(), 404, 'ErrorItemNotFound');

    expect(env.api.messages(MAILBOX)).toEqual([expect.objectContaining({
      id: created.id, folderPath: 'Inbox/Digital Post/Acme', subject: 'Årsopgørelse 2025', isDraft: false,
      receivedDateTime: '2026-03-02T08:15:00Z', attachments: [expect.objectContaining({ name: 'aarsopgoerelse.pdf', size: 2009 })],
    })]);
    const control = await (await fetch(`${env.baseUrl}sim/mailboxes/${enc(MAILBOX)}/messages`)).json();
    expect(control.value[0].folderPath).toBe('Inbox/Digital Post/Acme');
  });

  test('without PR_MESSAGE_FLAGS, or with the unsent bit, a message is a draft', async () => {
    const m = letter(randomUUID());
    const noFlags = { ...m, singleValueExtendedProperties: m.singleValueExtendedProperties!.filter((p) => p.id !== 'Integer 0x0E07') };
    const a = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(noFlags) as MicrosoftGraph.Message;
    expect(a.isDraft).toBe(true);
    const unsent = { ...m, singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: String(0x8 | 0x1) }] };
    const b = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(unsent) as MicrosoftGraph.Message;
    expect(b).toMatchObject({ isDraft: true, isRead: false });
    const readFlag = { subject: 'x', singleValueExtendedProperties: [{ id: 'Integer 0xe07', value: '1' }] };
    const c = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(readFlag) as MicrosoftGraph.Message;
    expect(c).toMatchObject({ isDraft: false, isRead: true });
    // POST /users/{u}/messages creates in Drafts, as Graph does.
    const d = await graph.api(`/users/${enc(MAILBOX)}/messages`).post({ subject: 'kladde' }) as MicrosoftGraph.Message;
    expect(env.api.messages(MAILBOX).find((x) => x.id === d.id)).toMatchObject({ folderPath: 'Drafts', isDraft: true });
  });

  test.each([
    ['a number as an extended property value', { singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: 0 }] }, 400, 'RequestBodyRead'],
    ['an unknown property', { subjekt: 'x' }, 400, 'RequestBodyRead'],
    ['a malformed property id', { singleValueExtendedProperties: [{ id: 'Integer 0xZZ', value: '0' }] }, 400, 'ErrorInvalidProperty'],
    ['a bad SystemTime', { singleValueExtendedProperties: [{ id: 'SystemTime 0x0E06', value: 'igår' }] }, 400, 'ErrorInvalidExtendedPropertyValue'],
    ['an attachment without @odata.type', { attachments: [{ name: 'a.pdf', contentBytes: 'QUJD' }] }, 400, 'RequestBodyRead'],
    ['invalid base64', { attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.pdf', contentBytes: '**' }] }, 400, 'ErrorInvalidRequest'],
    ['a due date without a start date', { flag: { flagStatus: 'flagged', dueDateTime: { dateTime: '2026-01-01T00:00:00', timeZone: 'UTC' } } }, 400, 'ErrorInvalidArgument'],
  ])('rejects %s', async (_name, body, status, code) => {
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(body), status, code);
    expect(env.api.messages(MAILBOX)).toEqual([]);
  });

  test('$select, $orderby=receivedDateTime desc, $top, and Exchange\'s InefficientFilter rule', async () => {
    const folder = await folderPath('Sorted');
    for (const day of ['05', '01', '09', '03']) {
      await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(folder)}/messages`).post(letter(randomUUID(), `2026-02-${day}T10:00:00Z`));
    }
    await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(letter(randomUUID(), '2026-02-28T10:00:00Z'));
    const res = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(folder)}/messages`)
      .select('subject,receivedDateTime').orderby('receivedDateTime desc').top(3).get();
    expect(res.value.map((m: MicrosoftGraph.Message) => m.receivedDateTime)).toEqual(['2026-02-09T10:00:00Z', '2026-02-05T10:00:00Z', '2026-02-03T10:00:00Z']);
    expect(Object.keys(res.value[0]).sort()).toEqual(['@odata.etag', 'id', 'receivedDateTime', 'subject']);
    expect(res['@odata.nextLink']).toBeDefined();
    const asc = await graph.api(`/users/${enc(MAILBOX)}/messages`).orderby('receivedDateTime').top(1).get();
    expect(asc.value[0].receivedDateTime).toBe('2026-02-01T10:00:00Z');
    const ranged = await graph.api(`/users/${enc(MAILBOX)}/messages`)
      .filter('receivedDateTime ge 2026-02-04T00:00:00Z').orderby('receivedDateTime desc').get();
    expect(ranged.value.map((m: MicrosoftGraph.Message) => m.receivedDateTime!.slice(8, 10))).toEqual(['28', '09', '05']);
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages`).filter("subject eq 'x'").orderby('receivedDateTime desc').get(), 400, 'InefficientFilter');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages`).select('subjekt').get(), 400, 'RequestBroker--ParseUri');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages`).filter("subject eq 'x").get(), 400, 'BadRequest');
  });

  test('move keeps the (immutable) id and changes the folder', async () => {
    const m = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(letter(randomUUID())) as MicrosoftGraph.Message;
    const moved = await graph.api(`/users/${enc(MAILBOX)}/messages/${enc(m.id!)}/move`).post({ destinationId: 'archive' }) as MicrosoftGraph.Message;
    const archive = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/archive`).get() as MicrosoftGraph.MailFolder;
    expect(moved).toMatchObject({ id: m.id, parentFolderId: archive.id });
    expect(archive.totalItemCount).toBe(1);
    expect(env.api.messages(MAILBOX)[0].folderPath).toBe('Archive');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages/${enc(m.id!)}/move`).post({ destinationId: 'AAMkAnosuchfolderAAAA=' }), 404, 'ErrorItemNotFound');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages/${enc(m.id!)}/move`).post({}), 400, 'ErrorInvalidParameter');
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/messages/AAMkAnosuchmessageAAAA=/move`).post({ destinationId: 'inbox' }), 404, 'ErrorItemNotFound');
  });
});

describe('limits', () => {
  test('a request body over 4 MB is 413 RequestEntityTooLarge', async () => {
    const big = { subject: 'x', attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.pdf', contentBytes: pdf(3 * 1024 * 1024).toString('base64') }] };
    const res = await raw(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(big) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('RequestEntityTooLarge');
    expect(env.api.messages(MAILBOX)).toEqual([]);
  });

  test('an inline attachment over 3 MB is refused even where the body limit would allow it', async () => {
    const roomy = await start({ limits: { maxRequestBytes: 8 * 1024 * 1024 } });
    try {
      const body = (n: number) => ({ subject: 'x', attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.pdf', contentBytes: Buffer.alloc(n).toString('base64') }] });
      await expectGraphError(sdk(roomy.baseUrl).api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(body(3 * 1024 * 1024 + 1)), 413, 'RequestEntityTooLarge');
      const ok = await sdk(roomy.baseUrl).api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(body(3 * 1024 * 1024)) as MicrosoftGraph.Message;
      expect(ok.hasAttachments).toBe(true);
    } finally { await roomy.close(); }
  });

  test('more than 4 concurrent requests to one mailbox: 429 ApplicationThrottled with Retry-After', async () => {
    env.api.addMailbox({ userPrincipalName: 'other@nordlys.example', displayName: 'Other' });
    env.api.setFaults({ latencyMs: 400 });
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => raw(`/users/${enc(MAILBOX)}/mailFolders`)),
      raw('/users/other@nordlys.example/mailFolders'),
    ]);
    const mine = results.slice(0, 6);
    expect(mine.filter((r) => r.status === 200)).toHaveLength(4);
    const throttled = mine.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0].headers.get('retry-after')).toBe('1');
    expect((await throttled[0].json()).error.code).toBe('ApplicationThrottled');
    expect(results[6].status).toBe(200); // another mailbox has its own budget
    const stats = env.api.stats();
    expect(stats.throttled429).toBe(2);
    expect(stats.mailboxes[MAILBOX]).toEqual({ requests: 4, throttled429: 2, peakConcurrency: 4 });
  });

  test('the request window: over the budget, 429 with Retry-After until the window moves', async () => {
    const small = await start({ limits: { requestsPerWindow: 3, windowMs: 60_000 } });
    try {
      const c = sdk(small.baseUrl);
      for (let i = 0; i < 3; i++) await c.api(`/users/${enc(MAILBOX)}`).get();
      const e = await expectGraphError(c.api(`/users/${enc(MAILBOX)}/mailFolders`).get(), 429, 'ApplicationThrottled');
      const ra = Number(e.headers?.get('Retry-After'));
      expect(ra).toBeGreaterThan(50);
      expect(ra).toBeLessThanOrEqual(60);
    } finally { await small.close(); }
  });
});

describe('faults', () => {
  test('a 429 reaches the SDK with its Retry-After; with retries on, the SDK waits and succeeds', async () => {
    env.api.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    const e = await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders`).get(), 429, 'TooManyRequests');
    expect(e.headers?.get('Retry-After')).toBe('1');
    await env.close();

    const rolls = [0.1, 0.9]; // first request throttled, the retry not
    env = await start({}, rolls);
    env.api.setFaults({ rate429: 0.5, retryAfterSeconds: 1 });
    const t = Date.now();
    const folders = await sdk(env.baseUrl, { retries: 2 }).api(`/users/${enc(MAILBOX)}/mailFolders`).get();
    expect(folders.value).toHaveLength(5);
    expect(Date.now() - t).toBeGreaterThanOrEqual(950);
    expect(env.api.stats().faulted429).toBe(1);
  });

  test('rate503 answers 503 ServiceUnavailable', async () => {
    env.api.setFaults({ rate503: 1 });
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}`).get(), 503, 'ServiceUnavailable');
    env.api.setFaults({});
    expect((await graph.api(`/users/${enc(MAILBOX)}`).get()).userPrincipalName).toBe(MAILBOX);
  });

  test('timeoutAfterWrite: the message is created but the answer never comes; a lookup finds it', async () => {
    const folder = await folderPath('Digital Post');
    env.api.setFaults({ timeoutAfterWriteRate: 1 });
    const deliveryId = randomUUID();
    await expect(graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(folder)}/messages`)
      .option('signal', AbortSignal.timeout(500)).post(letter(deliveryId))).rejects.toThrow();
    expect(env.api.messages(MAILBOX)).toHaveLength(1);
    expect(env.api.stats().unansweredWrites).toBe(1);
    const found = await graph.api(`/users/${enc(MAILBOX)}/messages`)
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${DELIVERY_PROP}' and ep/value eq '${deliveryId}')`).select('id').get();
    expect(found.value.map((m: MicrosoftGraph.Message) => m.id)).toEqual([env.api.messages(MAILBOX)[0].id]);
  });

  test('timeoutAfterWriteDelayMs: the answer comes, late', async () => {
    env.api.setFaults({ timeoutAfterWriteRate: 1, timeoutAfterWriteDelayMs: 600 });
    const t = Date.now();
    const m = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post(letter(randomUUID())) as MicrosoftGraph.Message;
    expect(Date.now() - t).toBeGreaterThanOrEqual(590);
    expect(m.id).toBe(env.api.messages(MAILBOX)[0].id);
  });

  test('faults through the control route; bad ones are refused', async () => {
    const set = await fetch(`${env.baseUrl}sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rate503: 1 }) });
    expect(set.status).toBe(200);
    expect((await raw(`/users/${enc(MAILBOX)}`)).status).toBe(503);
    const bad = await fetch(`${env.baseUrl}sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rate429: 3 }) });
    expect(bad.status).toBe(400);
    expect(() => env.api.setFaults({ latencyMs: -1 })).toThrow();
  });
});

describe('$batch', () => {
  test('runs up to 20 requests, dependsOn in order, and a throttled one is a 429 inside the 200', async () => {
    const small = await start({ limits: { requestsPerWindow: 2, windowMs: 60_000 } });
    try {
      const res = await sdk(small.baseUrl).api('/$batch').post({
        requests: [
          { id: '1', method: 'POST', url: `/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`, headers: { 'Content-Type': 'application/json' }, body: { displayName: 'Batch' } },
          { id: '2', method: 'GET', url: `/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders?$filter=${enc("displayName eq 'Batch'")}`, dependsOn: ['1'] },
          { id: '3', method: 'GET', url: `/users/${enc(MAILBOX)}`, dependsOn: ['2'] },
          { id: '4', method: 'GET', url: `/users/${enc(MAILBOX)}`, dependsOn: ['3'] },
        ],
      }) as { responses: { id: string; status: number; headers: Record<string, string>; body: any }[] };
      const byId = Object.fromEntries(res.responses.map((r) => [r.id, r]));
      expect(byId['1'].status).toBe(201);
      expect(byId['2'].body.value.map((f: MicrosoftGraph.MailFolder) => f.displayName)).toEqual(['Batch']);
      expect(byId['3'].status).toBe(429);
      expect(byId['3'].headers['Retry-After']).toBeDefined();
      expect(byId['4'].status).toBe(424);
    } finally { await small.close(); }
  });

  test('more than 20 requests is a 400', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${enc(MAILBOX)}` }));
    await expectGraphError(graph.api('/$batch').post({ requests }), 400, 'BadRequest');
  });
});

describe('control routes and instances', () => {
  test('mailboxes, stats and reset', async () => {
    const add = await fetch(`${env.baseUrl}sim/mailboxes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userPrincipalName: 'team@nordlys.example', displayName: 'Team', kind: 'user' }) });
    expect(add.status).toBe(201);
    const list = await (await fetch(`${env.baseUrl}sim/mailboxes`)).json();
    expect(list.value.map((m: { userPrincipalName: string }) => m.userPrincipalName)).toEqual([MAILBOX, 'team@nordlys.example']);
    expect(list.value[0].folders).toEqual(['Archive', 'Deleted Items', 'Drafts', 'Inbox', 'Sent Items']);
    expect((await fetch(`${env.baseUrl}sim/mailboxes/nobody/messages`)).status).toBe(404);
    await graph.api(`/users/${enc(MAILBOX)}`).get();
    const stats = await (await fetch(`${env.baseUrl}sim/stats`)).json();
    expect(stats.requests).toBe(1);
    env.api.reset();
    expect(env.api.mailboxes()).toEqual([]);
    expect(env.api.stats().requests).toBe(0);
  });

  test('two simulators do not share mailboxes', () => {
    const a = createGraphSimulator();
    const b = createGraphSimulator();
    a.api.addMailbox({ id: 'post@a.example', displayName: 'A' });
    expect(a.api.mailboxes().map((m) => m.userPrincipalName)).toEqual(['post@a.example']);
    expect(b.api.mailboxes()).toEqual([]);
    expect(() => a.api.addMailbox({ userPrincipalName: 'POST@a.example', displayName: 'again' })).toThrow(/exists/);
  });
});

describe('recording and conformance to Graph\'s types', () => {
  test('what the SDK sends for folders, letters, moves and batches is recorded and uses only Graph\'s properties', async () => {
    const folderId = await folderPath('Digital Post/Acme');
    const m = await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(folderId)}/messages`).post(letter(randomUUID())) as MicrosoftGraph.Message;
    await graph.api(`/users/${enc(MAILBOX)}/messages/${enc(m.id!)}/move`).post({ destinationId: 'archive' });
    await graph.api('/$batch').post({ requests: [
      { id: 'a', method: 'POST', url: `/users/${enc(MAILBOX)}/mailFolders/inbox/childFolders`, headers: { 'Content-Type': 'application/json' }, body: { displayName: 'Batch' } },
    ] });
    const recs = env.api.requests();
    expect(recs.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([201, 201, 201, 201, 200, 201]);
    expect(recs.find((r) => r.path.endsWith('/move'))?.body).toEqual({ destinationId: 'archive' });
    expect(checkRecordedRequests(recs)).toEqual([]);
  });

  test('the production renderer and delivery calls send conforming bodies', async () => {
    const deliveryId = randomUUID();
    const at = new Date('2026-03-02T08:15:00Z');
    const message = renderMail({
      label: 'Årsopgørelse 2025', senderId: '29188505', senderName: 'Skattestyrelsen', cvr: '12345674', cvrName: 'Nordlys ApS',
      recipientId: '12345674', notification: null, memoCreatedAt: at, receivedAt: at, replyAllowed: false, replyBy: new Date('2026-03-20T00:00:00Z'), provider: 'ngdp',
    }, [{ filename: 'aarsopgoerelse.pdf', mimeType: 'application/pdf', content: pdf(1000) }], deliveryId);
    const folderId = await ensureFolder(graph, new FolderCache(), { mailbox: MAILBOX, folderPath: 'Digital Post/Nordlys ApS' });
    const id = await createMessage(graph, MAILBOX, folderId, message);
    expect(await findDelivered(graph, MAILBOX, deliveryId)).toBe(id);
    expect(checkRecordedRequests(env.api.requests())).toEqual([]);
  });

  test('deliveries that need the same new folder at once share one lookup: one find and one create per level', async () => {
    const cache = new FolderCache();
    const target = { mailbox: MAILBOX, folderPath: 'Digital Post/Skattestyrelsen' };
    const ids = await Promise.all(Array.from({ length: 6 }, () => ensureFolder(graph, cache, target)));
    expect(new Set(ids).size).toBe(1);
    const folderCalls = env.api.requests().filter((r) => r.path.includes('/childFolders'));
    expect(folderCalls.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
    // Known now: no request at all.
    expect(await ensureFolder(graph, cache, target)).toBe(ids[0]);
    expect(env.api.requests().filter((r) => r.path.includes('/childFolders'))).toHaveLength(4);
  });

  test('a failed folder lookup is not remembered: the next delivery looks again', async () => {
    const cache = new FolderCache();
    const target = { mailbox: MAILBOX, folderPath: 'Ny mappe' };
    env.api.setFaults({ rate503: 1 });
    await expect(ensureFolder(graph, cache, target)).rejects.toMatchObject({ statusCode: 503 });
    env.api.setFaults({});
    const id = await ensureFolder(graph, cache, target);
    expect(cache.size()).toBe(1);
    expect(env.api.messages(MAILBOX)).toEqual([]);
    expect(env.api.mailboxes()[0].folders).toContain('Inbox/Ny mappe');
    expect(await ensureFolder(graph, cache, target)).toBe(id);
  });

  test('a folder someone moved to Deleted Items is trusted only until its entry is old; then the path is made anew under Inbox', async () => {
    let now = 1_000_000;
    const cache = new FolderCache(10 * 60_000, () => now);
    const target = { mailbox: MAILBOX, folderPath: 'Digital Post/Skattestyrelsen' };
    const first = await ensureFolder(graph, cache, target);
    const top = (await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(first)}`).get() as MicrosoftGraph.MailFolder).parentFolderId!;
    await graph.api(`/users/${enc(MAILBOX)}/mailFolders/${enc(top)}`).delete();
    expect(env.api.mailboxes()[0].folders).toContain('Deleted Items/Digital Post/Skattestyrelsen');
    now += 9 * 60_000; // still fresh: no request, the old id
    const before = env.api.requests().length;
    expect(await ensureFolder(graph, cache, target)).toBe(first);
    expect(env.api.requests()).toHaveLength(before);
    now += 2 * 60_000; // old now: looked up by name under Inbox, not found, made again
    const again = await ensureFolder(graph, cache, target);
    expect(again).not.toBe(first);
    const m = await createMessage(graph, MAILBOX, again, letter(randomUUID()));
    expect(env.api.messages(MAILBOX).find((x) => x.id === m)?.folderPath).toBe('Inbox/Digital Post/Skattestyrelsen');
  });

  test('a body with a property Graph does not have is reported', async () => {
    await expectGraphError(graph.api(`/users/${enc(MAILBOX)}/mailFolders/inbox/messages`).post({ subject: 'x', subjekt: 'y' }), 400, 'RequestBodyRead');
    expect(checkRecordedRequests(env.api.requests())).toEqual([
      `POST /v1.0/users/${enc(MAILBOX)}/mailFolders/inbox/messages: 'subjekt' is not a property of Message`,
    ]);
  });
});
