// Request/response contracts shared by the backend API and the Outlook add-in.
// The backend validates what it sends in tests; the add-in parses what it receives.
// Inputs are held to the edges of shared/src/input-edges.ts: text() refuses control characters (NUL),
// days and date-times stay within years 0001–9999 and real offsets, numbers within their column.
import { z } from 'zod';
import { dateTime, dayOrDateTime, text } from './input-edges';

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

/**
 * Track & trace counts matches only up to this many; beyond it the total is reported as capped ("more
 * than 1,000"), as Outlook's own search stops at 250 results until asked for more. Counting further
 * reads every match (≈ 4 µs each at a million letters) for a number nobody acts on: a search with more
 * hits is narrowed, not paged through.
 */
export const MESSAGE_COUNT_CAP = 1_000;
/** How far a search can be paged; pages past the count's cap are fetched as they come. */
export const MESSAGE_OFFSET_MAX = 10_000;
export const messageSortSchema = z.enum(['receivedAt', 'sender', 'label', 'cvr', 'status']);
export type MessageSort = z.infer<typeof messageSortSchema>;
/** A day (YYYY-MM-DD, a Copenhagen calendar day) or an ISO date-time with offset, years 0001–9999. */
const dayOrTime = (field: string) => dayOrDateTime(`${field} must be a date like 2025-03-31 or a date-time like 2025-03-31T12:00:00+02:00 (years 0001–9999)`);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodTypeAny>(t: T) => z.preprocess(blankToUndefined, t.optional());

export const messageListQuerySchema = z.object({
  cvr: optional(z.string().trim().regex(/^\d{8}$/, 'cvr must be 8 digits')),
  /** Danish full text (stemmed) over label, sender, recipient, notification and file names; digits also match a sender id. */
  q: optional(text('search text must not contain control characters (such as NUL)').trim().max(200, 'search text is limited to 200 characters')),
  /** A sender id (exact) or part of a sender's name. */
  sender: optional(text('sender must not contain control characters (such as NUL)').trim().max(200, 'sender is limited to 200 characters')),
  provider: optional(z.enum(['ngdp', 'eboks', 'mitdk'], { errorMap: () => ({ message: 'provider must be one of ngdp, eboks, mitdk' }) })),
  /** Letters with a delivery (any reason) to this registry destination. */
  destinationId: optional(z.string().uuid('destinationId must be a destination id (UUID) from the registry')),
  status: optional(z.enum(['received', 'routed', 'triage', 'delivered', 'failed'], {
    errorMap: () => ({ message: 'status must be one of received, routed, triage, delivered, failed' }),
  })),
  /** Received on or after (a day counts from its start). */
  from: optional(dayOrTime('from')),
  /** Received on or before (a day counts to its end; a date-time is exclusive). */
  to: optional(dayOrTime('to')),
  sort: optional(z.enum(['receivedAt', 'sender', 'label', 'cvr', 'status'], { errorMap: () => ({ message: 'sort must be one of receivedAt, sender, label, cvr, status' }) })),
  dir: optional(z.enum(['asc', 'desc'], { errorMap: () => ({ message: 'dir must be asc or desc' }) })),
  limit: z.coerce.number({ invalid_type_error: 'limit must be a number' }).int('limit must be a whole number')
    .min(1, 'limit must be at least 1').max(200, 'limit is at most 200 letters per page').default(50),
  offset: z.coerce.number({ invalid_type_error: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must not be negative')
    .max(MESSAGE_OFFSET_MAX, `offset is at most ${MESSAGE_OFFSET_MAX.toLocaleString('en')}: narrow the search with filters or a date range`).default(0),
}).refine((v) => !v.from || !v.to || startOf(v.from) <= startOf(v.to), { message: 'from must not be after to', path: ['from'], params: { code: 'range_reversed' } });
export type MessageListQuery = z.infer<typeof messageListQuerySchema>;
function startOf(v: string): number { return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v); }

export const messageListResponseSchema = z.object({
  items: z.array(messageSummarySchema),
  /** Matching letters; when `totalCapped`, at least this many (counting stops at MESSAGE_COUNT_CAP). */
  total: z.number().int().nonnegative(),
  /** Present (true) only when counting stopped at the cap. */
  totalCapped: z.literal(true).optional(),
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
  'reply_sent', 'reply_failed',
  'purged',
  /** An admin tried a quarantined letter again and it was stored (ingest/quarantine-retry.ts). */
  'quarantine_released',
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
  /** Set when retention or a data subject request deleted the content: only the trace is left. */
  purgedAt: z.string().datetime().nullable().optional(),
  /** Kept past retention by an admin (PUT/DELETE /api/messages/:id/legal-hold). */
  legalHold: z.boolean().optional(),
});
export type MessageDetail = z.infer<typeof messageDetailSchema>;

// ---- Replies to Digital Post (issue #6) ----

/** What a reply may carry; the backend enforces these, the add-in checks them first to save an upload. */
export const REPLY_LIMITS = {
  textMaxChars: 10_000,
  maxFiles: 10,
  fileMaxBytes: 10 * 1024 * 1024,
  totalMaxBytes: 25 * 1024 * 1024,
} as const;
/** Attachment types a reply accepts (recognised by content, not by name), with the file name endings that go with them. */
export const REPLY_FILE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/tiff': ['tif', 'tiff'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'text/plain': ['txt'],
};
export const replyStatusSchema = z.enum(['sending', 'sent', 'failed']);
export const replyAttachmentSchema = z.object({ filename: z.string(), mimeType: z.string(), size: z.number().int().nonnegative() });
/**
 * Why Digital Post did not take a reply: a code the pane says in the reader's language (codes.error.*:
 * reply_provider_unavailable, reply_uncertain, reply_rejected, reply_credentials_refused,
 * reply_certificate_problem, reply_send_failed), its params (status, NgDP's reason code), and Digital
 * Post's own words (English) as the technical detail.
 */
