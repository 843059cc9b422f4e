// Demo mode only: the role the labelled demo user acts as (admin, operator or reader), kept for the
// browser tab's session and sent as X-Brevdue-Demo-Role. The backend ignores the header outside demo
// mode, so this can never raise anyone's rights in production.
export type DemoRole = 'admin' | 'operator' | 'reader';
export const DEMO_ROLES: readonly DemoRole[] = ['admin', 'operator', 'reader'];
const KEY = 'brevdue.demoRole';

export function demoRole(): DemoRole | null {
  try {
    const v = sessionStorage.getItem(KEY);
    return (DEMO_ROLES as readonly string[]).includes(v ?? '') ? (v as DemoRole) : null;
  } catch {
    return null; // storage blocked (privacy settings): the default role
  }
}

export function setDemoRole(role: DemoRole): void {
  try { sessionStorage.setItem(KEY, role); } catch { /* storage blocked: the choice lasts until reload */ }
}
