// Delivery into a mailbox folder, exactly once. Our delivery id rides on the message as a named
// property; after any uncertain outcome (timeout, 5xx, a crash mid-attempt) we look for it before
// creating, so Graph never holds two copies of one delivery.
//
// Three variants of the mail, recorded as a second property so a retry knows what it found:
//  - inline:  everything fits into the creating request (the usual letter);
//  - session: documents over 3 MB follow through upload sessions on the created message;
//  - link:    Graph refused upload sessions on the (non-draft) message: the mail is made again
//             without them, naming them and pointing to Brevdue, where they can be downloaded.
//             The incomplete session-variant copy is removed first.
import type { AppContext } from '../context';
import type { DeliverySettings } from '../../../shared/src/contracts';
import { planAttachments } from './attachment-plan';
import { UploadRefused, createAttachmentSession, uploadToSession } from './attachment-upload';
import { renderMail, type LetterForMail } from './render';
import { createMessageRef, deleteMessage, ensureFolder, findDeliveredCopy, listAttachmentNames, messageExists, moveMessage } from './mailbox';
import { safeFilename } from '../util/filename';
import { UNRESTRICTED_POLICY, mailboxRefusal, type DestinationRefusal } from './registry/allowed';

export interface MailDoc { filename: string; mimeType: string; size: number; load: () => Promise<Buffer> }

export interface MailProgress {
  variant?: 'inline' | 'session' | 'link';
  graphMessageId?: string;
  internetMessageId?: string | null;
  uploaded?: string[];
  /** Reroute with "move": the earlier copy to move (same mailbox) or remove (elsewhere) once this one is made. */
  moveFrom?: { deliveryId: string; mailbox: string; graphMessageId: string };
  oldCopyDone?: boolean;
  /** The earlier copy was left where it is: the operator's allow-list refused its mailbox's domain when it was to be removed. */
  oldCopyKept?: { code: DestinationRefusal['code']; domain: string };
}

export interface MailDeliveryInput {
  /** The delivery's organisation: whose allow-list (registry/allowed.ts) the earlier copy's mailbox is held against. */
  orgId: string;
  deliveryId: string;
  uncertain: boolean;
  progress: MailProgress;
  saveProgress: (p: MailProgress) => Promise<void>;
  mailbox: string;
  folderPath: string;
  letter: LetterForMail;
  docs: MailDoc[];
  settings: DeliverySettings;
  letterUrl?: string;
}

export interface MailDeliveryResult {
  graphMessageId: string; internetMessageId: string | null; foundExisting: boolean; variant: string; notes: string[];
  /**
   * What happened to the earlier copy of a reroute with "move": moved, removed, or kept (left where it
   * is: the operator's allow-list refuses its mailbox's `domain`, so Brevdue made no Graph call there).
   */
  oldCopy?: { action: 'moved' | 'removed'; mailbox: string; deliveryId: string }
    | { action: 'kept'; mailbox: string; deliveryId: string; code: DestinationRefusal['code']; domain: string };
}