export const replyFailureSchema = z.object({
  code: z.string(),
  params: z.record(z.union([z.string(), z.number()])),
  detail: z.string(),
});
export type ReplyFailure = z.infer<typeof replyFailureSchema>;
export const replyInfoSchema = z.object({
  id: z.string().uuid(),
  messageId: z.string().uuid(),
  /** The reply's own MeMo messageUUID; a retry sends the same one. */
  memoUuid: z.string().uuid(),
  label: z.string(),
  status: replyStatusSchema,
  /** NgDP's id for the accepted transmission (its receipt), once sent. */
  transmissionId: z.string().nullable(),
  error: z.string().nullable(),
  /** Set with status failed; null for replies that failed before failures had codes (then `error` says it). */
  failure: replyFailureSchema.nullable().optional(),
  attachments: z.array(replyAttachmentSchema),
  requestedBy: z.string(),
  createdAt: z.string().datetime(),
  sentAt: z.string().datetime().nullable(),
});
export type ReplyInfo = z.infer<typeof replyInfoSchema>;
export const replyListSchema = z.object({ items: z.array(replyInfoSchema) });
export type ReplyList = z.infer<typeof replyListSchema>;

export const meSchema = z.object({
  userId: z.string(),
  displayName: z.string(),
  orgId: z.string().uuid(),
  orgName: z.string(),
  roles: z.array(z.enum(['admin', 'operator', 'reader'])),
  /** Each role the caller holds and what it is limited to (null = no limit); several grants may name the same role. */
  grants: z.array(z.object({
    role: z.enum(['admin', 'operator', 'reader']),
    cvrs: z.array(z.string()).nullable(),
    destinationIds: z.array(z.string()).nullable(),
  })).optional(),
  demo: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

/** A role granted by the organisation's admins to an Entra group or user, optionally limited (GET/POST /api/admin/role-grants). */
const principalId = z.string().trim().uuid('must be the Entra object id of the group or user (a UUID, from Entra ID › Groups/Users › Object ID)');
const grantCvrs = z.array(z.string().regex(/^\d{8}$/, 'each CVR number must be 8 digits')).min(1, 'pick at least one CVR number, or none (null) for all').max(1000).nullable()
  .transform((v) => (v === null ? null : [...new Set(v)]));
const grantDestinations = z.array(z.string().uuid('each destination id must be a UUID')).min(1, 'pick at least one destination, or none (null) for all').max(500).nullable()
  .transform((v) => (v === null ? null : [...new Set(v)]));
export const roleGrantCreateSchema = z.object({
  principalType: z.enum(['group', 'user']),
  principalId,
  displayName: text().trim().min(1, 'give the group or person a name').max(200, 'a name is at most 200 characters'),
  role: z.enum(['admin', 'operator', 'reader']),
  /** null or absent: every CVR number of the organisation. */
  cvrs: grantCvrs.default(null),
  /** null or absent: every destination. */
  destinationIds: grantDestinations.default(null),
}).strict();
export type RoleGrantCreate = z.input<typeof roleGrantCreateSchema>;
export const roleGrantUpdateSchema = z.object({
  displayName: text().trim().min(1, 'give the group or person a name').max(200, 'a name is at most 200 characters').optional(),
  role: z.enum(['admin', 'operator', 'reader']).optional(),
  cvrs: grantCvrs.optional(),
  destinationIds: grantDestinations.optional(),
}).strict().refine((v) => Object.keys(v).length > 0, { message: 'nothing to change: send displayName, role, cvrs or destinationIds', params: { code: 'nothing_to_change' } });
export type RoleGrantUpdate = z.input<typeof roleGrantUpdateSchema>;
export const roleGrantSchema = z.object({
  id: z.string().uuid(),
  principalType: z.enum(['group', 'user']),
  principalId: z.string(),
  displayName: z.string(),
  role: z.enum(['admin', 'operator', 'reader']),
  cvrs: z.array(z.string()).nullable(),
  destinationIds: z.array(z.string()).nullable(),
  createdBy: z.string(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type RoleGrant = z.infer<typeof roleGrantSchema>;

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  jobs: z.enum(['ok', 'down']),
  demo: z.boolean(),
  version: z.string(),
});
export type Health = z.infer<typeof healthSchema>;

/**
 * A problem, or a reason, told to a person: a stable `code` and its `params` (names and numbers, never
 * ids) that the task pane translates (addin/src/i18n, `codes.*`), and the English `message` for API
 * clients, logs and codes a client does not know.
 */
export const problemParamsSchema = z.record(z.union([z.string(), z.number()]));
export const problemSchema = z.object({ code: z.string(), params: problemParamsSchema.optional(), message: z.string() });
export type Problem = z.infer<typeof problemSchema>;

/** Every API error has this body; `message` is meant for a person (English), `code` + `params` for translation, `problems` lists each one of a refusal. */
export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), params: problemParamsSchema.optional(), problems: z.array(problemSchema).optional() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

// ---- Statistics (GET /api/stats, /api/stats.csv); days are Copenhagen days ----

export const statsGranularitySchema = z.enum(['day', 'month', 'year']);
export type StatsGranularity = z.infer<typeof statsGranularitySchema>;
export const statsBySchema = z.enum(['channel', 'cvr', 'sender', 'destination']);
export type StatsBy = z.infer<typeof statsBySchema>;
const statsDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => { const d = new Date(`${s}T00:00:00Z`); return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s); }, { message: 'is not a calendar date', params: { code: 'not_date' } });
export const statsQuerySchema = z.object({
  /** First and last day, inclusive; defaults: the last 30 days, 12 months or 5 years to today. */
  from: statsDaySchema.optional(),
  to: statsDaySchema.optional(),
  granularity: statsGranularitySchema.default('day'),
  by: statsBySchema.default('channel'),
  /** Language of the CSV's column names and channel names. */
  lang: z.enum(['da', 'en']).default('en'),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;
export const statsCountsSchema = z.object({
  fetched: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  /** Delivered where a rule or the assistant chose the destination. */
  automatic: z.number().int().nonnegative(),
  /** Delivered where a person placed the letter from triage. */
  manual: z.number().int().nonnegative(),
  triage: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Fetched, not yet routed or delivered. */
  inProgress: z.number().int().nonnegative(),
  /** automatic / delivered (0–1); null when nothing was delivered. */
  automationRate: z.number().min(0).max(1).nullable(),
});
export type StatsCounts = z.infer<typeof statsCountsSchema>;
export const statsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: statsGranularitySchema,
  by: statsBySchema,
  timeZone: z.string(),
  totals: statsCountsSchema,
  /** Every bucket of the period (YYYY-MM-DD, YYYY-MM or YYYY), empty ones included. */
  series: z.array(statsCountsSchema.extend({ bucket: z.string() })),
  /** Largest first; key null is the sum of the rows left off. */
  breakdown: z.array(statsCountsSchema.extend({ key: z.string().nullable(), label: z.string() })),
});
export type StatsResponse = z.infer<typeof statsResponseSchema>;

