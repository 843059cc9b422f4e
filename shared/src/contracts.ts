// Request/response contracts shared by the backend API and the Outlook add-in.
// The backend validates what it sends in tests; the add-in parses what it receives.
import { z } from 'zod';

export const providerSchema = z.enum(['ngdp', 'eboks', 'mitdk']);
export type Provider = z.infer<typeof providerSchema>;

export const messageStatusSchema = z.enum(['received', 'routed', 'triage', 'delivered', 'failed']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const documentRoleSchema = z.enum(['main', 'additional', 'technical']);

export const messageSummarySchema = z.object({
  id: z.string().uuid(),
  memoUuid: z.string().uuid(),
  provider: providerSchema,
  cvr: z.string().regex(/^\d{8}$/),
  cvrName: z.string(),
  label: z.string(),
  senderId: z.string(),
  senderName: z.string(),
  receivedAt: z.string().datetime(),
  status: messageStatusSchema,
  documentCount: z.number().int().nonnegative(),
  replyAllowed: z.boolean(),
  replyBy: z.string().datetime().nullable(),
});
export type MessageSummary = z.infer<typeof messageSummarySchema>;

export const messageListQuerySchema = z.object({
  cvr: z.string().regex(/^\d{8}$/, 'cvr must be 8 digits').optional(),
  q: z.string().max(200, 'search text is limited to 200 characters').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type MessageListQuery = z.infer<typeof messageListQuerySchema>;

export const messageListResponseSchema = z.object({
  items: z.array(messageSummarySchema),
  total: z.number().int().nonnegative(),
});
export type MessageListResponse = z.infer<typeof messageListResponseSchema>;

export const documentInfoSchema = z.object({
  id: z.string().uuid(),
  role: documentRoleSchema,
  filename: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
});
export type DocumentInfo = z.infer<typeof documentInfoSchema>;

export const destinationSchema = z.object({
  id: z.string().uuid(),
  kind: z.enum(['mailbox', 'teams']),
  displayName: z.string(),
  mailbox: z.string(),
  /** For display: "Inbox › Digital Post › Nordlys Holding A/S". */
  folderPath: z.string(),
});
export type Destination = z.infer<typeof destinationSchema>;

export const deliveryStatusSchema = z.enum(['pending', 'delivered', 'failed', 'dead']);
export const deliveryInfoSchema = z.object({
  id: z.string().uuid(),
  destination: destinationSchema,
  status: deliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  graphMessageId: z.string().nullable(),
  deliveredAt: z.string().datetime().nullable(),
  lastError: z.string().nullable(),
});
export type DeliveryInfo = z.infer<typeof deliveryInfoSchema>;

export const timelineEventTypeSchema = z.enum([
  'fetched', 'stored', 'acknowledged', 'routed', 'triage', 'delivery_attempt', 'delivered', 'delivery_failed',
]);
export const timelineEventSchema = z.object({
  at: z.string().datetime(),
  type: timelineEventTypeSchema,
  actor: z.string(),
  /** Human-readable sentence (English; the add-in localises by type and uses this as detail). */
  text: z.string(),
  data: z.record(z.unknown()),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const messageDetailSchema = messageSummarySchema.extend({
  recipientId: z.string(),
  recipientIdType: z.string(),
  createdAt: z.string().datetime(),
  notification: z.string().nullable(),
  documents: z.array(documentInfoSchema),
  deliveries: z.array(deliveryInfoSchema),
  timeline: z.array(timelineEventSchema),
});
export type MessageDetail = z.infer<typeof messageDetailSchema>;

export const meSchema = z.object({
  userId: z.string(),
  displayName: z.string(),
  orgId: z.string().uuid(),
  orgName: z.string(),
  roles: z.array(z.enum(['admin', 'operator', 'reader'])),
  demo: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  jobs: z.enum(['ok', 'down']),
  demo: z.boolean(),
  version: z.string(),
});
export type Health = z.infer<typeof healthSchema>;

/** Every API error has this body; `message` is meant for a person. */
export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

// ---- Administration: CVR numbers and provider mailboxes ----

const cvrField = z.string().regex(/^\d{8}$/, 'a CVR number has exactly 8 digits');

export const cvrCreateSchema = z.object({
  cvr: cvrField,
  name: z.string().trim().min(1, 'name is required').max(200),
}).strict();
export type CvrCreate = z.infer<typeof cvrCreateSchema>;

export const mailboxHealthSchema = z.object({
  state: z.enum(['ok', 'paused', 'backing_off', 'failing', 'never_fetched', 'push']),
  lastFetchAt: z.string().datetime().nullable(),
  lastErrorAt: z.string().datetime().nullable(),
  /** A sentence for people, e.g. "Digital Post answered 503 …". */
  lastError: z.string().nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
  nextAttemptAfter: z.string().datetime().nullable(),
  waitingAtProvider: z.number().int().nonnegative().nullable(),
  /** Letters stored from this mailbox that are not yet delivered or placed in triage. */
  undelivered: z.number().int().nonnegative(),
});
export type MailboxHealth = z.infer<typeof mailboxHealthSchema>;

export const mailboxViewSchema = z.object({
  id: z.string().uuid(),
  cvr: cvrField,
  provider: providerSchema,
  config: z.record(z.unknown()),
  /** Whether credentials are stored; they are never returned. */
  hasCredentials: z.boolean(),
  paused: z.boolean(),
  health: mailboxHealthSchema,
});
export type MailboxView = z.infer<typeof mailboxViewSchema>;

export const cvrViewSchema = z.object({
  cvr: cvrField,
  name: z.string(),
  mailboxes: z.array(mailboxViewSchema),
});
export type CvrView = z.infer<typeof cvrViewSchema>;

export const mailboxCreateSchema = z.object({
  provider: providerSchema,
  config: z.record(z.unknown()),
  credentials: z.record(z.unknown()),
}).strict();
export type MailboxCreate = z.infer<typeof mailboxCreateSchema>;

export const mailboxUpdateSchema = z.object({
  paused: z.boolean().optional(),
  config: z.record(z.unknown()).optional(),
  credentials: z.record(z.unknown()).optional(),
}).strict();
export type MailboxUpdate = z.infer<typeof mailboxUpdateSchema>;
