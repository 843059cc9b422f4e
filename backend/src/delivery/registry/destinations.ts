// The approved-recipients registry: the only places rules and people can send letters to. Every
// destination is first held against the operator's allow-list for the organisation (allowed.ts: mail
// domains and teams; refused before Graph is asked anything, so the answer never tells whether a
// mailbox exists), then checked against Graph when saved (mailbox exists, folders created; Teams channel
// and its files folder reachable, webhook URL on Microsoft's hosts); one that fails is refused.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../store/db';
import type { Sealer } from '../../crypto/envelope';
import { destinations, rules } from '../../store/schema';
import { HttpError } from '../../api/errors';
import { displayFolderPath } from '../mailbox';
import type { DestinationChoice, DestinationCreate, DestinationKind, DestinationUpdate, DestinationView, Problem } from '../../../../shared/src/contracts';
import { destinationRefusal, refusalWithoutAllowList, type DestinationPolicy } from './allowed';

export type DestinationRow = typeof destinations.$inferSelect;

/** What a check needs to know; the webhook URL unsealed. */
export interface DestinationTarget {
  kind: DestinationKind;
  mailbox: string | null;
  folderPath: string;
  teamId: string | null;
  channelId: string | null;
  webhookUrl: string | null;
}

/**
 * One thing the check found wrong: a stable code the task pane says in the admin's language, params
 * (names, never ids; `field`: the form field to change, `reason`: Graph's English detail) and the
 * English sentence (API clients, logs, and a re-check's stored checkProblems).
 */
export type CheckProblem = Problem;

export type DestinationChecker = (t: DestinationTarget) => Promise<CheckProblem[]>;

export function destinationView(d: DestinationRow): DestinationView {
  return {
    id: d.id, kind: d.kind as DestinationKind, displayName: d.displayName, mailbox: d.mailbox,
    folderPath: d.kind === 'teams_channel' ? d.folderPath : displayFolderPath(d.folderPath),
    folderPathRaw: d.folderPath, teamId: d.teamId, channelId: d.channelId, hasWebhook: !!d.webhookUrlEnc,
    checkProblems: d.checkProblems, checkedAt: d.checkedAt?.toISOString() ?? null,
  };
}

export function targetOf(d: DestinationRow, sealer: Sealer): DestinationTarget {
  return {
    kind: d.kind as DestinationKind, mailbox: d.mailbox, folderPath: d.folderPath, teamId: d.teamId, channelId: d.channelId,
    webhookUrl: d.webhookUrlEnc ? sealer.open(d.webhookUrlEnc).toString('utf8') : null,
  };
}

export async function listDestinations(db: Db, orgId: string): Promise<DestinationRow[]> {
  return db.select().from(destinations).where(and(eq(destinations.orgId, orgId), isNull(destinations.archivedAt)))
    .orderBy(asc(destinations.displayName));
}

export async function getDestination(db: Db, orgId: string, id: string): Promise<DestinationRow> {
  const [d] = await db.select().from(destinations).where(and(eq(destinations.orgId, orgId), eq(destinations.id, id)));
  if (!d || d.archivedAt) throw new HttpError(404, 'not_found', 'No such destination in your organisation (it may have been deleted).');
  return d;
}

/**
 * The destinations a person or rule chose, all from the organisation's live registry; otherwise a 400.
 * With `policy`, also ones the operator allows the organisation (allowed.ts): a destination saved
 * before the allow-list, or taken off it since, is refused here rather than given up on at delivery.
 */
export async function chosenDestinations(db: Db, orgId: string, ids: string[], policy?: DestinationPolicy): Promise<DestinationRow[]> {
  const wanted = [...new Set(ids)];
  const rows = await db.select().from(destinations)
    .where(and(eq(destinations.orgId, orgId), inArray(destinations.id, wanted), isNull(destinations.archivedAt)));
  if (rows.length !== wanted.length) {
    throw new HttpError(400, 'unknown_destination', 'Choose destinations from your organisation\'s registry; at least one of them does not exist (or was deleted).');
  }
  if (policy) {
    for (const d of rows) {
      const refusal = destinationRefusal(policy, orgId, d);
      if (refusal) {
        throw new HttpError(400, refusal.code, `"${d.displayName}" cannot receive letters now. ${refusal.message}`, { params: { ...refusal.params, destination: d.displayName } });
      }
    }
  }
  return rows;
}

/** 400 with the operator's reason when the organisation may not use this target (allowed.ts); before any Graph call. */
function refuseNotAllowed(policy: DestinationPolicy | undefined, orgId: string, t: DestinationTarget): void {
  const refusal = destinationRefusal(policy, orgId, t);
  if (refusal) throw new HttpError(400, refusal.code, `The destination was not saved. ${refusal.message}`, { params: refusal.params });
}

/** The view, with the operator's refusal first among the problems when the organisation may no longer use it. */
export function destinationViewFor(d: DestinationRow, policy: DestinationPolicy | undefined): DestinationView {
  const v = destinationView(d);
  const refusal = destinationRefusal(policy, d.orgId, d);
  return refusal ? { ...v, checkProblems: [refusal.message, ...v.checkProblems.filter((p) => p !== refusal.message)] } : v;
}

/**
 * A destination as people choose from it (GET /api/destinations): no webhook or check details, and
 * `unusable` with the operator's refusal when the organisation may not use it now, so a picker does
 * not offer what chosenDestinations would refuse. `allowList`: whether the caller may read the
 * organisation's allowed domains in the reason (admins and operators); otherwise the code and the
 * refused domain only (allowed.ts refusalWithoutAllowList).
 */
