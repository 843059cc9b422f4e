// Focus back to the button that opened a dialog once it closes. Our dialogs are opened by state, not
// by a DialogTrigger, and unmount on close: without this the focus falls to <body> and the next Tab
// starts from wherever the browser guesses.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** Whether `el` can take the focus now: still on the page and not disabled (disabledFocusable is fine). */
function canFocus(el: HTMLElement | null | undefined): el is HTMLElement {
  return !!el && el.isConnected && !el.matches(':disabled') && el.getClientRects().length > 0;
}

/**
 * `remember()` as a dialog opens (the opener is the focused element, or the one passed);
 * `restore()` as it closes. The focus goes to the opener or, when that is gone or disabled (e.g. the
 * detail re-rendered it), to `fallback` — unless something else already has the focus.
 */
export function useReturnFocus(fallback?: RefObject<HTMLElement | null>) {
  const opener = useRef<HTMLElement | null>(null);
  const [pending, setPending] = useState(0);

  const remember = useCallback((el?: Element | null) => {
    const target = el ?? document.activeElement;
    opener.current = target instanceof HTMLElement ? target : null;
  }, []);

  const restore = useCallback(() => setPending((n) => n + 1), []);

  useEffect(() => {
    if (pending === 0) return;
    // After the commit that removed the dialog, and after Fluent's own focus handling of it.
    const id = setTimeout(() => {
      const active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return;
      const target = canFocus(opener.current) ? opener.current : fallback?.current;
      target?.focus();
    }, 0);
    return () => clearTimeout(id);
  }, [pending, fallback]);

  return { remember, restore };
}
