// Helpers for integration tests that run the whole app (startBrevdue in demo mode).
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import type { TestDatabase } from './databases';
import { mailboxes } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import type { Memo } from '../../backend/src/memo/types';
import type { AppContext } from '../../backend/src/context';
import { ProviderError, type MailboxConnector } from '../../backend/src/ingest/connector';

/** Stores a letter as ingest would (demo organisation, the recipient CVR's NgDP mailbox) and lets the pipeline route it. */
export async function receiveLetter(app: Brevdue, memo: Memo): Promise<string> {
  const [mb] = await app.database.db.select().from(mailboxes)
    .where(and(eq(mailboxes.orgId, app.demoOrgId!), eq(mailboxes.cvr, memo.recipient.id), eq(mailboxes.provider, 'ngdp')));
  const r = await storeLetter(app.database.db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
  await app.ctx.jobs.routeSoon(r.messageId);
  return r.messageId;
}

/** JSON API call as the demo user; the body parsed (null when empty), and as text. */
export async function callApi(app: Brevdue, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/api${path}`, {
    method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const answer = { status: res.status, body: text ? JSON.parse(text) : null } as { status: number; body: any; text: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
  // Not enumerable: tests that compare the whole answer (toEqual) compare its status and body only.
  Object.defineProperty(answer, 'text', { value: text, enumerable: false });
  return answer;
}

/**
 * One demo app for a describe block on a fresh database of `tdb` (no seed letters, no job runner unless
 * asked): started before the block's tests, stopped and dropped after. Returns a getter for the app.
 */
export function demoAppForSuite(tdb: TestDatabase, opts: Partial<Parameters<typeof startBrevdue>[0]> = {}): () => Brevdue {
  let app: Brevdue;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, ...opts });
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });
  return () => app;
}

/**
 * The app's `connectorFor`, its connectors told to `seen` of each letter fetched and each receipt given;
 * an INVALID receipt fails (Digital Post's 503, worth retrying) while `failInvalidReceipts()` says so.
 */
export function watchedConnectorFor(
  app: Brevdue,
  seen: { fetched: (id: string) => void; acked: (id: string, ack: Parameters<MailboxConnector['acknowledge']>[1]) => void },
  failInvalidReceipts: () => boolean,
): AppContext['connectorFor'] {
  return (m) => {
    const c = app.ctx.connectorFor(m);
    const wrapped: MailboxConnector = {
      listWaiting: () => c.listWaiting(),
      fetchRaw: async (id) => { seen.fetched(id); return c.fetchRaw(id); },
      acknowledge: async (id, ack) => {
        seen.acked(id, ack);
        if (failInvalidReceipts() && ack.status === 'INVALID') throw new ProviderError('provider_unavailable', 'Digital Post answered 503 Service Unavailable to the receipt', true, 503);
        return c.acknowledge(id, ack);
      },
    };
    return wrapped;
  };
}
