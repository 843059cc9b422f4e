// The roles page's pure parts: the grant form and what it still misses, the form to the API's
// create/update bodies (an empty limit list means "all", sent as null), limits in names, and order.
import type { RoleGrant, RoleGrantCreate, RoleGrantUpdate } from '../../../../../shared/src/contracts';

export type PrincipalType = RoleGrant['principalType'];
export type GrantRole = RoleGrant['role'];
export const PRINCIPAL_TYPES: readonly PrincipalType[] = ['group', 'user'];
export const GRANT_ROLES: readonly GrantRole[] = ['admin', 'operator', 'reader'];

export interface GrantForm {
  principalType: PrincipalType;
  principalId: string;
  displayName: string;
  role: GrantRole;
  /** Chosen CVR numbers; none chosen = every CVR number. */
  cvrs: string[];
  /** Chosen destination ids; none chosen = every destination. */
  destinationIds: string[];
}

export const emptyForm = (): GrantForm => ({ principalType: 'group', principalId: '', displayName: '', role: 'reader', cvrs: [], destinationIds: [] });

export const formOf = (g: RoleGrant): GrantForm => ({
  principalType: g.principalType, principalId: g.principalId, displayName: g.displayName, role: g.role,
  cvrs: g.cvrs ?? [], destinationIds: g.destinationIds ?? [],
});

// Entra object ids are UUIDs; the server checks the same (shared contracts) and answers in English.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type FormProblems = { principalId?: 'required' | 'format'; displayName?: 'required' };

/** What the form misses before anything is sent; the object id only matters when adding. */
export function formProblems(f: GrantForm, adding: boolean): FormProblems {
  const p: FormProblems = {};
  const id = f.principalId.trim();
  if (adding && !id) p.principalId = 'required';
  else if (adding && !UUID.test(id)) p.principalId = 'format';
  if (!f.displayName.trim()) p.displayName = 'required';
  return p;
}

const limit = (ids: string[]) => (ids.length ? [...new Set(ids)] : null);

export function createBody(f: GrantForm): RoleGrantCreate {
  return {
    principalType: f.principalType, principalId: f.principalId.trim().toLowerCase(), displayName: f.displayName.trim(), role: f.role,
    cvrs: limit(f.cvrs), destinationIds: limit(f.destinationIds),
  };
}

/** Everything an edit may change, sent whole: a PATCH of the form as it stands. */
export function updateBody(f: GrantForm): RoleGrantUpdate {
  return { displayName: f.displayName.trim(), role: f.role, cvrs: limit(f.cvrs), destinationIds: limit(f.destinationIds) };
}

/** A limit as names, in the limit's order; an id no longer known (a removed CVR number, an archived destination) by `unknown`. null: no limit. */
export function limitNames(ids: string[] | null, name: (id: string) => string | undefined, unknown: (id: string) => string): string[] | null {
  return ids === null ? null : ids.map((id) => name(id) ?? unknown(id));
}

/** As the server lists them: by name, then role (admin first). */
export function sortGrants(grants: RoleGrant[]): RoleGrant[] {
  return [...grants].sort((a, b) => a.displayName.localeCompare(b.displayName) || GRANT_ROLES.indexOf(a.role) - GRANT_ROLES.indexOf(b.role));
}