// ---- Administration: CVR numbers and provider mailboxes ----

const cvrField = z.string().regex(/^\d{8}$/, 'a CVR number has exactly 8 digits');

export const cvrCreateSchema = z.object({
  cvr: cvrField,
  name: text().trim().min(1, 'name is required').max(200, 'name is at most 200 characters'),
}).strict();
export type CvrCreate = z.infer<typeof cvrCreateSchema>;

/**
 * What kind of trouble a mailbox's last error is, by what a person should do about it (the pane says
 * that in their language; `lastError` stays the provider's English detail). backend/src/ingest/connector.ts.
 */
export const mailboxErrorKindSchema = z.enum([
  'credentials_refused', // the provider refuses the sign-in, or the stored credentials are missing or unusable: renew them
  'certificate_problem', // Digital Post's OCES certificate expired, refused, missing or not trusted: upload a valid one
  'not_set_up_at_provider', // the folder or the company's mailbox is missing at the provider: create it there
  'settings_invalid', // Brevdue's settings for the mailbox cannot be used (e.g. an address not allowed): fix them
  'provider_unavailable', // 5xx, timeouts, network: nothing to do, it is tried again
  'provider_answer_unreadable', // a malformed or cut-off answer: nothing to do, it is tried again
  'letter_failed', // one letter could not be fetched, stored or acknowledged; the others were taken; tried again
  'letter_given_up', // a letter was given up after its attempts and is in quarantine
  'database', // Brevdue's own database
  'unknown',
]);
export type MailboxErrorKind = z.infer<typeof mailboxErrorKindSchema>;

