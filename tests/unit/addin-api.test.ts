// The add-in's API client: the exact requests it sends, and how every kind of answer comes back.
import { ApiError, createApiClient, messageListPath, outlookItemPath, triagePath } from '../../addin/src/api/client';
import { fixtureDestinations, fixtureMe, fixtureMessages, fixtureTriage, listResponse } from '../e2e/fixtures';

interface Call { url: string; init: RequestInit | undefined }

function fakeFetch(respond: (url: string) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return respond(String(input));
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const headersOf = (call: Call) => new Headers(call.init?.headers);

describe('add-in API client', () => {
  test('builds the message list query, leaving out what is not set', () => {
    expect(messageListPath()).toBe('/messages');
    expect(messageListPath({ q: '  ', cvr: '' })).toBe('/messages');
    expect(messageListPath({ cvr: '31013607', q: ' årsopgørelse ', limit: 50, offset: 0 }))
      .toBe('/messages?cvr=31013607&q=%C3%A5rsopg%C3%B8relse&limit=50');
    expect(messageListPath({ limit: 50, offset: 100 })).toBe('/messages?limit=50&offset=100');
  });

  test('GETs /api/me and parses it; no Authorization header without a token', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, fixtureMe));
    const api = createApiClient({ fetch, getToken: async () => null });
    await expect(api.me()).resolves.toEqual(fixtureMe);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/api/me');
    expect(calls[0].init?.method).toBe('GET');
    expect(headersOf(calls[0]).get('accept')).toBe('application/json');
    expect(headersOf(calls[0]).has('authorization')).toBe(false);
  });

  test('sends the bearer token when the auth seam has one; honours baseUrl', async () => {
    const messages = fixtureMessages();
    const { fetch, calls } = fakeFetch((url) => json(200, listResponse(messages, new URL(url).searchParams)));
    const api = createApiClient({ fetch, baseUrl: 'https://brevdue.example/api/', getToken: async () => 'tok-123' });
    const res = await api.listMessages({ cvr: '31022266', limit: 10 });
    expect(calls[0].url).toBe('https://brevdue.example/api/messages?cvr=31022266&limit=10');
    expect(headersOf(calls[0]).get('authorization')).toBe('Bearer tok-123');
    expect(res.total).toBe(2);
    expect(res.items.every((m) => m.cvr === '31022266')).toBe(true);
  });

  test('GETs one message by id, URL-encoded', async () => {
    const [first] = fixtureMessages();
    const { fetch, calls } = fakeFetch(() => json(200, first));
    const api = createApiClient({ fetch, getToken: async () => null });
    await expect(api.getMessage(first.id)).resolves.toEqual(first);
    expect(calls[0].url).toBe(`/api/messages/${first.id}`);
    await api.getMessage('a/b').catch(() => {});
    expect(calls[1].url).toBe('/api/messages/a%2Fb');
  });

  test('an error answer carries the API code and its human message', async () => {
    const { fetch } = fakeFetch(() => json(404, { error: { code: 'not_found', message: 'No message with that id.' } }));
    const err = await createApiClient({ fetch, getToken: async () => null }).getMessage('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'http', code: 'not_found', status: 404, fromServer: true, message: 'No message with that id.' });
  });

  test('an error answer without the error JSON still becomes an ApiError', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = await createApiClient({ fetch, getToken: async () => null }).me().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', code: 'http_502', status: 502, fromServer: false });
  });

  test('an answer outside the contract is rejected as invalid, naming the field', async () => {
    const { fetch } = fakeFetch(() => json(200, { ...fixtureMe, orgId: 'not-a-uuid' }));
    const err = await createApiClient({ fetch, getToken: async () => null }).me().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid', code: 'invalid_response' });
    expect((err as Error).message).toContain('orgId');
  });

  test('no answer at all is a network error; an abort stays an abort', async () => {
    const down = fakeFetch(() => { throw new TypeError('fetch failed'); });
    await expect(createApiClient({ fetch: down.fetch, getToken: async () => null }).me())
      .rejects.toMatchObject({ kind: 'network', code: 'network' });

    const aborted = fakeFetch(() => { throw new DOMException('The operation was aborted.', 'AbortError'); });
    const err = await createApiClient({ fetch: aborted.fetch, getToken: async () => null }).me().catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApiError);
    expect((err as DOMException).name).toBe('AbortError');
  });

  test('actions POST JSON bodies and parse the new deliveries', async () => {
    const [m] = fixtureMessages();
    const created = { deliveryIds: ['00000000-0000-4000-8000-000000000abc'] };
    const { fetch, calls } = fakeFetch(() => json(202, created));
    const api = createApiClient({ fetch, getToken: async () => 'tok' });
    await expect(api.resend(m.id, {})).resolves.toEqual(created);
    await api.resend(m.id, { deliveryId: m.deliveries[0].id });
    await api.reroute(m.id, { destinationIds: [fixtureDestinations[1].id], oldCopy: 'move' });
    await api.place(m.id, { destinationIds: [fixtureDestinations[0].id] });
    expect(calls.map((c) => [c.init?.method, c.url, c.init?.body])).toEqual([
      ['POST', `/api/messages/${m.id}/resend`, '{}'],
      ['POST', `/api/messages/${m.id}/resend`, JSON.stringify({ deliveryId: m.deliveries[0].id })],
      ['POST', `/api/messages/${m.id}/reroute`, JSON.stringify({ destinationIds: [fixtureDestinations[1].id], oldCopy: 'move' })],
      ['POST', `/api/triage/${m.id}/place`, JSON.stringify({ destinationIds: [fixtureDestinations[0].id] })],
    ]);
    for (const c of calls) {
      expect(headersOf(c).get('content-type')).toBe('application/json');
      expect(headersOf(c).get('authorization')).toBe('Bearer tok');
    }
  });

  test('a refused action carries the server\'s sentence; a GET sends no body or content type', async () => {
    const { fetch, calls } = fakeFetch(() => json(403, { error: { code: 'forbidden', message: 'This needs the admin or operator role; you have reader. Ask your administrator.' } }));
    const api = createApiClient({ fetch, getToken: async () => null });
    await expect(api.reroute('x', { destinationIds: ['y'] })).rejects.toMatchObject({ kind: 'http', code: 'forbidden', status: 403, fromServer: true });
    await api.listDestinations().catch(() => {});
    expect(calls[1].init?.body).toBeUndefined();
    expect(headersOf(calls[1]).has('content-type')).toBe(false);
  });

  test('an action answer outside the contract is invalid, naming the method', async () => {
    const { fetch } = fakeFetch(() => json(202, { deliveryIds: ['not-a-uuid'] }));
    const err = await createApiClient({ fetch, getToken: async () => null }).resend('x', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid', code: 'invalid_response' });
    expect((err as Error).message).toMatch(/^POST \/messages\/x\/resend answered outside the contract \(deliveryIds\.0/);
  });

  test('the Outlook item lookup URL-encodes the REST id and adds the Internet message id', async () => {
    expect(outlookItemPath({ restId: 'AAMk+a/b=' })).toBe('/messages/by-graph-id/AAMk%2Ba%2Fb%3D');
    expect(outlookItemPath({ restId: 'AAMk-', internetMessageId: '<a@b.dk>' })).toBe('/messages/by-graph-id/AAMk-?internetMessageId=%3Ca%40b.dk%3E');
    const [m] = fixtureMessages();
    const { fetch, calls } = fakeFetch(() => json(200, m));
    await expect(createApiClient({ fetch, getToken: async () => null }).findByOutlookItem({ restId: 'AAMk_x-' })).resolves.toEqual(m);
    expect(calls[0].url).toBe('/api/messages/by-graph-id/AAMk_x-');
  });

  test('registry, reroute defaults and the triage queue are parsed', async () => {
    const messages = fixtureMessages();
    const { fetch, calls } = fakeFetch((url) => {
      if (url.startsWith('/api/destinations')) return json(200, { items: fixtureDestinations });
      if (url.startsWith('/api/admin/delivery-settings')) return json(200, { subjectTemplate: '{label}', categories: [], notifyAddress: null, notifySender: null, rerouteOldCopy: 'move' });
      return json(200, fixtureTriage(messages));
    });
    const api = createApiClient({ fetch, getToken: async () => null });
    await expect(api.listDestinations()).resolves.toEqual(fixtureDestinations);
    await expect(api.rerouteDefaults()).resolves.toEqual({ rerouteOldCopy: 'move' });
    const queue = await api.listTriage({ limit: 50, offset: 50 });
    expect(queue.items[0].suggestions[0].explanation.da).toContain('Københavns Kommune');
    expect(calls.map((c) => c.url)).toEqual(['/api/destinations', '/api/admin/delivery-settings', '/api/triage?limit=50&offset=50']);
    expect(triagePath()).toBe('/triage');
    expect(triagePath({ limit: 1 })).toBe('/triage?limit=1');
  });

  test('a document downloads as a blob; a missing one is an ApiError with the server\'s sentence', async () => {
    const { fetch, calls } = fakeFetch((url) => url.endsWith('/missing')
      ? json(404, { error: { code: 'not_found', message: 'No such document on that letter.' } })
      : new Response(new Uint8Array([37, 80, 68, 70]), { status: 200, headers: { 'content-type': 'application/pdf' } }));
    const api = createApiClient({ fetch, getToken: async () => 'tok' });
    const blob = await api.downloadDocument('m1', 'd/1');
    expect(blob.size).toBe(4);
    expect(blob.type).toBe('application/pdf');
    expect(calls[0].url).toBe('/api/messages/m1/documents/d%2F1');
    expect(headersOf(calls[0]).get('accept')).toBe('*/*');
    expect(headersOf(calls[0]).get('authorization')).toBe('Bearer tok');
    await expect(api.downloadDocument('m1', 'missing')).rejects.toMatchObject({ kind: 'http', code: 'not_found', message: 'No such document on that letter.' });
  });
});
