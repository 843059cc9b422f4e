/**
 * An AbortSignal that fires after `ms`. Unlike AbortSignal.timeout, its timer is unref'd explicitly
 * and cleared when the work settles, so a finished request never keeps the process (or jest) alive.
 */
export async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  timer.unref();
  try {
    return await work(ctl.signal);
  } finally {
    clearTimeout(timer);
  }
}
