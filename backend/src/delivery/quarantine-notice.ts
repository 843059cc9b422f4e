// When letters enter quarantine, the organisation's admins get a mail (Graph sendMail from the
// dead-letter notice's sender to its address, delivery/notify.ts settings): a quarantined letter was
// delivered to nobody, and nobody would otherwise hear of it — it may carry a deadline.
//
// Durable, batched, sent once:
// - A quarantine row without a notice (notice_id null) is the pending work; nothing in the ingest path
//   has to remember it. The repeating job `quarantine-notices` (jobs/runner.ts, every minute) claims
//   an organisation's unclaimed rows into one new `quarantine_notices` row, in one transaction (a
//   concurrent claim finds the rows taken and makes none), once the oldest of them has waited
//   `gatherMs` (a poll that quarantines many letters lands in one mail) and at most once per
//   `intervalMs` per organisation, counted from the last notice made or sent (a broken provider
//   cannot cause a mail storm: one mail an hour, listing every letter since). While a notice cannot
//   go (its sender refused, or failing), the letters after it join it rather than make one notice an
//   hour that would all go at once: it is still open — pending, no lease on it, no uncertain attempt,
//   so no mail of it can have gone — and the attempt that sends it lists what names it then.
// - A notice is sent under a lease (attempts + 1). The mail carries the notice id as a named property
//   and a copy is kept in the sender's Sent Items, so an attempt after one that may have sent it (a
//   lease left behind by a crash, a timeout, a 5xx) first looks for that copy — in the mailbox that
//   attempt sent from (`sent_from`, recorded before its sendMail), though the settings may name
//   another sender since — and records it instead of sending again. Failures are retried with backoff for as long as it takes (never given up:
//   the notice is not lost); the error is kept on the row.
// - Without a notice address and sender, rows are not claimed: they wait, and the admins are mailed
//   about them once the settings name both. A sender the operator's allow-list (DESTINATIONS_ALLOWED)
//   does not, or no longer, allows is checked at each attempt: nothing is sent from it or searched in
//   it; the notice waits with the reason (last_error) and is looked at again every 15 minutes.
// The mail names mailbox, CVR, provider, time, what kind of failure and where in the letter (the
// reason's non-personal facts: ingest/quarantine-reason.ts) and how to act; never the reason's words,
// which may quote the letter (a name, an e-mail address), nor its content, label or a CPR number.
import { and, asc, count, desc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { AppContext } from '../context';
import { cvrNumbers, mailboxes, organisations, quarantine, quarantineNotices } from '../store/schema';
import { providerName } from '../store/letters';
import { safeText } from '../util/safe-text';
import { reasonFacts, type ReasonFacts } from '../ingest/quarantine-reason';
import { call, enc } from './mailbox';
import { esc } from './render';
import { parseDeliverySettings } from './settings';
import { classify, describeGraphError } from './deliver';
import { mailboxRefusal, UNRESTRICTED_POLICY } from './registry/allowed';
import { earlierNoticeCopy, SENDER_REFUSED_WAIT_MS } from './notify';

/** Named property holding the notice id on the mail: found again in the sender's mailbox after an uncertain attempt. */
export const QUARANTINE_NOTICE_PROPERTY = 'String {0b7f7a52-2cf4-4e4c-9d5a-6f0d2b1e8a11} Name brevdueQuarantineNoticeId';

export const QUARANTINE_NOTICE_DEFAULTS = Object.freeze({
  /** How often the job looks (jobs/runner.ts). */
  everyMs: 60_000,
  /** The oldest unclaimed letter waits this long, so one poll's letters go in one mail. */
  gatherMs: 60_000,
  /** At most one notice per organisation this often. */
  intervalMs: 60 * 60_000,
  /** One attempt's lease. */
  leaseMs: 120_000,
  /** Letters listed in one mail; the rest are counted. */
  maxListed: 50,
});

export interface QuarantineNoticeOptions { now?: Date; gatherMs?: number; intervalMs?: number; leaseMs?: number; maxListed?: number }

type Ctx = Pick<AppContext, 'db' | 'graph' | 'log' | 'publicUrl' | 'destinationPolicy'>;

export interface QuarantinedForNotice {
  quarantineId: string;
  provider: string;
  cvr: string;
  cvrName: string | null;
  providerMessageId: string;
  receivedAt: Date;
  reason: string;
}

export interface QuarantineNotice {
  orgName: string;
  letters: QuarantinedForNotice[];
  /** Letters the notice names beyond those listed. */
  more: number;
  /** Days after receipt a letter nobody tries again is deleted (retention + quarantine_keep_days). */
  deletedAfterDays: number;
  paneUrl?: string;
}

const da = (d: Date) => d.toLocaleString('da-DK', { timeZone: 'Europe/Copenhagen', dateStyle: 'long', timeStyle: 'short' });
const daDay = (d: Date) => d.toLocaleDateString('da-DK', { timeZone: 'Europe/Copenhagen', dateStyle: 'long' });

/** A reason in the mail: its kind and, for an invalid MeMo, the element path; never its words (the pane shows those). */
function noticeReason(f: ReasonFacts): string {
  switch (f.kind) {
    case 'invalid_memo': return `Ugyldigt brev (MeMo) ved ${f.path}`;
    case 'unconvertible': return 'Brevet kunne ikke omsættes til MeMo';
    case 'not_fetched': return 'Kunne ikke hentes hos udbyderen (opgivet efter flere forsøg)';
    case 'receipt_not_sent': return `INVALID-kvitteringen kunne ikke sendes til udbyderen${f.first ? `; ${noticeReason(f.first)}` : ''}`;
    case 'database': return 'Databasen kunne ikke gemme brevet';
    case 'given_up': return 'Kunne ikke gemmes (opgivet efter flere forsøg)';
    case 'erased': return 'Slettet efter anmodning fra den registrerede';
  }
}

/** The mail (pure). Every value is escaped; a reason goes as its non-personal facts only. */
export function renderQuarantineNotice(n: QuarantineNotice, to: string, noticeId: string): MicrosoftGraph.Message {
  const total = n.letters.length + n.more;
  const th = (s: string) => `<th style="text-align:left;padding:2px 12px 2px 0">${esc(s)}</th>`;
  const td = (s: string) => `<td style="padding:2px 12px 2px 0;vertical-align:top">${esc(s)}</td>`;
  const rows = n.letters.map((l) => `<tr>${[
    `${l.provider}, CVR ${l.cvr}${l.cvrName ? ` (${l.cvrName})` : ''}`,
    da(l.receivedAt),
    safeText(noticeReason(reasonFacts(l.reason)), 300),
    daDay(new Date(l.receivedAt.getTime() + n.deletedAfterDays * 86_400_000)),
    l.providerMessageId,
    l.quarantineId,
  ].map(td).join('')}</tr>`).join('');
  const more = n.more > 0 ? `<p>… og ${n.more} brev${n.more === 1 ? '' : 'e'} mere, som ikke er vist her.</p>` : '';
  const pane = n.paneUrl
    ? `<a href="${esc(n.paneUrl)}">Åbn Brevdue</a> (i Outlook: Brevdue-panelet) › Administration › Postkasser`
    : 'Åbn Brevdue-panelet i Outlook › Administration › Postkasser';
  const one = total === 1;
  return {
    subject: `Brevdue: ${total} ${one ? 'brev' : 'breve'} i karantæne – ${one ? 'det er' : 'de er'} ikke leveret`,
    importance: 'high',
    body: {
      contentType: 'html',
      content: `<html><body style="font-family:Segoe UI,Arial,sans-serif"><p>Brevdue (${esc(n.orgName)}) har sat ${total} ${one ? 'brev' : 'breve'} i karantæne. `
        + `Et brev i karantæne er ikke leveret til nogen: Brevdue kunne ikke tage imod det (ugyldigt brev, afvist af databasen eller ikke hentet efter flere forsøg). `
        + 'Det kan have en frist, så se på det snart.</p>'
        + `<table><tr>${['Postkasse', 'Modtaget', 'Årsag', 'Slettes', 'Brev-id hos udbyderen', 'Karantæne-id'].map(th).join('')}</tr>${rows}</table>${more}`
        + '<p>Årsagen står her kun som fejlens art og stedet i brevet; hele årsagen, som kan citere brevet, ses i Brevdue-panelet.</p>'
        + `<p>Sådan handler du: ${pane}, vis brevene i karantæne for postkassen, og tryk <b>Prøv igen</b>, når årsagen er rettet `
        + '(et ugyldigt brev kan også skyldes afsenderen: bed dem sende det igen). Eller på serveren: '
        + '<code>brevdue quarantine retry &lt;karantæne-id&gt;</code>.</p>'
        + `<p>Et brev, som ingen har prøvet igen, slettes ${n.deletedAfterDays} dage efter modtagelsen (opbevaringsperioden og karantænefristen). `
        + 'Denne besked indeholder ikke brevenes indhold.</p></body></html>',
    },
    toRecipients: [{ emailAddress: { address: to } }],
    singleValueExtendedProperties: [{ id: QUARANTINE_NOTICE_PROPERTY, value: noticeId }],
  };
}

/**
 * A pending notice no attempt may have sent: none holds or left a lease on it, none had an uncertain
 * answer. Letters may still join it: the mail, when it goes, lists what names it then.
 */
const openNotice = and(eq(quarantineNotices.status, 'pending'), eq(quarantineNotices.uncertain, false), isNull(quarantineNotices.leaseUntil));

/**
 * Claims each organisation's quarantined letters without a notice, where the settings name an address
 * and a sender and the oldest has waited `gatherMs`: into its open notice if it has one (a notice that
 * cannot go yet — its sender refused by the allow-list, or failing — gathers every letter meanwhile,
 * so the admins get one mail when it goes, not a backlog of one an hour), else into a new notice once
 * the organisation's last notice was made and sent `intervalMs` ago. Open notices an earlier version
 * piled up are joined into the oldest. Returns the notices made.
 */
export async function claimQuarantineNotices(ctx: Ctx, opts: QuarantineNoticeOptions = {}): Promise<string[]> {
  const now = opts.now ?? new Date();
  const gatherMs = opts.gatherMs ?? QUARANTINE_NOTICE_DEFAULTS.gatherMs;
  const intervalMs = opts.intervalMs ?? QUARANTINE_NOTICE_DEFAULTS.intervalMs;
  const since = new Date(now.getTime() - intervalMs);
  const waiting = await ctx.db.select({ orgId: quarantine.orgId, oldest: sql<Date>`min(${quarantine.receivedAt})`.mapWith(quarantine.receivedAt) })
    .from(quarantine).where(and(isNull(quarantine.noticeId), isNull(quarantine.erasedAt))).groupBy(quarantine.orgId);
  const piled = new Set((await ctx.db.select({ orgId: quarantineNotices.orgId }).from(quarantineNotices).where(openNotice)
    .groupBy(quarantineNotices.orgId).having(sql`count(*) > 1`)).map((p) => p.orgId));
  const ready = new Set(waiting.filter((w) => w.oldest.getTime() <= now.getTime() - gatherMs).map((w) => w.orgId));
  const made: string[] = [];
  for (const orgId of new Set([...ready, ...piled])) {
    const [org] = await ctx.db.select({ settings: organisations.deliverySettings }).from(organisations).where(eq(organisations.id, orgId));
    const s = parseDeliverySettings(org?.settings);
    if (!s.notifyAddress || !s.notifySender) continue; // they wait until the settings name both
    const joined = await joinOpenNotice(ctx, orgId, ready.has(orgId));
    if (joined || !ready.has(orgId)) continue;
    // At most one mail an hour: no notice made, nor sent (one that waited long goes late), since.
    const [recent] = await ctx.db.select({ id: quarantineNotices.id }).from(quarantineNotices)
      .where(and(eq(quarantineNotices.orgId, orgId), or(gt(quarantineNotices.createdAt, since), gt(quarantineNotices.sentAt, since)))).limit(1);
    if (recent) continue;
    const id = await ctx.db.transaction(async (tx) => {
      const [n] = await tx.insert(quarantineNotices).values({ orgId, createdAt: now, dueAt: now }).returning({ id: quarantineNotices.id });
      const claimed = await tx.update(quarantine).set({ noticeId: n.id })
        .where(and(eq(quarantine.orgId, orgId), isNull(quarantine.noticeId), isNull(quarantine.erasedAt))).returning({ id: quarantine.id });
      if (claimed.length === 0) {
        // Another process claimed them first (its transaction committed while this one waited for the rows).
        await tx.delete(quarantineNotices).where(eq(quarantineNotices.id, n.id));
        return null;
      }
      await tx.update(quarantineNotices).set({ letters: claimed.length }).where(eq(quarantineNotices.id, n.id));
      return n.id;
    });
    if (id) made.push(id);
  }
  return made;
}

/**
 * In one transaction, under the lock of the organisation's open notices: the oldest takes the letters
 * of the others (which go) and, with `claim`, the letters no notice names yet. An attempt claims a
 * notice by setting its lease, so it waits for this transaction and then lists every letter joined, and
 * a notice with a lease (or an uncertain attempt) behind it is not open: a mail that may have gone is
 * never assumed to name a letter it did not. Returns the notice joined, or null when there is none.
 */
async function joinOpenNotice(ctx: Ctx, orgId: string, claim: boolean): Promise<string | null> {
  return ctx.db.transaction(async (tx) => {
    const open = await tx.select({ id: quarantineNotices.id }).from(quarantineNotices)
      .where(and(eq(quarantineNotices.orgId, orgId), openNotice)).orderBy(asc(quarantineNotices.createdAt), asc(quarantineNotices.id)).for('update');
    if (open.length === 0) return null;
    const [into, ...others] = open.map((o) => o.id);
    if (others.length) {
      await tx.update(quarantine).set({ noticeId: into }).where(inArray(quarantine.noticeId, others));
      await tx.delete(quarantineNotices).where(inArray(quarantineNotices.id, others));
    }
    if (claim) {
      await tx.update(quarantine).set({ noticeId: into })
        .where(and(eq(quarantine.orgId, orgId), isNull(quarantine.noticeId), isNull(quarantine.erasedAt)));
    }
    const [{ letters }] = await tx.select({ letters: count() }).from(quarantine).where(eq(quarantine.noticeId, into));
    await tx.update(quarantineNotices).set({ letters }).where(eq(quarantineNotices.id, into));
    return into;
  });
}

export type NoticeOutcome = 'sent' | 'found_sent' | 'moot' | 'not_configured' | 'sender_not_allowed' | 'failed' | 'throttled' | 'taken';

/** Sends the notices that are due (or finds them sent). Each under its own lease; at most `limit` per call. */
export async function sendDueQuarantineNotices(ctx: Ctx, opts: QuarantineNoticeOptions & { limit?: number } = {}): Promise<Record<string, NoticeOutcome>> {
  const now = opts.now ?? new Date();
  const due = await ctx.db.select({ id: quarantineNotices.id }).from(quarantineNotices)
    .where(and(eq(quarantineNotices.status, 'pending'), lte(quarantineNotices.dueAt, now),
      or(isNull(quarantineNotices.leaseUntil), lt(quarantineNotices.leaseUntil, now))))
    .orderBy(asc(quarantineNotices.dueAt)).limit(opts.limit ?? 20);
  const out: Record<string, NoticeOutcome> = {};
  for (const d of due) out[d.id] = await sendQuarantineNotice(ctx, d.id, opts);
  return out;
}

/** The job's one run: claim, then send what is due. */
export async function runQuarantineNotices(ctx: Ctx, opts: QuarantineNoticeOptions = {}): Promise<Record<string, NoticeOutcome>> {
  await claimQuarantineNotices(ctx, opts);
  return sendDueQuarantineNotices(ctx, opts);
}

const backoffMs = (attempt: number) => Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1));

