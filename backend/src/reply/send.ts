// Replying to a Digital Post letter: check, build, store, send, record.
//
// Crash safety: the reply row (sealed MeMo, status `sending`, its messageUUID fixed) is committed
// BEFORE the NgDP call, so a crash mid-send loses nothing; the row then becomes `sent` (with NgDP's
// transmissionId) or `failed` (with an English sentence; its code, params and NgDP's own words go in
// the reply_failed event's data, which the pane words from: replies has no column for them). A retry
// sends the stored MeMo again, byte for byte, under the same messageUUID — never a second, different reply.
//
// The receipt: NgDP answers the send with a transmissionId once it has taken the memo in (the
// simulator also says receiptStatus RECEIVED). That answer is the receipt we record; NgDP's API as
// we use it has no call to ask a sent memo's later status, so there is no receipt job to poll it.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { AppContext, MailboxRow } from '../context';
import type { ReplyFailure, ReplyInfo } from '../../../shared/src/contracts';
import { errorMessage } from '../log';
import { HttpError } from '../api/errors';
import { ProviderError } from '../ingest/connector';
import { openNgdpMailbox } from '../ingest/ngdp/mailbox-client';
import { buildMemoXml } from '../memo/build';
import { openOriginal } from '../store/original';
import { parseMemo } from '../memo/parse';
import { MemoError, type Memo } from '../memo/types';
import { addEvent } from '../store/letters';
import { cvrNumbers, events, mailboxes, messages, replies } from '../store/schema';
import { buildReplyMemo, replyLabel } from './build';
import { renderReplyPdf } from './pdf';
import { checkAttachments, checkReplyable, checkText, type UploadedFile } from './validate';
import { maskCpr } from '../../../shared/src/identifiers';

export interface Actor { id: string; name: string }
const actorLabel = (a: Actor) => a.name || a.id;

/** Sends one MeMo through a mailbox's NgDP client; returns the transmissionId. A seam for tests. */
export type ReplySender = (mailbox: MailboxRow, memoXml: string, messageUUID: string) => Promise<string>;

export function ngdpReplySender(ctx: Pick<AppContext, 'sealer' | 'providerUrls'>): ReplySender {
  return async (mailbox, xml, uuid) => {
    // Replies are rare: a client per send, closed after, keeps no TLS agent alive between them.
    const opened = openNgdpMailbox(mailbox, ctx.sealer, ctx.providerUrls);
    try {
      return await opened.client.send(xml, uuid);
    } finally {
      opened.close();
    }
  };
}

export interface ReplyRequest {
  text: unknown;
  files: UploadedFile[];
  /** Chosen by the add-in once per compose: a resubmitted request (lost answer) finds the same reply. */
  memoUuid?: string;
}

type Ctx = Pick<AppContext, 'db' | 'sealer' | 'log' | 'providerUrls'>;
type ReplyRow = typeof replies.$inferSelect;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** A `sending` row older than this was left by a crash (a send times out after 30 s) and may be retried. */
const STALE_SENDING_MS = 2 * 60_000;

async function letterOf(ctx: Ctx, orgId: string, messageId: string) {
  const [row] = await ctx.db.select({
    id: messages.id, label: messages.label, provider: messages.provider, cvr: messages.cvr, senderName: messages.senderName,
    replyAllowed: messages.replyAllowed, replyBy: messages.replyBy, rawEnc: messages.rawEnc, cvrName: cvrNumbers.name, purgedAt: messages.purgedAt,
    mailbox: { id: mailboxes.id, orgId: mailboxes.orgId, cvr: mailboxes.cvr, provider: mailboxes.provider, config: mailboxes.config, secretEnc: mailboxes.secretEnc, removedAt: mailboxes.removedAt },
  }).from(messages)
    .innerJoin(mailboxes, eq(mailboxes.id, messages.mailboxId))
    .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, messages.orgId), eq(cvrNumbers.cvr, messages.cvr)))
    .where(and(eq(messages.orgId, orgId), eq(messages.id, messageId)));
  if (!row) throw new HttpError(404, 'not_found', 'No letter with that id in your organisation.');
  if (row.purgedAt) throw new HttpError(410, 'purged', `This letter's content was deleted on ${row.purgedAt.toISOString().slice(0, 10)} (retention or a data subject request), so a reply cannot name it. Answer the sender directly.`);
  return row;
}