export const mailboxHealthSchema = z.object({
  state: z.enum(['ok', 'paused', 'backing_off', 'failing', 'never_fetched', 'push']),
  lastFetchAt: z.string().datetime().nullable(),
  lastErrorAt: z.string().datetime().nullable(),
  /**
   * A sentence for people, e.g. "Digital Post answered 503 …" (English: the technical detail). null
   * without an error, and when `detailHidden` (it can quote a letter given up).
   */
  lastError: z.string().nullable(),
  /**
   * The kind of the last error; null without an error, and for errors recorded before kinds existed
   * (`unknown` when `detailHidden`, so that the error still shows).
   */
  lastErrorKind: mailboxErrorKindSchema.nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
  nextAttemptAfter: z.string().datetime().nullable(),
  waitingAtProvider: z.number().int().nonnegative().nullable(),
  /** Letters stored from this mailbox that are not yet delivered or placed in triage. */
  undelivered: z.number().int().nonnegative(),
  /**
   * Letters of this mailbox kept in quarantine (invalid, refused, or given up): GET /api/admin/mailboxes/:id/quarantine.
   * null when `detailHidden`.
   */
  quarantined: z.number().int().nonnegative().nullable(),
  /**
   * The caller does not see this mailbox's quarantine (a role limited to destinations: backend/src/store/scope.ts
   * seesQuarantineOf): `lastError` and `quarantined` are null, and the quarantine list answers 403
   * `quarantine_destination_limited`. The other facts stay.
   */
  detailHidden: z.boolean().default(false),
});
export type MailboxHealth = z.infer<typeof mailboxHealthSchema>;

/** A quarantined letter as operators see it: what and why, never its content. */
export const quarantineItemSchema = z.object({
  id: z.string().uuid(),
  mailboxId: z.string().uuid(),
  providerMessageId: z.string(),
  receivedAt: z.string().datetime(),
  reason: z.string(),
  /**
   * Erased at a data subject's request (and when): its content is gone, so there is nothing to try
   * again (the retry answers 409 `erased`); retention deletes the record at the retention period.
   */
  erased: z.boolean().optional(),
  erasedAt: z.string().datetime().nullable().optional(),
});
export type QuarantineItem = z.infer<typeof quarantineItemSchema>;
export const quarantineListSchema = z.object({ items: z.array(quarantineItemSchema) });

/**
 * POST /api/admin/mailboxes/:id/quarantine/:quarantineId/retry (admins; no body): what trying a
 * quarantined letter again did. `stored`: taken in now, routed and delivered like a new letter;
 * `already_stored`: the same letter was stored already (nothing stored or delivered twice);
 * `fetch_again`: a letter never fetched, fetched again at the mailbox's next poll. A letter still
 * invalid or still refused answers 422 (codes still_invalid, still_refused) and stays in quarantine.
 */
export const quarantineRetryResultSchema = z.object({
  outcome: z.enum(['stored', 'already_stored', 'fetch_again']),
  /** The stored letter (stored, already_stored); null for fetch_again. */
  messageId: z.string().uuid().nullable(),
  /** A sentence for people (English, as the server's other sentences). */
  message: z.string(),
});
export type QuarantineRetryResult = z.infer<typeof quarantineRetryResultSchema>;

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

/**
 * A Digital Post backfill ("system fetch", backend/src/ingest/ngdp/backfill.ts) as
 * GET/POST /api/admin/mailboxes/:id/backfill answer it. `progress`: share handled, 0..1; 1 when
 * finished; null while the total is unknown.
 */
