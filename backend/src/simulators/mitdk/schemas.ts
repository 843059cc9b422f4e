// Simulator-side contracts: what a test or the demo injects, and the switchable faults.
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/\s]*={0,2}\s*$/, 'content must be base64');

export const DATA_SOURCES = ['DP_PRIVATE', 'DP_PUBLIC'] as const;

/** Body of `POST <mount>/:cvr/messages` and the argument of api.inject. */
export const mitdkInjectSchema = z.object({
  sender: z.object({
    name: z.string().min(1).max(200),
    /** The sender's id as mit.dk shows it (a CVR number for companies and authorities). */
    id: z.string().min(1).max(64).optional(),
    idType: z.string().min(1).max(20).optional(),
  }).strict(),
  subject: z.string().max(500),
  /** ISO 8601; default: now. */
  receivedAt: z.string().datetime({ offset: true }).optional(),
  /** Each becomes one mit.dk document with one file; the first is the letter. May be empty (a broken letter). */
  documents: z.array(z.object({
    filename: z.string().min(1).max(255),
    mimeType: z.string().min(1).max(100).optional(),
    title: z.string().max(255).optional(),
    content: base64,
  }).strict()).max(50),
  /** Which of the company's mailboxes: private senders (default) or public authorities. */
  dataSource: z.enum(DATA_SOURCES).optional(),
  read: z.boolean().optional(),
}).strict();
export type MitdkInjectInput = z.input<typeof mitdkInjectSchema>;

/** Simulator faults, set through `POST <mount>/faults` or `api.setFaults`. Rates are 0..1. */
export const mitdkFaultsSchema = z.object({
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  outage: z.boolean().optional(),
  truncateRate: z.number().min(0).max(1).optional(),
  malformedRate: z.number().min(0).max(1).optional(),
  /** Answers gzip-compressed when the request accepts gzip (Content-Length is then the compressed size). */
  compress: z.boolean().optional(),
  /** Access token lifetime; older tokens answer 401 and force a refresh. */
  tokenTtlMs: z.number().int().min(0).max(24 * 3600_000).optional(),
}).strict();
export type MitdkFaults = z.infer<typeof mitdkFaultsSchema>;
