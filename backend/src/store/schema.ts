// Drizzle table definitions. Migrations are generated from this file (npm run db:generate) and
// committed under backend/drizzle/; the SQL must run on PostgreSQL 15 (CI server) and 18 (PGlite).
import { getTableColumns, sql } from 'drizzle-orm';
import {
  bigint, bigserial, boolean, customType, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import type { MailboxErrorKind } from '../../../shared/src/contracts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** The Entra ID tenant (tid claim) whose users belong to this organisation. */
  entraTenantId: text('entra_tenant_id').unique(),
  retentionDays: integer('retention_days').notNull().default(90),
  /**
   * Days a quarantined letter nobody acted on is kept past retention_days before retention deletes it
   * (audited quarantine.expired); one an admin tried again goes at retention_days (retention/purge.ts).
   */
  quarantineKeepDays: integer('quarantine_keep_days').notNull().default(90),
  /** How letters are delivered (subject template, categories, dead-letter notices, reroute); see delivery/settings.ts. */
  deliverySettings: jsonb('delivery_settings').$type<Record<string, unknown>>().notNull().default({}),
  /** Triage and the assistant (auto-placement threshold); see routing/settings.ts. */
  routingSettings: jsonb('routing_settings').$type<Record<string, unknown>>().notNull().default({}),
  /**
   * Bumped by triggers (migration 0016) on every change of the organisation's rules, CVR numbers and
   * destinations: routing caches its compiled rules and registry per organisation under this number
   * and reads only it per letter.
   */
  routingVersion: bigint('routing_version', { mode: 'number' }).notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const cvrNumbers = pgTable('cvr_numbers', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  cvr: text('cvr').notNull(),
  name: text('name').notNull(),
  /** Removed by an admin: its mailboxes stop, its letters stay (until retention). */
  removedAt: ts('removed_at'),
}, (t) => [
  uniqueIndex('cvr_numbers_org_cvr_uq').on(t.orgId, t.cvr),
  // A CVR number belongs to one organisation of the installation at a time (store/organisation.ts addCvr):
  // its pushes, mailboxes and letters are that organisation's. Removed rows keep their history.
  uniqueIndex('cvr_numbers_cvr_active_uq').on(t.cvr).where(sql`removed_at IS NULL`),
]);

/** One provider mailbox of one CVR number. `config` holds non-secret settings; secrets are encrypted. */
export const mailboxes = pgTable('mailboxes', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  cvr: text('cvr').notNull(),
  provider: text('provider').notNull(), // ngdp | eboks | mitdk
  config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
  secretEnc: bytea('secret_enc'),
  paused: boolean('paused').notNull().default(false),
  lastFetchAt: ts('last_fetch_at'),
  lastErrorAt: ts('last_error_at'),
  lastError: text('last_error'),
  /** What a person should do about last_error (a MailboxErrorKind of shared/src/contracts.ts); null before kinds existed. */
  lastErrorKind: text('last_error_kind').$type<MailboxErrorKind>(),
  /** Failed polls in a row; drives the backoff. */
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** No poll before this time (provider errors, outages). */
  backoffUntil: ts('backoff_until'),
  /** Letters the provider said were waiting when the last poll began. */
  waitingAtLastPoll: integer('waiting_at_last_poll'),
  removedAt: ts('removed_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** When ingest/poll-scheduler.ts polls it next (null: as soon as possible). */
  nextPollAt: ts('next_poll_at'),
  /** Set while a process polls it (a lease: after a crash another process takes it over then). */
  pollingUntil: ts('polling_until'),
}, (t) => [
  uniqueIndex('mailboxes_org_cvr_provider_uq').on(t.orgId, t.cvr, t.provider),
  index('mailboxes_next_poll_idx').on(t.nextPollAt).where(sql`removed_at IS NULL AND paused = false`),
]);

