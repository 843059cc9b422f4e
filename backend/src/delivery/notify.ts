// When a delivery dead-letters, the organisation's admins get a mail (through Graph sendMail from
// the configured sender mailbox) saying which letter, where it should have gone, and why it failed.
// The notice never contains the letter's content: not its documents, and not its label (a label may
// name a person or an illness, and the mail stays in the admins' inbox and, since it is looked for after
// an uncertain attempt, in the sender's Sent Items, where retention and erasure never reach it). It names
// the letter by sender, CVR number and time, and links to it in the pane.
// Claimed before sent (deliveries.dead_notice_until), the sender held against the operator's allow-list
// at send time, owed until sent, and sent once (as quarantine notices are: the notice id on the mail,
// looked for in the Sent Items of the sender an uncertain attempt used): see notifyDeadLetter and the
// sweep notifyWaitingDeadLetters.
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { AppContext } from '../context';
import { deliveries, destinations, events, messages, organisations } from '../store/schema';
import { addEvent } from '../store/letters';
import { maskCpr } from '../../../shared/src/identifiers';
import { call, enc } from './mailbox';
import { esc } from './render';
import { letterPaneUrl } from './pane-link';
import { parseDeliverySettings } from './settings';
import { classify, describeGraphError } from './deliver';
import { mailboxRefusal, refusalWithoutAllowList, UNRESTRICTED_POLICY } from './registry/allowed';

export interface DeadLetterNotice {
  orgName: string;
  senderName: string;
  cvr: string;
  receivedAt: Date;
  replyBy: Date | null;
  destination: string;
  attempts: number;
  reason: string;
  letterUrl?: string;
}

/** Named property holding the dead-letter notice's id on its mail: found again in the sender's mailbox after an uncertain attempt. */
export const DEAD_NOTICE_PROPERTY = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueDeadLetterNoticeId';

export function renderDeadLetterNotice(n: DeadLetterNotice, to: string, noticeId?: string): MicrosoftGraph.Message {
  const da = (d: Date) => d.toLocaleString('da-DK', { timeZone: 'Europe/Copenhagen', dateStyle: 'long', timeStyle: 'short' });
  const rows: [string, string][] = [
    ['Afsender', n.senderName], ['Modtager-CVR', n.cvr], ['Modtaget', da(n.receivedAt)],
    ...(n.replyBy ? [['Svarfrist', da(n.replyBy)] as [string, string]] : []),
    ['Skulle leveres til', n.destination], ['Forsøg', String(n.attempts)], ['Årsag', maskCpr(n.reason)],
  ];
  const link = n.letterUrl ? `<p><a href="${esc(n.letterUrl)}">Åbn brevet i Brevdue</a> for at sende det igen eller omdirigere det.</p>` : '<p>Åbn brevet i Brevdue-panelet i Outlook for at sende det igen eller omdirigere det.</p>';
  return {
    subject: `Brevdue: et brev fra ${n.senderName} kunne ikke leveres`.slice(0, 255),
    importance: 'high',
    body: {
      contentType: 'html',
      content: `<html><body style="font-family:Segoe UI,Arial,sans-serif"><p>Brevdue (${esc(n.orgName)}) har opgivet at levere et brev efter ${n.attempts} forsøg. Brevet er gemt og går ikke tabt.</p>`
        + `<table>${rows.map(([k, v]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>${link}`
        + '<p>Skyldes det en driftsforstyrrelse (postkassen findes ikke, adgangen er fjernet), så ret årsagen og send alle mislykkede leveringer igen under Administration › Modtagere.</p></body></html>',
    },
    toRecipients: [{ emailAddress: { address: to } }],
    ...(noticeId ? { singleValueExtendedProperties: [{ id: DEAD_NOTICE_PROPERTY, value: noticeId }] } : {}),
  };
}

/** Whether the sender's mailbox holds a notice already (its Sent Items copy carries the notice id in `property`). */
export async function noticeCopyIn(ctx: Pick<AppContext, 'graph'>, sender: string, property: string, noticeId: string): Promise<boolean> {
  const res = await call<{ value: MicrosoftGraph.Message[] }>(ctx.graph, `/users/${enc(sender)}/messages`,
    (r) => r.filter(enc(`singleValueExtendedProperties/Any(ep: ep/id eq '${property}' and ep/value eq '${noticeId}')`))
      .select('id').top(1).get());
  return res.value.length > 0;
}

