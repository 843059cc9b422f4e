// Rules as stored: every change makes a new version and an audit row (who, when, the whole rule),
// and nothing is saved that validation refuses (never matches, unknown destination, unsafe regex).
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../store/db';
import { cvrNumbers, destinations, ruleVersions, rules } from '../store/schema';
import { HttpError } from '../api/errors';
import { conditionSchema } from './conditions';
import { describeCondition } from './describe';
import { ruleProblems, walkConditions } from './validate';
import type { Rule } from './types';
import type { RuleInput, RuleView } from '../../../shared/src/contracts';

export type RuleRow = typeof rules.$inferSelect;

export function ruleOf(row: RuleRow): Rule {
  return {
    id: row.id, name: row.name, priority: row.priority, enabled: row.enabled, version: row.version,
    conditions: conditionSchema.parse(row.conditions),
    action: row.actionKind === 'triage' ? { kind: 'triage' }
      : { kind: 'destinations', destinationIds: row.destinationIds, ...(row.folderTemplate ? { folderTemplate: row.folderTemplate } : {}) },
    continue: row.continueMatching,
  };
}

export function ruleView(row: RuleRow): RuleView {
  const r = ruleOf(row);
  return {
    id: r.id, name: r.name, priority: r.priority, enabled: r.enabled, conditions: row.conditions, action: r.action as RuleView['action'],
    continue: r.continue, version: row.version, updatedAt: row.updatedAt.toISOString(), updatedBy: row.updatedBy,
    description: describeCondition(r.conditions),
  };
}

export async function listRules(db: Db, orgId: string): Promise<RuleRow[]> {
  return db.select().from(rules).where(and(eq(rules.orgId, orgId), isNull(rules.deletedAt))).orderBy(asc(rules.priority), asc(rules.id));
}

/** What validation needs to know about the organisation. */
export async function ruleContext(db: Db, orgId: string): Promise<RuleContext> {
  const [cvrs, dests] = await Promise.all([
    db.select({ cvr: cvrNumbers.cvr }).from(cvrNumbers).where(and(eq(cvrNumbers.orgId, orgId), isNull(cvrNumbers.removedAt))),
    // Archived ones too, for their names: a problem names a deleted destination, not its id.
    db.select({ id: destinations.id, name: destinations.displayName, archivedAt: destinations.archivedAt }).from(destinations).where(eq(destinations.orgId, orgId)),
  ]);
  return {
    orgCvrs: cvrs.map((c) => c.cvr), destinationIds: new Set(dests.filter((d) => !d.archivedAt).map((d) => d.id)),
    destinationNames: new Map(dests.map((d) => [d.id, d.name])),
  };
}

type RuleContext = { orgCvrs: string[]; destinationIds: Set<string>; destinationNames?: Map<string, string> };

/** The context with the stored rule's own CVR numbers and destinations counted as present. */
function tolerating(ctx: RuleContext, stored: Rule): RuleContext {
  const cvrs = new Set(ctx.orgCvrs);
  walkConditions(stored.conditions, (c) => { if ('recipientCvr' in c) cvrs.add(c.recipientCvr); });
  const ids = new Set(ctx.destinationIds);
  if (stored.action.kind === 'destinations') for (const d of stored.action.destinationIds) ids.add(d);
  return { orgCvrs: [...cvrs], destinationIds: ids, destinationNames: ctx.destinationNames };
}

/** Parses and validates a rule as entered; throws a 400/422 naming every problem. */
export function checkedRule(input: RuleInput, id: string, ctx: RuleContext): Rule {
  const parsed = conditionSchema.safeParse(input.conditions);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new HttpError(400, 'invalid_conditions', `The conditions are not valid${i.path.length ? ` at ${i.path.join('.')}` : ''}: ${i.message}`,
      { params: { rule: input.name } });
  }
  const rule: Rule = { id, name: input.name, priority: input.priority, enabled: input.enabled, conditions: parsed.data, action: input.action, continue: input.continue };
  const problems = ruleProblems(rule, ctx);
  if (problems.length) {
    throw new HttpError(422, 'rule_refused', `The rule "${input.name}" was not saved: ${problems.map((p) => p.message).join(' ')}`,
      { params: { rule: input.name }, problems });
  }
  return rule;
}

