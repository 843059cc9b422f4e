// What the capabilities need from the outside world, assembled once in app.ts.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Db } from './store/db';
import type { Sealer } from './crypto/envelope';
import type { MailboxConnector } from './ingest/connector';
import type { FolderCache } from './delivery/mailbox';
import type { Logger } from './log';

export interface MailboxRow {
  id: string; orgId: string; cvr: string; provider: string; config: Record<string, unknown>; secretEnc: Buffer | null;
}

/** Scheduling seam between the pipeline steps and the job runner (agenda). */
export interface JobScheduler {
  routeSoon(messageId: string): Promise<void>;
  deliverSoon(deliveryId: string, at?: Date): Promise<void>;
}

export interface AppContext {
  db: Db;
  sealer: Sealer;
  graph: Client;
  folders: FolderCache;
  connectorFor(mailbox: MailboxRow): MailboxConnector;
  jobs: JobScheduler;
  log: Logger;
  delivery: { maxAttempts: number; backoffMs: (attempt: number) => number };
}