export const messages = pgTable('messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  mailboxId: uuid('mailbox_id').notNull().references(() => mailboxes.id),
  provider: text('provider').notNull(),
  cvr: text('cvr').notNull(),
  memoUuid: uuid('memo_uuid').notNull(),
  memoVersion: text('memo_version').notNull(),
  label: text('label').notNull(),
  senderId: text('sender_id').notNull(),
  senderIdType: text('sender_id_type').notNull(),
  senderName: text('sender_name').notNull(),
  recipientId: text('recipient_id').notNull(),
  recipientIdType: text('recipient_id_type').notNull(),
  notification: text('notification'),
  memoCreatedAt: ts('memo_created_at').notNull(),
  receivedAt: ts('received_at').notNull().defaultNow(),
  replyAllowed: boolean('reply_allowed').notNull().default(false),
  replyBy: ts('reply_by'),
  status: text('status').notNull().default('received'), // received | routed | triage | delivered | failed
  /** Parsed header fields useful for routing (no document content), kept as JSON. */
  routingFacts: jsonb('routing_facts').$type<Record<string, unknown>>().notNull().default({}),
  /** The original MeMo XML, encrypted (audit and re-processing). */
  rawEnc: bytea('raw_enc').notNull(),
  /** Lower-cased words of label and sender, for the skeleton's search (CPR numbers masked). */
  searchText: text('search_text').notNull().default(''),
  /**
   * Danish full text of search_text (stemmed: "årsopgørelser" finds "årsopgørelsen"), kept by
   * PostgreSQL itself. Built from search_text only, so it holds no CPR number and no document text.
   */
  searchVector: tsvector('search_vector').generatedAlwaysAs(sql`to_tsvector('danish'::regconfig, search_text)`),
  /** Kept past retention (a legal hold set by an admin, audited). */
  legalHold: boolean('legal_hold').notNull().default(false),
  /** Content purged by retention or erased by a data subject request: only trace metadata is left. */
  purgedAt: ts('purged_at'),
}, (t) => [
  uniqueIndex('messages_org_memo_uq').on(t.orgId, t.memoUuid),
  index('messages_org_received_idx').on(t.orgId, t.receivedAt),
  index('messages_search_idx').using('gin', t.searchVector),
  index('messages_org_status_received_idx').on(t.orgId, t.status, t.receivedAt),
  index('messages_org_sender_idx').on(t.orgId, t.senderId),
  // Track & trace sorted by sender or subject without a selective filter: read in index order, stop at a page.
  index('messages_org_sender_name_idx').on(t.orgId, t.senderName, t.receivedAt),
  index('messages_org_label_idx').on(t.orgId, t.label, t.receivedAt),
  // The destination filter (letters with a delivery to X) as a merge of two index-only scans in id order.
  index('messages_org_id_idx').on(t.orgId, t.id),
  index('messages_org_provider_id_idx').on(t.orgId, t.provider, t.id),
  // Each letter's subject paired with each lexeme of its search vector ("subject\x1flexeme"): a search of
  // words sorted by subject asks per subject whether any letter has them all (store/read.ts). The
  // expression must stay identical to labelLexemes() there, or PostgreSQL does not use the index.
  index('messages_label_lexeme_idx').using('gin', sql`(string_to_array(${t.label} || E'\\x1f' || replace(strip(${t.searchVector})::text, ' ', E'\\x1e' || ${t.label} || E'\\x1f'), E'\\x1e'))`),
]);

/**
 * Letters waiting to be routed (routing/route-scheduler.ts): a row is written in the transaction that
 * stores the letter and deleted in the one that routes it, so a crash anywhere leaves the letter
 * either queued or routed. A small table of its own: claiming (a lease) and failures update these
 * rows, not the wide, heavily indexed `messages` row.
 */
export const routeQueue = pgTable('route_queue', {
  messageId: uuid('message_id').primaryKey().references(() => messages.id, { onDelete: 'cascade' }),
  orgId: uuid('org_id').notNull(),
  /** Routed when due: at once, or after a failed attempt's backoff. */
  dueAt: ts('due_at').notNull().defaultNow(),
  /** Held by a process routing it now; after a crash the lease runs out and another process takes it. */
  leaseUntil: ts('lease_until'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  failedAt: ts('failed_at'),
}, (t) => [
  index('route_queue_due_idx').on(t.dueAt),
  index('route_queue_org_failed_idx').on(t.orgId, t.failedAt),
]);

/**
 * Every column of a letter but its sealed original. Select these, never `messages` whole: the raw
 * MeMo is megabytes, and reading it back for a list or a routing decision costs more than the work.
 */
const { rawEnc: _raw, searchVector: _vector, ...letterColumnSet } = getTableColumns(messages);
export const letterColumns = letterColumnSet;

export const documents = pgTable('documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  role: text('role').notNull(), // main | additional | technical
  position: integer('position').notNull(),
  filename: text('filename').notNull(),
  mimeType: text('mime_type').notNull(),
  size: integer('size').notNull(),
  contentEnc: bytea('content_enc').notNull(),
  /** Text extracted from a PDF for routing and the assistant (sealed: it is the letter's content). */
  textEnc: bytea('text_enc'),
  /** ok | failed: <reason> | skipped (not a PDF); null until extraction ran. */
  textStatus: text('text_status'),
}, (t) => [index('documents_message_idx').on(t.messageId)]);

