// The Graph simulator's attachment uploads, deletes, sendMail and request recording, at the HTTP
// level (fetch against an express app with the simulator mounted, as sim-graph.test.ts does).
import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { createGraphSimulator, type GraphSimulatorApi, type GraphSimulatorOptions } from '../../backend/src/simulators/graph';
import { RequestRecorder, type RecordedRequest } from '../../backend/src/simulators/graph/recorder';
import { listen, sleep, type RunningServer } from '../../backend/src/simulators/http';
import { checkRecordedRequests } from '../helpers/graph-types';

const TOKEN = 'test-token-' + randomUUID();
const MAILBOX = 'DigitalPost@Nordlys.example';
const COLLEAGUE = 'bogholderi@nordlys.example';
const MB = 1024 * 1024;
const enc = encodeURIComponent;

interface Running { server: RunningServer; api: GraphSimulatorApi; root: string; close(): Promise<void> }

async function start(opts: GraphSimulatorOptions = {}): Promise<Running> {
  const sim = createGraphSimulator({ acceptedTokens: [TOKEN], random: () => 0.99, ...opts });
  sim.api.addMailbox({ userPrincipalName: MAILBOX, displayName: 'Digital Post – Nordlys', kind: 'shared' });
  sim.api.addMailbox({ userPrincipalName: COLLEAGUE, displayName: 'Bogholderi', kind: 'user' });
  const app = express();
  app.use('/sim/graph', sim.router);
  const server = await listen(app);
  return { server, api: sim.api, root: `${server.url}/sim/graph`, close: () => server.close() };
}

let env: Running;
beforeEach(async () => { env = await start(); });
afterEach(() => env.close());

/** A Graph call with the bearer token; JSON bodies are serialised. */
function graph(method: string, path: string, body?: unknown, e: Running = env): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${e.root}/v1.0${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function json<T = any>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = await json<{ error: { code: string; message: string; innerError: Record<string, string> } }>(res, status);
  expect(body.error.code).toBe(code);
  expect(body.error.innerError).toEqual({ date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': expect.any(String) });
  return body.error.message;
}

const user = (u = MAILBOX) => `/users/${enc(u)}`;

async function draft(e: Running = env): Promise<MicrosoftGraph.Message> {
  return json(await graph('POST', `${user()}/messages`, { subject: 'Kladde', body: { contentType: 'text', content: 'x' } }, e), 201);
}

/** A received (non-draft) message, as Brevdue delivers them. */
async function received(e: Running = env, attachments: unknown[] = []): Promise<MicrosoftGraph.Message> {
  return json(await graph('POST', `${user()}/mailFolders/inbox/messages`, {
    subject: 'Årsopgørelse', singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '0' }], attachments,
  }, e), 201);
}

async function session(messageId: string, size: number, e: Running = env, item: Record<string, unknown> = {}) {
  return graph('POST', `${user()}/messages/${enc(messageId)}/attachments/createUploadSession`,
    { AttachmentItem: { attachmentType: 'file', name: 'stor.pdf', size, contentType: 'application/pdf', ...item } }, e);
}