/**
 * Where an uncertain attempt's notice is, looked for in the Sent Items of the sender that attempt used:
 * found, absent, or not looked for because the operator's allow-list refuses that sender now (a refused
 * mailbox is not read, not even to look; the caller sends again: a second mail beats none).
 */
export async function earlierNoticeCopy(ctx: Pick<AppContext, 'graph' | 'destinationPolicy'>, orgId: string, sender: string,
  property: string, noticeId: string): Promise<{ kind: 'found' | 'absent' } | { kind: 'refused'; domain: string }> {
  const refusal = mailboxRefusal(ctx.destinationPolicy ?? UNRESTRICTED_POLICY, orgId, sender);
  if (refusal) return { kind: 'refused', domain: refusal.params.domain };
  return { kind: (await noticeCopyIn(ctx, sender, property, noticeId)) ? 'found' : 'absent' };
}

export type DeadLetterNoticeOutcome = 'sent' | 'found_sent' | 'not_configured' | 'already' | 'taken' | 'sender_not_allowed';

/** One attempt's claim on the notice: long enough for a Graph call (30 s) and its recording. */
const CLAIM_MS = 120_000;
/** A notice whose sender the operator's list refuses is looked at again this often (the sweep below). */
export const SENDER_REFUSED_WAIT_MS = 15 * 60_000;
/** After a failed send: 2 s, 8 s, 32 s … at most 15 minutes (the job retries, the sweep after that). */
export const deadNoticeBackoffMs = (attempt: number) => Math.min(15 * 60_000, 2000 * 4 ** (Math.max(1, attempt) - 1));

/** A dead delivery whose notice is owed and not claimed (no lease, or one that ran out): the claim's and the sweep's test. */
const noticeOwedAndFree = (now: Date) => and(eq(deliveries.status, 'dead'), isNull(deliveries.deadNotifiedAt),
  or(isNull(deliveries.deadNoticeUntil), lt(deliveries.deadNoticeUntil, now)));

/** A failed send: the notice is tried again from `retryAt` (the claim is held until then). */
export class DeadNoticeFailed extends Error {
  constructor(message: string, readonly retryAt: Date) { super(message); }
}

/**
 * One attempt at the dead-letter notice of a delivery. Claimed before it is sent: a conditional update
 * sets `dead_notice_until` (a lease), so jobs running at once (a restart's catch-up beside the job
 * scheduled when the delivery died, several processes) send one mail; the loser answers 'taken'. A
 * process that dies holding the claim leaves it to run out: the notice is then sent by the next
 * attempt (the sweep), so a crash never loses it.
 * Sent once: before its sendMail an attempt records the notice id (a named property on the mail, kept
 * in Sent Items) and its sender; while that sender is recorded (a timeout, a 5xx, a crash: Graph may
 * have sent it) the next attempt first looks for the copy there, in the mailbox it went from, not the
 * one the settings name now. If the operator's allow-list refuses that mailbox now, it is not read: the
 * notice goes again from the current sender (a possible second mail beats none), logged and on the event.
 * The sender (settings' notifySender) is held against the operator's allow-list here, at send time: one
 * saved before the list, or in a domain since taken off it, sends nothing; the notice waits (reason on
 * the letter's timeline, once) and goes when the settings or the list allow it.
 */
