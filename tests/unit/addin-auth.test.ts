// The task pane's sign-in: silent first then a popup (NAA), readable sentences when it fails, the
// Office dialog fallback's message handling, the auth configuration, and the demo role.
import { InteractionRequiredAuthError } from '@azure/msal-browser';
import { SignInError, acquire, type TokenSource } from '../../addin/src/auth/naa';
import { parseDialogMessage, tokenFromDialog } from '../../addin/src/auth/dialog';
import { authConfig, resetAuthConfig } from '../../addin/src/auth/config';
import { demoRole } from '../../addin/src/auth/demo-role';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

function source(silent: () => Promise<string>, popup: () => Promise<string>) {
  const calls: string[] = [];
  const s: TokenSource = {
    acquireTokenSilent: async () => { calls.push('silent'); return { accessToken: await silent() }; },
    acquireTokenPopup: async () => { calls.push('popup'); return { accessToken: await popup() }; },
  };
  return { s, calls };
}

describe('acquire (NAA)', () => {
  test('a silent token is used without a popup', async () => {
    const { s, calls } = source(async () => 'silent-token', async () => 'popup-token');
    await expect(acquire(s, ['api://x/access_as_user'])).resolves.toBe('silent-token');
    expect(calls).toEqual(['silent']);
  });

  test('when Entra needs the user, a popup follows', async () => {
    const { s, calls } = source(async () => { throw new InteractionRequiredAuthError('consent_required', 'consent needed'); }, async () => 'popup-token');
    await expect(acquire(s, ['s'])).resolves.toBe('popup-token');
    expect(calls).toEqual(['silent', 'popup']);
  });

  test('a cancelled popup gives a sentence about pop-ups', async () => {
    const { s } = source(async () => { throw new InteractionRequiredAuthError('login_required', 'login needed'); },
      async () => { throw Object.assign(new Error('x'), { errorCode: 'user_cancelled' }); });
    const e = await acquire(s, ['s']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SignInError);
    expect((e as Error).message).toMatch(/cancelled|pop-ups/);
  });

  test('a network failure while silent is not turned into a popup', async () => {
    const { s, calls } = source(async () => { throw new Error('fetch failed'); }, async () => 'popup-token');
    await expect(acquire(s, ['s'])).rejects.toThrow(/connection/);
    expect(calls).toEqual(['silent']);
  });
});

describe('dialog fallback', () => {
  test('messages from the dialog page are checked', () => {
    expect(parseDialogMessage(JSON.stringify({ token: JWT }))).toEqual({ token: JWT });
    expect(parseDialogMessage(JSON.stringify({ token: 'not-a-jwt' }))).toMatchObject({ error: expect.stringMatching(/unexpected/) });
    expect(parseDialogMessage(JSON.stringify({ error: 'Du annullerede.' }))).toEqual({ error: 'Du annullerede.' });
    expect(parseDialogMessage('<html>')).toMatchObject({ error: expect.any(String) });
  });

  const fakeOffice = (behaviour: 'message' | 'closed' | 'fails') => {
    const handlers = new Map<string, (arg: unknown) => void>();
    let closed = false;
    let openedUrl = '';
    const office = {
      AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
      EventType: { DialogMessageReceived: 'msg', DialogEventReceived: 'evt' },
      context: { ui: {
        displayDialogAsync(url: string, _o: unknown, cb: (r: unknown) => void) {
          openedUrl = url;
          if (behaviour === 'fails') return cb({ status: 'failed', error: { message: 'blocked' } });
          cb({ status: 'succeeded', value: { addEventHandler: (t: string, h: (a: unknown) => void) => handlers.set(t, h), close: () => { closed = true; } } });
          setTimeout(() => (behaviour === 'message' ? handlers.get('msg')!({ message: JSON.stringify({ token: JWT }) }) : handlers.get('evt')!({ error: 12006 })), 0);
        },
      } },
    };
    return { office: office as unknown as typeof Office, closed: () => closed, url: () => openedUrl };
  };
  const config = { mode: 'entra' as const, clientId: 'cid', authority: 'https://login.microsoftonline.com/organizations', scopes: ['api://b/access_as_user'] };

  beforeAll(() => { (globalThis as { window?: unknown }).window = { location: { href: 'https://brevdue.example/taskpane.html' } }; });
  afterAll(() => { delete (globalThis as { window?: unknown }).window; });

  test('the token comes back through messageParent and the dialog closes', async () => {
    const f = fakeOffice('message');
    await expect(tokenFromDialog(config, f.office)).resolves.toBe(JWT);
    expect(f.closed()).toBe(true);
    const u = new URL(f.url());
    expect(u.pathname).toBe('/auth-dialog.html');
    expect(u.searchParams.get('scopes')).toBe('api://b/access_as_user');
  });

  test('a closed dialog and a dialog that cannot open are told as sentences', async () => {
    await expect(tokenFromDialog(config, fakeOffice('closed').office)).rejects.toThrow(/closed before sign-in/);
    await expect(tokenFromDialog(config, fakeOffice('fails').office)).rejects.toThrow(/could not open \(blocked\)/);
    await expect(tokenFromDialog(config, undefined)).rejects.toThrow(/Update Outlook/);
  });
});

describe('auth configuration', () => {
  afterEach(() => resetAuthConfig());
  const answer = (status: number, body: unknown) => (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

  test('demo and Entra configurations are parsed', async () => {
    await expect(authConfig(answer(200, { mode: 'demo' }))).resolves.toEqual({ mode: 'demo' });
    resetAuthConfig();
    const entra = { mode: 'entra', clientId: 'c', authority: 'https://login.microsoftonline.com/organizations', scopes: ['api://b/access_as_user'] };
    await expect(authConfig(answer(200, entra))).resolves.toEqual(entra);
  });

  test('a failure is reported and not cached', async () => {
    await expect(authConfig(answer(503, {}))).rejects.toThrow(/HTTP 503/);
    await expect(authConfig(answer(200, { mode: 'demo' }))).resolves.toEqual({ mode: 'demo' });
  });

  test('an Entra configuration without scopes is refused', async () => {
    await expect(authConfig(answer(200, { mode: 'entra', clientId: 'c', authority: 'https://x.example', scopes: [] }))).rejects.toThrow();
  });
});

test('without session storage (node, blocked storage) there is no demo role', () => {
  expect(demoRole()).toBeNull();
});
