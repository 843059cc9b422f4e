// Which letters a caller may see: the one definition. A Scope is made once per request from the
// caller's organisation and role grants (api/scope.ts) and passed to every read of letters, their
// documents, deliveries and statistics; the predicates below are the only place the tenant filter
// and the role limits are written.
//
// - cvrs: the caller sees letters to these of the organisation's CVR numbers only (and their mailboxes);
// - destinationIds: the caller sees letters delivered to one of these destinations only, and may choose
//   only these when placing or rerouting. Letters in triage have no delivery yet, so a caller limited to
//   destinations does not see the triage queue, nor quarantined letters (never delivered: seesQuarantineOf).
// null = no limit. An empty list = nothing (a grant whose CVR numbers were all removed).
//
// A letter seen is not every delivery of it seen: a letter delivered to the caller's destination and
// to another (the management's mailbox, say) shows, and may be resent, rerouted or retried, only for
// the deliveries one of the caller's limits admits with the letter (its CVR number and the delivery's
// destination under the same limit): `mayUseDestinationFor`, `visibleDeliveries`. Limits are held one
// at a time, never mixed: a grant limited to CVR number 1 and another limited to destination D do not
// add up to "CVR 1's letters to D, and any letter to any destination".
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from './db';
import { deliveries, messages } from './schema';

/** One grant's limit; null = no limit on that axis. */
export interface Limit {
  readonly cvrs: readonly string[] | null;
  readonly destinationIds: readonly string[] | null;
}

export interface Scope {
  readonly orgId: string;
  /** null = the whole organisation; otherwise the caller sees what any one of these limits allows. */
  readonly limits: readonly Limit[] | null;
}

/** The whole organisation: for admins without limits, jobs and tests. */
export const orgScope = (orgId: string): Scope => ({ orgId, limits: null });

export const isLimited = (s: Scope): boolean => s.limits !== null;

export const mayUseCvr = (s: Scope, cvr: string): boolean =>
  s.limits === null || s.limits.some((l) => l.cvrs === null || l.cvrs.includes(cvr));

export const mayUseDestination = (s: Scope, id: string): boolean =>
  s.limits === null || s.limits.some((l) => l.destinationIds === null || l.destinationIds.includes(id));

/**
 * Whether the scope may see, and act on, a delivery of a letter to `cvr` going to destination `id`: one
 * of its limits admits both. Use this (not mayUseDestination) wherever a letter is at hand.
 */
export const mayUseDestinationFor = (s: Scope, cvr: string, id: string): boolean =>
  s.limits === null || s.limits.some((l) => (l.cvrs === null || l.cvrs.includes(cvr)) && (l.destinationIds === null || l.destinationIds.includes(id)));

/** Whether the scope sees every delivery of a letter to `cvr` (some limit admits the letter whatever its destination). */
export const seesAllDeliveriesOf = (s: Scope, cvr: string): boolean =>
  s.limits === null || s.limits.some((l) => l.destinationIds === null && (l.cvrs === null || l.cvrs.includes(cvr)));

/**
 * Whether the scope sees the quarantined letters of a mailbox of `cvr`. They were delivered to nobody,
 * so, as with the triage queue, only a limit admitting the CVR number without naming destinations does.
 */
export const seesQuarantineOf = (s: Scope, cvr: string): boolean => seesAllDeliveriesOf(s, cvr);

/** Whether the scope may see letters of every CVR number and destination (its limits, if any, are all open). */
const open = (l: Limit) => l.cvrs === null && l.destinationIds === null;

/** Whether the scope sees the whole organisation (no limits, or an open one): it may see what no CVR number or letter narrows. */
export const seesWholeOrganisation = (s: Scope): boolean => s.limits === null || s.limits.some(open);

/** `messages`, or an alias of it for hand-written SQL (statistics: `alias(messages, 'm')`). */
type Letters = { orgId: PgColumn; cvr: PgColumn; id: PgColumn };

/**
 * The limits as a condition: the organisation, and (unless some limit is open) any one limit's CVR
 * numbers and destinations, each tested by the given predicate; an empty list admits nothing.
 */
function withinLimits(s: Scope, org: SQL, cvrIn: (cvrs: readonly string[]) => SQL, destinationIn: (ids: readonly string[]) => SQL): SQL {
  if (s.limits === null || s.limits.some(open)) return org;
  const clause = (l: Limit): SQL => and(
    l.cvrs === null ? undefined : l.cvrs.length ? cvrIn(l.cvrs) : sql`false`,
    l.destinationIds === null ? undefined : l.destinationIds.length ? destinationIn(l.destinationIds) : sql`false`,
  )!;
  return and(org, s.limits.length ? or(...s.limits.map(clause)) : sql`false`)!;
}