/** One attempt at one notice. */
export async function sendQuarantineNotice(ctx: Ctx, noticeId: string, opts: QuarantineNoticeOptions = {}): Promise<NoticeOutcome> {
  const now = opts.now ?? new Date();
  const leaseMs = opts.leaseMs ?? QUARANTINE_NOTICE_DEFAULTS.leaseMs;
  const maxListed = opts.maxListed ?? QUARANTINE_NOTICE_DEFAULTS.maxListed;
  const lease = new Date(now.getTime() + leaseMs);
  // The claim: a lease still running belongs to another attempt; one left behind makes this one uncertain.
  const [n] = await ctx.db.update(quarantineNotices).set({
    leaseUntil: lease, attempts: sql`${quarantineNotices.attempts} + 1`,
    uncertain: sql`${quarantineNotices.uncertain} OR ${quarantineNotices.leaseUntil} IS NOT NULL`,
  }).where(and(eq(quarantineNotices.id, noticeId), eq(quarantineNotices.status, 'pending'),
    or(isNull(quarantineNotices.leaseUntil), lt(quarantineNotices.leaseUntil, now)))).returning();
  if (!n) return 'taken';
  const mine = and(eq(quarantineNotices.id, noticeId), eq(quarantineNotices.leaseUntil, lease));

  const [org] = await ctx.db.select({ name: organisations.name, settings: organisations.deliverySettings, retentionDays: organisations.retentionDays, keepDays: organisations.quarantineKeepDays })
    .from(organisations).where(eq(organisations.id, n.orgId));
  const s = parseDeliverySettings(org.settings);
  if (!s.notifyAddress || !s.notifySender) {
    // The settings were emptied since the claim: the letters wait for new settings, unclaimed again.
    await ctx.db.transaction(async (tx) => {
      await tx.update(quarantine).set({ noticeId: null }).where(eq(quarantine.noticeId, noticeId));
      await tx.delete(quarantineNotices).where(mine);
    });
    return 'not_configured';
  }
  // The sender held against the operator's allow-list now, not only when the settings were saved: one
  // saved before the list, or in a domain since taken off it, is neither sent from nor searched. The
  // notice waits (its letters stay claimed by it), the reason on the row, and goes once allowed.
  const refusal = mailboxRefusal(ctx.destinationPolicy ?? UNRESTRICTED_POLICY, n.orgId, s.notifySender);
  if (refusal) {
    const at = new Date(now.getTime() + SENDER_REFUSED_WAIT_MS);
    await ctx.db.update(quarantineNotices).set({
      leaseUntil: null, dueAt: at,
      lastError: safeText(`Not sent yet: the notice sender ${s.notifySender} may not be used. ${refusal.message} The notice is sent once the delivery settings name a sender in an allowed domain.`, 1000),
    }).where(mine);
    ctx.log.warn('quarantine notice waits: the notice sender is not allowed', { orgId: n.orgId, noticeId, domain: refusal.params.domain, at: at.toISOString() });
    return 'sender_not_allowed';
  }
  const finish = async (status: 'sent' | 'moot', letters: number | null, note: string | null = null) => {
    await ctx.db.update(quarantineNotices).set({
      status, leaseUntil: null, lastError: note, uncertain: false,
      // opts.now when given (tests' clocks), so the hourly rule counts from when it went.
      ...(status === 'sent' ? { sentAt: opts.now ?? new Date(), sentTo: s.notifyAddress, letters } : {}),
    }).where(mine);
  };
  let duplicateNote: string | null = null;
  try {
    if (n.uncertain) {
      // Where the uncertain attempt sent from; rows from before sent_from existed: the current sender
      // (allowed: checked above).
      const lookIn = n.sentFrom ?? s.notifySender;
      const earlier = await earlierNoticeCopy(ctx, n.orgId, lookIn, QUARANTINE_NOTICE_PROPERTY, noticeId);
      if (earlier.kind === 'refused') {
        duplicateNote = safeText(`Sent from ${s.notifySender}; an earlier attempt may have sent it from ${lookIn}, which may not be used now `
          + `and so was not searched: the admins may have two copies.`, 1000);
        ctx.log.warn('quarantine notice: an earlier attempt may have sent it from a sender no longer allowed; not looked for there, sending again',
          { orgId: n.orgId, noticeId, domain: earlier.domain });
      } else if (earlier.kind === 'found') {
        await finish('sent', n.letters);
        ctx.log.info('quarantine notice found sent by an earlier attempt', { orgId: n.orgId, noticeId });
        return 'found_sent';
      }
    }
    const where = and(eq(quarantine.noticeId, noticeId), isNull(quarantine.erasedAt));
    const [{ total }] = await ctx.db.select({ total: count() }).from(quarantine).where(where);
    if (total === 0) {
      await finish('moot', null); // every letter it named was taken in, deleted or erased meanwhile
      return 'moot';
    }
    const listed = await ctx.db.select({
      quarantineId: quarantine.id, provider: mailboxes.provider, cvr: mailboxes.cvr, cvrName: cvrNumbers.name,
      providerMessageId: quarantine.providerMessageId, receivedAt: quarantine.receivedAt, reason: quarantine.reason,
    }).from(quarantine).innerJoin(mailboxes, eq(mailboxes.id, quarantine.mailboxId))
      .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, quarantine.orgId), eq(cvrNumbers.cvr, mailboxes.cvr), isNull(cvrNumbers.removedAt)))
      .where(where).orderBy(asc(mailboxes.cvr), asc(mailboxes.provider), desc(quarantine.receivedAt)).limit(maxListed);
    const mail = renderQuarantineNotice({
      orgName: org.name, letters: listed.map((l) => ({ ...l, provider: providerName(l.provider) })), more: total - listed.length,
      deletedAfterDays: org.retentionDays + org.keepDays,
      paneUrl: ctx.publicUrl ? `${ctx.publicUrl}/taskpane.html#/admin/mailboxes` : undefined,
    }, s.notifyAddress, noticeId);
    // The sender, durably before the mail may go: a later attempt looks for this one's copy there.
    const marked = await ctx.db.update(quarantineNotices).set({ sentFrom: s.notifySender }).where(mine).returning({ id: quarantineNotices.id });
    if (marked.length === 0) return 'taken'; // the lease ran out and another attempt holds the notice
    // Saved to Sent Items: that copy, with the notice id, is what a later attempt looks for.
    await call(ctx.graph, `/users/${enc(s.notifySender)}/sendMail`, (r) => r.post({ message: mail, saveToSentItems: true }));
    await finish('sent', total, duplicateNote);
    ctx.log.info('admins mailed about quarantined letters', { orgId: n.orgId, noticeId, letters: total, to: s.notifyAddress });
    return 'sent';
  } catch (e) {
    const c = classify(e);
    const reason = c.kind === 'failed' || c.kind === 'throttled' ? c.reason : describeGraphError(e);
    const uncertain = c.kind === 'failed' && c.uncertain;
    // The copy of an uncertain attempt may take a moment to show in Sent Items: look again after a lease at least.
    const at = c.kind === 'throttled' ? c.at : new Date(Date.now() + Math.max(backoffMs(n.attempts), uncertain ? leaseMs : 0));
    await ctx.db.update(quarantineNotices).set({
      leaseUntil: null, dueAt: at, lastError: safeText(`Could not mail ${s.notifyAddress} about quarantined letters: ${reason}`, 1000),
      uncertain: sql`${quarantineNotices.uncertain} OR ${uncertain}`,
    }).where(mine);
    ctx.log.warn('quarantine notice failed; will retry', { orgId: n.orgId, noticeId, attempt: n.attempts, at: at.toISOString(), error: reason });
    return c.kind === 'throttled' ? 'throttled' : 'failed';
  }
}

/** Whether the sender's mailbox holds the notice already (its Sent Items copy carries the notice id). */
