// Read models for the API. Every function takes the caller's organisation id first and filters by
// it: no query here can see another organisation's letters.
import { and, asc, count, desc, eq, ilike, inArray } from 'drizzle-orm';
import type { Db } from './db';
import { displayFolderPath } from '../delivery/mailbox';
import { cvrNumbers, deliveries, destinations, documents, events, messages, letterColumns } from './schema';
import type { DeliveryInfo, MessageDetail, MessageListQuery, MessageListResponse, MessageSummary, TimelineEvent } from '../../../shared/src/contracts';

export async function listMessages(db: Db, orgId: string, q: MessageListQuery): Promise<MessageListResponse> {
  const where = and(
    eq(messages.orgId, orgId),
    q.cvr ? eq(messages.cvr, q.cvr) : undefined,
    q.q ? ilike(messages.searchText, `%${escapeLike(q.q.toLowerCase())}%`) : undefined,
  );
  const [rows, [{ n }]] = await Promise.all([
    db.select({ m: letterColumns, cvrName: cvrNumbers.name, docs: count(documents.id) }).from(messages)
      .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, messages.orgId), eq(cvrNumbers.cvr, messages.cvr)))
      .leftJoin(documents, eq(documents.messageId, messages.id))
      .where(where).groupBy(messages.id, cvrNumbers.name)
      .orderBy(desc(messages.receivedAt), desc(messages.id)).limit(q.limit).offset(q.offset),
    db.select({ n: count() }).from(messages).where(where),
  ]);
  return { items: rows.map((r) => summary(r.m, r.cvrName, Number(r.docs))), total: Number(n) };
}

export async function getMessage(db: Db, orgId: string, id: string): Promise<MessageDetail | null> {
  const [row] = await db.select({ m: letterColumns, cvrName: cvrNumbers.name }).from(messages)
    .leftJoin(cvrNumbers, and(eq(cvrNumbers.orgId, messages.orgId), eq(cvrNumbers.cvr, messages.cvr)))
    .where(and(eq(messages.orgId, orgId), eq(messages.id, id)));
  if (!row) return null;
  const [docs, dels, evs] = await Promise.all([
    db.select({ id: documents.id, role: documents.role, filename: documents.filename, mimeType: documents.mimeType, size: documents.size })
      .from(documents).where(eq(documents.messageId, id)).orderBy(asc(documents.position)),
    db.select({ d: deliveries, dest: destinations }).from(deliveries)
      .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
      .where(and(eq(deliveries.orgId, orgId), eq(deliveries.messageId, id))).orderBy(asc(deliveries.createdAt)),
    db.select().from(events).where(and(eq(events.orgId, orgId), eq(events.messageId, id))).orderBy(asc(events.at), asc(events.id)),
  ]);
  return {
    ...summary(row.m, row.cvrName, docs.length),
    recipientId: row.m.recipientId,
    recipientIdType: row.m.recipientIdType,
    createdAt: row.m.memoCreatedAt.toISOString(),
    notification: row.m.notification,
    documents: docs.map((d) => ({ ...d, role: d.role as 'main' | 'additional' | 'technical' })),
    deliveries: dels.map(({ d, dest }): DeliveryInfo => ({
      id: d.id, status: d.status as DeliveryInfo['status'], attempts: d.attempts, graphMessageId: d.graphMessageId,
      deliveredAt: d.deliveredAt?.toISOString() ?? null, lastError: d.lastError,
      reason: d.reason as DeliveryInfo['reason'], requestedBy: d.requestedBy,
      destination: {
        id: dest.id, kind: dest.kind as DeliveryInfo['destination']['kind'], displayName: dest.displayName, mailbox: dest.mailbox,
        folderPath: dest.kind === 'teams_channel' ? dest.folderPath : displayFolderPath(dest.folderPath),
      },
    })),
    timeline: evs.map((e): TimelineEvent => ({
      at: e.at.toISOString(), type: e.type as TimelineEvent['type'], actor: e.actor, text: e.text, data: e.data,
    })),
  };
}

/**
 * The letter one of whose deliveries created the Graph message with this id, in this organisation;
 * null when none did. Deliveries store the *immutable* id Graph returned (we send
 * `Prefer: IdType="ImmutableId"`); a reroute that moved a copy keeps the id, so several deliveries
 * of the same letter can share it — the newest wins. Exact match only: see GET /messages/by-graph-id
 * in api/router.ts for what callers must send. (Reads deliveries by organisation without an index on
 * graph_message_id; one is worth adding once organisations hold many deliveries.)
 */
export async function messageIdByGraphMessageId(db: Db, orgId: string, graphMessageId: string, internetMessageId?: string): Promise<string | null> {
  const find = async (cond: ReturnType<typeof eq>) => (await db.select({ id: deliveries.messageId }).from(deliveries)
    .innerJoin(messages, and(eq(messages.id, deliveries.messageId), eq(messages.orgId, orgId)))
    .where(and(eq(deliveries.orgId, orgId), cond))
    .orderBy(desc(deliveries.createdAt)).limit(1))[0]?.id ?? null;
  // We store Graph's immutable ids; Outlook gives the regular REST id, which differs in Exchange
  // Online. The Internet message id is the same in both worlds, so it is the fallback.
  return (await find(eq(deliveries.graphMessageId, graphMessageId)))
    ?? (internetMessageId ? await find(eq(deliveries.internetMessageId, internetMessageId)) : null);
}

/** The document's metadata and sealed content, if it belongs to a letter of this organisation. */
export async function getDocument(db: Db, orgId: string, messageId: string, documentId: string) {
  const [row] = await db.select({ d: documents }).from(documents)
    .innerJoin(messages, eq(messages.id, documents.messageId))
    .where(and(eq(messages.orgId, orgId), eq(documents.messageId, messageId), eq(documents.id, documentId)));
  return row?.d ?? null;
}

export async function orgCvrNumbers(db: Db, orgId: string) {
  return db.select({ cvr: cvrNumbers.cvr, name: cvrNumbers.name }).from(cvrNumbers).where(eq(cvrNumbers.orgId, orgId)).orderBy(asc(cvrNumbers.name));
}

export async function messageIdsByStatus(db: Db, orgId: string, statuses: string[]) {
  return db.select({ id: messages.id, status: messages.status }).from(messages)
    .where(and(eq(messages.orgId, orgId), inArray(messages.status, statuses)));
}

/** A letter as lists show it. */
export function summary(m: Omit<typeof messages.$inferSelect, 'rawEnc' | 'searchVector'>, cvrName: string | null, documentCount: number): MessageSummary {
  return {
    id: m.id, memoUuid: m.memoUuid, provider: m.provider as MessageSummary['provider'], cvr: m.cvr, cvrName: cvrName ?? m.cvr,
    label: m.label, senderId: m.senderId, senderName: m.senderName, receivedAt: m.receivedAt.toISOString(),
    status: m.status as MessageSummary['status'], documentCount, replyAllowed: m.replyAllowed,
    replyBy: m.replyBy?.toISOString() ?? null,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
