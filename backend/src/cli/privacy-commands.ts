// `brevdue audit verify`, `brevdue memo original`, `brevdue keys rewrap`, `brevdue retention purge`, `brevdue stats rebuild`,
// `brevdue quarantine retry`: they open the database and
// the key ring from the same environment as the server (DATABASE_URL or BREVDUE_DATA_DIR, BREVDUE_KEK,
// BREVDUE_KEK_PREVIOUS). With embedded PGlite, stop the server first: PGlite is one process's database.
import { keyVaultFromEnv, unwrapKekSettings } from '../crypto/key-vault';
import { readEnv } from '../config';
import { openDatabase, type Db } from '../store/db';
import { createSealer, type Sealer } from '../crypto/envelope';
import { loadKeyring } from '../crypto/kek';
import { auditedOrganisations, verifyAuditChain } from '../audit/chain';
import { countNotCurrent, rewrapAll } from '../crypto/rewrap';
import { QUARANTINE_RETRY_ACTION, runRetention } from '../retention/purge';
import { rebuildStats } from '../stats/rollup';
import type { CliIo } from './main';
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { appendAudit } from '../audit/chain';
import { messages, quarantine } from '../store/schema';
import { retryQuarantined } from '../ingest/quarantine-retry';
import { HttpError } from '../api/errors';
import { silentLogger } from '../log';
import { openOriginal } from '../store/original';

export interface CliStore { db: Db; sealer: Sealer; close(): Promise<void> }
export interface CliEnv { openStore(): Promise<CliStore> }

export const processCliEnv: CliEnv = {
  async openStore() {
    const env = readEnv();
    const demo = env.BREVDUE_MODE === 'demo';
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.BREVDUE_DATA_DIR });
    const keks = await unwrapKekSettings({ kek: env.BREVDUE_KEK, previous: env.BREVDUE_KEK_PREVIOUS }, keyVaultFromEnv(process.env));
    const sealer = createSealer(loadKeyring({
      envValue: keks.kek, previous: keks.previous, dataDir: env.DATABASE_URL ? null : env.BREVDUE_DATA_DIR, demo,
    }));
    return { db: database.db, sealer, close: () => database.close() };
  },
};

/** A check that ran and found a problem: exit code 3 (distinct from bad usage). */
export class CliCheckFailed extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseOrgOption(args: string[], usageError: (m: string) => Error): string | undefined {
  if (args.length === 0) return undefined;
  if (args.length !== 2 || args[0] !== '--org') throw usageError(`expected no arguments or --org <organisation id>, got ${JSON.stringify(args.join(' '))}`);
  if (!UUID.test(args[1])) throw usageError('--org must be an organisation id (UUID)');
  return args[1];
}

async function withStore<T>(env: CliEnv, fn: (s: CliStore) => Promise<T>): Promise<T> {
  const s = await env.openStore();
  try { return await fn(s); } finally { await s.close(); }
}

/**
 * Writes a stored letter's original MeMo, byte for byte, to a new file (mode 600; never over an
 * existing one, never to the terminal: it is the letter's content), and records the export in the
 * organisation's audit log with the bytes' SHA-256.
 */
