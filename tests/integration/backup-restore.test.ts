// Backups (docs/DEPLOYMENT.md 3.7): the documented commands are valid for the PostgreSQL tools, and
// — on a PostgreSQL server (TEST_DATABASE_URL) — a database the pipeline filled is dumped with
// pg_dump -Fc, restored with pg_restore into a fresh database, and Brevdue runs on the copy with the
// same KEK: letters, documents (decryptable), deliveries and rules are there and new letters flow.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { createSealer } from '../../backend/src/crypto/envelope';
import { loadKeyring } from '../../backend/src/crypto/kek';
import { deliveries, documents, messages, rules } from '../../backend/src/store/schema';
import { eventually, testDatabases } from '../helpers/databases';

const DEPLOYMENT_MD = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../docs/DEPLOYMENT.md');

/** The shell commands of the backup section: every line of its ```sh blocks, comments removed. */
function documentedBackupCommands(): string[] {
  const md = readFileSync(DEPLOYMENT_MD, 'utf8');
  const start = md.indexOf('### 3.7 Backups and restore');
  expect(start).toBeGreaterThan(0);
  const section = md.slice(start, md.indexOf('\n### ', start + 10));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

/** Long options a PostgreSQL client accepts, from its own --help (the installed version decides). */
function longOptions(tool: string): Set<string> {
  const help = execFileSync(tool, ['--help'], { encoding: 'utf8' });
  return new Set([...help.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
}

describe('documented backup commands', () => {
  test('every documented pg_dump, pg_restore and createdb option exists, and the dump is custom format', () => {
    const commands = documentedBackupCommands();
    const tools = commands.map((c) => c.split(/\s+/)[0]);
    expect(tools).toEqual(expect.arrayContaining(['pg_dump', 'pg_restore', 'createdb']));
    for (const command of commands) {
      const [tool, ...args] = command.split(/\s+/);
      expect(['pg_dump', 'pg_restore', 'createdb']).toContain(tool);
      const known = longOptions(tool);
      for (const a of args.filter((x) => x.startsWith('--'))) expect([tool, known.has(a.split('=')[0])]).toEqual([tool, true]);
    }
    // Custom format is what pg_restore reads table by table (and what the test below restores).
    expect(commands.find((c) => c.startsWith('pg_dump'))).toMatch(/--format=custom/);
    expect(commands.find((c) => c.startsWith('pg_restore') && c.includes('--dbname'))).toMatch(/--exit-on-error/);
  });
});

const serverDb = testDatabases.find((d) => d.name === 'postgres');
if (process.env.TEST_DATABASE_URL && serverDb) {
  describe('backup and restore on PostgreSQL', () => {
    const [cvrA] = DEMO_ORGANISATION.cvrs;
    const kek = randomBytes(32).toString('base64');
    const cleanups: (() => Promise<void> | void)[] = [];
    let app: Brevdue | undefined;
    afterAll(async () => {
      await app?.stop();
      for (const c of cleanups.reverse()) await c();
    });

    const start = (databaseUrl: string) => startBrevdue({
      databaseUrl, dataDir: null, demo: true, seed: false, kek, pollIntervalMs: 400, processEveryMs: 100,
    });
    const send = (a: Brevdue, label: string) => a.sims!.ngdp.api.inject(cvrA.cvr, buildMemoXml(demoMemo({ recipientCvr: cvrA.cvr, label })));
    const deliveredCount = async (a: Brevdue) =>
      (await a.database.db.select({ id: messages.id }).from(messages).where(eq(messages.status, 'delivered'))).length;

    test('a pg_dump -Fc restored into a fresh database runs Brevdue with the same KEK', async () => {
      const original = await serverDb.create();
      cleanups.push(original.drop);
      app = await start(original.databaseUrl!);
      for (const label of ['Årsopgørelse 2025', 'Afgørelse om tilskud', 'Rykker for moms']) send(app, label);
      await eventually(async () => (await deliveredCount(app!)) === 3, 30_000, 'three delivered letters');
      const db = app.database.db;
      const before = {
        messages: await db.select({ id: messages.id, status: messages.status, memoUuid: messages.memoUuid }).from(messages).orderBy(asc(messages.id)),
        documents: await db.select({ id: documents.id, contentEnc: documents.contentEnc }).from(documents).orderBy(asc(documents.id)),
        deliveries: await db.select({ id: deliveries.id, status: deliveries.status, graphMessageId: deliveries.graphMessageId }).from(deliveries).orderBy(asc(deliveries.id)),
        rules: await db.select({ id: rules.id, version: rules.version }).from(rules).orderBy(asc(rules.id)),
      };
      const plain = before.documents.map((d) => app!.ctx.sealer.open(d.contentEnc));
      await app.stop();
      app = undefined;

      // The documented commands (docs/DEPLOYMENT.md 3.7), against the test server.
      const dir = mkdtempSync(path.join(tmpdir(), 'brevdue-backup-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'brevdue.dump');
      execFileSync('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, original.databaseUrl!]);
      expect(execFileSync('pg_restore', ['--list', file], { encoding: 'utf8' })).toMatch(/TABLE DATA public messages/);
      const restored = await serverDb.create({ empty: true }); // fresh and empty
      cleanups.push(restored.drop);
      execFileSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restored.databaseUrl}`, file]);

      // Without the KEK the copy is useless: another key opens no document.
      const otherSealer = createSealer(loadKeyring({ envValue: randomBytes(32).toString('base64'), dataDir: null, demo: false }));
      expect(() => otherSealer.open(before.documents[0].contentEnc)).toThrow();

      app = await start(restored.databaseUrl!);
      const rdb = app.database.db;
      expect(await rdb.select({ id: messages.id, status: messages.status, memoUuid: messages.memoUuid }).from(messages).orderBy(asc(messages.id))).toEqual(before.messages);
      expect(await rdb.select({ id: deliveries.id, status: deliveries.status, graphMessageId: deliveries.graphMessageId }).from(deliveries).orderBy(asc(deliveries.id))).toEqual(before.deliveries);
      expect(await rdb.select({ id: rules.id, version: rules.version }).from(rules).orderBy(asc(rules.id))).toEqual(before.rules);
      const docs = await rdb.select({ id: documents.id, messageId: documents.messageId, contentEnc: documents.contentEnc }).from(documents).orderBy(asc(documents.id));
      expect(docs.map((d) => d.id)).toEqual(before.documents.map((d) => d.id));
      docs.forEach((d, i) => expect(app!.ctx.sealer.open(d.contentEnc).equals(plain[i])).toBe(true));
      // Through the API as a person would: the document downloads, byte for byte.
      const res = await fetch(`${app.url}/api/messages/${docs[0].messageId}/documents/${docs[0].id}`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(plain[0])).toBe(true);

      // The restored installation keeps working: a new letter is fetched, routed and delivered.
      send(app, 'Ny sag efter gendannelse');
      await eventually(async () => (await deliveredCount(app!)) === 4, 30_000, 'the new letter delivered');
    }, 120_000);
  });
}
