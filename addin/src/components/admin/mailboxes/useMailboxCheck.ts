// After saving a mailbox's credentials: asks for the mailbox every few seconds until its first poll
// since the save has a result (check.ts), handing each answer to `onUpdate` (the list's row and its
// badge follow), and stops then, after CHECK_FOR_MS ('unchecked'), or when the component goes.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MailboxErrorKind, MailboxView } from '../../../../../shared/src/contracts';
import { useApi } from '../../../api/context';
import { CHECK_EVERY_MS, CHECK_FOR_MS, needsCheck, pollOutcome } from './check';

export type MailboxCheck =
  | { phase: 'checking' }
  | { phase: 'ok'; at: string | null }
  | { phase: 'failed'; error: string | null; kind: MailboxErrorKind | null }
  | { phase: 'unchecked' }
  /** Paused (polled when resumed) or push (never polled): nothing to wait for. */
  | { phase: 'notPolled' };

export function useMailboxCheck(onUpdate: (v: MailboxView) => void) {
  const api = useApi();
  const [check, setCheck] = useState<MailboxCheck | null>(null);
  const [saved, setSaved] = useState<{ v: MailboxView; until: number } | null>(null);
  const update = useRef(onUpdate);
  update.current = onUpdate;

  useEffect(() => {
    if (!saved) return undefined;
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      try {
        const v = await api.adminMailbox(saved.v.id, ctl.signal);
        if (ctl.signal.aborted) return;
        update.current(v);
        const outcome = pollOutcome(saved.v.health, v.health);
        if (outcome === 'ok') { setCheck({ phase: 'ok', at: v.health.lastFetchAt }); return; }
        if (outcome === 'failed') { setCheck({ phase: 'failed', error: v.health.lastError, kind: v.health.lastErrorKind }); return; }
      } catch {
        if (ctl.signal.aborted) return;
        // A failed look is tried again at the next tick, within the limit.
      }
      if (Date.now() >= saved.until) { setCheck({ phase: 'unchecked' }); return; }
      timer = setTimeout(ask, CHECK_EVERY_MS);
    };
    timer = setTimeout(ask, CHECK_EVERY_MS);
    return () => { ctl.abort(); clearTimeout(timer); };
  }, [saved, api]);

  const start = useCallback((v: MailboxView) => {
    if (!needsCheck(v)) { setSaved(null); setCheck({ phase: 'notPolled' }); return; }
    setCheck({ phase: 'checking' });
    setSaved({ v, until: Date.now() + CHECK_FOR_MS });
  }, []);
  const reset = useCallback(() => { setSaved(null); setCheck(null); }, []);
  return { check, start, reset };
}