export async function notifyDeadLetter(ctx: AppContext, deliveryId: string, opts: { attempt?: number; now?: Date } = {}): Promise<DeadLetterNoticeOutcome> {
  const now = opts.now ?? new Date();
  const [row] = await ctx.db.select({ d: deliveries, dest: destinations, org: organisations, m: { id: messages.id, senderName: messages.senderName, cvr: messages.cvr, receivedAt: messages.receivedAt, replyBy: messages.replyBy } })
    .from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(organisations, eq(organisations.id, deliveries.orgId))
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(eq(deliveries.id, deliveryId));
  if (!row || row.d.status !== 'dead' || row.d.deadNotifiedAt) return 'already';
  // The claim (a lease): only one attempt at a time, and none before a failed one's backoff has passed.
  const lease = new Date(now.getTime() + CLAIM_MS);
  // The marks as they are now, under the claim (the row read above may predate an attempt that just ended).
  const [claimed] = await ctx.db.update(deliveries).set({ deadNoticeUntil: lease })
    .where(and(eq(deliveries.id, deliveryId), noticeOwedAndFree(now)))
    .returning({ noticeId: deliveries.deadNoticeId, sentFrom: deliveries.deadNoticeSentFrom });
  if (!claimed) return 'taken';
  const mine = and(eq(deliveries.id, deliveryId), eq(deliveries.deadNoticeUntil, lease));

  const settings = parseDeliverySettings(row.org.deliverySettings);
  if (!settings.notifyAddress || !settings.notifySender) {
    const upd = await ctx.db.update(deliveries).set({ deadNotifiedAt: new Date(), deadNoticeUntil: null, deadNoticeId: null, deadNoticeSentFrom: null })
      .where(mine).returning({ id: deliveries.id });
    if (upd.length) {
      await addEvent(ctx.db, row.d.orgId, row.m.id, 'admins_notified', 'system',
        'No admin was mailed about the failed delivery: no notification address and sender are configured (admin settings → delivery).', { deliveryId, sent: false });
    }
    return 'not_configured';
  }
  const refusal = mailboxRefusal(ctx.destinationPolicy ?? UNRESTRICTED_POLICY, row.d.orgId, settings.notifySender);
  if (refusal) {
    await ctx.db.update(deliveries).set({ deadNoticeUntil: new Date(now.getTime() + SENDER_REFUSED_WAIT_MS) }).where(mine);
    const text = `The admins were not mailed yet about the failed delivery to ${row.dest.displayName}: the notice sender ${settings.notifySender} may not be used. `
      // The letter's timeline is read by readers too: the refused domain, not the operator's list of allowed ones.
      + `${refusalWithoutAllowList(refusal).message} The notice is sent once the delivery settings name a sender in an allowed domain.`;
    await recordWaiting(ctx, row.d.orgId, row.m.id, deliveryId, text, { destination: row.dest.displayName, domain: refusal.params.domain });
    ctx.log.warn('dead-letter notice waits: the notice sender is not allowed', { orgId: row.d.orgId, deliveryId, domain: refusal.params.domain });
    return 'sender_not_allowed';
  }
  const where = row.dest.mailbox ? `${row.dest.displayName} (${row.dest.mailbox})` : row.dest.displayName;
  const noticeId = claimed.noticeId ?? randomUUID();
  const notice = renderDeadLetterNotice({
    orgName: row.org.name, senderName: row.m.senderName, cvr: row.m.cvr, receivedAt: row.m.receivedAt, replyBy: row.m.replyBy,
    destination: where, attempts: row.d.attempts, reason: row.d.lastError ?? 'unknown',
    letterUrl: letterPaneUrl(ctx.publicUrl, row.m.id),
  }, settings.notifyAddress, noticeId);
  // Recorded under the claim; an attempt that outlived it (a long pause) still records the first notice only.
  // Only while the delivery is still dead: one sent again meanwhile ("retry all failed", which clears the
  // mark) must be noticed again if it gives up again (CI saw this mail land just after such a retry).
  const record = async (found: boolean, duplicatePossible: boolean) => {
    const upd = await ctx.db.update(deliveries).set({ deadNotifiedAt: new Date(), deadNoticeUntil: null, deadNoticeId: null, deadNoticeSentFrom: null })
      .where(and(eq(deliveries.id, deliveryId), eq(deliveries.status, 'dead'), isNull(deliveries.deadNotifiedAt))).returning({ id: deliveries.id });
    if (upd.length) {
      await addEvent(ctx.db, row.d.orgId, row.m.id, 'admins_notified', 'system',
        `Mailed ${settings.notifyAddress} that the delivery to ${row.dest.displayName} failed${duplicatePossible ? ' (an earlier attempt, from a sender no longer allowed, may have mailed them too)' : ''}`,
        { deliveryId, sent: true, to: settings.notifyAddress, destination: row.dest.displayName, ...(found ? { foundSent: true } : {}), ...(duplicatePossible ? { duplicatePossible: true } : {}) });
    }
  };
  let sending = false;
  try {
    let duplicatePossible = false;
    if (claimed.sentFrom && claimed.noticeId) {
      const earlier = await earlierNoticeCopy(ctx, row.d.orgId, claimed.sentFrom, DEAD_NOTICE_PROPERTY, claimed.noticeId);
      if (earlier.kind === 'refused') {
        duplicatePossible = true;
        ctx.log.warn('dead-letter notice: an earlier attempt may have sent it from a sender no longer allowed; not looked for there, sending again',
          { orgId: row.d.orgId, deliveryId, domain: earlier.domain });
      } else if (earlier.kind === 'found') {
        await record(true, false);
        ctx.log.info('dead-letter notice found sent by an earlier attempt', { orgId: row.d.orgId, deliveryId });
        return 'found_sent';
      }
    }
    // Durable before the mail may go: after a timeout or a crash from here on, the next attempt knows
    // which mailbox to search and for what. Not while the delivery was sent again meanwhile.
    const marked = await ctx.db.update(deliveries).set({ deadNoticeId: noticeId, deadNoticeSentFrom: settings.notifySender })
      .where(and(mine, eq(deliveries.status, 'dead'), isNull(deliveries.deadNotifiedAt))).returning({ id: deliveries.id });
    if (marked.length === 0) return 'taken'; // another attempt holds it now, or the delivery is not dead any more
    sending = true;
    // Saved to Sent Items: that copy, with the notice id, is what a later attempt looks for.
    await call(ctx.graph, `/users/${enc(settings.notifySender)}/sendMail`, (r) => r.post({ message: notice, saveToSentItems: true }));
    await record(false, duplicatePossible);
  } catch (e) {
    const c = classify(e);
    // Graph answered that it did not send it (4xx, 429): nothing to look for. No answer or a 5xx: it may
    // have, and its copy may take a moment to show in Sent Items: look no sooner than a claim's length.
    const notSent = sending && !(c.kind === 'failed' && c.uncertain);
    const wait = Math.max(deadNoticeBackoffMs(opts.attempt ?? 99), sending && !notSent ? CLAIM_MS : 0);
    const retryAt = new Date(Date.now() + wait);
    await ctx.db.update(deliveries).set({ deadNoticeUntil: retryAt, ...(notSent ? { deadNoticeSentFrom: null } : {}) }).where(mine);
    throw new DeadNoticeFailed(`Could not mail ${settings.notifyAddress} about the failed delivery: ${describeGraphError(e)}`, retryAt);
  }
  return 'sent';
}

