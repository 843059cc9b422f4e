// Unsaved work that asks before it is left. A page with unsaved changes (the rule editor) sets a
// guard; the pane's navigation (useHashRoute: tabs, admin pages, the browser's back button) and the
// page's own "back" go through whenLeaving, and the guard shows its in-pane confirmation and calls
// `leave` once the person confirms. Closing or reloading the pane gets the browser's own question.
import { useEffect, useRef } from 'react';

/** Shows the confirmation; calls `leave` if the person chooses to discard. */
export type LeaveGuard = (leave: () => void) => void;

let current: LeaveGuard | null = null;

export const hasLeaveGuard = () => current !== null;

/** Sets the guard (one at a time: the page in front); the function returned removes it. */
export function setLeaveGuard(guard: LeaveGuard): () => void {
  current = guard;
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => {
    if (current === guard) current = null;
    window.removeEventListener('beforeunload', onBeforeUnload);
  };
}

/** Runs `leave` now, or after the guard's confirmation (not at all when the person stays). */
export function whenLeaving(leave: () => void): void {
  const guard = current;
  if (!guard) {
    leave();
    return;
  }
  guard(() => {
    // Confirmed: the navigation that follows must not ask again.
    if (current === guard) current = null;
    leave();
  });
}

/** Guards while `active`; `ask` is read when asked, so it may close over fresh state. */
export function useLeaveGuard(active: boolean, ask: LeaveGuard): void {
  const askRef = useRef(ask);
  askRef.current = ask;
  useEffect(() => (active ? setLeaveGuard((leave) => askRef.current(leave)) : undefined), [active]);
}
