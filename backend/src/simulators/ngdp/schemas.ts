// Payload shapes of the NgDP REST API as the simulator speaks them. Field names follow the
// Digital Post OpenAPI document (test.digitalpost.dk/api, v1.68.0): `PagingResultUUID` for the memo
// list, `Receipt` for business receipts and the answer to a send, `ErrorMessage` for errors.
import { z } from 'zod';

export const RECEIPT_STATUSES = ['NOT_ALLOWED', 'INVALID', 'RECEIVED', 'COMPLETED'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

const uuid = z.string().uuid();

/** Body of `POST /memos/{id}/receipt`. */
export const receiptSchema = z.object({
  transmissionId: uuid.optional(),
  messageUUID: uuid,
  messageId: z.string().max(255).optional(),
  errorCode: z.string().max(255).optional(),
  errorMessage: z.string().max(4000).optional(),
  timeStamp: z.string().datetime({ offset: true }),
  receiptStatus: z.enum(RECEIPT_STATUSES),
}).strict();
export type Receipt = z.infer<typeof receiptSchema>;

export interface PagingArguments { page: number; size: number; ordering: { property: string; direction: 'ASC' | 'DESC' }[] }

/** Answer of `GET /memos/?page&size`: one page of the UUIDs of the memos waiting. */
export interface PagingResultUUID {
  content: string[];
  number: number;
  size: number;
  previous?: PagingArguments;
  next?: PagingArguments;
  totalElements: number;
  totalPages: number;
}

/** Body of `POST /mailboxes/{mailboxId}/system-fetches/` (a SystemFetch; server-set fields are ignored). */
export const systemFetchRequestSchema = z.object({
  fromDateTime: z.string().datetime({ offset: true }),
  toDateTime: z.string().datetime({ offset: true }).optional(),
  preferOriginalMessageRecipient: z.boolean().optional(),
}).passthrough();

/** Answer of `GET /mailboxes/` (MailboxSearchResult), reduced to the fields the simulator fills. */
export interface MailboxSearchResult {
  currentPage: number; totalPages: number; elementsOnPage: number; totalElements: number;
  mailboxes: { id: string; ownerType: string; ownerExternalId: string; ownerIdentityId: string; statusType: string }[];
}

export interface FieldError { resource: string; field: string; code: string; message: string; rejectedValue?: unknown }
export interface ErrorMessage { code: string; message: string; fieldErrors?: FieldError[] }

/** Simulator faults, set through `POST <mount>/faults` or `api.setFaults`. Rates are 0..1. */
export const ngdpFaultsSchema = z.object({
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  outage: z.boolean().optional(),
  truncateRate: z.number().min(0).max(1).optional(),
  malformedRate: z.number().min(0).max(1).optional(),
}).strict();
export type NgdpFaults = z.infer<typeof ngdpFaultsSchema>;
