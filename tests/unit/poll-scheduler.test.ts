// The poll scheduler when the database fails: it keeps trying every tick but says so once a minute,
// and stops promptly. (Claims, fairness, leases: tests/integration/poll-scheduler.test.ts.)
import { createPollScheduler } from '../../backend/src/ingest/poll-scheduler';
import type { AppContext } from '../../backend/src/context';

test('a failing claim is retried every tick and logged once, not every tick; stop() returns at once', async () => {
  let attempts = 0;
  // The claim is a prepared statement (store/prepared.ts): update().set().where().returning().prepare().execute().
  const failing = {
    set: () => failing, where: () => failing, returning: () => failing,
    prepare: () => ({ execute: async () => { attempts++; throw new Error('connection refused'); } }),
  };
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

test('mailboxes claimed while stopping are given back, not polled', async () => {
  const sets: Record<string, unknown>[] = [];
  let claims = 0;
  const chain = (values: Record<string, unknown>) => {
    sets.push(values);
    const c = {
      where: () => c,
      // The claim answers after stop() was called; the release just resolves.
      returning: () => c,
      prepare: () => ({ execute: async () => { claims++; await new Promise((r) => setTimeout(r, 100)); return [{ id: 'mb-1', provider: 'ngdp', config: {}, backoffUntil: null }]; } }),
      then: (ok: (v: unknown) => void) => ok(undefined),
    };
    return c;
  };
  const ctx = {
    db: { update: () => ({ set: chain }) },
    log: { warn: () => undefined, info: () => undefined, error: () => undefined },
    connectorFor: () => { throw new Error('a poll was started'); },
  } as unknown as AppContext;
  const s = createPollScheduler(ctx, { intervalMs: 1000, tickMs: 10 });
  s.start();
  await new Promise((r) => setTimeout(r, 20)); // the first claim is on its way
  await s.stop(5_000);
  expect(claims).toBe(1);
  expect(s.running()).toBe(0);
  expect(sets).toEqual([{ pollingUntil: expect.anything() }, { pollingUntil: null }]); // claimed, then given back
});