/**
 * A mail to the organisation's admins about letters that entered quarantine (delivery/quarantine-notice.ts):
 * one per organisation at a time, naming the quarantine rows that point at it. Sent at most once:
 * claimed with a lease; after a lease left behind or an uncertain answer the mailbox that attempt sent
 * from is searched for the notice id before sending again.
 */
export const quarantineNotices = pgTable('quarantine_notices', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  /** pending | sent | moot (every letter it named was taken in or erased before it went out) */
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  dueAt: ts('due_at').notNull().defaultNow(),
  leaseUntil: ts('lease_until'),
  /** An attempt may have sent it (timeout, 5xx, a lease left behind): look before sending again. */
  uncertain: boolean('uncertain').notNull().default(false),
  /**
   * The sender the last attempt sent from, written before its sendMail: an uncertain attempt's copy is
   * looked for there, not in a sender the settings name since. Null: no attempt since this was added.
   */
  sentFrom: text('sent_from'),
  lastError: text('last_error'),
  /** How many letters the mail named, to whom and when it went. */
  letters: integer('letters'),
  sentTo: text('sent_to'),
  sentAt: ts('sent_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [
  index('quarantine_notices_org_created_idx').on(t.orgId, t.createdAt),
  index('quarantine_notices_pending_idx').on(t.dueAt).where(sql`status = 'pending'`),
]);

/** A letter that failed validation: kept (encrypted) with the reason, never silently dropped. */
export const quarantine = pgTable('quarantine', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  mailboxId: uuid('mailbox_id').notNull().references(() => mailboxes.id),
  providerMessageId: text('provider_message_id').notNull(),
  reason: text('reason').notNull(),
  rawEnc: bytea('raw_enc').notNull(),
  receivedAt: ts('received_at').notNull().defaultNow(),
  /** The admins' notice that names this letter (null: not yet claimed by one). */
  noticeId: uuid('notice_id').references(() => quarantineNotices.id),
  /**
   * Keyed hashes (dsr/cpr-index.ts) of the CPR numbers in the sealed bytes and their embedded PDFs'
   * text, for data subject requests; null until indexed (by the quarantine-notices job or a DSR search).
   */
  cprHashes: text('cpr_hashes').array(),
  /** Content erased at a data subject's request (raw_enc is then a sealed empty value, reason a fixed sentence: letter-failures.ts erasedReason). */
  erasedAt: ts('erased_at'),
}, (t) => [
  uniqueIndex('quarantine_mailbox_msg_uq').on(t.mailboxId, t.providerMessageId),
  index('quarantine_unnoticed_idx').on(t.orgId).where(sql`notice_id IS NULL AND erased_at IS NULL`),
  index('quarantine_unindexed_idx').on(t.orgId).where(sql`cpr_hashes IS NULL AND erased_at IS NULL`),
  index('quarantine_cpr_hashes_idx').using('gin', t.cprHashes),
]);

/**
 * What is left of a quarantined letter retention deleted (retention/purge.ts): its mailbox and provider
 * id, never content. A letter whose INVALID receipt never reached the provider is still waiting there,
 * and polls pass it by (or owe only its receipt) through this, as through its quarantine row before:
 * without it the letter would be fetched and quarantined again — with content a data subject asked to
 * erase. `reason` is a fixed sentence (ingest/letter-failures.ts passedBy reads its prefix).
 */
export const quarantineTombstones = pgTable('quarantine_tombstones', {
  mailboxId: uuid('mailbox_id').notNull().references(() => mailboxes.id),
  providerMessageId: text('provider_message_id').notNull(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  reason: text('reason').notNull(),
  /** When the letter was received, and when its row was deleted. */
  receivedAt: ts('received_at').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.mailboxId, t.providerMessageId] })]);

