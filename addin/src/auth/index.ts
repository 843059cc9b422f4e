// Authentication seam. Nested App Authentication (MSAL createNestablePublicClientApplication, with a
// dialog fallback) arrives in a later issue and plugs in here. Until then there is no token, and the
// backend's demo mode treats token-less requests as the demo user.

/** An access token for the Brevdue API, or null when the user is not signed in. */
export async function getAccessToken(): Promise<string | null> {
  return null;
}
