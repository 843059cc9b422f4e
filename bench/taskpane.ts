// npm run bench:taskpane — how heavy the task pane is to load, and how soon it can be used.
//   initial_js_gzip_kb  every JavaScript file the page fetched from start until it was interactive (the
//                       entry, its preloads and what it imported on the way: the language in use), gzipped
//                       at level 9 as a CDN or the backend would send it; chunks loaded later (letter
//                       detail, triage, filters, statistics, admin, the other language) are not counted.
//   interactive_ms      median of BENCH_RUNS (5) cold loads in headless Chromium (fresh profile each, so
//                       no cache) of taskpane.html from the demo backend on localhost: from navigation start
//                       to the moment the letter list shows its count and the search box takes input.
//                       office.js (Microsoft's CDN) is blocked as in the browser tests, so the pane starts in
//                       plain-browser mode; inside Outlook its load time comes on top.
// Runs `npm run build:addin` first (BENCH_NO_BUILD=1 skips it).
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startBrevdue } from '../backend/src/app';
import { launchBrowser } from '../tests/e2e/browser';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'addin/dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const say = (s: string) => process.stderr.write(`[bench:taskpane] ${s}\n`);

function initialScripts(): string[] {
  const html = readFileSync(path.join(DIST, 'taskpane.html'), 'utf8');
  const local = (u: string) => !/^https?:/.test(u);
  const entries = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
  return [...new Set([...entries, ...preloads])].filter(local);
}

async function main() {
  if (process.env.BENCH_NO_BUILD !== '1') {
    say('building the add-in');
    execSync('npm run build:addin', { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (initialScripts().length === 0) throw new Error('taskpane.html names no module script; is addin/dist built?');
  const gzipped = new Map<string, number>();
  const sizeOf = (asset: string) => {
    if (!gzipped.has(asset)) gzipped.set(asset, gzipSync(readFileSync(path.join(DIST, asset)), { level: 9 }).length);
    return gzipped.get(asset)!;
  };
  let initialJs: string[] = [];

  const app = await startBrevdue({ port: 0, dataDir: null, demo: true, seed: true, processEveryMs: 100 });
  const times: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const b = await launchBrowser();
      const fetched: string[] = [];
      b.page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.endsWith('.js') && u.pathname.includes('/assets/')) fetched.push(u.pathname.slice(u.pathname.indexOf('assets/')));
      });
      try {
        await b.page.goto(`${app.url}/taskpane.html`, { waitUntil: 'commit' });
        // Interactive: the list answered (its count is shown) and the search box is enabled.
        const handle = await b.page.waitForFunction(() => {
          const count = document.querySelector('[data-testid="message-count"]');
          const search = document.querySelector('[data-testid="search"] input, input[data-testid="search"]') as HTMLInputElement | null;
          return count && count.textContent && search && !search.disabled ? performance.now() : false;
        }, undefined, { polling: 'raf', timeout: 30_000 });
        const ms = (await handle.jsonValue()) as number;
        times.push(ms);
        if (i === 0) initialJs = [...new Set(fetched)];
        say(`load ${i + 1}: ${ms.toFixed(0)} ms`);
      } finally {
        await b.close();
      }
    }
  } finally {
    await app.stop();
  }
  times.sort((a, b) => a - b);
  let gz = 0;
  for (const asset of initialJs) {
    say(`${asset}: ${(sizeOf(asset) / 1024).toFixed(1)} KB gzipped`);
    gz += sizeOf(asset);
  }
  process.stdout.write(`initial_js_gzip_kb: ${(gz / 1024).toFixed(1)}\n`);
  process.stdout.write(`interactive_ms: ${times[Math.floor(times.length / 2)].toFixed(0)}\n`);
}

main().then(() => process.exit(0), (e) => { process.stderr.write(`bench:taskpane failed: ${(e as Error).stack}\n`); process.exit(1); });
