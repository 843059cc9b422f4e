// Role grants an organisation's admins make (schema.roleGrants): CRUD for /api/admin/role-grants and
// the lookup sign-in uses. A grant's CVR numbers must be the organisation's, its destinations the
// organisation's registry; both are checked when saved, so a limit never names another tenant's ids.
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { isUniqueViolation, type Db } from './db';
import { cvrNumbers, destinations, roleGrants } from './schema';
import { HttpError } from '../api/errors';
import type { RoleGrant, RoleGrantCreate, RoleGrantUpdate } from '../../../shared/src/contracts';
import { roleGrantCreateSchema, roleGrantUpdateSchema } from '../../../shared/src/contracts';
import type { Grant } from '../api/roles';
import type { Role } from '../api/auth';

type Row = typeof roleGrants.$inferSelect;

const view = (r: Row): RoleGrant => ({
  id: r.id, principalType: r.principalType as RoleGrant['principalType'], principalId: r.principalId, displayName: r.displayName,
  role: r.role as Role, cvrs: r.cvrs, destinationIds: r.destinationIds, createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
});

/** The grants held by this user (Entra object id) or one of their groups, in the organisation. */
export async function grantsFor(db: Db, orgId: string, userOid: string, groups: readonly string[]): Promise<Grant[]> {
  const rows = await db.select().from(roleGrants).where(and(eq(roleGrants.orgId, orgId), or(
    and(eq(roleGrants.principalType, 'user'), eq(roleGrants.principalId, userOid.toLowerCase())),
    groups.length ? and(eq(roleGrants.principalType, 'group'), inArray(roleGrants.principalId, groups.map((g) => g.toLowerCase()))) : undefined,
  )));
  return rows.map((r) => ({ role: r.role as Role, cvrs: r.cvrs, destinationIds: r.destinationIds }));
}

export async function listRoleGrants(db: Db, orgId: string): Promise<RoleGrant[]> {
  const rows = await db.select().from(roleGrants).where(eq(roleGrants.orgId, orgId))
    .orderBy(asc(roleGrants.displayName), asc(roleGrants.role));
  return rows.map(view);
}

async function checkLimits(db: Db, orgId: string, cvrs: string[] | null, destinationIds: string[] | null): Promise<void> {
  if (cvrs?.length) {
    const known = await db.select({ cvr: cvrNumbers.cvr }).from(cvrNumbers)
      .where(and(eq(cvrNumbers.orgId, orgId), isNull(cvrNumbers.removedAt), inArray(cvrNumbers.cvr, cvrs)));
    const missing = cvrs.filter((c) => !known.some((k) => k.cvr === c));
    if (missing.length) throw new HttpError(400, 'unknown_cvr', `Not a CVR number of your organisation: ${missing.join(', ')}. Add it under CVR numbers first, or leave it out.`);
  }
  if (destinationIds?.length) {
    const known = await db.select({ id: destinations.id }).from(destinations)
      .where(and(eq(destinations.orgId, orgId), isNull(destinations.archivedAt), inArray(destinations.id, destinationIds)));
    const missing = destinationIds.filter((d) => !known.some((k) => k.id === d));
    if (missing.length) throw new HttpError(400, 'unknown_destination', `${missing.length === 1 ? 'A destination' : `${missing.length} destinations`} of this grant ${missing.length === 1 ? 'is' : 'are'} not in your organisation's registry (or archived): ${missing.join(', ')}.`);
  }
}

export async function createRoleGrant(db: Db, orgId: string, input: RoleGrantCreate, actor: string): Promise<RoleGrant> {
  const g = roleGrantCreateSchema.parse(input);
  await checkLimits(db, orgId, g.cvrs, g.destinationIds);
  const [row] = await db.insert(roleGrants).values({
    orgId, principalType: g.principalType, principalId: g.principalId.toLowerCase(), displayName: g.displayName, role: g.role,
    cvrs: g.cvrs, destinationIds: g.destinationIds, createdBy: actor,
  }).onConflictDoNothing().returning();
  if (!row) {
    const [existing] = await db.select({ displayName: roleGrants.displayName }).from(roleGrants).where(and(eq(roleGrants.orgId, orgId),
      eq(roleGrants.principalType, g.principalType), eq(roleGrants.principalId, g.principalId.toLowerCase()), eq(roleGrants.role, g.role)));
    const grant = existing?.displayName ?? g.displayName;
    // Params (names, never ids): the pane says it in the reader's language (addin codes.ts namedErrorText).
    throw new HttpError(409, 'exists', `This ${g.principalType} already has the ${g.role} role (the grant "${grant}"). Change that grant instead of adding a second one.`,
      { params: { what: 'grant', role: g.role, grant } });
  }
  return view(row);
}

export async function updateRoleGrant(db: Db, orgId: string, id: string, input: RoleGrantUpdate): Promise<RoleGrant> {
  const u = roleGrantUpdateSchema.parse(input);
  const [current] = await db.select().from(roleGrants).where(and(eq(roleGrants.orgId, orgId), eq(roleGrants.id, id)));
  if (!current) throw new HttpError(404, 'not_found', 'No such role grant in your organisation.');
  await checkLimits(db, orgId, u.cvrs ?? null, u.destinationIds ?? null);
  try {
    const [row] = await db.update(roleGrants).set({
      ...(u.displayName !== undefined ? { displayName: u.displayName } : {}),
      ...(u.role !== undefined ? { role: u.role } : {}),
      ...(u.cvrs !== undefined ? { cvrs: u.cvrs } : {}),
      ...(u.destinationIds !== undefined ? { destinationIds: u.destinationIds } : {}),
      updatedAt: new Date(),
    }).where(and(eq(roleGrants.orgId, orgId), eq(roleGrants.id, id))).returning();
    return view(row);
  } catch (e) {
    if (isUniqueViolation(e)) { // role_grants_principal_role_uq: one grant per principal and role
      throw new HttpError(409, 'exists', `${current.displayName} already has the ${u.role} role in another grant.`,
        { params: { what: 'grant', role: u.role ?? current.role, grant: current.displayName } });
    }
    throw e;
  }
}

export async function deleteRoleGrant(db: Db, orgId: string, id: string): Promise<RoleGrant> {
  const [row] = await db.delete(roleGrants).where(and(eq(roleGrants.orgId, orgId), eq(roleGrants.id, id))).returning();
  if (!row) throw new HttpError(404, 'not_found', 'No such role grant in your organisation.');
  return view(row);
}
