// Simulator-side contracts: what a test or the demo injects, and the switchable faults. The e-Boks
// payloads themselves (XML) are written in xml.ts.
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/\s]*={0,2}\s*$/, 'content must be base64');

/** Body of `POST <mount>/:cvr/messages` and the argument of api.inject. */
export const eboksInjectSchema = z.object({
  sender: z.object({
    name: z.string().min(1).max(200),
    /** e-Boks' id of the sender; use a CVR number to let the connector carry it into the MeMo. */
    id: z.string().min(1).max(64).optional(),
  }).strict(),
  subject: z.string().max(500),
  /** ISO 8601; default: now. */
  receivedAt: z.string().datetime({ offset: true }).optional(),
  /** The first document is the letter itself, the others its attachments. May be empty (a broken letter). */
  documents: z.array(z.object({
    filename: z.string().min(1).max(255),
    /** e-Boks `format`; default: the filename's extension. */
    format: z.string().max(20).optional(),
    content: base64,
    /** Listed with the letter but never delivered: its content answers 404 (a letter no poll can take). */
    missing: z.boolean().optional(),
  }).strict()).max(50),
  unread: z.boolean().optional(),
}).strict();
export type EboksInjectInput = z.input<typeof eboksInjectSchema>;

/** Simulator faults, set through `POST <mount>/faults` or `api.setFaults`. Rates are 0..1. */
export const eboksFaultsSchema = z.object({
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  outage: z.boolean().optional(),
  /** Bodies cut off mid-transfer: Content-Length promises more than arrives, then the connection drops. */
  truncateRate: z.number().min(0).max(1).optional(),
  /** Complete answers whose body is half a document. */
  malformedRate: z.number().min(0).max(1).optional(),
  /** Answers gzip-compressed when the request accepts gzip (Content-Length is then the compressed size). */
  compress: z.boolean().optional(),
  /** Session lifetime; sessions older than this answer 401 and force a new logon. */
  sessionTtlMs: z.number().int().min(0).max(24 * 3600_000).optional(),
}).strict();
export type EboksFaults = z.infer<typeof eboksFaultsSchema>;