/** The approved-recipients registry: rules and people may only choose these. */
export const destinations = pgTable('destinations', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  kind: text('kind').notNull(), // shared_mailbox | user_mailbox | teams_channel
  displayName: text('display_name').notNull(),
  /** Mailbox kinds: the mailbox address and a folder path below its Inbox ('/'-separated, '\\/' escapes). */
  mailbox: text('mailbox'),
  folderPath: text('folder_path').notNull().default(''),
  /** Teams channel: team and channel ids, and the channel's Workflows webhook URL (a capability: sealed). */
  teamId: text('team_id'),
  channelId: text('channel_id'),
  webhookUrlEnc: bytea('webhook_url_enc'),
  /** Problems found by the last check (empty: fine), and when. */
  checkProblems: jsonb('check_problems').$type<string[]>().notNull().default([]),
  checkedAt: ts('checked_at'),
  /** Deleted by an admin: no longer selectable, kept for the history of earlier deliveries. */
  archivedAt: ts('archived_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const rules = pgTable('rules', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  name: text('name').notNull(),
  priority: integer('priority').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  conditions: jsonb('conditions').$type<unknown>().notNull(),
  /** destinations | triage */
  actionKind: text('action_kind').notNull().default('destinations'),
  destinationIds: jsonb('destination_ids').$type<string[]>().notNull(),
  /** Overrides mailbox destinations' folder, e.g. "Digital Post/{sender}/{year}". */
  folderTemplate: text('folder_template'),
  /** Matching goes on after this rule (more destinations may be added). */
  continueMatching: boolean('continue_matching').notNull().default(false),
  version: integer('version').notNull().default(1),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: text('updated_by').notNull().default('system'),
  /** Deleted: kept so the history of letters it routed still names it. */
  deletedAt: ts('deleted_at'),
}, (t) => [index('rules_org_priority_idx').on(t.orgId, t.priority)]);

/** Every version of every rule, with who changed it and when (the audit trail). */
export const ruleVersions = pgTable('rule_versions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  ruleId: uuid('rule_id').notNull().references(() => rules.id),
  version: integer('version').notNull(),
  change: text('change').notNull(), // created | updated | deleted
  snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
  changedBy: text('changed_by').notNull(),
  changedAt: ts('changed_at').notNull().defaultNow(),
}, (t) => [index('rule_versions_rule_idx').on(t.ruleId, t.version)]);

/**
 * The assistant's learnt counts per organisation: how often a feature (sender, word stem, KLE…) went
 * with a target (a set of destinations). The row with feature '' holds the target's total. A feature
 * is stored as `~<kind prefix>:<keyed hash>` (assistant_keys), never as the word.
 */
export const assistantCounts = pgTable('assistant_counts', {
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  feature: text('feature').notNull(),
  target: text('target').notNull(),
  count: doublePrecision('count').notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.feature, t.target] })]);

/**
 * The key of an organisation's assistant features: 32 random bytes, sealed (crypto/envelope.ts). The
 * features in assistant_counts are keyed hashes under it (triage/assistant-store.ts), so a database
 * alone does not tell which words a letter had. Sealed, not derived from the KEK like the CPR index:
 * a hash cannot be re-made under a new key without its word, so a KEK rotation re-wraps this key
 * (crypto/rewrap.ts) and the counts stay valid.
 */