/** The reason a notice waits, on the letter's timeline once (not again at every look while it is the same). */
async function recordWaiting(ctx: AppContext, orgId: string, messageId: string, deliveryId: string, text: string,
  about: { destination: string; domain: string }): Promise<void> {
  const [last] = await ctx.db.select({ text: events.text }).from(events)
    .where(and(eq(events.orgId, orgId), eq(events.messageId, messageId), eq(events.type, 'admins_notified'), sql`${events.data}->>'deliveryId' = ${deliveryId}`))
    .orderBy(desc(events.at), desc(events.id)).limit(1);
  if (last?.text === text) return;
  await addEvent(ctx.db, orgId, messageId, 'admins_notified', 'system', text, { deliveryId, sent: false, waiting: true, reason: 'sender_not_allowed', ...about });
}

/**
 * The sweep (run every minute by the `quarantine-notices` job, jobs/runner.ts): dead deliveries whose
 * notice is still owed and not claimed — its sender was refused, its job ran out of retries, or a
 * process died holding the claim — are tried again, at most `limit` a run. Nothing is lost for want
 * of a restart.
 */
export async function notifyWaitingDeadLetters(ctx: AppContext, opts: { now?: Date; limit?: number } = {}): Promise<Record<string, DeadLetterNoticeOutcome>> {
  const now = opts.now ?? new Date();
  const due = await ctx.db.select({ id: deliveries.id }).from(deliveries)
    .where(noticeOwedAndFree(now))
    .orderBy(asc(deliveries.lastFailedAt)).limit(opts.limit ?? 20);
  const out: Record<string, DeadLetterNoticeOutcome> = {};
  for (const d of due) {
    try {
      out[d.id] = await notifyDeadLetter(ctx, d.id, { now });
    } catch (e) {
      if (!(e instanceof DeadNoticeFailed)) throw e;
      ctx.log.warn('dead-letter notice failed; will retry', { deliveryId: d.id, retryAt: e.retryAt.toISOString(), error: e.message });
    }
  }
  return out;
}