function rowValues(r: Rule) {
  return {
    name: r.name, priority: r.priority, enabled: r.enabled, conditions: r.conditions as unknown,
    actionKind: r.action.kind, destinationIds: r.action.kind === 'destinations' ? r.action.destinationIds : [],
    folderTemplate: r.action.kind === 'destinations' ? r.action.folderTemplate ?? null : null,
    continueMatching: r.continue,
  };
}

const snapshot = (row: RuleRow) => ({ ...ruleView(row) }) as unknown as Record<string, unknown>;

export async function createRule(db: Db, orgId: string, input: RuleInput, actor: string): Promise<RuleRow> {
  const ctx = await ruleContext(db, orgId);
  const rule = checkedRule(input, 'new', ctx);
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(rules).values({ orgId, ...rowValues(rule), version: 1, updatedBy: actor }).returning();
    await tx.insert(ruleVersions).values({ orgId, ruleId: row.id, version: 1, change: 'created', snapshot: snapshot(row), changedBy: actor });
    return row;
  });
}

export async function getRule(db: Db, orgId: string, id: string): Promise<RuleRow> {
  const [row] = await db.select().from(rules).where(and(eq(rules.orgId, orgId), eq(rules.id, id)));
  if (!row || row.deletedAt) throw new HttpError(404, 'not_found', 'No such rule in your organisation (it may have been deleted).');
  return row;
}

export async function updateRule(db: Db, orgId: string, id: string, patch: Partial<RuleInput>, actor: string, expectedVersion?: number): Promise<RuleRow> {
  const cur = await getRule(db, orgId, id);
  if (expectedVersion !== undefined && expectedVersion !== cur.version) {
    throw new HttpError(409, 'version_conflict', `The rule was changed by ${cur.updatedBy} meanwhile (now version ${cur.version}); reload it and make your change again.`);
  }
  const base = ruleView(cur);
  const merged: RuleInput = {
    name: patch.name ?? base.name, priority: patch.priority ?? base.priority, enabled: patch.enabled ?? base.enabled,
    conditions: (patch.conditions ?? base.conditions) as RuleInput['conditions'], action: patch.action ?? base.action, continue: patch.continue ?? base.continue,
  };
  const ctx = await ruleContext(db, orgId);
  // A rule left disabled routes nothing, so what it already named and has since gone (a removed CVR
  // number, an archived destination) does not stop an admin from pausing, renaming or reordering it;
  // enabling it again is checked in full.
  const rule = checkedRule(merged, id, merged.enabled ? ctx : tolerating(ctx, ruleOf(cur)));
  return db.transaction(async (tx) => {
    const [row] = await tx.update(rules).set({ ...rowValues(rule), version: cur.version + 1, updatedAt: new Date(), updatedBy: actor })
      .where(and(eq(rules.id, id), eq(rules.version, cur.version))).returning();
    if (!row) throw new HttpError(409, 'version_conflict', 'The rule was changed at the same moment by someone else; reload it and try again.');
    await tx.insert(ruleVersions).values({ orgId, ruleId: id, version: row.version, change: 'updated', snapshot: snapshot(row), changedBy: actor });
    return row;
  });
}

export async function deleteRule(db: Db, orgId: string, id: string, actor: string): Promise<void> {
  const cur = await getRule(db, orgId, id);
  await db.transaction(async (tx) => {
    const [row] = await tx.update(rules).set({ deletedAt: new Date(), enabled: false, version: cur.version + 1, updatedAt: new Date(), updatedBy: actor })
      .where(eq(rules.id, id)).returning();
    await tx.insert(ruleVersions).values({ orgId, ruleId: id, version: row.version, change: 'deleted', snapshot: snapshot(row), changedBy: actor });
  });
}

export async function ruleHistory(db: Db, orgId: string, id: string) {
  await db.select({ id: rules.id }).from(rules).where(and(eq(rules.orgId, orgId), eq(rules.id, id))).then((r) => {
    if (!r.length) throw new HttpError(404, 'not_found', 'No such rule in your organisation.');
  });
  const rows = await db.select().from(ruleVersions).where(and(eq(ruleVersions.orgId, orgId), eq(ruleVersions.ruleId, id))).orderBy(asc(ruleVersions.version));
  return rows.map((v) => ({ version: v.version, change: v.change as 'created' | 'updated' | 'deleted', changedBy: v.changedBy, changedAt: v.changedAt.toISOString(), snapshot: v.snapshot }));
}
