// Entra ID sign-in inside Outlook with Nested App Authentication (MSAL's nestable client: Outlook
// brokers the token, no second login), silent first and a popup only when Entra asks for interaction.
// Clients without NAA (older Outlook builds) get the Office dialog fallback (dialog.ts). Loaded lazily:
// the demo never downloads MSAL.
import { InteractionRequiredAuthError, createNestablePublicClientApplication, type IPublicClientApplication } from '@azure/msal-browser';
import type { AuthConfig } from './config';
import { tokenFromDialog } from './dialog';

type EntraConfig = Extract<AuthConfig, { mode: 'entra' }>;

/** The part of MSAL used here, so tests can stand in for it. */
export interface TokenSource {
  acquireTokenSilent(req: { scopes: string[] }): Promise<{ accessToken: string }>;
  acquireTokenPopup(req: { scopes: string[] }): Promise<{ accessToken: string }>;
}

export class SignInError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Silent first (cached or brokered by Outlook); a popup only when Entra needs the user (consent, MFA). */
export async function acquire(source: TokenSource, scopes: string[]): Promise<string> {
  try {
    return (await source.acquireTokenSilent({ scopes })).accessToken;
  } catch (e) {
    if (!(e instanceof InteractionRequiredAuthError) && !isInteractionRequired(e)) {
      throw new SignInError('Signing in silently failed. Check your connection and open Brevdue again.', e);
    }
  }
  try {
    return (await source.acquireTokenPopup({ scopes })).accessToken;
  } catch (e) {
    const code = (e as { errorCode?: string }).errorCode ?? '';
    if (/user_cancelled|popup_window_error|empty_window_error/.test(code)) {
      throw new SignInError('Sign-in was cancelled or the sign-in window was blocked. Allow pop-ups for Outlook and try again.', e);
    }
    throw new SignInError('Sign-in did not succeed. Try again, or ask your administrator whether Brevdue is set up for you.', e);
  }
}

function isInteractionRequired(e: unknown): boolean {
  const code = (e as { errorCode?: string } | null)?.errorCode ?? '';
  return /interaction_required|consent_required|login_required|no_account/.test(code);
}

/** Whether this Outlook brokers tokens for nested apps (NestedAppAuth 1.1). */
export function naaSupported(): boolean {
  const office = (globalThis as { Office?: typeof Office }).Office;
  try {
    return !!office?.context?.requirements?.isSetSupported('NestedAppAuth', '1.1');
  } catch {
    return false;
  }
}

let pca: Promise<IPublicClientApplication> | null = null;

export async function naaToken(config: EntraConfig): Promise<string> {
  if (!naaSupported()) return tokenFromDialog(config);
  pca ??= createNestablePublicClientApplication({ auth: { clientId: config.clientId, authority: config.authority } });
  const app = await pca;
  const account = app.getActiveAccount() ?? app.getAllAccounts()[0];
  return acquire({
    acquireTokenSilent: (req) => app.acquireTokenSilent({ ...req, account }),
    acquireTokenPopup: (req) => app.acquireTokenPopup(req),
  }, config.scopes);
}
