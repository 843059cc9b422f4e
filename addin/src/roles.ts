// The signed-in person's roles and their limits (GET /api/me `grants`), for the header and the
// "only administrators" notes. Mirrors the server's reading (backend api/roles.ts): grants add up, so
// an unlimited grant of a role makes other grants of that role moot; changing the whole organisation
// needs an admin grant without limits.
import type { Me } from '../../shared/src/contracts';

export type Role = Me['roles'][number];
type Grant = NonNullable<Me['grants']>[number];
type WithGrants = Pick<Me, 'roles' | 'grants'>;

const ROLE_ORDER: readonly Role[] = ['admin', 'operator', 'reader'];
const unlimited = (g: Grant) => g.cvrs === null && g.destinationIds === null;

/** An administrator without limits: who may change rules, recipients, settings and role grants. */
export function isFullAdmin(me: WithGrants | null | undefined): boolean {
  // `roles` must say admin too (they are derived from the grants); without `grants` (an older server)
  // there are only token roles, which are unlimited.
  if (!me?.roles.includes('admin')) return false;
  return !me.grants || me.grants.some((g) => g.role === 'admin' && unlimited(g));
}

/** A role held only with limits: how many CVR numbers and destinations its grants name (null: not limited that way). */
export interface RoleLimit { role: Role; cvrs: number | null; destinations: number | null }

export function limitedRoles(me: WithGrants | null | undefined): RoleLimit[] {
  const grants = me?.grants ?? [];
  const out: RoleLimit[] = [];
  for (const role of ROLE_ORDER.filter((r) => me?.roles.includes(r))) {
    const held = grants.filter((g) => g.role === role);
    if (held.length === 0 || held.some(unlimited)) continue;
    const union = (pick: (g: Grant) => string[] | null) => {
      const lists = held.map(pick).filter((l): l is string[] => l !== null);
      return lists.length ? new Set(lists.flat()).size : null;
    };
    out.push({ role, cvrs: union((g) => g.cvrs), destinations: union((g) => g.destinationIds) });
  }
  return out;
}

/** t() as these helpers need it (keys built at run time). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** "begrænset til 2 CVR-numre og 1 modtager". */
export function limitWords(l: RoleLimit, t: Translate): string {
  const parts = [
    l.cvrs !== null ? t('limits.cvrs', { count: l.cvrs }) : null,
    l.destinations !== null ? t('limits.destinations', { count: l.destinations }) : null,
  ].filter((p): p is string => p !== null);
  const what = parts.length === 2 ? t('limits.and', { a: parts[0], b: parts[1] }) : parts[0] ?? '';
  return t('limits.to', { what });
}

/** The header's line for limited roles: "Læser · begrænset til 2 CVR-numre"; empty when nothing is limited. */
export function limitedRolesLine(me: WithGrants | null | undefined, t: Translate): string {
  return limitedRoles(me).map((l) => `${t(`roleTitle.${l.role}`)} · ${limitWords(l, t)}`).join(', ');
}

/** The caller's roles in words, a limited one with its limit: "operatør, læser (begrænset til 1 CVR-nummer)". */
export function rolesInWords(me: WithGrants | null | undefined, t: Translate): string {
  const limits = new Map(limitedRoles(me).map((l) => [l.role, l]));
  return (me?.roles ?? []).map((r) => {
    const l = limits.get(r);
    return l ? `${t(`role.${r}`)} (${limitWords(l, t)})` : t(`role.${r}`);
  }).join(', ') || '—';
}