export const backfillStatusSchema = z.object({
  id: z.string(),
  ngdpMailboxId: z.string(),
  status: z.enum(['RUNNING', 'FINISHED', 'STOPPED', 'UNKNOWN']),
  from: z.string(),
  to: z.string().nullable(),
  totalMessages: z.number().int().nonnegative(),
  fetchedMessages: z.number().int().nonnegative(),
  failedMessages: z.number().int().nonnegative(),
  progress: z.number().min(0).max(1).nullable(),
  createdAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type BackfillStatusView = z.infer<typeof backfillStatusSchema>;
export const backfillListSchema = z.object({ items: z.array(backfillStatusSchema) });

// ---- Administration: retention and service notices (issue #6) ----

const retentionDaysSchema = z.number({ invalid_type_error: 'retention must be a number of days' }).int('retention must be whole days')
  .min(7, 'retention is at least 7 days').max(3650, 'retention is at most 3,650 days (10 years)');
const quarantineKeepDaysSchema = z.number({ invalid_type_error: 'the quarantine period must be a number of days' }).int('the quarantine period must be whole days')
  .min(7, 'the quarantine period is at least 7 days').max(3650, 'the quarantine period is at most 3,650 days (10 years)');

export const retentionSettingsSchema = z.object({
  /** Letters' content is deleted this many days after receipt (by the purge job; see docs/ARCHITECTURE.md). */
  retentionDays: retentionDaysSchema,
  /**
   * A quarantined letter nobody tried again is deleted this many days after the retention period
   * (default 90; one an admin tried again goes at the retention period). Left out of a PUT: unchanged.
   */
  quarantineKeepDays: quarantineKeepDaysSchema.optional(),
}).strict();
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/**
 * PUT /api/admin/retention-settings. A change that shortens either period while the next purge would
 * then delete something is refused (409 `retention_deletes_unconfirmed`, params as the preview's
 * counts) unless `confirmDeletes` is at least letters + quarantined of the preview: at least what the
 * admin was shown, so a count that grew meanwhile is asked again, one that shrank is not.
 */
export const retentionSettingsUpdateSchema = retentionSettingsSchema.extend({
  confirmDeletes: z.number({ invalid_type_error: 'confirmDeletes must be a number of letters' }).int('confirmDeletes must be a whole number')
    .min(0, 'confirmDeletes must not be negative').optional(),
}).strict();
export type RetentionSettingsUpdate = z.infer<typeof retentionSettingsUpdateSchema>;

/** A query parameter of days: digits only (a URL carries strings), then the body's own rules. */
const daysParam = <T extends z.ZodTypeAny>(rules: T) => z.string({ required_error: 'is required', invalid_type_error: 'must be given once, as a whole number of days' })
  .regex(/^\d{1,9}$/, 'must be a whole number of days').transform(Number).pipe(rules);

/** GET /api/admin/retention-settings/preview: quarantineKeepDays left out = the current one (as a PUT). */
export const retentionPreviewQuerySchema = z.object({
  retentionDays: daysParam(retentionDaysSchema),
  quarantineKeepDays: daysParam(quarantineKeepDaysSchema).optional(),
}).strict();

/** What the next retention purge would delete with these settings, counted now as the purge selects (backend retention/due.ts). */
export const retentionPreviewSchema = z.object({
  retentionDays: z.number().int(),
  quarantineKeepDays: z.number().int(),
  /** Letters whose content would be deleted: received before the cut, not on legal hold, not purged yet. */
  letters: z.number().int().nonnegative(),
  /** Quarantined letters that would be deleted: acted on and past retention, or past retention + quarantineKeepDays. */
  quarantined: z.number().int().nonnegative(),
  /** Letters past the cut that legal hold keeps. */
  keptOnLegalHold: z.number().int().nonnegative(),
  /** The earliest receipt among what would be deleted; null when nothing would be. */
  oldestReceivedAt: z.string().nullable(),
});
export type RetentionPreview = z.infer<typeof retentionPreviewSchema>;

export const NOTICE_MAX_WINDOW_DAYS = 30;
export const NOTICE_DEFAULT_LEAD_DAYS = 3;
const DAY_MS = 86_400_000;
const noticeText = (language: string) => text().trim()
  .min(1, `the ${language} text is required`).max(500, `the ${language} text is limited to 500 characters`);
const noticeTime = (what: string) => dateTime(`${what} must be a date and time (ISO 8601)`);

/** A new service notice; `showFrom` defaults to NOTICE_DEFAULT_LEAD_DAYS before `startsAt`. `now` is the check's clock. */
export function noticeCreateSchema(now: () => number = Date.now) {
  return z.object({
    severity: z.enum(['info', 'warning'], { errorMap: () => ({ message: 'severity is info or warning' }) }).default('info'),
    textDa: noticeText('Danish'),
    textEn: noticeText('English'),
    showFrom: noticeTime('showFrom').optional(),
    startsAt: noticeTime('startsAt'),
    endsAt: noticeTime('endsAt'),
  }).strict().superRefine((n, ctx) => {
    const starts = Date.parse(n.startsAt), ends = Date.parse(n.endsAt);
    const show = n.showFrom ? Date.parse(n.showFrom) : starts - NOTICE_DEFAULT_LEAD_DAYS * DAY_MS;
    if (ends <= starts) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'the window must end after it starts', params: { code: 'window_reversed' } });
    else if (ends - starts > NOTICE_MAX_WINDOW_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `a window is at most ${NOTICE_MAX_WINDOW_DAYS} days long`, params: { code: 'window_too_long', max: NOTICE_MAX_WINDOW_DAYS } });
    if (ends <= now()) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'the window has already ended; choose an end in the future', params: { code: 'window_ended' } });
    if (show > starts) ctx.addIssue({ code: 'custom', path: ['showFrom'], message: 'the banner must start showing no later than the window starts', params: { code: 'shown_after_start' } });
    else if (starts - show > NOTICE_MAX_WINDOW_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['showFrom'], message: `the banner can be shown at most ${NOTICE_MAX_WINDOW_DAYS} days ahead`, params: { code: 'shown_too_early', max: NOTICE_MAX_WINDOW_DAYS } });
  });
}
export type NoticeCreate = z.input<ReturnType<typeof noticeCreateSchema>>;