function view(r: ReplyRow, label: string, failure: ReplyFailure | null = null): ReplyInfo {
  return {
    id: r.id, messageId: r.messageId, memoUuid: r.memoUuid, label, status: r.status as ReplyInfo['status'],
    transmissionId: r.transmissionId, error: r.error, failure: r.status === 'failed' ? failure : null, requestedBy: r.requestedBy,
    // Masked again when read: rows stored before names were masked.
    attachments: r.attachments.map((a) => ({ ...a, filename: maskCpr(a.filename) })),
    createdAt: r.createdAt.toISOString(), sentAt: r.sentAt?.toISOString() ?? null,
  };
}

/** The mailbox can send: a Digital Post mailbox still attached, with usable settings and credentials. */
function usableMailbox(ctx: Ctx, mb: MailboxRow & { removedAt: Date | null }): MailboxRow {
  if (mb.removedAt) throw new HttpError(409, 'reply_mailbox_removed', `The Digital Post mailbox of CVR ${mb.cvr} has been removed from Brevdue; an administrator must attach it again before replies can be sent.`);
  try {
    openNgdpMailbox(mb, ctx.sealer, ctx.providerUrls).close();
  } catch (e) {
    throw new HttpError(409, 'reply_mailbox_unusable', `${(e as Error).message} An administrator can fix this under Mailboxes.`);
  }
  return mb;
}

async function originalOf(ctx: Ctx, messageId: string, rawEnc: Buffer): Promise<Memo> {
  try {
    return parseMemo(await openOriginal(ctx.db, ctx.sealer, messageId, rawEnc));
  } catch (e) {
    const why = e instanceof MemoError ? e.message : errorMessage(e);
    throw new HttpError(409, 'reply_original_unreadable', `The original letter can no longer be read (${why}), so a reply cannot name it. Answer the sender directly.`);
  }
}

/**
 * Each failed reply's latest failure, from the letter's reply_failed events (replies has no column for
 * it). A failure recorded before codes existed has none: the pane shows its `error` sentence.
 */
async function failuresOf(ctx: Ctx, orgId: string, messageId: string): Promise<Map<string, ReplyFailure>> {
  const rows = await ctx.db.select({ data: events.data }).from(events)
    .where(and(eq(events.orgId, orgId), eq(events.messageId, messageId), eq(events.type, 'reply_failed'))).orderBy(asc(events.id));
  const out = new Map<string, ReplyFailure>();
  for (const { data } of rows) {
    const f = data.failure as ReplyFailure | undefined;
    if (typeof data.replyId === 'string' && f && typeof f.code === 'string') out.set(data.replyId, f);
  }
  return out;
}

export async function listReplies(ctx: Ctx, orgId: string, messageId: string): Promise<ReplyInfo[]> {
  const letter = await letterOf(ctx, orgId, messageId);
  const rows = await ctx.db.select().from(replies)
    .where(and(eq(replies.orgId, orgId), eq(replies.messageId, messageId))).orderBy(desc(replies.createdAt));
  const failures = rows.some((r) => r.status === 'failed') ? await failuresOf(ctx, orgId, messageId) : new Map<string, ReplyFailure>();
  return rows.map((r) => view(r, replyLabel(letter.label), failures.get(r.id) ?? null));
}

/** An existing reply found again (the same memoUuid sent twice), with its failure when it failed. */
async function viewExisting(ctx: Ctx, orgId: string, r: ReplyRow, label: string): Promise<ReplyInfo> {
  return view(r, label, r.status === 'failed' ? (await failuresOf(ctx, orgId, r.messageId)).get(r.id) ?? null : null);
}

