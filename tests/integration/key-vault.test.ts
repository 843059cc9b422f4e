// The key-encryption key wrapped by Azure Key Vault (crypto/key-vault.ts) against the Key Vault and
// managed identity simulator: `brevdue keys wrap`, unwrapping at start, a production server that
// starts on a wrapped key and one that refuses to start (with the reason) when Key Vault says no.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { createKeyVaultSimulator, type KeyVaultSimulator } from '../../backend/src/simulators/key-vault';
import { KeyVaultError, unwrapKekSettings } from '../../backend/src/crypto/key-vault';
import { loadKeyring } from '../../backend/src/crypto/kek';
import { createSealer } from '../../backend/src/crypto/envelope';
import { keysWrap } from '../../backend/src/cli/main';

let sim: KeyVaultSimulator;
let server: RunningServer;
let kv: { keyId: string; identityEndpoint: string; identityHeader: string };

beforeAll(async () => {
  sim = createKeyVaultSimulator();
  const app = express();
  app.use(sim.router); // at the root: Key Vault's key paths start with /keys
  server = await listen(app);
  kv = { keyId: `${server.url}/keys/${sim.keyName}/${sim.keyVersion}`, identityEndpoint: `${server.url}/msi/token`, identityHeader: sim.identityHeader };
});
afterAll(async () => { await server?.close(); });
beforeEach(() => sim.api.setDenyAccess(false));

async function wrap(id?: string): Promise<string> {
  let out = '';
  await keysWrap(id ? ['--id', id] : [], { out: (t) => { out += t; }, err: () => undefined }, kv);
  const m = /^BREVDUE_KEK=(.+)\n$/.exec(out);
  if (!m) throw new Error(`unexpected output: ${out}`);
  return m[1];
}

test('keys wrap makes a new wrapped key; unwrapped at start it seals and opens, and old keys unwrap too', async () => {
  const current = await wrap('k2');
  const previous = await wrap('k1');
  expect(current).toMatch(/^k2:[A-Za-z0-9+/]+=*$/);
  expect(Buffer.from(current.split(':')[1], 'base64').length).toBe(256); // RSA-2048 ciphertext, not the key
  const plain = await unwrapKekSettings({ kek: current, previous }, kv);
  const ring = loadKeyring({ envValue: plain.kek, previous: plain.previous, dataDir: null, demo: false });
  expect(ring.map((k) => k.id)).toEqual(['k2', 'k1']);
  expect(ring[0].key.equals(ring[1].key)).toBe(false);
  const sealed = createSealer(ring).seal(Buffer.from('Årsopgørelse 2026'));
  // The same wrapped value unwraps to the same key in another process: what a restart does.
  const again = await unwrapKekSettings({ kek: current }, kv);
  expect(createSealer(loadKeyring({ envValue: again.kek, dataDir: null, demo: false })).open(sealed).toString()).toBe('Årsopgørelse 2026');
  expect(sim.api.calls().filter((c) => c.op === 'unwrapkey')).toHaveLength(3);
});

test('refusals and mistakes are sentences naming what to change', async () => {
  const wrapped = await wrap();
  const err = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e as KeyVaultError);

  sim.api.setDenyAccess(true);
  const denied = await err(unwrapKekSettings({ kek: wrapped }, kv));
  expect(denied).toBeInstanceOf(KeyVaultError);
  expect(denied.message).toMatch(/403 \(Forbidden: .*unwrap.*\)\. Give the app's managed identity the role "Key Vault Crypto Service Encryption User"/);
  sim.api.setDenyAccess(false);

  expect((await err(unwrapKekSettings({ kek: wrapped }, { ...kv, identityHeader: undefined }))).message).toMatch(/no managed identity is available/);
  expect((await err(unwrapKekSettings({ kek: wrapped }, { ...kv, identityHeader: 'wrong' }))).message).toMatch(/managed identity token .*401/);
  expect((await err(unwrapKekSettings({ kek: wrapped }, { ...kv, keyId: `${server.url}/keys/${sim.keyName}/${'0'.repeat(32)}` }))).message).toMatch(/404 \(KeyNotFound.*no such key version/);
  expect((await err(unwrapKekSettings({ kek: wrapped }, { ...kv, keyId: `${server.url}/keys/${sim.keyName}` }))).message).toMatch(/must name a key \*version\*/);
  expect((await err(unwrapKekSettings({ kek: wrapped }, { ...kv, keyId: 'http://vault.example/keys/a/0123456789abcdef0123456789abcdef' }))).message).toMatch(/https/);
  // A plain key where a wrapped one belongs (Key Vault switched on, BREVDUE_KEK not re-made).
  expect((await err(unwrapKekSettings({ kek: Buffer.alloc(32, 1).toString('base64') }, kv))).message).toMatch(/BREVDUE_KEK: key "k1" is not a wrapped key .*brevdue keys wrap/);
  expect((await err(unwrapKekSettings({}, kv))).message).toMatch(/BREVDUE_KEK is not/);
  // Without Key Vault nothing changes.
  expect(await unwrapKekSettings({ kek: 'abc', previous: 'def' }, {})).toEqual({ kek: 'abc', previous: 'def' });
});

/** Runs `backend/src/main.ts` in production mode until it listens or exits. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'brevdue-kv-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'backend/src/main.ts'], {
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, BREVDUE_MODE: 'production', PORT: '0', BREVDUE_DATA_DIR: dataDir,
      ENTRA_TENANT_ID: '00000000-0000-4000-8000-000000000000', ENTRA_CLIENT_ID: 'test', ENTRA_CLIENT_SECRET: 'not-used',
      AZURE_KEY_VAULT_KEY_ID: kv.keyId, IDENTITY_ENDPOINT: kv.identityEndpoint, IDENTITY_HEADER: kv.identityHeader, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve) => {
    const done = (code: number | null) => { rmSync(dataDir, { recursive: true, force: true }); resolve({ code, out }); };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Brevdue listening')) { proc.kill('SIGKILL'); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => done(code));
  });
}

test('a production server starts on a wrapped key, and refuses to start with the reason when Key Vault says no', async () => {
  const wrapped = await wrap();
  const ok = await runServer({ BREVDUE_KEK: wrapped });
  expect(ok.out).toContain('key-encryption keys unwrapped by Azure Key Vault');
  expect(ok.out).toContain('Brevdue listening');
  expect(ok.out).not.toContain(wrapped.split(':')[1].slice(0, 40)); // the wrapped value is not logged either

  sim.api.setDenyAccess(true);
  const refused = await runServer({ BREVDUE_KEK: wrapped });
  expect(refused.code).toBe(1);
  expect(refused.out).toMatch(/^brevdue: Key Vault unwrapping with .* failed: 403/m);
  expect(refused.out).not.toContain('Brevdue listening');
}, 90_000);
