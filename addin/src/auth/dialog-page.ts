// auth-dialog.html: runs inside the Office dialog (dialog.ts opens it with the client id, authority
// and scopes in its query). Signs in with MSAL's redirect flow on our own origin, then sends the
// access token (or a sentence) to the task pane with messageParent and lets the pane close it.
import { createStandardPublicClientApplication } from '@azure/msal-browser';

const params = new URL(window.location.href).searchParams;
const status = document.getElementById('status')!;

function reply(message: { token: string } | { error: string }) {
  const office = (globalThis as { Office?: typeof Office }).Office;
  if (office?.context?.ui?.messageParent) office.context.ui.messageParent(JSON.stringify(message));
  else status.textContent = 'error' in message ? message.error : 'Logget ind. Luk dette vindue. / Signed in. Close this window.';
}

async function run() {
  const clientId = params.get('clientId') ?? sessionStorage.getItem('brevdue.dialog.clientId');
  const authority = params.get('authority') ?? sessionStorage.getItem('brevdue.dialog.authority');
  const scopes = (params.get('scopes') ?? sessionStorage.getItem('brevdue.dialog.scopes') ?? '').split(' ').filter(Boolean);
  if (!clientId || !authority || scopes.length === 0) {
    reply({ error: 'The sign-in window was opened without its settings. Close it and try again.' });
    return;
  }
  // The redirect back from Entra carries no query of ours: keep the settings for the second load.
  sessionStorage.setItem('brevdue.dialog.clientId', clientId);
  sessionStorage.setItem('brevdue.dialog.authority', authority);
  sessionStorage.setItem('brevdue.dialog.scopes', scopes.join(' '));
  const redirectUri = new URL('auth-dialog.html', window.location.href).origin + new URL('auth-dialog.html', window.location.href).pathname;
  const app = await createStandardPublicClientApplication({ auth: { clientId, authority, redirectUri }, cache: { cacheLocation: 'sessionStorage' } });
  const back = await app.handleRedirectPromise();
  if (back?.accessToken) {
    reply({ token: back.accessToken });
    return;
  }
  const account = app.getAllAccounts()[0];
  if (account) {
    try {
      reply({ token: (await app.acquireTokenSilent({ scopes, account })).accessToken });
      return;
    } catch { /* needs the user: redirect below */ }
  }
  await app.acquireTokenRedirect({ scopes });
}

// messageParent needs office.js initialised; outside Office (a plain browser) run straight away.
const office = (globalThis as { Office?: typeof Office }).Office;
const ready = office?.onReady ? office.onReady().then(() => undefined, () => undefined) : Promise.resolve();
void ready.then(run).catch((e: unknown) => reply({ error: `Sign-in did not succeed: ${e instanceof Error ? e.message : String(e)}` }));