export async function exportOriginal(args: string[], io: CliIo, env: CliEnv, usageError: (m: string) => Error): Promise<void> {
  if (args.length !== 3 || args[1] !== '--out') throw usageError(`expected MESSAGE-ID --out FILE, got ${JSON.stringify(args.join(' '))}`);
  const [id, , out] = args;
  if (!UUID.test(id)) throw usageError('MESSAGE-ID must be a letter id (UUID), as the task pane and the API show it');
  await withStore(env, async ({ db, sealer }) => {
    const [m] = await db.select({ orgId: messages.orgId, rawEnc: messages.rawEnc, purgedAt: messages.purgedAt }).from(messages).where(eq(messages.id, id));
    if (!m) throw new CliCheckFailed(`no letter with id ${id}`);
    if (m.purgedAt) throw new CliCheckFailed(`letter ${id} was purged on ${m.purgedAt.toISOString().slice(0, 10)} (retention or a data subject request): its original no longer exists`);
    let original: Buffer;
    try {
      original = await openOriginal(db, sealer, id, m.rawEnc);
    } catch (e) {
      throw new CliCheckFailed(`letter ${id}: ${(e as Error).message}`);
    }
    try {
      writeFileSync(out, original, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliCheckFailed(code === 'EEXIST' ? `${out} exists already; choose a new file name` : `cannot write ${out}: ${(e as Error).message}`);
    }
    const sha256 = createHash('sha256').update(original).digest('hex');
    await appendAudit(db, { orgId: m.orgId, actor: `command line (${userInfo().username})`, action: 'letter.original_exported', targetType: 'message', targetId: id, details: { bytes: original.length, sha256 } });
    io.out(`wrote ${original.length} bytes (sha256 ${sha256}) to ${out}; recorded in the audit log\n`);
  });
}

export async function auditVerify(org: string | undefined, io: CliIo, env: CliEnv): Promise<void> {
  await withStore(env, async ({ db }) => {
    const orgs = org ? [org] : await auditedOrganisations(db);
    const broken: string[] = [];
    for (const o of orgs) {
      const v = await verifyAuditChain(db, o);
      if (v.ok) io.out(`organisation ${o}: ok, ${v.entries} entries, head ${v.headHash}\n`);
      else {
        io.out(`organisation ${o}: BROKEN at entry ${v.brokenAt}: ${v.reason}\n`);
        broken.push(`${o} at entry ${v.brokenAt}`);
      }
    }
    if (orgs.length === 0) io.out('no audit entries yet\n');
    if (broken.length) throw new CliCheckFailed(`the audit chain is broken for ${broken.join('; ')}: restore the audit_log table from a backup and investigate who changed it`);
  });
}

export async function keysRewrap(io: CliIo, env: CliEnv): Promise<void> {
  await withStore(env, async ({ db, sealer }) => {
    const r = await rewrapAll(db, sealer, { onProgress: (c) => io.out(`${c.column}: ${c.rewrapped} re-wrapped, ${c.current} already current\n`) });
    io.out(`CPR index: ${r.cprIndexReindexed} letters re-indexed\n`);
    const left = await countNotCurrent(db, sealer);
    if (left > 0) throw new CliCheckFailed(`${left} values still use an older key (written meanwhile, or changed during the run): run \`brevdue keys rewrap\` again`);
    io.out(`every sealed value now uses key "${sealer.currentKeyId}": the previous keys can be removed from BREVDUE_KEK_PREVIOUS\n`);
  });
}

export async function retentionPurge(io: CliIo, env: CliEnv): Promise<void> {
  await withStore(env, async ({ db, sealer }) => {
    const r = await runRetention(db, sealer);
    io.out(`retention: ${r.letters} letters purged, ${r.quarantined} quarantined letters deleted, ${r.quarantineKept} kept until an admin acts on them, `
      + `${r.quarantineExpired} deleted unseen past the quarantine period, ${r.organisations} organisations\n`);
  });
}

export async function statsRebuild(io: CliIo, env: CliEnv): Promise<void> {
  await withStore(env, async ({ db }) => {
    const t0 = Date.now();
    const letters = await rebuildStats(db);
    io.out(`statistics counted again: ${letters} letters in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  });
}

/**
 * `brevdue quarantine retry QUARANTINE-ID`: what the admin API's "try again" does (ingest/quarantine-retry.ts),
 * recorded in the organisation's audit log. A letter taken in is queued for routing with it: the
 * running server routes and delivers it. A letter never fetched is fetched at the mailbox's next poll.
 */
export async function quarantineRetry(args: string[], io: CliIo, env: CliEnv, usageError: (m: string) => Error): Promise<void> {
  if (args.length !== 1) throw usageError(`quarantine retry takes exactly one QUARANTINE-ID, got ${args.length}`);
  const [id] = args;
  if (!UUID.test(id)) throw usageError('QUARANTINE-ID must be a quarantined letter\'s id (UUID), as GET /api/admin/mailboxes/:id/quarantine and the task pane show it');
  await withStore(env, async ({ db, sealer }) => {
    const [row] = await db.select({ orgId: quarantine.orgId }).from(quarantine).where(eq(quarantine.id, id));
    if (!row) throw new CliCheckFailed(`no quarantined letter with id ${id}: it may have been tried again or removed already`);
    const actor = `command line (${userInfo().username})`;
    // Routing is the server's: the letter's route_queue row is written with it, and the route scheduler claims it.
    const jobs = { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined };
    const audit = (details: Record<string, unknown>) => appendAudit(db, { orgId: row.orgId, actor, action: QUARANTINE_RETRY_ACTION, targetType: 'quarantine', targetId: id, details });
    try {
      const r = await retryQuarantined({ db, sealer, jobs, log: silentLogger }, row.orgId, id, { actor });
      await audit({ outcome: r.outcome, ...(r.messageId ? { messageId: r.messageId } : {}) });
      io.out(`${r.message}${r.messageId ? ` (letter ${r.messageId})` : ''}\n`);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      if (e.status === 422) await audit({ outcome: e.code });
      throw new CliCheckFailed(e.message);
    }
  });
}
