// The Brevdue API as the task pane sees it: fetch, an optional bearer token, and every answer parsed
// with the shared zod contracts, so a mismatch shows up as a clear error, not as undefined in the UI.
import { z } from 'zod';
import { replyInfoSchema, replyListSchema, type ReplyInfo } from '../../../shared/src/contracts';
import {
  apiErrorSchema, destinationChoiceSchema, healthSchema, meSchema, messageDetailSchema, messageListResponseSchema,
  triageListSchema,
  activeNoticeListSchema, cvrViewSchema, destinationViewSchema, mailboxViewSchema, retentionSettingsSchema, serviceNoticeListSchema, serviceNoticeSchema,
  type ActiveNotice, type CvrCreate, type CvrView, type DestinationCreate, type DestinationUpdate, type DestinationView, type MailboxCreate, type MailboxView,
  type NoticeCreate, type RetentionSettings, type ServiceNotice,
  type DestinationChoice, type Health, type Me, type MessageDetail, type MessageListResponse, type TriageList,
} from '../../../shared/src/contracts';
import { statsResponseSchema, type StatsBy, type StatsGranularity, type StatsResponse } from '../../../shared/src/contracts';
import { jobsOverviewSchema, type JobsOverview } from '../../../shared/src/contracts';
import { failedDeliveriesSchema, retryFailedResponseSchema, type FailedDeliveries } from '../../../shared/src/contracts';
import {
  dryRunResponseSchema, ruleViewSchema, type DryRunResponse, type RuleInput, type RuleView,
} from '../../../shared/src/contracts';
import { authHeaders, getAccessToken } from '../auth';
import { auditListSchema, type AuditList } from '../../../shared/src/contracts';
import { roleGrantSchema, type RoleGrant, type RoleGrantCreate, type RoleGrantUpdate } from '../../../shared/src/contracts';
import { quarantineListSchema, quarantineRetryResultSchema, type QuarantineItem, type QuarantineRetryResult } from '../../../shared/src/contracts';
import { backfillListSchema, backfillStatusSchema, type BackfillStatusView } from '../../../shared/src/contracts';
import type { Problem } from '../../../shared/src/contracts';
import { deliverySettingsSchema, type DeliverySettings } from '../../../shared/src/contracts';
import { retentionPreviewSchema, type RetentionPreview, type RetentionSettingsUpdate } from '../../../shared/src/contracts';