function put(url: string, bytes: Buffer, start: number, total: number, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'PUT', body: Uint8Array.from(bytes),
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${start}-${start + bytes.length - 1}/${total}`, ...headers },
  });
}

const fileAttachment = (name: string, bytes: Buffer) => ({ '@odata.type': '#microsoft.graph.fileAttachment', name, contentType: 'application/pdf', contentBytes: bytes.toString('base64') });

describe('attachment upload sessions', () => {
  test('a 7 MB attachment uploaded in two chunks arrives intact, on a received message', async () => {
    const m = await received();
    const file = randomBytes(7 * MB);
    const s = await json<MicrosoftGraph.UploadSession & { '@odata.context': string }>(await session(m.id!, file.length), 201);
    expect(s['@odata.context']).toBe(`${env.root}/v1.0/$metadata#microsoft.graph.uploadSession`);
    expect(s.nextExpectedRanges).toEqual(['0-']);
    expect(s.uploadUrl).toMatch(new RegExp(`^${env.root.replace(/[.]/g, '\\.')}/upload/api/v2\\.0/Users\\('[^']+'\\)/Messages\\('[^']+'\\)/AttachmentSessions\\('[^']+'\\)\\?authtoken=[\\w-]+$`));
    expect(s.uploadUrl).not.toContain('/v1.0/');
    const expires = Date.parse(s.expirationDateTime!);
    expect(expires - Date.now()).toBeGreaterThan(23 * 3600_000);

    const first = await put(s.uploadUrl!, file.subarray(0, 4 * MB), 0, file.length);
    const progress = await json(first, 200);
    expect(progress).toEqual({ '@odata.context': expect.stringMatching(/AttachmentSessions\/\$entity$/), ExpirationDateTime: s.expirationDateTime, nextExpectedRanges: [String(4 * MB)] });

    const last = await put(s.uploadUrl!, file.subarray(4 * MB), 4 * MB, file.length);
    expect(last.status).toBe(201);
    expect(await last.text()).toBe('');
    const location = last.headers.get('location')!;
    const attachmentId = /\/Attachments\('([^']+)'\)$/.exec(location)?.[1];
    expect(attachmentId).toBeDefined();
    expect(location).toContain(`/Messages('${m.id}')/`);

    const one = await json<MicrosoftGraph.FileAttachment>(await graph('GET', `${user()}/messages/${enc(m.id!)}/attachments/${enc(attachmentId!)}`), 200);
    expect(one).toMatchObject({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'stor.pdf', contentType: 'application/pdf', size: file.length, isInline: false });
    expect(Buffer.from(one.contentBytes!, 'base64').equals(file)).toBe(true);
    const list = await json<{ value: MicrosoftGraph.FileAttachment[] }>(await graph('GET', `${user()}/messages/${enc(m.id!)}/attachments?$select=id,name,size`), 200);
    expect(list.value).toEqual([expect.objectContaining({ id: attachmentId, name: 'stor.pdf', size: file.length })]);
    expect((await json<MicrosoftGraph.Message>(await graph('GET', `${user()}/messages/${enc(m.id!)}`), 200)).hasAttachments).toBe(true);

    // The session is gone once complete.
    expect((await put(s.uploadUrl!, file.subarray(0, 10), 0, file.length)).status).toBe(404);
  });

  test('chunks must come in order, match Content-Range and stay under 4 MB', async () => {
    const m = await draft();
    const file = randomBytes(6 * MB);
    const { uploadUrl } = await json<MicrosoftGraph.UploadSession>(await session(m.id!, file.length), 201);
    const url = uploadUrl!;

    let msg = await expectError(await put(url, file.subarray(100, 200), 100, file.length), 416, 'ErrorInvalidRange');
    expect(msg).toMatch(/expects byte 0/);
    await json(await put(url, file.subarray(0, MB), 0, file.length), 200);
    // The same chunk again (a retry after a lost answer) is out of order too; Graph says where to go on.
    msg = await expectError(await put(url, file.subarray(0, MB), 0, file.length), 416, 'ErrorInvalidRange');
    expect(msg).toContain(`["${MB}"]`);
    const state = await json(await fetch(url), 200);
    expect(state.nextExpectedRanges).toEqual([String(MB)]);

    await expectError(await put(url, file.subarray(MB, 2 * MB), MB, file.length + 1), 400, 'ErrorInvalidRequest');
    await expectError(await fetch(url, { method: 'PUT', body: Uint8Array.from(file.subarray(MB, 2 * MB)) }), 400, 'ErrorInvalidRequest');
    await expectError(await put(url, file.subarray(MB, 2 * MB), MB, file.length, { 'Content-Range': `bytes ${MB}-${2 * MB}/${file.length}` }), 400, 'ErrorInvalidRequest');
    await expectError(await put(url, file.subarray(MB, MB + 4 * MB + 1), MB, file.length), 413, 'RequestEntityTooLarge');
    // None of that moved the session.
    await json(await put(url, file.subarray(MB, 5 * MB), MB, file.length), 200);
    expect((await put(url, file.subarray(5 * MB), 5 * MB, file.length)).status).toBe(201);
    const atts = await json<{ value: MicrosoftGraph.FileAttachment[] }>(await graph('GET', `${user()}/messages/${enc(m.id!)}/attachments`), 200);
    expect(Buffer.from(atts.value[0].contentBytes!, 'base64').equals(file)).toBe(true);
  });

  test('the upload URL refuses an Authorization header and a wrong authtoken, and DELETE cancels', async () => {
    const m = await draft();
    const file = randomBytes(3 * MB);
    const { uploadUrl } = await json<MicrosoftGraph.UploadSession>(await session(m.id!, file.length), 201);
    const url = uploadUrl!;
    const msg = await expectError(await put(url, file, 0, file.length, { Authorization: `Bearer ${TOKEN}` }), 401, 'InvalidAuthenticationToken');
    expect(msg).toMatch(/do not send an Authorization header/);
    await expectError(await fetch(url, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } }), 401, 'InvalidAuthenticationToken');
    await expectError(await put(url.replace(/authtoken=.*/, 'authtoken=guess'), file, 0, file.length), 401, 'InvalidAuthenticationToken');
    await expectError(await put(url.replace(/\?.*/, ''), file, 0, file.length), 401, 'InvalidAuthenticationToken');

    const cancelled = await fetch(url, { method: 'DELETE' });
    expect(cancelled.status).toBe(204);
    await expectError(await put(url, file, 0, file.length), 404, 'ErrorItemNotFound');
    expect((await json(await graph('GET', `${user()}/messages/${enc(m.id!)}/attachments`), 200)).value).toEqual([]);
  });

  test('createUploadSession validates like Graph: sizes 3–150 MB, file attachments only, known properties, expiry', async () => {
    const m = await draft();
    await expectError(await session(m.id!, 3 * MB - 1), 400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
    await expectError(await session(m.id!, 150 * MB + 1), 400, 'ErrorMessageSizeExceeded');
    await expectError(await session(m.id!, 4 * MB, env, { attachmentType: 'item' }), 405, 'ErrorAttachmentSessionIsSupportedOnlyForFileAttachments');
    await expectError(await session(m.id!, 4 * MB, env, { sizeInBytes: 1 }), 400, 'RequestBodyRead');
    await expectError(await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments/createUploadSession`, { attachmentItem: { attachmentType: 'file', name: 'x' } }), 400, 'ErrorInvalidParameter');
    await expectError(await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments/createUploadSession`, { Item: {} }), 400, 'RequestBodyRead');
    await expectError(await session('AAMkAnosuchmessageAAAA=', 4 * MB), 404, 'ErrorItemNotFound');
    // Inline attachments (isInline/contentId) and the namespace-qualified action name are accepted.
    const inline = await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments/microsoft.graph.createUploadSession`,
      { AttachmentItem: { attachmentType: 'file', name: 'billede.png', size: 4 * MB, contentType: 'image/png', isInline: true, contentId: 'billede' } });
    expect(inline.status).toBe(201);

    const short = await start({ limits: { uploadSessionLifetimeMs: 150 } });
    try {
      const d = await draft(short);
      const { uploadUrl, expirationDateTime } = await json<MicrosoftGraph.UploadSession>(await session(d.id!, 3 * MB, short), 201);
      expect(Date.parse(expirationDateTime!) - Date.now()).toBeLessThanOrEqual(150);
      await sleep(200);
      const msg = await expectError(await put(uploadUrl!, randomBytes(MB), 0, 3 * MB), 401, 'InvalidAuthenticationToken');
      expect(msg).toMatch(/expired/);
    } finally { await short.close(); }
  });

  test('refuseAttachmentSessionsOnNonDraft: sessions and attachment POSTs only on drafts', async () => {
    const strict = await start({ refuseAttachmentSessionsOnNonDraft: true });
    try {
      const r = await received(strict);
      const msg = await expectError(await session(r.id!, 4 * MB, strict), 400, 'ErrorInvalidOperation');
      expect(msg).toBe('Attachments can be added through an upload session only to draft items.');
      await expectError(await graph('POST', `${user()}/messages/${enc(r.id!)}/attachments`, fileAttachment('a.pdf', randomBytes(100)), strict), 400, 'ErrorInvalidOperation');
      const d = await draft(strict);
      expect((await session(d.id!, 4 * MB, strict)).status).toBe(201);
      expect((await graph('POST', `${user()}/messages/${enc(d.id!)}/attachments`, fileAttachment('a.pdf', randomBytes(100)), strict)).status).toBe(201);

      expect(strict.api.setBehaviour({ refuseAttachmentSessionsOnNonDraft: false })).toEqual({ refuseAttachmentSessionsOnNonDraft: false });
      expect((await session(r.id!, 4 * MB, strict)).status).toBe(201);
      strict.api.reset(); // back to the constructor's behaviour
      expect(strict.api.behaviour()).toEqual({ refuseAttachmentSessionsOnNonDraft: true });
    } finally { await strict.close(); }

    // Default off; switchable through the control route.
    const r = await received();
    expect((await session(r.id!, 4 * MB)).status).toBe(201);
    const set = await fetch(`${env.root}/sim/behaviour`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refuseAttachmentSessionsOnNonDraft: true }) });
    expect(await json(set, 200)).toEqual({ refuseAttachmentSessionsOnNonDraft: true });
    await expectError(await session(r.id!, 4 * MB), 400, 'ErrorInvalidOperation');
    const bad = await fetch(`${env.root}/sim/behaviour`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refuseEverything: true }) });
    expect(bad.status).toBe(400);
  });
});

describe('POST attachments (small files)', () => {
  test('adds a fileAttachment with contentBytes; Graph\'s errors for bad ones', async () => {
    const m = await draft();
    const bytes = randomBytes(50_000);
    const a = await json<MicrosoftGraph.FileAttachment & { '@odata.context': string }>(
      await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments`, fileAttachment('lille.pdf', bytes)), 201);
    expect(a).toMatchObject({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'lille.pdf', size: bytes.length, contentBytes: bytes.toString('base64') });
    expect(a['@odata.context']).toMatch(/\/attachments\/\$entity$/);
    const got = await json<MicrosoftGraph.Message>(await graph('GET', `${user()}/messages/${enc(m.id!)}?$expand=attachments`), 200);
    expect(got.hasAttachments).toBe(true);
    expect(got.attachments!.map((x) => x.name)).toEqual(['lille.pdf']);

    await expectError(await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments`, { name: 'x.pdf', contentBytes: 'QUJD' }), 422, 'UnprocessableType');
    await expectError(await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments`, { ...fileAttachment('x.pdf', bytes), bogus: 1 }), 400, 'RequestBodyRead');
    await expectError(await graph('POST', `${user()}/messages/AAMkAnosuchmessageAAAA=/attachments`, fileAttachment('x.pdf', bytes)), 404, 'ErrorItemNotFound');
  });
});

