// Production runs the backend bundled (npm run build:backend → backend/dist/main.mjs, plain node: no
// TypeScript compiler in the process, ≈ 90 MB less memory). The bundle sits at another depth than
// the sources, so this runs it for real: migrations found, the PDF text worker found (a broken path
// shows as "no text from a PDF document"), demo letters fetched and delivered, SIGTERM exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { messageListResponseSchema } from '../../shared/src/contracts';
import { eventually } from '../helpers/databases';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the bundled backend starts, fetches and delivers letters, and stops cleanly', async () => {
  const build = spawnSync('npm', ['run', '-s', 'build:backend'], { cwd: root, encoding: 'utf8' });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  const bundle = path.join(root, 'backend', 'dist', 'main.mjs');
  expect(existsSync(bundle)).toBe(true);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'brevdue-bundle-'));
  const proc = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: os.tmpdir(), // not the project: the bundle finds its files from where it is
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BREVDUE_MODE: 'demo', PORT: '0', BREVDUE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  try {
    const url = await eventually(async () => /"url":"(http[^"]+)"/.exec(out)?.[1], 60_000, 'the bundled server to listen');
    const delivered = await eventually(async () => {
      const res = await fetch(`${url}/api/messages?limit=50`);
      const items = messageListResponseSchema.parse(await res.json()).items;
      return items.filter((m) => m.status === 'delivered').length >= 3 && items;
    }, 60_000, 'demo letters to be delivered');
    expect(delivered.length).toBeGreaterThanOrEqual(3);
    expect(out).not.toContain('no text from a PDF document');
    expect(out).not.toMatch(/"level":"(error|fatal)"/);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
