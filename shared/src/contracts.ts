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

export const destinationKindSchema = z.enum(['shared_mailbox', 'user_mailbox', 'teams_channel']);
export type DestinationKind = z.infer<typeof destinationKindSchema>;

export const destinationSchema = z.object({
  id: z.string().uuid(),
  kind: destinationKindSchema,
  displayName: z.string(),
  /** Mailbox kinds: the address; null for a Teams channel. */
  mailbox: z.string().nullable(),
  /** For display: "Inbox › Digital Post › Nordlys Holding A/S" (mailboxes) or the channel's files subfolder. */
  folderPath: z.string(),
});
export type Destination = z.infer<typeof destinationSchema>;

export const deliveryStatusSchema = z.enum(['pending', 'delivered', 'dead']);
export const deliveryReasonSchema = z.enum(['initial', 'resend', 'reroute', 'placement']);
export const deliveryInfoSchema = z.object({
  id: z.string().uuid(),
  destination: destinationSchema,
  reason: deliveryReasonSchema,
  /** 'system' for rules, otherwise the person who asked (resend, reroute, placement). */
  requestedBy: z.string(),
  status: deliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  graphMessageId: z.string().nullable(),
  deliveredAt: z.string().datetime().nullable(),
  lastError: z.string().nullable(),
});
export type DeliveryInfo = z.infer<typeof deliveryInfoSchema>;

export const timelineEventTypeSchema = z.enum([
  'fetched', 'stored', 'acknowledged', 'routed', 'triage', 'delivery_attempt', 'delivered', 'delivery_failed',
  'resend_requested', 'reroute_requested', 'old_copy_moved', 'old_copy_removed', 'admins_notified',
  'placed', 'auto_placed', 'suggested',
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

// ---- Administration: destinations (the approved-recipients registry) and delivery settings ----

const folderNameRule = (n: string) => n.length > 0 && n.length <= 255 && !/[\u0000-\u001f]/.test(n);

/**
 * A folder path below the Inbox or the channel's files folder, written with '/' between folders.
 * A '/' inside one folder's name is written '\\/' (as in "Nordlys Holding A\\/S").
 */
export const folderPathSchema = z.string().trim().max(1000, 'the folder path is limited to 1,000 characters')
  .refine((p) => splitFolderPath(p).every(folderNameRule),
    'each folder name must be 1–255 characters without control characters, and folders are separated by "/"');

/** Splits a folder path on '/' but not on the escaped '\\/'; names trimmed, empties dropped. */
export function splitFolderPath(path: string): string[] {
  const segs: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && (path[i + 1] === '/' || path[i + 1] === '\\')) { cur += path[++i]; continue; }
    if (c === '/') { segs.push(cur); cur = ''; continue; }
    cur += c;
  }
  segs.push(cur);
  return segs.map((s) => s.trim()).filter(Boolean);
}

const displayNameField = z.string().trim().min(1, 'a display name is required').max(200, 'the display name is limited to 200 characters');
const mailboxAddress = z.string().trim().toLowerCase().email('the mailbox must be an e-mail address such as post@firma.dk');

export const destinationCreateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shared_mailbox'), displayName: displayNameField, mailbox: mailboxAddress, folderPath: folderPathSchema.default('') }).strict(),
  z.object({ kind: z.literal('user_mailbox'), displayName: displayNameField, mailbox: mailboxAddress, folderPath: folderPathSchema.default('') }).strict(),
  z.object({
    kind: z.literal('teams_channel'), displayName: displayNameField,
    teamId: z.string().trim().min(1, 'the team id is required').max(200),
    channelId: z.string().trim().min(1, 'the channel id is required').max(200),
    webhookUrl: z.string().trim().url('the webhook URL must be a full https:// address').max(2000),
    folderPath: folderPathSchema.default(''),
  }).strict(),
]);
export type DestinationCreate = z.infer<typeof destinationCreateSchema>;

export const destinationUpdateSchema = z.object({
  displayName: displayNameField.optional(),
  mailbox: mailboxAddress.optional(),
  folderPath: folderPathSchema.optional(),
  teamId: z.string().trim().min(1).max(200).optional(),
  channelId: z.string().trim().min(1).max(200).optional(),
  webhookUrl: z.string().trim().url('the webhook URL must be a full https:// address').max(2000).optional(),
}).strict();
export type DestinationUpdate = z.infer<typeof destinationUpdateSchema>;

export const destinationViewSchema = destinationSchema.extend({
  teamId: z.string().nullable(),
  channelId: z.string().nullable(),
  /** The webhook URL is a secret (anyone holding it can post): only whether one is set. */
  hasWebhook: z.boolean(),
  /** Raw folder path as entered (with '\\/' escapes). */
  folderPathRaw: z.string(),
  checkProblems: z.array(z.string()),
  checkedAt: z.string().datetime().nullable(),
});
export type DestinationView = z.infer<typeof destinationViewSchema>;