export async function createReply(ctx: Ctx, orgId: string, messageId: string, actor: Actor, req: ReplyRequest,
  opts: { send: ReplySender; now?: () => Date }): Promise<{ reply: ReplyInfo; created: boolean }> {
  const now = opts.now ?? (() => new Date());
  const letter = await letterOf(ctx, orgId, messageId);
  const label = replyLabel(letter.label);

  if (req.memoUuid !== undefined) {
    if (!UUID_V4.test(req.memoUuid)) throw new HttpError(400, 'invalid_request', 'memoUuid must be a version-4 UUID (or left out).');
    const [same] = await ctx.db.select().from(replies).where(eq(replies.memoUuid, req.memoUuid.toLowerCase()));
    if (same) {
      if (same.orgId !== orgId || same.messageId !== messageId) throw new HttpError(409, 'reply_uuid_taken', 'That memoUuid belongs to another reply; start a new reply.');
      return { reply: await viewExisting(ctx, orgId, same, label), created: false };
    }
  }

  // Cheap refusals first (the stored columns), then the original itself decides.
  checkReplyable({ provider: letter.provider, reply: letter.replyAllowed, replyByDateTime: letter.replyBy?.toISOString() }, now());
  const text = checkText(req.text);
  const files = await checkAttachments(req.files);
  const original = await originalOf(ctx, letter.id, letter.rawEnc);
  checkReplyable({ provider: letter.provider, reply: original.reply, replyByDateTime: original.replyByDateTime }, now());
  const mailbox = usableMailbox(ctx, letter.mailbox);

  const memoUuid = (req.memoUuid ?? randomUUID()).toLowerCase();
  const at = now();
  const from = `${original.recipient.label || letter.cvrName || letter.cvr} (CVR ${letter.cvr})`;
  const pdf = await renderReplyPdf({ title: label, from, to: original.sender.label || letter.senderName, date: at, text });
  let xml: string;
  try {
    xml = buildMemoXml(buildReplyMemo(original, {
      messageUUID: memoUuid, now: at, senderName: letter.cvrName ?? undefined,
      mainDocument: { filename: 'Svar.pdf', mimeType: 'application/pdf', content: pdf }, attachments: files,
    }));
  } catch (e) {
    if (e instanceof MemoError) throw new HttpError(422, 'reply_invalid_memo', `The reply cannot be written as a valid MeMo (${e.message}); nothing was sent. Check the file names and try again.`);
    throw e;
  }

  // Committed before the send: a crash from here on leaves a row that can be retried.
  const [row] = await ctx.db.insert(replies).values({
    orgId, messageId, memoUuid, memoEnc: ctx.sealer.seal(xml), status: 'sending',
    // Stored in clear (listed with the reply): CPR numbers in the names masked. The sealed MeMo sent
    // to Digital Post keeps the names as given.
    attachments: files.map((f) => ({ filename: maskCpr(f.filename), mimeType: f.mimeType, size: f.content.length })),
    requestedBy: actorLabel(actor),
  }).onConflictDoNothing({ target: replies.memoUuid }).returning();
  if (!row) {
    // The same memoUuid arrived twice at once: the other request owns the send.
    const [other] = await ctx.db.select().from(replies).where(eq(replies.memoUuid, memoUuid));
    if (!other || other.orgId !== orgId || other.messageId !== messageId) throw new HttpError(409, 'reply_uuid_taken', 'That memoUuid belongs to another reply; start a new reply.');
    return { reply: await viewExisting(ctx, orgId, other, label), created: false };
  }
  ctx.log.info('reply stored', { replyId: row.id, messageId, memoUuid, attachments: files.length });
  const done = await sendStored(ctx, orgId, row, mailbox, xml, letter.senderName, actor, opts.send, now);
  return { reply: view(done.row, label, done.failure), created: true };
}

/** Sends a failed reply again (or one a crash left `sending`): the stored MeMo, same messageUUID. */
export async function retryReply(ctx: Ctx, orgId: string, messageId: string, replyId: string, actor: Actor,
  opts: { send: ReplySender; now?: () => Date }): Promise<ReplyInfo> {
  const now = opts.now ?? (() => new Date());
  const letter = await letterOf(ctx, orgId, messageId);
  const label = replyLabel(letter.label);
  const [current] = await ctx.db.select().from(replies)
    .where(and(eq(replies.orgId, orgId), eq(replies.messageId, messageId), eq(replies.id, replyId)));
  if (!current) throw new HttpError(404, 'not_found', 'No such reply on that letter.');
  if (current.status === 'sent') throw new HttpError(409, 'reply_already_sent', `This reply was already received by Digital Post (transmission ${current.transmissionId}); it is not sent twice.`);
  checkReplyable({ provider: letter.provider, reply: letter.replyAllowed, replyByDateTime: letter.replyBy?.toISOString() }, now());
  const mailbox = usableMailbox(ctx, letter.mailbox);
  // Claim: only one retry sends; a `sending` row counts as abandoned once it is clearly older than a send can take.
  const staleBefore = new Date(now().getTime() - STALE_SENDING_MS);
  const [claimed] = await ctx.db.update(replies).set({ status: 'sending', error: null })
    .where(and(eq(replies.id, replyId), sql`(${replies.status} = 'failed' or (${replies.status} = 'sending' and ${replies.createdAt} < ${staleBefore.toISOString()}))`))
    .returning();
  if (!claimed) throw new HttpError(409, 'reply_in_progress', 'This reply is being sent right now; wait a moment and look at the timeline.');
  const xml = ctx.sealer.open(claimed.memoEnc).toString('utf8');
  ctx.log.info('reply retried', { replyId, messageId, memoUuid: claimed.memoUuid });
  const done = await sendStored(ctx, orgId, claimed, mailbox, xml, letter.senderName, actor, opts.send, now);
  return view(done.row, label, done.failure);
}