describe('upload budget', () => {
  test('over the bytes per window: 429 ApplicationThrottled with Retry-After; other mailboxes unaffected; it frees up', async () => {
    // A window long enough that a slow machine finishes the refused steps inside it (1.5 s was not, once).
    const small = await start({ limits: { uploadBytesPerWindow: 5 * MB, uploadWindowMs: 6000 } });
    try {
      // 2 MB inline at creation + 2 MB attachment POST = 4 MB counted.
      const m = await received(small, [fileAttachment('a.pdf', randomBytes(2 * MB))]);
      await json(await graph('POST', `${user()}/messages/${enc(m.id!)}/attachments`, fileAttachment('b.pdf', randomBytes(2 * MB)), small), 201);
      const file = randomBytes(3 * MB);
      const { uploadUrl } = await json<MicrosoftGraph.UploadSession>(await session(m.id!, file.length, small), 201);
      const refused = await put(uploadUrl!, file, 0, file.length);
      const msg = await expectError(refused.clone(), 429, 'ApplicationThrottled');
      expect(msg).toMatch(/MailboxUploadLimit.*5 MB of uploads per 6 seconds/);
      const ra = Number(refused.headers.get('retry-after'));
      expect(ra).toBeGreaterThanOrEqual(1);
      expect(ra).toBeLessThanOrEqual(6);
      // Inline bytes count too, and a refused create stores nothing.
      await expectError(await graph('POST', `${user()}/mailFolders/inbox/messages`, { subject: 'x', attachments: [fileAttachment('c.pdf', randomBytes(MB + 1))] }, small), 429, 'ApplicationThrottled');
      expect(small.api.messages(MAILBOX)).toHaveLength(1);
      // Another mailbox has its own budget.
      const other = await graph('POST', `${user(COLLEAGUE)}/mailFolders/inbox/messages`, { subject: 'y', attachments: [fileAttachment('d.pdf', randomBytes(2 * MB))] }, small);
      expect(other.status).toBe(201);
      expect(small.api.stats().mailboxes[MAILBOX].throttled429).toBe(2);

      await sleep(ra * 1000);
      expect((await put(uploadUrl!, file, 0, file.length)).status).toBe(201);
    } finally { await small.close(); }
  });

  test('upload PUTs count against the mailbox\'s request window too', async () => {
    const small = await start({ limits: { requestsPerWindow: 3, windowMs: 60_000 } });
    try {
      const m = await draft(small); // 1
      const file = randomBytes(4 * MB);
      const { uploadUrl } = await json<MicrosoftGraph.UploadSession>(await session(m.id!, file.length, small), 201); // 2
      await json(await put(uploadUrl!, file.subarray(0, 2 * MB), 0, file.length), 200); // 3
      const msg = await expectError(await put(uploadUrl!, file.subarray(2 * MB), 2 * MB, file.length), 429, 'ApplicationThrottled');
      expect(msg).toMatch(/MailboxRequestRate/);
      expect(small.api.stats().mailboxes[MAILBOX]).toMatchObject({ requests: 3, throttled429: 1 });
    } finally { await small.close(); }
  });
});

