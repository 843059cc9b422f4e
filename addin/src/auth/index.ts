// Authentication seam for the API client. Demo mode: no token (the backend's labelled demo user; the
// role switcher picks its role). Entra ID: Nested App Authentication inside Outlook (naa.ts, loaded
// lazily so the demo and the first paint never carry MSAL), with the Office dialog as fallback.
import { authConfig } from './config';
import { demoRole } from './demo-role';

/** An access token for the Brevdue API, or null in demo mode. Throws a sentence when sign-in fails. */
export async function getAccessToken(): Promise<string | null> {
  const config = await authConfig();
  if (config.mode === 'demo') return null;
  const { naaToken } = await import('./naa');
  return naaToken(config);
}

/** Extra request headers: in demo mode, the role the demo user acts as. */
export function authHeaders(): Record<string, string> {
  const role = demoRole();
  return role ? { 'X-Brevdue-Demo-Role': role } : {};
}
