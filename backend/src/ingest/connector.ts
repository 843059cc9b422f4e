// One interface for every provider mailbox (Digital Post/NgDP, e-Boks, mit.dk): the poller only
// needs to list waiting letters, fetch one, and acknowledge it once it is durably stored.
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

/** A provider answered in a way we cannot use; `retryable` says whether a later poll may succeed. */
export class ProviderError extends Error {
  constructor(message: string, public readonly retryable: boolean, public readonly status?: number) {
    super(message);
    this.name = 'ProviderError';
  }
}
