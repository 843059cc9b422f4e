// The per-mailbox pacer: concurrency, the request window, the upload budget and Retry-After pauses,
// each lane on its own; and the lane a Graph URL belongs to.
import { Pacer, PacerBusy, type PacerLimits } from '../../backend/src/delivery/pacing/pacer';
import { laneOf, retryAfterMs } from '../../backend/src/delivery/pacing/middleware';
import { planAttachments, INLINE_ATTACHMENT_MAX } from '../../backend/src/delivery/attachment-plan';
import { driveLane } from '../../backend/src/delivery/teams/drive-upload';

const limits: PacerLimits = { maxConcurrent: 2, requestsPerWindow: 5, windowMs: 1000, uploadBytesPerWindow: 100, uploadWindowMs: 1000, maxWaitMs: 5000 };

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('Pacer', () => {
  test('never lets more than maxConcurrent run at once in a lane; other lanes are not held up', async () => {
    const p = new Pacer({ ...limits, requestsPerWindow: 1000 });
    let running = 0;
    let peak = 0;
    const work = async () => {
      const release = await p.acquire('mailbox:a');
      running++; peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--; release();
    };
    const other = p.acquire('mailbox:b').then((r) => { const ranWhile = running; r(); return ranWhile; });
    await Promise.all([work(), work(), work(), work(), work(), other]);
    expect(peak).toBe(2);
    expect(await other).toBeLessThanOrEqual(2);
  });

  test('the request window: the sixth request in a 1 s window waits for the first to leave it', async () => {
    const c = clock();
    const p = new Pacer(limits, c.now);
    for (let i = 0; i < 5; i++) (await p.acquire('mailbox:a'))();
    // Asked with a short patience, it is told when to come back instead.
    await expect(p.acquire('mailbox:a', 0, 100)).rejects.toBeInstanceOf(PacerBusy);
    const busy = await p.acquire('mailbox:a', 0, 100).catch((e: PacerBusy) => e);
    // A second, plus a quarter-second margin for the time our requests take to reach Graph.
    expect((busy as PacerBusy).readyAt.getTime()).toBe(1_000_000 + 1000 + 250);
    c.advance(1250);
    (await p.acquire('mailbox:a', 0, 100))();
    expect(p.stats()[0].requestsInWindow).toBe(1);
  });

  test('the upload budget counts bytes, and a pause (Retry-After) stops the lane until it ends', async () => {
    const c = clock();
    const p = new Pacer({ ...limits, requestsPerWindow: 1000 }, c.now);
    (await p.acquire('mailbox:a', 80))();
    const e = await p.acquire('mailbox:a', 30, 10).catch((x: PacerBusy) => x);
    expect(e).toBeInstanceOf(PacerBusy);
    expect(String((e as Error).message)).toMatch(/upload budget/);
    (await p.acquire('mailbox:a', 20, 10))(); // exactly fits
    p.pause('mailbox:b', 3000);
    const paused = await p.acquire('mailbox:b', 0, 10).catch((x: PacerBusy) => x);
    expect((paused as PacerBusy).readyAt.getTime()).toBe(1_000_000 + 3000);
    expect((paused as Error).message).toMatch(/Retry-After/);
  });
});

