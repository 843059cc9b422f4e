// The poll scheduler when the database fails: it keeps trying every tick but says so once a minute,
// and stops promptly. (Claims, fairness, leases: tests/integration/poll-scheduler.test.ts.)
import { createPollScheduler } from '../../backend/src/ingest/poll-scheduler';
import type { AppContext } from '../../backend/src/context';

test('a failing claim is retried every tick and logged once, not every tick; stop() returns at once', async () => {
  let attempts = 0;
  const failing = { set: () => failing, where: () => failing, returning: async () => { attempts++; throw new Error('connection refused'); } };
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const ctx = {
    db: { update: () => failing },
    log: { warn: (msg: string, data?: Record<string, unknown>) => { warnings.push([msg, data]); }, info: () => undefined, error: () => undefined },
  } as unknown as AppContext;
  const s = createPollScheduler(ctx, { intervalMs: 1000, tickMs: 10 });
  s.start();
  await new Promise((r) => setTimeout(r, 200));
  const began = Date.now();
  await s.stop(5_000);
  expect(Date.now() - began).toBeLessThan(100);
  expect(attempts).toBeGreaterThan(5);
  expect(warnings).toEqual([['looking for mailboxes to poll failed; trying again every tick', { error: 'connection refused' }]]);
  const after = attempts;
  await new Promise((r) => setTimeout(r, 50));
  expect(attempts).toBe(after); // stopped: no more tries
});
