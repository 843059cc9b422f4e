// Stopping agenda without leaving jobs locked. agenda.stop() stops its interval and unlocks the jobs
// it holds but has not started; it then returns while handlers still run, and a lock query already
// in flight (its queue filling) still locks jobs afterwards, and goes on locking further due jobs of
// that name, which nobody runs or unlocks: they stay locked until their lock lifetime runs out (a
// poll paused for minutes). So: stop, wait (bounded) for handlers and queue filling to finish, then
// unlock what was locked after the stop. Only those: the jobs agenda.stop() already released may by
// then be locked by another process, and unlocking them again would release that process's lock.
import type { Agenda, Job } from 'agenda';
import type { Logger } from '../log';

/** The parts of agenda's job processor this needs; agenda exposes no public count after stop. */
interface ProcessorView {
  runningJobs: Job[];
  lockedJobs: Job[];
  isJobQueueFilling: Map<string, boolean>;
}
interface AgendaView {
  jobProcessor?: ProcessorView;
  db: { unlockJobs(ids: unknown[]): Promise<void> };
}

export interface StopResult {
  /** Handlers still running when the wait ran out (their locks expire; another process retries). */
  stillRunning: number;
  /** Jobs locked by a lock query that was in flight at the stop, released here. */
  releasedLate: number;
}

export async function stopAgenda(agenda: Agenda, drainMs: number, log: Logger): Promise<StopResult> {
  const view = agenda as unknown as AgendaView;
  const processor = view.jobProcessor;
  // agenda.stop() takes its list of jobs to unlock synchronously, before its first await: the ids
  // held now are exactly the ones it releases.
  const releasedByStop = new Set((processor?.lockedJobs ?? []).map((j) => String(j.attrs._id)));
  await agenda.stop();
  if (!processor) return { stillRunning: 0, releasedLate: 0 };
  const busy = () => processor.runningJobs.length > 0 || processor.isJobQueueFilling.size > 0;
  const until = Date.now() + drainMs;
  while (busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  const running = new Set(processor.runningJobs.map((j) => String(j.attrs._id)));
  const late = processor.lockedJobs
    .map((j) => j.attrs._id)
    .filter((id) => !releasedByStop.has(String(id)) && !running.has(String(id)));
  if (late.length > 0) await view.db.unlockJobs(late);
  const stillRunning = processor.runningJobs.length;
  if (stillRunning > 0) log.warn('stopped with job handlers still running; their locks expire and another process retries them', { running: stillRunning });
  return { stillRunning, releasedLate: late.length };
}
