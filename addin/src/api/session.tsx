// Who is signed in, for every component: the /api/me answer and what it allows. Resend, reroute and
// placing a letter need the admin or operator role (the API checks it too; this only explains it).
import { createContext, useContext, type ReactNode } from 'react';
import type { Me } from '../../../shared/src/contracts';

export interface Session {
  me: Me | null;
  /** /api/me failed: the roles are unknown. */
  failed: boolean;
}

const SessionContext = createContext<Session>({ me: null, failed: false });

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  return useContext(SessionContext);
}

/** Whether the person may act on letters: 'loading' while /api/me is on its way, 'unknown' when it failed. */
export type Permission = 'allowed' | 'denied' | 'loading' | 'unknown';

export function actionPermission(session: Session): Permission {
  if (session.me) return session.me.roles.some((r) => r === 'admin' || r === 'operator') ? 'allowed' : 'denied';
  return session.failed ? 'unknown' : 'loading';
}

export function useActionPermission(): Permission {
  return actionPermission(useSession());
}
