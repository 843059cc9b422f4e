// What the capabilities need from the outside world, assembled once in app.ts.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Db } from './store/db';
import type { Sealer } from './crypto/envelope';
import type { MailboxConnector } from './ingest/connector';
import type { FolderCache } from './delivery/mailbox';
import type { Logger } from './log';
import type { Pacer } from './delivery/pacing/pacer';
import type { AssistantStore } from './triage/assistant-store';
import type { Metrics } from './observability/metrics';
import type { ProviderUrlPolicy } from './ingest/provider-urls';
import type { DestinationPolicy } from './delivery/registry/allowed';

export interface MailboxRow {
  id: string; orgId: string; cvr: string; provider: string; config: Record<string, unknown>; secretEnc: Buffer | null;
}

/** Scheduling seam between the pipeline steps and the job runner (agenda). */
export interface JobScheduler {
  routeSoon(messageId: string): Promise<void>;
  /** A delivery was made: attempt it soon (its row says when: due_at). */
  deliverSoon(deliveryId: string): Promise<void>;
  /** Tell the organisation's admins that a delivery dead-lettered (retried until sent). */
  notifyDeadSoon(deliveryId: string, at?: Date): Promise<void>;
}

export interface AppContext {
  db: Db;
  sealer: Sealer;
  graph: Client;
  /** Per-mailbox pacing of Graph requests (also used by uploads outside the SDK). */
  pacer: Pacer;
  folders: FolderCache;
  /** Where people reach Brevdue (links in mails and cards); undefined when unknown. */
  publicUrl?: string;
  connectorFor(mailbox: MailboxRow): MailboxConnector;
  jobs: JobScheduler;
  log: Logger;
  delivery: DeliveryOptions;
  /** The triage assistant's model, persisted per organisation. */
  assistant: AssistantStore;
  /** Prometheus counters (observability/metrics.ts); absent in tests that build a context by hand. */
  metrics?: Metrics;
  /**
   * The provider addresses (mailbox base URLs) this installation calls (ingest/provider-urls.ts);
   * absent: each provider's own production addresses only.
   */
  providerUrls?: ProviderUrlPolicy;
  /**
   * The mail domains and teams each organisation may deliver to (delivery/registry/allowed.ts), checked
   * when a destination is saved and before every delivery. app.ts always sets it; absent (contexts
   * built by hand in tests): no restriction, as in demo mode.
   */
  destinationPolicy?: DestinationPolicy;
}

export interface DeliveryOptions {
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  /** Exact origins allowed for Teams webhooks besides Microsoft's hosts (the local simulator in demo and tests). */
  webhookOrigins?: string[];
}
