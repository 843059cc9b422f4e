// The time limit of one Graph call, as a Graph SDK middleware option: `call` (mailbox.ts) starts it, the
// pacing middleware stops it while the request waits for its lane's slot and starts it afresh once the
// slot is held. Our own queueing is then never taken for Graph not answering (an uncertain outcome that
// makes the next attempt search before it creates), and waiting is bounded by the pacer (PacerBusy).
import type { MiddlewareOptions } from '@microsoft/microsoft-graph-client';

export class RequestClock implements MiddlewareOptions {
  private readonly ctl = new AbortController();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly ms: number) { this.start(); }

  /** Aborts the request when its time is up (DOMException TimeoutError, as describeGraphError expects). */
  get signal(): AbortSignal { return this.ctl.signal; }

  /** (Re)starts the full time limit: the request goes out now. */
  start(): void {
    this.stop();
    if (this.ctl.signal.aborted) return;
    this.timer = setTimeout(() => this.ctl.abort(new DOMException(`timed out after ${this.ms} ms`, 'TimeoutError')), this.ms);
    this.timer.unref();
  }

  /** Stops the clock (waiting for a slot; or the call is over). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