/** Where a notice stands: before its banner, banner ahead of the window, during it, over. */
export const noticePhaseSchema = z.enum(['scheduled', 'upcoming', 'active', 'ended']);
export type NoticePhase = z.infer<typeof noticePhaseSchema>;

export const serviceNoticeSchema = z.object({
  id: z.string().uuid(),
  /** Set for every organisation by the installation's operator; an organisation's admins cannot change it. */
  global: z.boolean(),
  severity: z.enum(['info', 'warning']),
  textDa: z.string(),
  textEn: z.string(),
  showFrom: z.string().datetime(),
  startsAt: z.string().datetime(),
  endsAt: z.string().datetime(),
  createdBy: z.string(),
  createdAt: z.string().datetime(),
  phase: noticePhaseSchema,
});
export type ServiceNotice = z.infer<typeof serviceNoticeSchema>;

/** What the banner needs (GET /api/notices, every signed-in user): only notices being shown now. */
export const activeNoticeSchema = serviceNoticeSchema.pick({ id: true, severity: true, textDa: true, textEn: true, startsAt: true, endsAt: true })
  .extend({ phase: z.enum(['upcoming', 'active']) });
export type ActiveNotice = z.infer<typeof activeNoticeSchema>;
export const activeNoticeListSchema = z.object({ items: z.array(activeNoticeSchema) });
export const serviceNoticeListSchema = z.object({ items: z.array(serviceNoticeSchema) });

// ---- Administration: destinations (the approved-recipients registry) and delivery settings ----

const folderNameRule = (n: string) => n.length > 0 && n.length <= 255 && !/[\u0000-\u001f]/.test(n);

/**
 * A folder path below the Inbox or the channel's files folder, written with '/' between folders.
 * A '/' inside one folder's name is written '\\/' (as in "Nordlys Holding A\\/S").
 */
export const folderPathSchema = z.string().trim().max(1000, 'the folder path is limited to 1,000 characters')
  .refine((p) => splitFolderPath(p).every(folderNameRule),
    { message: 'each folder name must be 1–255 characters without control characters, and folders are separated by "/"', params: { code: 'folder_names', max: 255 } });

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

const displayNameField = text().trim().min(1, 'a display name is required').max(200, 'the display name is limited to 200 characters');
const mailboxAddress = z.string().trim().toLowerCase().email('the mailbox must be an e-mail address such as post@firma.dk');