describe('DELETE messages', () => {
  test('moves the message to Deleted Items (same id); deleting it there removes it', async () => {
    const m = await received();
    const res = await graph('DELETE', `${user()}/messages/${enc(m.id!)}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const deleted = await json<MicrosoftGraph.MailFolder>(await graph('GET', `${user()}/mailFolders/deleteditems`), 200);
    const moved = await json<MicrosoftGraph.Message>(await graph('GET', `${user()}/messages/${enc(m.id!)}`), 200);
    expect(moved.parentFolderId).toBe(deleted.id);
    expect(env.api.messages(MAILBOX)).toEqual([expect.objectContaining({ id: m.id, folderPath: 'Deleted Items' })]);

    expect((await graph('DELETE', `${user()}/mailFolders/deleteditems/messages/${enc(m.id!)}`)).status).toBe(204);
    await expectError(await graph('GET', `${user()}/messages/${enc(m.id!)}`), 404, 'ErrorItemNotFound');
    await expectError(await graph('DELETE', `${user()}/messages/${enc(m.id!)}`), 404, 'ErrorItemNotFound');
    await expectError(await graph('DELETE', `${user()}/messages/x!`), 400, 'ErrorInvalidIdMalformed');
  });
});

describe('sendMail', () => {
  const mail = (to: string[], extra: Record<string, unknown> = {}) => ({
    message: {
      subject: 'Kvartalsmoms', body: { contentType: 'html', content: '<p>Se vedhæftet.</p>' },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
      bccRecipients: [{ emailAddress: { address: 'arkiv@revisor.example' } }],
      attachments: [fileAttachment('moms.pdf', Buffer.from('%PDF-1.7 moms'))],
      ...extra,
    },
    saveToSentItems: true,
  });

  test('202; a received copy in a simulator mailbox\'s Inbox, one in Sent Items, the rest in the outbox', async () => {
    const res = await graph('POST', `${user()}/sendMail`, mail([COLLEAGUE, 'ekstern@revisor.example']));
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');

    const inbox = env.api.messages(COLLEAGUE);
    expect(inbox).toEqual([expect.objectContaining({
      folderPath: 'Inbox', subject: 'Kvartalsmoms', isDraft: false, isRead: false, from: `Digital Post – Nordlys <${MAILBOX}>`,
      attachments: [expect.objectContaining({ name: 'moms.pdf', size: 13 })],
    })]);
    const copy = await json<MicrosoftGraph.Message>(await graph('GET', `${user(COLLEAGUE)}/messages/${enc(inbox[0].id)}`), 200);
    expect(copy.bccRecipients).toEqual([]);
    expect(copy.toRecipients!.map((r) => r.emailAddress!.address)).toEqual([COLLEAGUE, 'ekstern@revisor.example']);

    expect(env.api.messages(MAILBOX)).toEqual([expect.objectContaining({ folderPath: 'Sent Items', subject: 'Kvartalsmoms', isDraft: false, isRead: true })]);
    const sent = await json<MicrosoftGraph.Message>(await graph('GET', `${user()}/messages/${enc(env.api.messages(MAILBOX)[0].id)}`), 200);
    expect(sent.internetMessageId).toBe(copy.internetMessageId);

    const outbox = env.api.outbox();
    expect(outbox).toEqual([expect.objectContaining({
      from: MAILBOX, subject: 'Kvartalsmoms', externalRecipients: ['ekstern@revisor.example', 'arkiv@revisor.example'],
      toRecipients: [COLLEAGUE, 'ekstern@revisor.example'], bccRecipients: ['arkiv@revisor.example'],
      attachments: [{ name: 'moms.pdf', contentType: 'application/pdf', size: 13 }],
    })]);
    expect((await json(await fetch(`${env.root}/sim/outbox`), 200)).value).toEqual(outbox);
  });

  test('saveToSentItems false keeps no copy; only simulator recipients: nothing in the outbox', async () => {
    const body = { ...mail([COLLEAGUE]), saveToSentItems: false };
    (body.message as { bccRecipients: unknown[] }).bccRecipients = [];
    expect((await graph('POST', `${user()}/sendMail`, body)).status).toBe(202);
    expect(env.api.messages(MAILBOX)).toEqual([]);
    expect(env.api.messages(COLLEAGUE)).toHaveLength(1);
    expect(env.api.outbox()).toEqual([]);
  });

  test('Graph\'s errors: no recipients, an unresolvable one, unknown parameters, an empty payload', async () => {
    const none = { message: { subject: 'x', toRecipients: [] } };
    expect(await expectError(await graph('POST', `${user()}/sendMail`, none), 400, 'ErrorInvalidRecipients')).toMatch(/contains no recipients/);
    await expectError(await graph('POST', `${user()}/sendMail`, { message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'ikke en adresse' } }] } }), 400, 'ErrorInvalidRecipients');
    await expectError(await graph('POST', `${user()}/sendMail`, { ...mail([COLLEAGUE]), saveToSent: true }), 400, 'RequestBodyRead');
    await expectError(await graph('POST', `${user()}/sendMail`, { message: { subjekt: 'x', toRecipients: [{ emailAddress: { address: COLLEAGUE } }] } }), 400, 'RequestBodyRead');
    await expectError(await graph('POST', `${user()}/sendMail`, { ...mail([COLLEAGUE]), saveToSentItems: 'yes' }), 400, 'RequestBodyRead');
    await expectError(await graph('POST', `${user()}/sendMail`), 400, 'BadRequest');
    expect(env.api.messages(COLLEAGUE)).toEqual([]);
    expect(env.api.outbox()).toEqual([]);
  });
});

describe('request recording', () => {
  test('records method, path, query, status and JSON bodies (and byte counts for uploads); bodies conform to Graph\'s types', async () => {
    const m = await draft();
    const file = randomBytes(3 * MB + 10);
    const { uploadUrl } = await json<MicrosoftGraph.UploadSession>(await session(m.id!, file.length), 201);
    await json(await put(uploadUrl!, file.subarray(0, 3 * MB), 0, file.length), 200);
    expect((await put(uploadUrl!, file.subarray(3 * MB), 3 * MB, file.length)).status).toBe(201);
    await json(await graph('GET', `${user()}/messages?$select=id&$top=5`), 200);
    await graph('POST', `${user()}/sendMail`, { message: { subject: 'x', toRecipients: [{ emailAddress: { address: COLLEAGUE } }] } });
    await json(await graph('POST', '/$batch', { requests: [
      { id: '1', method: 'POST', url: `${user()}/mailFolders/inbox/childFolders`, headers: { 'Content-Type': 'application/json' }, body: { displayName: 'Batch' } },
    ] }), 200);
    await fetch(`${env.root}/sim/stats`); // control routes are not recorded

    const recs = env.api.requests();
    expect(recs.map((r) => `${r.method} ${r.path.replace(/\('[^']*'\)/g, "('…')")} ${r.status}`)).toEqual([
      `POST /v1.0${user()}/messages 201`,
      `POST /v1.0${user()}/messages/${enc(m.id!)}/attachments/createUploadSession 201`,
      "PUT /upload/api/v2.0/Users('…')/Messages('…')/AttachmentSessions('…') 200",
      "PUT /upload/api/v2.0/Users('…')/Messages('…')/AttachmentSessions('…') 201",
      `GET /v1.0${user()}/messages 200`,
      `POST /v1.0${user()}/sendMail 202`,
      'POST /v1.0/$batch 200',
      `POST /v1.0${user()}/mailFolders/inbox/childFolders 201`,
    ]);
    expect(recs[0]).toMatchObject({ body: { subject: 'Kladde', body: { contentType: 'text', content: 'x' } }, contentType: 'application/json', requestId: expect.any(String) });
    expect(recs[1].body).toEqual({ AttachmentItem: { attachmentType: 'file', name: 'stor.pdf', size: file.length, contentType: 'application/pdf' } });
    expect(recs[2]).toMatchObject({ body: null, bodyBytes: 3 * MB, query: expect.stringMatching(/^authtoken=/) });
    expect(recs[3]).toMatchObject({ body: null, bodyBytes: 10 });
    expect(recs[4]).toMatchObject({ query: '$select=id&$top=5', body: null, bodyBytes: 0 });
    expect(recs[6].batch).toEqual([{ id: '1', method: 'POST', url: `${user()}/mailFolders/inbox/childFolders`, body: { displayName: 'Batch' } }]);
    expect(recs[7].batchId).toBe(recs[6].requestId);
    expect(checkRecordedRequests(recs)).toEqual([]);

    const viaControl = await json(await fetch(`${env.root}/sim/requests`), 200);
    expect(viaControl.value).toHaveLength(recs.length);
    env.api.clearRequests();
    expect(env.api.requests()).toEqual([]);
  });

  test('the ring keeps the newest requests; a nonconforming body is reported', async () => {
    const tiny = await start({ maxRecordedRequests: 3 });
    try {
      for (let i = 0; i < 4; i++) await graph('GET', `${user()}?i=${i}`, undefined, tiny);
      await graph('POST', `${user()}/mailFolders/inbox/childFolders`, { displayName: 'A', colour: 'red' }, tiny);
      const recs = tiny.api.requests();
      expect(recs.map((r) => r.query)).toEqual(['i=2', 'i=3', '']);
      expect(recs[2]).toMatchObject({ status: 400, body: { displayName: 'A', colour: 'red' } });
      expect(checkRecordedRequests(recs)).toEqual([`POST /v1.0${user()}/mailFolders/inbox/childFolders: 'colour' is not a property of MailFolder`]);
    } finally { await tiny.close(); }
  });
});

describe('the recording\'s bounds', () => {
  const rec = (n: number, bodyBytes: number): RecordedRequest => ({
    at: '', method: 'POST', path: `/v1.0/x/${n}`, query: '', status: 201, body: { n }, bodyBytes, contentType: 'application/json', requestId: null,
  });

  test('past the byte cap the oldest bodies are dropped; past the capacity the oldest requests', () => {
    const r = new RequestRecorder(3, 250);
    for (let i = 0; i < 3; i++) { const x = rec(i, 100); r.add(x); r.bodyNoted(x); }
    expect(r.all().map((x) => [x.body, x.bodyDropped ?? false])).toEqual([[null, true], [{ n: 1 }, false], [{ n: 2 }, false]]);
    const x = rec(3, 10); r.add(x); r.bodyNoted(x);
    expect(r.all().map((y) => y.path)).toEqual(['/v1.0/x/1', '/v1.0/x/2', '/v1.0/x/3']);
    expect(r.all().map((y) => y.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });
});
