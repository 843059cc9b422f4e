// Child processes for benchmarks: start with a readiness line, sample memory and CPU from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child { proc: ChildProcess; url: string; stop(): Promise<void> }

/**
 * Starts `node --import tsx script` (plain `node script` for built JavaScript, .mjs) and waits for a
 * line "READY <url>" (or a URL from `readyPattern`).
 */
export function startNode(script: string, env: Record<string, string>, readyPattern = /READY (\S+)/, nodeArgs: string[] = []): Promise<Child> {
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const proc = spawn(process.execPath, [...nodeArgs, ...loader, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = readyPattern.exec(out);
      if (m) {
        proc.stdout!.off('data', onData);
        resolve({
          proc, url: m[1],
          stop: () => new Promise<void>((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); setTimeout(() => proc.kill('SIGKILL'), 5000).unref(); }),
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => { if (process.env.BENCH_VERBOSE) process.stderr.write(d); });
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${out.slice(-2000)}`)));
  });
}

/**
 * The backend as production runs it: bundled (npm run build:backend), plain node. BENCH_BACKEND=tsx
 * runs the TypeScript sources through tsx instead (as `npm start` does), for comparison.
 */
export function backendScript(): string {
  if (process.env.BENCH_BACKEND === 'tsx') return 'backend/src/main.ts';
  const r = spawnSync('npm', ['run', '-s', 'build:backend'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:backend failed: ${r.stderr}`);
  return 'backend/dist/main.mjs';
}

/** Resident memory now and at its peak (VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** User + system CPU seconds the process has used. */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
