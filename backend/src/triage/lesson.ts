// What a letter has taught the assistant, so a reroute can take it back. The timeline holds every
// lesson already: a rule delivery ('routed'), a placement by a person ('placed') or by the assistant
// ('auto_placed'), and a reroute that taught ('reroute_requested' naming what it `taught`; reroutes
// before that field taught nothing). The latest stands for the letter in the assistant's counts.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db, Tx } from '../store/db';
import { destinations, events, letterColumns, messages } from '../store/schema';
import { routingInputOf } from '../routing/input';
import { errorMessage } from '../log';
import { idsOf, targetOf } from '../assistant/model';

export type LessonKind = 'rule' | 'placement' | 'auto' | 'reroute';
export interface Lesson { target: string; kind: LessonKind; at: Date }

const KIND_OF_EVENT: Readonly<Record<string, LessonKind>> = { routed: 'rule', placed: 'placement', auto_placed: 'auto', reroute_requested: 'reroute' };

/** The letter's current lesson from its events, oldest first (pure). */
export function currentLesson(evs: readonly { type: string; at: Date; data: Record<string, unknown> }[]): Lesson | null {
  let cur: Lesson | null = null;
  for (const e of evs) {
    const kind = KIND_OF_EVENT[e.type];
    if (!kind) continue;
    const ids = e.data.destinationIds;
    const target = kind === 'reroute'
      ? (typeof e.data.taught === 'string' ? e.data.taught : '')
      : Array.isArray(ids) ? targetOf(ids.filter((x): x is string => typeof x === 'string')) : '';
    if (target) cur = { target, kind, at: e.at };
  }
  return cur;
}

export interface RerouteLesson {
  /** The lesson taken back (null: the letter taught nothing yet). */
  from: Lesson | null;
  /** The destinations taught instead. */
  to: string[];
  /** 'placement' also records a calibration outcome (see rerouteLesson). */
  source: 'placement' | 'reroute';
}

/**
 * What a reroute to `wanted` teaches: its destinations in place of the letter's current lesson;
 * nothing when it was taught all of them already. It is a person's verdict on the assistant's top
 * suggestion — a calibration outcome, as a placement is — when no verdict was counted for the letter
 * yet: one the assistant placed itself (a wrong automatic placement), or one still in triage. Rule
 * letters are not triage letters, and a person's placement counted its outcome when it was made.
 */
export function rerouteLesson(current: Lesson | null, wanted: readonly string[], inTriage: boolean): RerouteLesson | null {
  if (current && wanted.every((id) => idsOf(current.target).includes(id))) return null;
  const verdict = current ? current.kind === 'auto' : inTriage;
  return { from: current, to: idsOf(targetOf(wanted)), source: verdict ? 'placement' : 'reroute' };
}

/** The letter's current lesson (call under the letter's lock, so concurrent reroutes take back each other's). */
export async function lessonOf(db: Db | Tx, orgId: string, messageId: string): Promise<Lesson | null> {
  const rows = await db.select({ type: events.type, at: events.at, data: events.data }).from(events)
    .where(and(eq(events.orgId, orgId), eq(events.messageId, messageId), inArray(events.type, Object.keys(KIND_OF_EVENT))))
    .orderBy(asc(events.id));
  return currentLesson(rows);
}

/** Teaches the assistant a reroute's lesson, after it is committed; a failure here must not undo the reroute. */
export async function teachReroute(ctx: AppContext, orgId: string, messageId: string, lesson: RerouteLesson): Promise<void> {
  try {
    const [msg] = await ctx.db.select(letterColumns).from(messages).where(and(eq(messages.orgId, orgId), eq(messages.id, messageId)));
    if (!msg) return;
    const active = await ctx.db.select({ id: destinations.id }).from(destinations).where(and(eq(destinations.orgId, orgId), isNull(destinations.archivedAt)));
    await ctx.assistant.relearn(orgId, await routingInputOf(ctx, msg), lesson, active.map((a) => a.id));
  } catch (e) {
    ctx.log.warn('the assistant could not learn from a reroute', { messageId, error: errorMessage(e) });
  }
}
