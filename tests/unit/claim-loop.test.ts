// The claim loop's lease renewal (jobs/claim-loop.ts): running items' leases are extended while they
// run, and no longer once they finished or the loop stopped.
import { createClaimLoop } from '../../backend/src/jobs/claim-loop';
import { silentLogger } from '../../backend/src/log';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test('leases of running items are renewed while they run, and not after', async () => {
  let handed = false;
  const renewed: string[][] = [];
  let finish!: () => void;
  const loop = createClaimLoop<string>({
    concurrency: 2, tickMs: 10,
    claim: async () => { if (handed) return []; handed = true; return ['a', 'b']; },
    run: (item) => (item === 'a' ? new Promise<void>((r) => { finish = r; }) : sleep(5)),
    release: async () => undefined,
    renew: async (items) => { renewed.push(items); },
    renewEveryMs: 40,
    log: silentLogger, what: 'test items',
  });
  loop.start();
  await sleep(220);
  expect(renewed.length).toBeGreaterThanOrEqual(3);
  expect(renewed.every((r) => r.length === 1 && r[0] === 'a')).toBe(true); // 'b' finished at once
  finish();
  await sleep(20);
  const after = renewed.length;
  await sleep(150);
  expect(renewed.length).toBe(after); // nothing runs: nothing to renew
  await loop.stop(1000);
});

test('a failing renewal is reported once a minute, not every time', async () => {
  const warnings: string[] = [];
  let handed = false;
  const loop = createClaimLoop<string>({
    concurrency: 1, tickMs: 10,
    claim: async () => { if (handed) return []; handed = true; return ['a']; },
    run: () => sleep(200),
    release: async () => undefined,
    renew: async () => { throw new Error('connection refused'); },
    renewEveryMs: 20,
    log: { ...silentLogger, warn: (m: string) => { warnings.push(m); } }, what: 'test items',
  });
  loop.start();
  await sleep(180);
  await loop.stop(1000);
  expect(warnings).toEqual(['extending the leases of test items failed; trying again']);
});
