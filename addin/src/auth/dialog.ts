// The fallback for Outlook clients without Nested App Authentication: the Office dialog opens
// auth-dialog.html on our own origin, which signs in with MSAL's redirect flow and hands the access
// token back with messageParent. The token never leaves the user's machine except to our API.
import type { AuthConfig } from './config';

type EntraConfig = Extract<AuthConfig, { mode: 'entra' }>;

/** What the dialog page sends back: a token, or a sentence for the user. */
export type DialogResult = { token: string } | { error: string };

export function parseDialogMessage(raw: string): DialogResult {
  try {
    const v = JSON.parse(raw) as { token?: unknown; error?: unknown };
    if (typeof v.token === 'string' && v.token.split('.').length === 3) return { token: v.token };
    if (typeof v.error === 'string') return { error: v.error };
  } catch { /* fall through */ }
  return { error: 'The sign-in window answered something unexpected. Try again.' };
}

export function tokenFromDialog(config: EntraConfig, office: typeof Office | undefined = (globalThis as { Office?: typeof Office }).Office): Promise<string> {
  if (!office?.context?.ui?.displayDialogAsync) {
    return Promise.reject(new Error('This Outlook cannot show the sign-in window. Update Outlook, or use Outlook on the web.'));
  }
  const url = new URL('auth-dialog.html', window.location.href);
  url.searchParams.set('clientId', config.clientId);
  url.searchParams.set('authority', config.authority);
  url.searchParams.set('scopes', config.scopes.join(' '));
  return new Promise((resolve, reject) => {
    office.context.ui.displayDialogAsync(url.toString(), { height: 60, width: 30, promptBeforeOpen: false }, (opened) => {
      if (opened.status !== office.AsyncResultStatus.Succeeded) {
        reject(new Error(`The sign-in window could not open (${opened.error?.message ?? 'unknown reason'}). Allow pop-ups for Outlook and try again.`));
        return;
      }
      const dialog = opened.value;
      dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
        dialog.close();
        const r = parseDialogMessage('message' in arg ? String(arg.message) : '');
        if ('token' in r) resolve(r.token); else reject(new Error(r.error));
      });
      dialog.addEventHandler(office.EventType.DialogEventReceived, () => {
        reject(new Error('The sign-in window was closed before sign-in finished.'));
      });
    });
  });
}