/**
 * Why a send failed, as a code the pane says in its reader's language (codes.error.*), with Digital
 * Post's own words (English) as the technical detail. What decides the code is what a person can do:
 * wait and try again, try again knowing it may have arrived, or have an administrator fix something.
 */
export function sendFailureOf(e: unknown): ReplyFailure {
  if (!(e instanceof ProviderError)) return { code: 'reply_send_failed', params: {}, detail: errorMessage(e) };
  const detail = e.message;
  const status = e.status;
  const withStatus: Record<string, number> = status === undefined ? {} : { status };
  if (e.kind === 'certificate_problem') return { code: 'reply_certificate_problem', params: withStatus, detail };
  if (e.kind === 'credentials_refused' || status === 401 || status === 403) return { code: 'reply_credentials_refused', params: withStatus, detail };
  if (status !== undefined && e.retryable) return { code: 'reply_provider_unavailable', params: { status }, detail };
  // No HTTP answer (a timeout, a dropped connection) or one we cannot read: the memo may have arrived.
  if (status === undefined && (e.retryable || e.kind === 'provider_answer_unreadable')) return { code: 'reply_uncertain', params: {}, detail };
  if (status !== undefined) {
    const reason = e.providerCode;
    return { code: 'reply_rejected', params: reason ? { status, reason } : { status }, detail };
  }
  return { code: 'reply_send_failed', params: {}, detail };
}

/** The failure's English sentence (replies.error, the event's text): for the API's readers that do not know the codes. */
export function describeSendFailure(e: unknown): string {
  const f = sendFailureOf(e);
  switch (f.code) {
    case 'reply_uncertain':
      return `${f.detail} Digital Post may or may not have received the reply; "Try again" sends the very same reply (same message id).`;
    case 'reply_provider_unavailable':
      return `${f.detail} Nothing was received; try again in a few minutes.`;
    default:
      if (!(e instanceof ProviderError)) return `The reply could not be sent (${f.detail}); try again.`;
      return `${f.detail} The reply was not sent; an administrator may need to check the Digital Post settings.`;
  }
}

async function sendStored(ctx: Ctx, orgId: string, row: ReplyRow, mailbox: MailboxRow, xml: string, to: string, actor: Actor,
  send: ReplySender, now: () => Date): Promise<{ row: ReplyRow; failure: ReplyFailure | null }> {
  const who = actorLabel(actor);
  const files = row.attachments.length;
  const withFiles = files === 0 ? '' : files === 1 ? ' with 1 attachment' : ` with ${files} attachments`;
  let transmissionId: string;
  try {
    transmissionId = await send(mailbox, xml, row.memoUuid);
  } catch (e) {
    const error = describeSendFailure(e);
    const failure = sendFailureOf(e);
    ctx.log.warn('reply not sent', { replyId: row.id, memoUuid: row.memoUuid, code: failure.code, error: (e as Error).message });
    return ctx.db.transaction(async (tx) => {
      const [failed] = await tx.update(replies).set({ status: 'failed', error }).where(eq(replies.id, row.id)).returning();
      await addEvent(tx, orgId, row.messageId, 'reply_failed', who, `${who}'s reply to ${to} was not sent: ${error}`,
        { replyId: row.id, memoUuid: row.memoUuid, actorId: actor.id, to, error, failure });
      return { row: failed, failure };
    });
  }
  // Outside the try: a database error after NgDP took the reply must not be recorded as "not sent".
  return ctx.db.transaction(async (tx) => {
    const [done] = await tx.update(replies).set({ status: 'sent', transmissionId, error: null, sentAt: now() })
      .where(eq(replies.id, row.id)).returning();
    await addEvent(tx, orgId, row.messageId, 'reply_sent', who,
      `${who} replied to ${to}${withFiles}; Digital Post received the reply (transmission ${transmissionId}).`,
      { replyId: row.id, memoUuid: row.memoUuid, transmissionId, attachments: files, actorId: actor.id, to });
    return { row: done, failure: null };
  });
}