/** Values as a comma-separated parameter list for hand-written `in (…)`, each with `cast` ('' or '::uuid'). */
const sqlList = (xs: readonly string[], cast: string): SQL => sql.join(xs.map((x) => sql`${x}${sql.raw(cast)}`), sql`, `);

/** The letters (`messages` rows, or those of an alias) the scope may see, as a drizzle condition. */
export function visibleLetters(s: Scope, m: Letters = messages): SQL {
  return withinLimits(s, eq(m.orgId, s.orgId), (cvrs) => inArray(m.cvr, [...cvrs]),
    (ids) => sql`exists (select 1 from ${deliveries} where ${deliveries.messageId} = ${m.id}
      and ${deliveries.orgId} = ${s.orgId} and ${inArray(deliveries.destinationId, [...ids])})`);
}

/**
 * The deliveries the scope may see and act on, as a condition over `deliveries` joined with their letter
 * (`messages`, or the alias given): the organisation's, and one limit admitting the letter's CVR number
 * and the delivery's destination together (mayUseDestinationFor in SQL).
 */
export function visibleDeliveries(s: Scope, m: Letters = messages): SQL {
  return withinLimits(s, and(eq(deliveries.orgId, s.orgId), eq(m.orgId, s.orgId))!, (cvrs) => inArray(m.cvr, [...cvrs]),
    (ids) => inArray(deliveries.destinationId, [...ids]));
}

/**
 * mayUseDestinationFor over SQL expressions: the letter's CVR number and a destination id (statistics by
 * destination, whose rows are letters' deliveries). `true` for a scope without limits.
 */
export function destinationVisibleFor(s: Scope, cvr: SQL, destinationId: SQL): SQL {
  return withinLimits(s, sql`true`, (cvrs) => sql`${cvr} in (${sqlList(cvrs, '')})`, (ids) => sql`${destinationId} in (${sqlList(ids, '::uuid')})`);
}

/**
 * seesQuarantineOf over a CVR number column or expression (a mailbox's): mailboxes whose trouble with
 * letters not delivered anywhere (failed polls, quarantine, receipts) the scope sees. `true` without limits.
 */
export function quarantineVisibleFor(s: Scope, cvr: SQL | PgColumn): SQL {
  // The limits that name no destinations, as any condition of withinLimits (a limit naming some admits nothing here).
  const free: Scope = { ...s, limits: s.limits && s.limits.filter((l) => l.destinationIds === null) };
  return withinLimits(free, sql`true`, (cvrs) => sql`${cvr} in (${sqlList(cvrs, '')})`, () => sql`false`);
}

/**
 * The same predicate over stats_letters (alias `s`: what each letter counts as in the statistics, with
 * the destinations it has deliveries to), for statistics of a caller limited to destinations.
 */
export function visibleCountedLetters(s: Scope): SQL {
  const list = (xs: readonly string[], cast: string) => sql.join(xs.map((x) => sql`${x}${sql.raw(cast)}`), sql`, `);
  return withinLimits(s, sql`s.org_id = ${s.orgId}`, (cvrs) => sql`s.cvr in (${list(cvrs, '')})`,
    (ids) => sql`s.destination_ids && array[${list(ids, '::uuid')}]`);
}

/** Whether which letters the scope sees depends on their destinations (some grant limits them, none is open). */
export const limitsByDestination = (s: Scope): boolean =>
  s.limits !== null && !s.limits.some(open) && s.limits.some((l) => l.destinationIds !== null);

/** Every limit names CVR numbers (or destinations): their union; null when some limit leaves that open. */
export function limitedCvrs(s: Scope): string[] | null {
  return s.limits?.every((l) => l.cvrs !== null) ? [...new Set(s.limits.flatMap((l) => l.cvrs!))] : null;
}
export function limitedDestinations(s: Scope): string[] | null {
  return s.limits?.every((l) => l.destinationIds !== null) ? [...new Set(s.limits.flatMap((l) => l.destinationIds!))] : null;
}

/** Whether the letter exists in the organisation and the scope may see it. */
export async function letterVisible(db: Db, s: Scope, messageId: string): Promise<boolean> {
  const [row] = await db.select({ id: messages.id }).from(messages).where(and(visibleLetters(s), eq(messages.id, messageId)));
  return !!row;
}
