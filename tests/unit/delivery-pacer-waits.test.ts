// The pacer's waits held up only by requests under way: bounded by the patience (PacerBusy), and
// ended by the caller's abort signal; either way the waiter leaves the queue.
import { Pacer, PacerBusy, type PacerLimits } from '../../backend/src/delivery/pacing/pacer';

const limits: PacerLimits = { maxConcurrent: 1, requestsPerWindow: 1000, windowMs: 1000, uploadBytesPerWindow: 1000, uploadWindowMs: 1000, maxWaitMs: 5000 };

describe('Pacer waits behind requests under way', () => {
  test('a waiter blocked only by the concurrency limit is told to come back after its patience', async () => {
    const p = new Pacer(limits);
    const release = await p.acquire('mailbox:a');
    const started = Date.now();
    const e = await p.acquire('mailbox:a', 0, 100).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PacerBusy);
    expect((e as Error).message).toMatch(/1 requests to it were under way/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.stats()[0].queued).toBe(0);
    release();
    (await p.acquire('mailbox:a', 0, 100))(); // the slot given back is free for the next
  });

  test('an aborted waiter leaves the queue with the signal\'s reason; one already aborted never queues', async () => {
    const p = new Pacer(limits);
    const release = await p.acquire('mailbox:a');
    const ctl = new AbortController();
    const waiting = p.acquire('mailbox:a', 0, 5000, ctl.signal).catch((x: unknown) => x);
    expect(p.stats()[0].queued).toBe(1);
    ctl.abort(new Error('caller gave up'));
    expect(String(await waiting)).toMatch(/caller gave up/);
    expect(p.stats()[0].queued).toBe(0);
    await expect(p.acquire('mailbox:a', 0, 5000, ctl.signal)).rejects.toThrow('caller gave up');
    release();
  });
});