export const deliverySettingsSchema = z.object({
  /** Subject of the delivered mail; placeholders {label} {sender} {cvr} {cvrName} {replyBy}. */
  subjectTemplate: z.string().trim().min(1).max(255).refine((t) => t.includes('{label}'), 'the subject template must contain {label}').default('{label}'),
  /** Outlook categories added to every delivered mail besides the sender's name. */
  categories: z.array(z.string().trim().min(1).max(255)).max(10).default(['Digital Post']),
  /** Where to send a notice when a delivery dead-letters (none: no notice). */
  notifyAddress: z.string().trim().toLowerCase().email('the notification address must be an e-mail address').nullable().default(null),
  /** The mailbox the notice is sent from (Graph sendMail needs one Brevdue may send as). */
  notifySender: z.string().trim().toLowerCase().email('the notification sender must be a mailbox address').nullable().default(null),
  /** On reroute: leave the earlier copy where it is, or move it (same mailbox) / remove it (elsewhere). */
  rerouteOldCopy: z.enum(['leave', 'move']).default('leave'),
}).strict();
export type DeliverySettings = z.infer<typeof deliverySettingsSchema>;

export const resendRequestSchema = z.object({
  /** Which delivery to send again; default: every delivered or dead delivery of the letter. */
  deliveryId: z.string().uuid('deliveryId must be a delivery id (UUID)').optional(),
}).strict();

export const rerouteRequestSchema = z.object({
  destinationIds: z.array(z.string().uuid('each destination id must be a UUID')).min(1, 'choose at least one destination').max(20),
  /** Override the organisation's setting for the earlier copies. */
  oldCopy: z.enum(['leave', 'move']).optional(),
}).strict();

// ---- Routing: rules, dry run, triage and the assistant ----

export const ruleActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('destinations'),
    destinationIds: z.array(z.string().uuid('each destination id must be a UUID')).min(1, 'choose at least one destination').max(20),
    /** e.g. "Digital Post/{sender}/{year}"; overrides the folder of mailbox destinations. */
    folderTemplate: z.string().trim().min(1).max(500).optional(),
  }).strict(),
  z.object({ kind: z.literal('triage') }).strict(),
]);
export type RuleActionInput = z.infer<typeof ruleActionSchema>;

export const ruleInputSchema = z.object({
  name: z.string().trim().min(1, 'a rule needs a name').max(200, 'the name is limited to 200 characters'),
  priority: z.number().int().min(0).max(1_000_000),
  enabled: z.boolean().default(true),
  /** The condition tree; validated by the backend (routing/conditions.ts). */
  conditions: z.unknown().refine((v) => v !== undefined && v !== null, 'conditions are required'),
  action: ruleActionSchema,
  continue: z.boolean().default(false),
}).strict();
export type RuleInput = z.infer<typeof ruleInputSchema>;

export const ruleUpdateSchema = ruleInputSchema.partial().strict().refine((r) => Object.keys(r).length > 0, 'nothing to change');

export const ruleViewSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  priority: z.number().int(),
  enabled: z.boolean(),
  conditions: z.unknown(),
  action: ruleActionSchema,
  continue: z.boolean(),
  version: z.number().int(),
  updatedAt: z.string().datetime(),
  updatedBy: z.string(),
  /** The conditions in words. */
  description: z.string(),
});
export type RuleView = z.infer<typeof ruleViewSchema>;

export const ruleVersionSchema = z.object({
  version: z.number().int(),
  change: z.enum(['created', 'updated', 'deleted']),
  changedBy: z.string(),
  changedAt: z.string().datetime(),
  snapshot: z.record(z.unknown()),
});

export const dryRunRequestSchema = z.object({
  /** The whole draft rule set (as it would be enabled), replacing the current rules in the simulation. */
  rules: z.array(ruleInputSchema.extend({ id: z.string().uuid().optional() })).max(5000),
  days: z.number().int().min(1).max(366).default(30),
}).strict();

export const dryRunChangeSchema = z.object({
  messageId: z.string().uuid(),
  label: z.string(),
  senderName: z.string(),
  receivedAt: z.string().datetime(),
  before: z.object({ kind: z.enum(['destinations', 'triage']), destinations: z.array(z.string()), rules: z.array(z.string()) }),
  after: z.object({ kind: z.enum(['destinations', 'triage']), destinations: z.array(z.string()), rules: z.array(z.string()) }),
});
export const dryRunResponseSchema = z.object({
  letters: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  toTriageBefore: z.number().int().nonnegative(),
  toTriageAfter: z.number().int().nonnegative(),
  changes: z.array(dryRunChangeSchema),
  /** Problems with the draft rules (then nothing was simulated). */
  problems: z.array(z.object({ rule: z.string(), problems: z.array(z.string()) })),
});
export type DryRunResponse = z.infer<typeof dryRunResponseSchema>;

export const routingSettingsSchema = z.object({
  /** Letters the assistant is at least this sure about are placed automatically; null: never. */
  autoPlaceThreshold: z.number().min(0.5, 'a threshold below 0.5 would place letters on a guess').max(1).nullable().default(null),
}).strict();
export type RoutingSettings = z.infer<typeof routingSettingsSchema>;

export const suggestionSchema = z.object({
  destinationIds: z.array(z.string().uuid()),
  destinations: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  /** One sentence, Danish and English. */
  explanation: z.object({ da: z.string(), en: z.string() }),
});
export type Suggestion = z.infer<typeof suggestionSchema>;

export const triageItemSchema = z.object({
  message: messageSummarySchema,
  why: z.array(z.string()),
  suggestions: z.array(suggestionSchema),
});
export const triageListSchema = z.object({ items: z.array(triageItemSchema), total: z.number().int().nonnegative() });
export type TriageList = z.infer<typeof triageListSchema>;

export const placeRequestSchema = z.object({
  destinationIds: z.array(z.string().uuid('each destination id must be a UUID')).min(1, 'choose at least one destination').max(20),
}).strict();
