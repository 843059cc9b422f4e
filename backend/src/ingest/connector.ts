// One interface for every provider mailbox (Digital Post/NgDP, e-Boks, mit.dk): the poller only
// needs to list waiting letters, fetch one, and acknowledge it once it is durably stored.
import type { MailboxErrorKind } from '../../../shared/src/contracts';

export type ReceiptStatus = 'COMPLETED' | 'INVALID';

export interface Acknowledgement {
  status: ReceiptStatus;
  messageUUID?: string;
  errorMessage?: string;
}

export interface MailboxConnector {
  /** Provider ids of the letters waiting, oldest first, one page at a time. */
  listWaiting(): AsyncIterable<string[]>;
  /** The raw MeMo XML of one waiting letter. */
  fetchRaw(providerMessageId: string): Promise<Buffer>;
  /** Business receipt and removal at the provider: call only after a durable commit. */
  acknowledge(providerMessageId: string, ack: Acknowledgement): Promise<void>;
}

export type { MailboxErrorKind };

/**
 * A provider answered in a way we cannot use; `retryable` says whether a later poll may succeed.
 * `kind` says what a person should do about it (mailbox health shows it in their language, with
 * `message`, in English, as the technical detail): each call site knows what its failure means.
 */
export class ProviderError extends Error {
  /** `providerCode`: the provider's own error code from its error answer (e.g. NgDP's "BAD_REQUEST"), for callers that word it. */
  constructor(public readonly kind: MailboxErrorKind, message: string, public readonly retryable: boolean, public readonly status?: number,
    public readonly providerCode?: string) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The kind of an unexpected HTTP status: refused credentials, the provider's trouble (tried again), or neither. */
export function kindOfStatus(status: number): MailboxErrorKind {
  if (status === 401 || status === 403) return 'credentials_refused';
  if (status >= 500 || status === 429 || status === 408) return 'provider_unavailable';
  return 'unknown';
}

/** Credentials their schema refuses: Digital Post's certificate (its checks run in the schema), or the others. */
export function credentialsIssueKind(error: { issues: ReadonlyArray<{ path: ReadonlyArray<string | number> }> }): MailboxErrorKind {
  return error.issues[0]?.path[0] === 'certificate' ? 'certificate_problem' : 'credentials_refused';
}

/**
 * A mailbox's stored settings or credentials cannot make a connector (connectors.ts), before any
 * call. Not a ProviderError, so its text and backoff stay those of any other failure.
 */
export class ConnectorSetupError extends Error {
  constructor(public readonly kind: MailboxErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectorSetupError';
  }
}