export type ApiErrorKind =
  | 'http' // the server answered with an error status (message from its error JSON when present)
  | 'network' // no answer at all
  | 'invalid' // an answer that does not match the contract
  | 'auth'; // signing in failed before the request was sent

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    /** The error code from the API's JSON, or a synthetic one (http_502, network, invalid_response). */
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    /** True when `message` came from the server's error JSON and is meant for a person. */
    readonly fromServer = false,
    /** The error's values and each problem of a refusal, for saying it in the reader's language (ErrorBar). */
    readonly details: { params?: Problem['params']; problems?: Problem[] } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListMessagesParams {
  cvr?: string;
  q?: string;
  /** Track & trace filters and order (GET /api/messages); blank values are left out. */
  sender?: string;
  provider?: string;
  destinationId?: string;
  status?: string;
  from?: string;
  to?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface PageParams {
  limit?: number;
  offset?: number;
}

/** What the pane needs of the organisation's delivery settings (GET /api/admin/delivery-settings, operators and admins). */
export const rerouteDefaultsSchema = z.object({ rerouteOldCopy: z.enum(['leave', 'move']) });
export type RerouteDefaults = z.infer<typeof rerouteDefaultsSchema>;
export type OldCopy = RerouteDefaults['rerouteOldCopy'];

/** Resend, reroute and place answer 202 with the new deliveries' ids. */
export const deliveriesCreatedSchema = z.object({ deliveryIds: z.array(z.string().uuid()) });
export type DeliveriesCreated = z.infer<typeof deliveriesCreatedSchema>;

/** GET /api/destinations: each with `unusable` when the operator's allow-list refuses it now. */
export const destinationListSchema = z.object({ items: z.array(destinationChoiceSchema) });

/** Rules (GET /api/admin/rules) and the organisation's CVR numbers (GET /api/cvrs), for the rules page. */
export const ruleListSchema = z.object({ items: z.array(ruleViewSchema) });
export const orgCvrListSchema = z.object({ items: z.array(z.object({ cvr: z.string(), name: z.string() })) });
export type OrgCvr = z.infer<typeof orgCvrListSchema>['items'][number];
/** A dry run's request: the whole draft rule set (rules with an id stand for stored ones). */
export type DryRunRequest = { rules: (RuleInput & { id?: string })[]; days: number; /** Index of the edited rule in `rules`. */ draft?: number };

/** The Outlook item's ids, as the add-in can read them (office/mailbox.ts). */
export interface OutlookItemIds {
  /** The item's REST id (Office: convertToRestId(itemId, v2.0)); see backend GET /messages/by-graph-id. */
  restId: string;
  /** The item's Internet message id; sent along for a later fallback lookup (the backend ignores it today). */
  internetMessageId?: string | null;
}

export interface ApiClient {
  health(signal?: AbortSignal): Promise<Health>;
  me(signal?: AbortSignal): Promise<Me>;
  listMessages(params?: ListMessagesParams, signal?: AbortSignal): Promise<MessageListResponse>;
  getMessage(id: string, signal?: AbortSignal): Promise<MessageDetail>;
  /** The letter delivered as this Outlook item (404 ApiError when it is not one of ours). */
  findByOutlookItem(ids: OutlookItemIds, signal?: AbortSignal): Promise<MessageDetail>;
  /** A document's content, for saving under its original file name. */
  downloadDocument(messageId: string, documentId: string, signal?: AbortSignal): Promise<Blob>;
  /** The approved-recipients registry (everyone signed in may read it); `unusable` ones cannot be chosen now. */
  listDestinations(signal?: AbortSignal): Promise<DestinationChoice[]>;
  rerouteDefaults(signal?: AbortSignal): Promise<RerouteDefaults>;
  resend(messageId: string, body: { deliveryId?: string }): Promise<DeliveriesCreated>;
  reroute(messageId: string, body: { destinationIds: string[]; oldCopy?: OldCopy }): Promise<DeliveriesCreated>;
  listTriage(params?: PageParams, signal?: AbortSignal): Promise<TriageList>;
  place(messageId: string, body: { destinationIds: string[] }): Promise<DeliveriesCreated>;
  /** Statistics for a period (any signed-in role). */
  stats(params: StatsParams, signal?: AbortSignal): Promise<StatsResponse>;
  /** The same statistics as CSV, with the server's file name. */
  downloadStatsCsv(params: StatsParams & { lang: 'da' | 'en' }, signal?: AbortSignal): Promise<{ blob: Blob; filename: string }>;
  /** Keeps a letter past retention (admins), or lifts the hold. */
  setLegalHold(messageId: string, hold: boolean): Promise<void>;
  /** The audit log (admins), newest first; `before` = the previous page's nextBefore; `action` may end in "." (a prefix). */
  listAudit(params: { before?: number; action?: string }, signal?: AbortSignal): Promise<AuditList>;
  /** The whole audit log as CSV, in chain order with the hashes (verifiable outside Brevdue). */
  downloadAuditCsv(params: { action?: string }): Promise<Blob>;
  /** Replies to Digital Post: the letter's replies, newest first. */
  listReplies(messageId: string, signal?: AbortSignal): Promise<ReplyInfo[]>;
  /** Sends a reply (multipart: text, memoUuid, attachments); `onProgress` gets the uploaded share, 0–1. */
  sendReply(messageId: string, form: FormData, onProgress?: (share: number) => void): Promise<ReplyInfo>;
  retryReply(messageId: string, replyId: string): Promise<ReplyInfo>;
  /** Rules in priority order (admins and operators). */
  listRules(signal?: AbortSignal): Promise<RuleView[]>;
  createRule(input: RuleInput): Promise<RuleView>;
  /** `version`: refuse (409) when the rule changed since it was read. */
  updateRule(id: string, patch: Partial<RuleInput>, version?: number): Promise<RuleView>;
  deleteRule(id: string): Promise<void>;
  dryRunRules(body: DryRunRequest): Promise<DryRunResponse>;
  /** The organisation's CVR numbers (everyone signed in). */
  listOrgCvrs(signal?: AbortSignal): Promise<OrgCvr[]>;
  /** Service notices shown now (the banner; everyone signed in). */
  activeNotices(signal?: AbortSignal): Promise<ActiveNotice[]>;
  // Admin pages (issue #6): the registry with check results, CVR numbers and mailboxes, retention, notices.
  adminDestinations(signal?: AbortSignal): Promise<DestinationView[]>;
  createDestination(body: DestinationCreate): Promise<DestinationView>;
  updateDestination(id: string, body: DestinationUpdate): Promise<DestinationView>;
  checkDestination(id: string): Promise<DestinationView>;
  archiveDestination(id: string): Promise<void>;
  adminCvrs(signal?: AbortSignal): Promise<CvrView[]>;
  addCvr(body: CvrCreate): Promise<CvrView>;
  removeCvr(cvr: string): Promise<void>;
  setMailboxPaused(id: string, paused: boolean): Promise<MailboxView>;
  /** One mailbox with its health now (admins and operators): how the poll after a change went. */
  adminMailbox(id: string, signal?: AbortSignal): Promise<MailboxView>;
  /** Attaches a provider's mailbox to a CVR number (admins without limits); a refusal's problems name their fields (`params.field`). */
  addMailbox(cvr: string, body: MailboxCreate): Promise<MailboxView>;
  /** A mailbox's quarantined letters, newest first: what and why, never the content (admins and operators). */
  mailboxQuarantine(mailboxId: string, signal?: AbortSignal): Promise<QuarantineItem[]>;
  /** Tries a quarantined letter again (admins); a letter that stays in quarantine is an ApiError (422) with the server's reason. */
  retryQuarantined(mailboxId: string, quarantineId: string): Promise<QuarantineRetryResult>;
  /** Replaces a mailbox's credentials (admins without limits); all of them, as the provider's schema wants. Secrets are never returned. */
  renewMailboxCredentials(id: string, credentials: Record<string, unknown>): Promise<MailboxView>;
  /** A Digital Post mailbox's backfills with their progress, newest first (admins and operators). */
  mailboxBackfills(mailboxId: string, signal?: AbortSignal): Promise<BackfillStatusView[]>;
  /** Starts a Digital Post backfill of [from, to] (admins); `to` omitted: until now. */
  startBackfill(mailboxId: string, range: { from: string; to?: string }): Promise<BackfillStatusView>;
  retentionSettings(signal?: AbortSignal): Promise<RetentionSettings>;
  /** What the next purge would delete with these settings (admins); quarantineKeepDays left out: the current one. */
  retentionPreview(settings: RetentionSettings, signal?: AbortSignal): Promise<RetentionPreview>;
  /** A shortening that deletes anything needs `confirmDeletes` ≥ the preview's count, else 409 `retention_deletes_unconfirmed` with the counts in params. */
  putRetentionSettings(body: RetentionSettingsUpdate): Promise<RetentionSettings>;
  /** The organisation's delivery settings, the dead-letter notice's address and sender among them (admins and operators). */
  deliverySettings(signal?: AbortSignal): Promise<DeliverySettings>;
  /** Replaces the delivery settings (admins): send them whole, as read; a refused notice sender is 400 `mailbox_domain_not_allowed`. */
  putDeliverySettings(body: DeliverySettings): Promise<DeliverySettings>;
  adminNotices(signal?: AbortSignal): Promise<ServiceNotice[]>;
  /** The job runner per job name and recent failures (admins and operators). */
  adminJobs(signal?: AbortSignal): Promise<JobsOverview>;
  /** Deliveries that gave up, per destination (admins and operators). */
  failedDeliveries(signal?: AbortSignal): Promise<FailedDeliveries>;
  /** Sends the failed deliveries (of one destination, or all) again; how many. */
  retryFailedDeliveries(destinationId?: string): Promise<number>;
  createNotice(body: NoticeCreate): Promise<ServiceNotice>;
  deleteNotice(id: string): Promise<void>;
  /** Role grants to Entra groups and users, optionally limited (admins without limits). */
  listRoleGrants(signal?: AbortSignal): Promise<RoleGrant[]>;
  createRoleGrant(body: RoleGrantCreate): Promise<RoleGrant>;
  updateRoleGrant(id: string, body: RoleGrantUpdate): Promise<RoleGrant>;
  deleteRoleGrant(id: string): Promise<void>;
}

export interface ApiClientOptions {
  /** Base of the API, without a trailing slash; default `/api`. */
  baseUrl?: string;
  getToken?: () => Promise<string | null>;
  fetch?: typeof fetch;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function messageListPath(params: ListMessagesParams = {}): string {
  const search = new URLSearchParams();
  if (params.cvr) search.set('cvr', params.cvr);
  const q = params.q?.trim();
  if (q) search.set('q', q);
  for (const key of ['sender', 'provider', 'destinationId', 'status', 'from', 'to', 'sort', 'dir'] as const) {
    const v = params[key]?.trim();
    if (v) search.set(key, v);
  }
  if (params.limit !== undefined) search.set('limit', String(params.limit));
  if (params.offset) search.set('offset', String(params.offset));
  const qs = search.toString();
  return qs ? `/messages?${qs}` : '/messages';
}

export function triagePath(params: PageParams = {}): string {
  const search = new URLSearchParams();
  if (params.limit !== undefined) search.set('limit', String(params.limit));
  if (params.offset) search.set('offset', String(params.offset));
  const qs = search.toString();
  return qs ? `/triage?${qs}` : '/triage';
}

export function outlookItemPath(ids: OutlookItemIds): string {
  const path = `/messages/by-graph-id/${encodeURIComponent(ids.restId)}`;
  return ids.internetMessageId ? `${path}?${new URLSearchParams({ internetMessageId: ids.internetMessageId })}` : path;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface StatsParams { from?: string; to?: string; granularity: StatsGranularity; by: StatsBy }

export function statsPath(params: StatsParams & { lang?: 'da' | 'en' }, csv = false): string {
  const search = new URLSearchParams({ granularity: params.granularity, by: params.by });
  if (params.from) search.set('from', params.from);
  if (params.to) search.set('to', params.to);
  if (params.lang) search.set('lang', params.lang);
  return `${csv ? '/stats.csv' : '/stats'}?${search}`;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '/api').replace(/\/+$/, '');
  const getToken = options.getToken ?? getAccessToken;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  /** Sends the request; an error status becomes an ApiError with the API's own sentence. */
  async function send(method: Method, path: string, opts: { body?: unknown; accept?: string; signal?: AbortSignal; headers?: Record<string, string> }): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', ...authHeaders(), ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let token: string | null;
    try {
      token = await getToken();
    } catch (e) {
      // Sign-in failures carry a sentence for the person (auth/naa.ts); show it as such.
      throw new ApiError('auth', 'sign_in', e instanceof Error ? e.message : String(e), null, true);
    }
    if (token) headers.Authorization = `Bearer ${token}`;

    let res: Response;
    try {
      res = await doFetch(baseUrl + path, {
        method, headers, signal: opts.signal, body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
    }
    if (!res.ok) {
      const body = parseJson(await res.text().catch(() => ''));
      const err = apiErrorSchema.safeParse(body);
      if (err.success) throw new ApiError('http', err.data.error.code, err.data.error.message, res.status, true, { params: err.data.error.params, problems: err.data.error.problems });
      throw new ApiError('http', `http_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim(), res.status);
    }
    return res;
  }

  async function json<S extends z.ZodTypeAny>(method: Method, path: string, schema: S, opts: { body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<z.infer<S>> {
    const res = await send(method, path, opts);
    const body = parseJson(await res.text());
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected body';
      throw new ApiError('invalid', 'invalid_response', `${method} ${path} answered outside the contract (${where})`, res.status);
    }
    return parsed.data;
  }

  const get = <S extends z.ZodTypeAny>(path: string, schema: S, signal?: AbortSignal) => json('GET', path, schema, { signal });
  const post = <S extends z.ZodTypeAny>(path: string, schema: S, body: unknown) => json('POST', path, schema, { body });
  const letter = (id: string) => `/messages/${encodeURIComponent(id)}`;

  return {
    health: (signal) => get('/health', healthSchema, signal),
    me: (signal) => get('/me', meSchema, signal),
    listMessages: (params, signal) => get(messageListPath(params), messageListResponseSchema, signal),
    getMessage: (id, signal) => get(letter(id), messageDetailSchema, signal),
    findByOutlookItem: (ids, signal) => get(outlookItemPath(ids), messageDetailSchema, signal),
    downloadDocument: async (messageId, documentId, signal) => {
      const res = await send('GET', `${letter(messageId)}/documents/${encodeURIComponent(documentId)}`, { accept: '*/*', signal });
      try {
        return await res.blob();
      } catch (e) {
        if (isAbortError(e)) throw e;
        throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
      }
    },
    listDestinations: async (signal) => (await get('/destinations', destinationListSchema, signal)).items,
    rerouteDefaults: (signal) => get('/admin/delivery-settings', rerouteDefaultsSchema, signal),
    resend: (messageId, body) => post(`${letter(messageId)}/resend`, deliveriesCreatedSchema, body),
    reroute: (messageId, body) => post(`${letter(messageId)}/reroute`, deliveriesCreatedSchema, body),
    listTriage: (params, signal) => get(triagePath(params), triageListSchema, signal),
    place: (messageId, body) => post(`/triage/${encodeURIComponent(messageId)}/place`, deliveriesCreatedSchema, body),
    stats: (params, signal) => get(statsPath(params), statsResponseSchema, signal),
    setLegalHold: async (messageId, hold) => {
      await send(hold ? 'PUT' : 'DELETE', `/messages/${encodeURIComponent(messageId)}/legal-hold`, {});
    },
    listAudit: async (params, signal) => {
      const q = new URLSearchParams();
      if (params.before !== undefined) q.set('before', String(params.before));
      if (params.action) q.set('action', params.action);
      return get(`/admin/audit${q.size ? `?${q}` : ''}`, auditListSchema, signal);
    },
    downloadAuditCsv: async (params) => {
      const q = params.action ? `?${new URLSearchParams({ action: params.action })}` : '';
      const res = await send('GET', `/admin/audit.csv${q}`, { accept: 'text/csv' });
      try {
        return await res.blob();
      } catch (e) {
        throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
      }
    },
    downloadStatsCsv: async (params, signal) => {
      const res = await send('GET', statsPath(params, true), { accept: 'text/csv', signal });
      const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'brevdue-statistics.csv';
      try {
        return { blob: await res.blob(), filename };
      } catch (e) {
        if (isAbortError(e)) throw e;
        throw new ApiError('network', 'network', e instanceof Error ? e.message : String(e));
      }
    },
    listReplies: async (messageId, signal) => (await get(`${letter(messageId)}/replies`, replyListSchema, signal)).items,
    sendReply: async (messageId, form, onProgress) => {
      const path = `${letter(messageId)}/reply`;
      const token = await getToken();
      // XMLHttpRequest, not fetch: only it reports upload progress (up to 25 MB of attachments).
      const res = await uploadForm(baseUrl + path, form, { ...authHeaders(), ...(token ? { Authorization: `Bearer ${token}` } : {}) }, onProgress);
      if (res.status === 0) throw new ApiError('network', 'network', 'The upload was interrupted.');
      const body = parseJson(res.text);
      if (res.status >= 400) {
        const err = apiErrorSchema.safeParse(body);
        if (err.success) throw new ApiError('http', err.data.error.code, err.data.error.message, res.status, true, { params: err.data.error.params, problems: err.data.error.problems });
        throw new ApiError('http', `http_${res.status}`, `HTTP ${res.status}`, res.status);
      }
      const parsed = replyInfoSchema.safeParse(body);
      if (!parsed.success) throw new ApiError('invalid', 'invalid_response', `POST ${path} answered outside the contract`, res.status);
      return parsed.data;
    },
    retryReply: (messageId, replyId) => post(`${letter(messageId)}/replies/${encodeURIComponent(replyId)}/retry`, replyInfoSchema, {}),
    listRules: async (signal) => (await get('/admin/rules', ruleListSchema, signal)).items,
    createRule: (input) => post('/admin/rules', ruleViewSchema, input),
    updateRule: (id, patch, version) => json('PATCH', `/admin/rules/${encodeURIComponent(id)}`, ruleViewSchema,
      { body: patch, headers: version === undefined ? undefined : { 'If-Match': String(version) } }),
    deleteRule: async (id) => { await send('DELETE', `/admin/rules/${encodeURIComponent(id)}`, {}); },
    dryRunRules: (body) => post('/admin/rules/dry-run', dryRunResponseSchema, body),
    listOrgCvrs: async (signal) => (await get('/cvrs', orgCvrListSchema, signal)).items,
    activeNotices: async (signal) => (await get('/notices', activeNoticeListSchema, signal)).items,
    adminDestinations: async (signal) => (await get('/admin/destinations', z.object({ items: z.array(destinationViewSchema) }), signal)).items,
    createDestination: (body) => post('/admin/destinations', destinationViewSchema, body),
    updateDestination: (id, body) => json('PATCH', `/admin/destinations/${encodeURIComponent(id)}`, destinationViewSchema, { body }),
    checkDestination: (id) => post(`/admin/destinations/${encodeURIComponent(id)}/check`, destinationViewSchema, {}),
    archiveDestination: async (id) => { await send('DELETE', `/admin/destinations/${encodeURIComponent(id)}`, {}); },
    adminCvrs: async (signal) => (await get('/admin/cvrs', z.object({ items: z.array(cvrViewSchema) }), signal)).items,
    addCvr: (body) => post('/admin/cvrs', cvrViewSchema, body),
    removeCvr: async (cvr) => { await send('DELETE', `/admin/cvrs/${encodeURIComponent(cvr)}`, {}); },
    addMailbox: (cvr, body) => post(`/admin/cvrs/${encodeURIComponent(cvr)}/mailboxes`, mailboxViewSchema, body),
    adminMailbox: (id, signal) => get(`/admin/mailboxes/${encodeURIComponent(id)}`, mailboxViewSchema, signal),
    setMailboxPaused: (id, paused) => json('PATCH', `/admin/mailboxes/${encodeURIComponent(id)}`, mailboxViewSchema, { body: { paused } }),
    mailboxQuarantine: async (mailboxId, signal) => (await get(`/admin/mailboxes/${encodeURIComponent(mailboxId)}/quarantine`, quarantineListSchema, signal)).items,
    retryQuarantined: (mailboxId, quarantineId) =>
      post(`/admin/mailboxes/${encodeURIComponent(mailboxId)}/quarantine/${encodeURIComponent(quarantineId)}/retry`, quarantineRetryResultSchema, {}),
    renewMailboxCredentials: (id, credentials) => json('PATCH', `/admin/mailboxes/${encodeURIComponent(id)}`, mailboxViewSchema, { body: { credentials } }),
    mailboxBackfills: async (mailboxId, signal) => (await get(`/admin/mailboxes/${encodeURIComponent(mailboxId)}/backfill`, backfillListSchema, signal)).items,
    startBackfill: (mailboxId, range) => post(`/admin/mailboxes/${encodeURIComponent(mailboxId)}/backfill`, backfillStatusSchema, range),
    retentionSettings: (signal) => get('/admin/retention-settings', retentionSettingsSchema, signal),
    retentionPreview: (settings, signal) => {
      const q = new URLSearchParams({ retentionDays: String(settings.retentionDays) });
      if (settings.quarantineKeepDays !== undefined) q.set('quarantineKeepDays', String(settings.quarantineKeepDays));
      return get(`/admin/retention-settings/preview?${q}`, retentionPreviewSchema, signal);
    },
    putRetentionSettings: (body) => json('PUT', '/admin/retention-settings', retentionSettingsSchema, { body }),
    deliverySettings: (signal) => get('/admin/delivery-settings', deliverySettingsSchema, signal),
    putDeliverySettings: (body) => json('PUT', '/admin/delivery-settings', deliverySettingsSchema, { body }),
    adminNotices: async (signal) => (await get('/admin/notices', serviceNoticeListSchema, signal)).items,
    adminJobs: (signal) => get('/admin/jobs', jobsOverviewSchema, signal),
    failedDeliveries: (signal) => get('/admin/deliveries/failed', failedDeliveriesSchema, signal),
    retryFailedDeliveries: async (destinationId) => (await post('/admin/deliveries/retry', retryFailedResponseSchema, destinationId ? { destinationId } : {})).retried,
    createNotice: (body) => post('/admin/notices', serviceNoticeSchema, body),
    deleteNotice: async (id) => { await send('DELETE', `/admin/notices/${encodeURIComponent(id)}`, {}); },
    listRoleGrants: async (signal) => (await get('/admin/role-grants', z.object({ items: z.array(roleGrantSchema) }), signal)).items,
    createRoleGrant: (body) => post('/admin/role-grants', roleGrantSchema, body),
    updateRoleGrant: (id, body) => json('PATCH', `/admin/role-grants/${encodeURIComponent(id)}`, roleGrantSchema, { body }),
    deleteRoleGrant: async (id) => { await send('DELETE', `/admin/role-grants/${encodeURIComponent(id)}`, {}); },
  };
}

function uploadForm(url: string, form: FormData, headers: Record<string, string>, onProgress?: (share: number) => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onProgress) xhr.upload.onprogress = (e) => { if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total); };
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, text: '' });
    xhr.onabort = () => resolve({ status: 0, text: '' });
    xhr.send(form);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