export const assistantKeys = pgTable('assistant_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().unique().references(() => organisations.id),
  keyEnc: bytea('key_enc').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const deliveries = pgTable('deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  destinationId: uuid('destination_id').notNull().references(() => destinations.id),
  reason: text('reason').notNull().default('initial'), // initial | resend | reroute | placement
  status: text('status').notNull().default('pending'), // pending | delivered | dead
  /** Who asked for it: 'system' (a rule) or the person (user id and name) for resend/reroute. */
  requestedBy: text('requested_by').notNull().default('system'),
  /** A folder path a rule's template chose for this letter (mailbox destinations); null: the destination's own. */
  folderPath: text('folder_path'),
  /** A reroute replaces this earlier delivery. */
  replacesDeliveryId: uuid('replaces_delivery_id'),
  /** Steps already done, so a retry resumes instead of repeating (large attachments, Teams files, card). */
  progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
  /** An uncertain outcome happened (timeout, 5xx, crash): look for our copy before creating again. */
  uncertain: boolean('uncertain').notNull().default(false),
  deadNotifiedAt: ts('dead_notified_at'),
  /**
   * The dead-letter notice's claim (delivery/notify.ts): an attempt holds it while it sends, so two jobs
   * never both mail; after a failure or a refused sender, when the notice may be tried again.
   */
  deadNoticeUntil: ts('dead_notice_until'),
  /** The owed dead-letter notice's id, carried by its mail as a named property (so its copy can be found); cleared once recorded. */
  deadNoticeId: uuid('dead_notice_id'),
  /**
   * The sender an attempt at that notice sent from, written before its sendMail and cleared when Graph
   * answered that it did not send: while set, the next attempt first looks for the copy there.
   */
  deadNoticeSentFrom: text('dead_notice_sent_from'),
  attempts: integer('attempts').notNull().default(0),
  graphMessageId: text('graph_message_id'),
  /** The mail's Internet message id: the same whatever id format Outlook uses (the add-in's "This letter"). */
  internetMessageId: text('internet_message_id'),
  lastError: text('last_error'),
  /** A worker holds a delivery until this time, so two jobs never attempt it at once. */
  leaseUntil: ts('lease_until'),
  /** When the next attempt is due (delivery/delivery-scheduler.ts): at once, after a backoff, or when Graph allows. */
  dueAt: ts('due_at').notNull().defaultNow(),
  /** When an attempt last failed (the jobs view's recent failures). */
  lastFailedAt: ts('last_failed_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  deliveredAt: ts('delivered_at'),
}, (t) => [
  index('deliveries_message_idx').on(t.messageId),
  index('deliveries_due_idx').on(t.dueAt).where(sql`status = 'pending'`),
  // Track & trace's destination filter (letters with a delivery to X).
  index('deliveries_destination_message_idx').on(t.destinationId, t.messageId),
  index('deliveries_graph_message_idx').on(t.graphMessageId),
  index('deliveries_internet_message_idx').on(t.internetMessageId),
  // One initial delivery per message and destination: routing twice (a retried job) cannot duplicate.
  uniqueIndex('deliveries_initial_uq').on(t.messageId, t.destinationId).where(sql`reason = 'initial'`),
]);

/** The timeline of a letter: every step, who did it and why. */
export const events = pgTable('events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  at: ts('at').notNull().defaultNow(),
  type: text('type').notNull(),
  actor: text('actor').notNull(),
  text: text('text').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
}, (t) => [index('events_message_idx').on(t.messageId, t.at)]);

/**
 * Service notices: a maintenance window or an announcement, shown as a banner in every task pane from
 * `showFrom` until `endsAt`. orgId null = every organisation (set by an operator of the installation).
 */
export const serviceNotices = pgTable('service_notices', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').references(() => organisations.id),
  severity: text('severity').notNull().default('info'), // info | warning
  textDa: text('text_da').notNull(),
  textEn: text('text_en').notNull(),
  showFrom: ts('show_from').notNull(),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  deletedAt: ts('deleted_at'),
}, (t) => [index('service_notices_org_ends_idx').on(t.orgId, t.endsAt)]);

/** Replies sent to Digital Post for a letter: the reply MeMo (sealed), its sending state and receipt. */
export const replies = pgTable('replies', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  /** The reply's own MeMo messageUUID (idempotency at NgDP: the same UUID is never sent twice). */
  memoUuid: uuid('memo_uuid').notNull().unique(),
  memoEnc: bytea('memo_enc').notNull(),
  status: text('status').notNull().default('sending'), // sending | sent | failed
  transmissionId: text('transmission_id'),
  error: text('error'),
  attachments: jsonb('attachments').$type<{ filename: string; mimeType: string; size: number }[]>().notNull().default([]),
  requestedBy: text('requested_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  sentAt: ts('sent_at'),
}, (t) => [index('replies_message_idx').on(t.messageId)]);

/**
 * Append-only audit log, tamper-evident: each entry's hash covers its content and the previous
 * entry's hash (per organisation), so an edited or deleted row breaks the chain (`brevdue audit verify`).
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  /** Position in the organisation's chain, from 1; unique, so two writers cannot fork the chain. */
  seq: integer('seq').notNull(),
  at: ts('at').notNull().defaultNow(),
  actor: text('actor').notNull(),
  actorIp: text('actor_ip'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
}, (t) => [uniqueIndex('audit_log_org_seq_uq').on(t.orgId, t.seq), index('audit_log_org_at_idx').on(t.orgId, t.at)]);

/**
 * CPR numbers a letter mentions, as keyed hashes only (HMAC-SHA-256 with a key derived from the KEK),
 * so a data subject request can find every letter for a CPR number without any CPR number stored in clear.
 */