export async function deliverToMailbox(ctx: AppContext, input: MailDeliveryInput): Promise<MailDeliveryResult> {
  const { graph } = ctx;
  const p: MailProgress = { ...input.progress };
  const notes: string[] = [];
  // Sender-chosen names, sanitised once here: the plan, the mail, the upload sessions and the
  // "already attached?" comparison after a crash all see the same safe name.
  input = { ...input, docs: input.docs.map((d) => ({ ...d, filename: safeFilename(d.filename) })) };
  const plan = planAttachments(input.docs);
  p.variant ??= plan.large.length ? 'session' : 'inline';
  // A session mail is unfinished between its create and its last upload. Recorded before the create,
  // so that after a create whose answer was lost, recovery (recover.ts) knows the copy it finds is not
  // done and leaves it to the attempts, which add what it lacks.
  if (p.variant !== 'inline' && input.progress.variant !== p.variant) await input.saveProgress(p);

  const target = { mailbox: input.mailbox, folderPath: input.folderPath };
  let folderId = await ensureFolder(graph, ctx.folders, target);
  /**
   * `op` in the destination folder. Graph's 404 for the folder means someone deleted it for good since
   * we looked it up: forget the mailbox's folders, find or make the path again, and try once more (a
   * 404 made nothing, so the second try cannot duplicate).
   */
  const inFolder = async <T>(op: (folderId: string) => Promise<T>): Promise<T> => {
    try {
      return await op(folderId);
    } catch (e) {
      if (!isItemNotFound(e)) throw e;
      ctx.folders.forget(input.mailbox);
      folderId = await ensureFolder(graph, ctx.folders, target);
      notes.push('the destination folder had been deleted in the mailbox; it was made again');
      return op(folderId);
    }
  };

  // Reroute by moving within one mailbox: the earlier copy becomes this delivery.
  if (p.moveFrom && !p.oldCopyDone && p.moveFrom.mailbox.toLowerCase() === input.mailbox.toLowerCase()) {
    const from = p.moveFrom;
    // Graph answers 404 both for a gone destination folder and for a gone earlier copy; only the
    // first is inFolder's to mend, so a 404 is a gone copy when the copy itself is not found.
    const id = await inFolder(async (f) => {
      try {
        return await moveMessage(graph, input.mailbox, from.graphMessageId, f);
      } catch (e) {
        if (isItemNotFound(e) && !await messageExists(graph, input.mailbox, from.graphMessageId)) return null;
        throw e;
      }
    });
    if (id !== null) {
      await input.saveProgress({ ...p, graphMessageId: id, oldCopyDone: true });
      return { graphMessageId: id, internetMessageId: null, foundExisting: false, variant: 'moved', notes: [...notes, 'moved the earlier copy'], oldCopy: { action: 'moved', mailbox: input.mailbox, deliveryId: from.deliveryId } };
    }
    // Someone deleted the earlier copy for good: there is nothing to move, so this delivery makes its own.
    delete p.moveFrom;
    await input.saveProgress(p);
    notes.push('the earlier copy had been deleted for good in the mailbox, so a new copy was made');
  }

  let existing = (input.uncertain || p.graphMessageId) ? await findDeliveredCopy(graph, input.mailbox, input.deliveryId) : undefined;
  if (existing && existing.variant && existing.variant !== p.variant) {
    // A copy of the variant we gave up on (session → link): remove it, make the right one.
    await deleteMessage(graph, input.mailbox, existing.id);
    existing = undefined;
  }
  const foundExisting = !!existing;
  let messageId = existing?.id;
  if (existing) p.internetMessageId = existing.internetMessageId;

  const render = async (variant: 'inline' | 'session' | 'link') => {
    const inlineDocs = variant === 'inline' ? input.docs : plan.inline.map((d) => input.docs[d.index]);
    const large = plan.large.map((d) => ({ filename: d.filename, size: d.size }));
    const attachments = await Promise.all(inlineDocs.map(async (d) => ({ filename: d.filename, mimeType: d.mimeType, content: await d.load() })));
    return renderMail(input.letter, attachments, input.deliveryId, {
      subjectTemplate: input.settings.subjectTemplate, categories: input.settings.categories, variant,
      followingAttachments: variant === 'session' ? large : undefined,
      brevdueOnly: variant === 'link' ? large : undefined,
      letterUrl: input.letterUrl,
    });
  };

  if (!messageId) {
    const mail = await render(p.variant);
    const made = await inFolder((f) => createMessageRef(graph, input.mailbox, f, mail));
    messageId = made.id;
    p.internetMessageId = made.internetMessageId;
    p.graphMessageId = messageId;
    p.uploaded = [];
    // Plain inline mail has nothing after this create to resume: a crash before it is recorded leaves
    // the lease behind, and the next attempt looks for the copy anyway (uncertain). Uploads and moves
    // continue from here, so they record where they are.
    if (p.variant !== 'inline' || p.moveFrom) await input.saveProgress(p);
  }

  if (p.variant === 'session') {
    // After a crash, Graph may hold some of them already: attach only what is missing.
    const present = new Set((await listAttachmentNames(graph, input.mailbox, messageId)).map((a) => `${a.name}|${a.size}`));
    for (const d of plan.large) {
      const doc = input.docs[d.index];
      if (present.has(`${doc.filename}|${doc.size}`)) continue;
      const lane = `mailbox:${input.mailbox.toLowerCase()}`;
      // The document's whole size first (PacerBusy here sends nothing): an upload cut off half-way by
      // the budget would start again from nothing next time, and could do so for ever.
      const reservation = await ctx.pacer.reserveUpload(lane, doc.size);
      try {
        const url = await createAttachmentSession(graph, input.mailbox, messageId, doc);
        await uploadToSession(url, await doc.load(), { reservation, lane });
        p.uploaded = [...(p.uploaded ?? []), doc.filename];
        await input.saveProgress(p);
      } catch (e) {
        if (!(e instanceof UploadRefused)) throw e;
        // The fallback: record the switch first, so a crash from here on still ends in the link variant.
        ctx.log.warn('upload session refused; delivering large documents through Brevdue instead', { deliveryId: input.deliveryId, reason: e.message });
        p.variant = 'link';
        await input.saveProgress(p);
        await deleteMessage(graph, input.mailbox, messageId);
        const mail = await render('link');
        const made = await inFolder((f) => createMessageRef(graph, input.mailbox, f, mail));
        messageId = made.id;
        p.internetMessageId = made.internetMessageId;
        p.graphMessageId = messageId;
        await input.saveProgress(p);
        notes.push(`${plan.large.length} large document(s) are available in Brevdue only (${e.message})`);
        break;
      } finally {
        reservation.release();
      }
    }
  }

  // Reroute into another mailbox with "move": the earlier copy goes once this one is safely there,
  // if the operator's allow-list still admits its mailbox (it may have changed since the reroute, which
  // checked it too): otherwise no Graph call goes there, and the copy stays where it is.
  if (p.moveFrom && !p.oldCopyDone) {
    const refusal = mailboxRefusal(ctx.destinationPolicy ?? UNRESTRICTED_POLICY, input.orgId, p.moveFrom.mailbox);
    if (refusal) {
      p.oldCopyDone = true;
      p.oldCopyKept = { code: refusal.code, domain: refusal.params.domain };
      await input.saveProgress(p);
    }
  }
  if (p.moveFrom && p.oldCopyKept) {
    // Said again by an attempt after one that recorded it and did not finish.
    return { graphMessageId: messageId, internetMessageId: p.internetMessageId ?? null, foundExisting, variant: p.variant, notes,
      oldCopy: { action: 'kept', mailbox: p.moveFrom.mailbox, deliveryId: p.moveFrom.deliveryId, ...p.oldCopyKept } };
  }
  if (p.moveFrom && !p.oldCopyDone) {
    await deleteMessage(graph, p.moveFrom.mailbox, p.moveFrom.graphMessageId);
    p.oldCopyDone = true;
    await input.saveProgress(p);
    notes.push(`removed the earlier copy from ${p.moveFrom.mailbox}`);
    return { graphMessageId: messageId, internetMessageId: p.internetMessageId ?? null, foundExisting, variant: p.variant, notes, oldCopy: { action: 'removed', mailbox: p.moveFrom.mailbox, deliveryId: p.moveFrom.deliveryId } };
  }
  return { graphMessageId: messageId, internetMessageId: p.internetMessageId ?? null, foundExisting, variant: p.variant, notes };
}

/** Graph's answer for an id that no longer exists (a folder or message deleted for good). */
function isItemNotFound(e: unknown): boolean {
  const x = e as { statusCode?: number; code?: string };
  return x.statusCode === 404 && (x.code === undefined || x.code === 'ErrorItemNotFound');
}
