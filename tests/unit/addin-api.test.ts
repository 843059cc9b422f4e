// The add-in's API client: the exact requests it sends, and how every kind of answer comes back.
import { ApiError, createApiClient, messageListPath } from '../../addin/src/api/client';
import { fixtureMe, fixtureMessages, listResponse } from '../e2e/fixtures';

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
});