describe('Pacer upload reservations', () => {
  test('a document reserved first keeps its budget: a second large document is told to come back, before it sends a byte', async () => {
    const c = clock();
    const p = new Pacer({ ...limits, requestsPerWindow: 1000 }, c.now);
    const first = await p.reserveUpload('drives:d', 70, 10);
    // Nothing has been sent yet, so no ended upload can free room: the earliest is a whole window after
    // the reserved bytes are sent, at least a window from now.
    const second = await p.reserveUpload('drives:d', 70, 10).catch((x: unknown) => x);
    expect(second).toBeInstanceOf(PacerBusy);
    expect((second as PacerBusy).readyAt.getTime()).toBe(1_000_000 + 1000);
    expect((second as Error).message).toMatch(/upload budget/);
    // A plain request that would take reserved bytes waits too; one that fits beside them does not.
    await expect(p.acquire('drives:d', 40, 10)).rejects.toBeInstanceOf(PacerBusy);
    (await p.acquire('drives:d', 30, 10))();
    first.release(); // the first gave up before sending: its bytes are free again
    c.advance(1000); // and the 30 bytes above have left the window
    (await p.reserveUpload('drives:d', 70, 10)).release();
  });

  test('a reservation\'s chunks count once; release gives back what was not sent', async () => {
    const c = clock();
    const p = new Pacer({ ...limits, requestsPerWindow: 1000 }, c.now);
    const r = await p.reserveUpload('mailbox:a', 70, 10);
    expect(p.stats()[0]).toMatchObject({ uploadBytesInWindow: 70, uploadBytesReserved: 70 });
    const chunk = await r.acquire(30);
    expect(p.stats()[0]).toMatchObject({ uploadBytesInWindow: 70, uploadBytesReserved: 40, inflight: 1 });
    chunk();
    expect(p.stats()[0]).toMatchObject({ uploadBytesInWindow: 70, uploadBytesReserved: 40, inflight: 0 });
    r.release();
    r.release(); // twice is harmless
    expect(p.stats()[0]).toMatchObject({ uploadBytesInWindow: 30, uploadBytesReserved: 0 });
  });

  test('bytes under way hold the budget until they have been sent and left the window', async () => {
    const c = clock();
    const p = new Pacer({ ...limits, requestsPerWindow: 1000 }, c.now);
    const running = await p.acquire('mailbox:a', 70);
    const e = await p.acquire('mailbox:a', 40, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PacerBusy);
    expect((e as PacerBusy).readyAt.getTime()).toBe(1_000_000 + 1000);
    c.advance(200);
    running();
    c.advance(1000);
    (await p.acquire('mailbox:a', 40, 10))();
  });
});

describe('laneOf and Retry-After', () => {
  test('requests for a mailbox share its lane however the mailbox is written', () => {
    expect(laneOf('https://graph.microsoft.com/v1.0/users/Post%40Firma.dk/mailFolders/inbox')).toBe('mailbox:post@firma.dk');
    expect(laneOf('https://graph.microsoft.com/v1.0/users/post@firma.dk/messages?$filter=x')).toBe('mailbox:post@firma.dk');
    expect(laneOf('https://graph.microsoft.com/v1.0/drives/b!abc/items/root')).toBe('drives:b!abc');
    expect(laneOf('https://graph.microsoft.com/v1.0/$batch')).toBeNull();
    // Teams uploads reserve on the lane their drive's Graph requests are paced in.
    expect(driveLane('b!AbC-9_x')).toBe(laneOf(`https://graph.microsoft.com/v1.0/drives/${encodeURIComponent('b!AbC-9_x')}/items/01X:/a.pdf:/createUploadSession`));
  });
  test('Retry-After in seconds or as a date', () => {
    expect(retryAfterMs(new Headers({ 'Retry-After': '7' }))).toBe(7000);
    const d = retryAfterMs(new Headers({ 'Retry-After': new Date(Date.now() + 10_000).toUTCString() }));
    expect(d).toBeGreaterThan(8000);
    expect(retryAfterMs(new Headers(), 1234)).toBe(1234);
  });
});

describe('planAttachments', () => {
  test('small documents go inline, over 3 MB or over the 4 MB request they follow', () => {
    const p = planAttachments([
      { filename: 'a.pdf', size: 100_000 }, { filename: 'big.pdf', size: INLINE_ATTACHMENT_MAX + 1 },
      { filename: 'b.pdf', size: 2_500_000 }, { filename: 'c.pdf', size: 1_000_000 },
    ]);
    expect(p.inline.map((d) => d.filename)).toEqual(['a.pdf', 'b.pdf']);
    expect(p.large.map((d) => d.filename)).toEqual(['big.pdf', 'c.pdf']);
  });
});