export const cprMentions = pgTable('cpr_mentions', {
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  cprHash: text('cpr_hash').notNull(),
}, (t) => [primaryKey({ columns: [t.messageId, t.cprHash] }), index('cpr_mentions_org_hash_idx').on(t.orgId, t.cprHash)]);

/**
 * Who holds which role, granted by the organisation's admins (api/role-grants.ts), on top of the app
 * roles in the token and ENTRA_GROUP_ROLES (both organisation-wide). A grant may be limited to some of
 * the organisation's CVR numbers and/or destinations; null = no limit (api/scope.ts says what a limit
 * restricts).
 */
export const roleGrants = pgTable('role_grants', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organisations.id),
  /** An Entra group (its object id, matched against the token's `groups`) or a user (`oid`). */
  principalType: text('principal_type').notNull(), // group | user
  principalId: text('principal_id').notNull(),
  /** The admin's name for it ("Økonomi-teamet"); ids say nothing to a person. */
  displayName: text('display_name').notNull(),
  role: text('role').notNull(), // admin | operator | reader
  cvrs: text('cvrs').array(),
  destinationIds: uuid('destination_ids').array(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('role_grants_principal_role_uq').on(t.orgId, t.principalType, t.principalId, t.role)]);

/** Where a letter counts in the statistics: organisation, Copenhagen day, CVR number, channel, sender. */
const countedAs = () => ({
  orgId: uuid('org_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  cvr: text('cvr').notNull(),
  provider: text('provider').notNull(),
  senderId: text('sender_id').notNull(),
  senderName: text('sender_name').notNull(),
});

/**
 * What each letter counts as in the statistics right now (its contribution to stats_counts), so a
 * trigger can take the old contribution back when the letter changes. Kept by migration 0010's
 * triggers only; no foreign key, so the row outlives a deleted letter until the trigger has counted it off.
 */
export const statsLetters = pgTable('stats_letters', {
  messageId: uuid('message_id').primaryKey(),
  ...countedAs(),
  status: text('status').notNull(),
  automatic: boolean('automatic').notNull(),
  /** The distinct destinations the letter has deliveries to, sorted. */
  destinationIds: uuid('destination_ids').array().notNull(),
}, (t) => [
  // Statistics for a caller limited to destinations are counted from these rows (stats/rollup.ts).
  index('stats_letters_org_day_idx').on(t.orgId, t.day),
]);

/**
 * Statistics kept ahead of the question (stats/rollup.ts). Triggers on messages, deliveries and
 * events (migration 0010) append a +1/−1 row here whenever a letter's counted state changes: its
 * Copenhagen day, CVR, channel, sender, status, whether it was automatic, and one row per destination
 * it went to (destination_id set) besides the letter's own (destination_id null). Appending, never
 * updating a shared counter, keeps concurrent ingest and delivery transactions from queuing on hot rows.
 * A job folds the rows into stats_counts; reports read both, so they are exact at any moment.
 */
export const statsDeltas = pgTable('stats_deltas', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ...countedAs(),
  destinationId: uuid('destination_id'),
  status: text('status').notNull(),
  automatic: boolean('automatic').notNull(),
  n: integer('n').notNull(),
}, (t) => [index('stats_deltas_org_day_idx').on(t.orgId, t.day)]);

/**
 * Letter counts per organisation, breakdown (`dim`: channel — key the provider; sender — key the sender
 * id, label its name; destination — key the destination id), grain (`d` a Copenhagen day, `m` a month,
 * `start` its first day), CVR number, status and automatic. Months answer long periods with a few rows.
 */
export const statsCounts = pgTable('stats_counts', {
  orgId: uuid('org_id').notNull(),
  dim: text('dim').notNull(),
  grain: text('grain').notNull(),
  start: date('start', { mode: 'string' }).notNull(),
  cvr: text('cvr').notNull(),
  key: text('key').notNull(),
  label: text('label').notNull(),
  status: text('status').notNull(),
  automatic: boolean('automatic').notNull(),
  n: integer('n').notNull(),
}, (t) => [
  primaryKey({ name: 'stats_counts_pk', columns: [t.orgId, t.dim, t.grain, t.start, t.cvr, t.key, t.label, t.status, t.automatic] }),
  // Counts that fell to zero (letters moved on from "received"), found and removed after each fold.
  index('stats_counts_zero_idx').on(t.orgId).where(sql`n = 0`),
]);
