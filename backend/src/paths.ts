// Files the backend reads at run time, found from the project root, so the same code works run from
// its sources (tsx, jest) and bundled into backend/dist (npm run build:backend), whose depth differs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'brevdue') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('Brevdue cannot find its own files: no package.json named "brevdue" above the running code');
    dir = up;
  }
}

export const PROJECT_ROOT = projectRoot();
/** drizzle-kit's migrations (SQL and journal). */
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'backend', 'drizzle');
/** The built task pane (npm run build:addin). */
export const ADDIN_DIST_DIR = path.join(PROJECT_ROOT, 'addin', 'dist');
/** The PDF text worker: plain JavaScript, loaded as it is by worker_threads. */
export const PDF_TEXT_WORKER_URL = pathToFileURL(path.join(PROJECT_ROOT, 'backend', 'src', 'pdf-text', 'worker.mjs'));