export const destinationCreateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shared_mailbox'), displayName: displayNameField, mailbox: mailboxAddress, folderPath: folderPathSchema.default('') }).strict(),
  z.object({ kind: z.literal('user_mailbox'), displayName: displayNameField, mailbox: mailboxAddress, folderPath: folderPathSchema.default('') }).strict(),
  z.object({
    kind: z.literal('teams_channel'), displayName: displayNameField,
    teamId: text().trim().min(1, 'the team id is required').max(200),
    channelId: text().trim().min(1, 'the channel id is required').max(200),
    webhookUrl: z.string().trim().url('the webhook URL must be a full https:// address').max(2000),
    folderPath: folderPathSchema.default(''),
  }).strict(),
]);
export type DestinationCreate = z.infer<typeof destinationCreateSchema>;

export const destinationUpdateSchema = z.object({
  displayName: displayNameField.optional(),
  mailbox: mailboxAddress.optional(),
  folderPath: folderPathSchema.optional(),
  teamId: text().trim().min(1).max(200).optional(),
  channelId: text().trim().min(1).max(200).optional(),
  webhookUrl: z.string().trim().url('the webhook URL must be a full https:// address').max(2000).optional(),
}).strict();
export type DestinationUpdate = z.infer<typeof destinationUpdateSchema>;

/**
 * GET /api/destinations: the registry as people choose from it (reroute, triage, rules). `unusable`:
 * the operator's allow-list (backend delivery/registry/allowed.ts) does not let the organisation
 * deliver there now — its refusal (code `mailbox_domain_not_allowed` or `team_not_allowed`, params,
 * the English sentence), which choosing it would be answered with (400); null when usable.
 */
export const destinationChoiceSchema = destinationSchema.extend({ unusable: problemSchema.nullable().optional() });
export type DestinationChoice = z.infer<typeof destinationChoiceSchema>;

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
  subjectTemplate: text().trim().min(1).max(255).refine((t) => t.includes('{label}'), { message: 'the subject template must contain {label}', params: { code: 'template_without_label' } }).default('{label}'),
  /** Outlook categories added to every delivered mail besides the sender's name. */
  categories: z.array(text().trim().min(1).max(255)).max(10).default(['Digital Post']),
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

/** Deliveries that gave up (dead), per destination: what an admin can send again after an outage. */
export const failedDeliveriesSchema = z.object({
  items: z.array(z.object({
    destinationId: z.string().uuid(),
    displayName: z.string(),
    count: z.number().int().nonnegative(),
    /** The most recent failure's reason, as the delivery recorded it. */
    lastError: z.string().nullable(),
    lastFailedAt: z.string().datetime().nullable(),
  })),
  total: z.number().int().nonnegative(),
});
export type FailedDeliveries = z.infer<typeof failedDeliveriesSchema>;

export const retryFailedRequestSchema = z.object({
  /** Only the deliveries to this destination; default: every failed delivery the caller may send. */
  destinationId: z.string().uuid('destinationId must be a destination id (UUID)').optional(),
}).strict();

export const retryFailedResponseSchema = z.object({ retried: z.number().int().nonnegative() });

// ---- Routing: rules, dry run, triage and the assistant ----

export const ruleActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('destinations'),
    destinationIds: z.array(z.string().uuid('each destination id must be a UUID')).min(1, 'choose at least one destination').max(20),
    /** e.g. "Digital Post/{sender}/{year}"; overrides the folder of mailbox destinations. */
    folderTemplate: text().trim().min(1).max(500).optional(),
  }).strict(),
  z.object({ kind: z.literal('triage') }).strict(),
]);
export type RuleActionInput = z.infer<typeof ruleActionSchema>;

export const ruleInputSchema = z.object({
  name: text().trim().min(1, 'a rule needs a name').max(200, 'the name is limited to 200 characters'),
  priority: z.number().int().min(0).max(1_000_000),
  enabled: z.boolean().default(true),
  /** The condition tree; validated by the backend (routing/conditions.ts). */
  conditions: z.unknown().refine((v) => v !== undefined && v !== null, 'conditions are required'),
  action: ruleActionSchema,
  continue: z.boolean().default(false),
}).strict();
export type RuleInput = z.infer<typeof ruleInputSchema>;

export const ruleUpdateSchema = ruleInputSchema.partial().strict().refine((r) => Object.keys(r).length > 0, { message: 'nothing to change', params: { code: 'nothing_to_change' } });

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
  /** The index in `rules` of the rule being edited: the answer then says which earlier rules take its letters. */
  draft: z.number().int().min(0).max(4999).optional(),
}).strict().refine((r) => r.draft === undefined || r.draft < r.rules.length, { message: 'draft must be the index of one of the rules', path: ['draft'] });