export function destinationChoice(d: DestinationRow, policy: DestinationPolicy | undefined, allowList = false): DestinationChoice {
  const v = destinationView(d);
  const found = destinationRefusal(policy, d.orgId, d);
  const refusal = found && !allowList ? refusalWithoutAllowList(found) : found;
  return {
    id: v.id, kind: v.kind, displayName: v.displayName, mailbox: v.mailbox, folderPath: v.folderPath,
    unusable: refusal ? { code: refusal.code, params: refusal.params, message: refusal.message } : null,
  };
}

/** 422 destination_check_failed with each problem coded (details.problems), so the pane says them at their fields. */
async function refuseProblems(check: DestinationChecker, t: DestinationTarget): Promise<void> {
  const problems = await check(t);
  if (problems.length) {
    throw new HttpError(422, 'destination_check_failed', `The destination was not saved: ${problems.map((p) => p.message).join(' ')}`, { problems });
  }
}

async function refuseDuplicateName(db: Db, orgId: string, displayName: string, exceptId?: string) {
  const same = (await listDestinations(db, orgId)).find((d) => d.displayName.toLowerCase() === displayName.toLowerCase() && d.id !== exceptId);
  if (same) throw new HttpError(409, 'duplicate_name', `A destination named "${same.displayName}" exists already; choose another name so people can tell them apart.`);
}

export async function createDestination(db: Db, sealer: Sealer, check: DestinationChecker, orgId: string, input: DestinationCreate,
  policy?: DestinationPolicy): Promise<DestinationRow> {
  await refuseDuplicateName(db, orgId, input.displayName);
  const t: DestinationTarget = input.kind === 'teams_channel'
    ? { kind: input.kind, mailbox: null, folderPath: input.folderPath, teamId: input.teamId, channelId: input.channelId, webhookUrl: input.webhookUrl }
    : { kind: input.kind, mailbox: input.mailbox, folderPath: input.folderPath, teamId: null, channelId: null, webhookUrl: null };
  refuseNotAllowed(policy, orgId, t);
  await refuseProblems(check, t);
  const [row] = await db.insert(destinations).values({
    orgId, kind: t.kind, displayName: input.displayName, mailbox: t.mailbox, folderPath: t.folderPath,
    teamId: t.teamId, channelId: t.channelId, webhookUrlEnc: t.webhookUrl ? sealer.seal(t.webhookUrl) : null,
    checkProblems: [], checkedAt: new Date(),
  }).returning();
  return row;
}

export async function updateDestination(db: Db, sealer: Sealer, check: DestinationChecker, orgId: string, id: string, input: DestinationUpdate,
  policy?: DestinationPolicy): Promise<DestinationRow> {
  const cur = await getDestination(db, orgId, id);
  const mailboxKind = cur.kind !== 'teams_channel';
  if (mailboxKind && (input.teamId || input.channelId || input.webhookUrl)) {
    throw new HttpError(400, 'invalid_request', 'teamId, channelId and webhookUrl belong to Teams channel destinations; this one is a mailbox.');
  }
  if (!mailboxKind && input.mailbox) throw new HttpError(400, 'invalid_request', 'mailbox belongs to mailbox destinations; this one is a Teams channel.');
  if (input.displayName) await refuseDuplicateName(db, orgId, input.displayName, id);
  const t = { ...targetOf(cur, sealer) };
  if (input.mailbox !== undefined) t.mailbox = input.mailbox;
  if (input.folderPath !== undefined) t.folderPath = input.folderPath;
  if (input.teamId !== undefined) t.teamId = input.teamId;
  if (input.channelId !== undefined) t.channelId = input.channelId;
  if (input.webhookUrl !== undefined) t.webhookUrl = input.webhookUrl;
  refuseNotAllowed(policy, orgId, t);
  await refuseProblems(check, t);
  const [row] = await db.update(destinations).set({
    displayName: input.displayName ?? cur.displayName, mailbox: t.mailbox, folderPath: t.folderPath, teamId: t.teamId, channelId: t.channelId,
    webhookUrlEnc: t.webhookUrl ? sealer.seal(t.webhookUrl) : null, checkProblems: [], checkedAt: new Date(), updatedAt: new Date(),
  }).where(eq(destinations.id, id)).returning();
  return row;
}

/**
 * Re-checks a saved destination and records what is wrong (nothing is refused: it exists already). One
 * the operator does not allow the organisation is not looked up in Graph: that is its problem.
 */
export async function recheckDestination(db: Db, sealer: Sealer, check: DestinationChecker, orgId: string, id: string,
  policy?: DestinationPolicy): Promise<DestinationRow> {
  const cur = await getDestination(db, orgId, id);
  const refusal = destinationRefusal(policy, orgId, cur);
  // Stored as sentences (check_problems is a list of strings).
  const problems = refusal ? [refusal.message] : (await check(targetOf(cur, sealer))).map((p) => p.message);
  const [row] = await db.update(destinations).set({ checkProblems: problems, checkedAt: new Date() }).where(eq(destinations.id, id)).returning();
  return row;
}

/** Deleting archives: deliveries made earlier still show where they went. Refused while a rule uses it. */
export async function archiveDestination(db: Db, orgId: string, id: string): Promise<void> {
  await getDestination(db, orgId, id);
  const using = (await db.select({ name: rules.name, ids: rules.destinationIds }).from(rules).where(and(eq(rules.orgId, orgId), isNull(rules.deletedAt))))
    .filter((r) => r.ids.includes(id)); // a deleted rule sends nothing (and can no longer be changed)
  if (using.length) {
    throw new HttpError(409, 'in_use', `Rules still send letters here: ${using.map((r) => `"${r.name}"`).join(', ')}. Change those rules first.`,
      { params: { rules: using.map((r) => `"${r.name}"`).join(', '), count: using.length } });
  }
  await db.update(destinations).set({ archivedAt: new Date(), updatedAt: new Date() }).where(eq(destinations.id, id));
}