/** What a rule set does with one letter: triage, or destinations (by name), each with the folder a rule's template gave (null: the destination's own). */
const dryRunSideSchema = z.object({
  kind: z.enum(['destinations', 'triage']),
  destinations: z.array(z.string()),
  places: z.array(z.object({ destination: z.string(), folder: z.string().nullable() })),
  rules: z.array(z.string()),
});
export const dryRunChangeSchema = z.object({
  messageId: z.string().uuid(),
  label: z.string(),
  senderName: z.string(),
  receivedAt: z.string().datetime(),
  /** Differ in kind, destinations or folders (which rule decided alone is no change). */
  before: dryRunSideSchema,
  after: dryRunSideSchema,
});
export const dryRunResponseSchema = z.object({
  letters: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  toTriageBefore: z.number().int().nonnegative(),
  toTriageAfter: z.number().int().nonnegative(),
  changes: z.array(dryRunChangeSchema),
  /** Problems with the draft rules (then nothing was simulated). */
  problems: z.array(z.object({ rule: z.string(), problems: z.array(z.string()), details: z.array(problemSchema).optional() })),
  /**
   * With `draft` (and the rule enabled): the letters its conditions hold for, and the earlier rules
   * that would still place some of them (first match wins), by name, most letters first.
   */
  draft: z.object({
    matching: z.number().int().nonnegative(),
    placedBy: z.array(z.object({ rule: z.string(), letters: z.number().int().positive() })),
  }).optional(),
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

/** One condition of a rule that held for a letter: the condition as stored, and what of the letter met it (CPR masked). */
export const heldConditionSchema = z.object({ condition: z.unknown(), found: z.string().optional() });
/**
 * Why routing decided as it did, for the task pane to say in the reader's language: the `outcome`
 * (codes `no_rule_matched`, `rule_sends_to_triage`, `rule_names_no_destination`,
 * `no_existing_destination`, `routed`; params.rule names the deciding rule) and each rule that matched
 * with the conditions that held.
 */
export const routingExplanationSchema = z.object({
  outcome: z.object({ code: z.string(), params: problemParamsSchema.optional() }),
  matched: z.array(z.object({ rule: z.string(), held: z.array(heldConditionSchema) })),
});
export type RoutingExplanation = z.infer<typeof routingExplanationSchema>;

export const triageItemSchema = z.object({
  message: messageSummarySchema,
  /** English sentences (API clients; letters routed before `explanation` existed). */
  why: z.array(z.string()),
  explanation: routingExplanationSchema.optional(),
  suggestions: z.array(suggestionSchema),
});
export const triageListSchema = z.object({ items: z.array(triageItemSchema), total: z.number().int().nonnegative() });
export type TriageList = z.infer<typeof triageListSchema>;

export const placeRequestSchema = z.object({
  destinationIds: z.array(z.string().uuid('each destination id must be a UUID')).min(1, 'choose at least one destination').max(20),
}).strict();

/** GET /api/admin/jobs (admins and operators): the job runner per job name, and recent failures. */
export const jobsOverviewSchema = z.object({
  jobs: z.array(z.object({
    name: z.string(), queued: z.number().int(), dueNow: z.number().int(), running: z.number().int(),
    failedRecently: z.number().int(), oldestDueSeconds: z.number().int().nullable(),
  })),
  /**
   * failCount: which attempt (or failed run in a row) it was; null when not known (a delivery sent again, a mailbox resumed).
   * mailbox: a mailbox's failure (poll-mailbox) only: its provider and the error's kind as health's lastErrorKind
   * (null: recorded before kinds), so the pane says it in the reader's language with failReason as the detail.
   */
  recentFailures: z.array(z.object({
    name: z.string(), failedAt: z.string(), failCount: z.number().int().nullable(), failReason: z.string().nullable(),
    mailbox: z.object({ provider: providerSchema, errorKind: mailboxErrorKindSchema.nullable() }).optional(),
  })),
  recentHours: z.number().int(),
});
export type JobsOverview = z.infer<typeof jobsOverviewSchema>;

/** One audit log entry as GET /api/admin/audit lists it (newest first; `nextBefore` pages back). */
export const auditEntrySchema = z.object({
  seq: z.number().int(), at: z.string(), actor: z.string(), actorIp: z.string().nullable(), action: z.string(),
  targetType: z.string().nullable(), targetId: z.string().nullable(), details: z.record(z.unknown()),
  prevHash: z.string(), hash: z.string(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;
export const auditListSchema = z.object({ items: z.array(auditEntrySchema), nextBefore: z.number().int().nullable() });
export type AuditList = z.infer<typeof auditListSchema>;
