// The pane's only navigation: the list, or one letter at #/message/<id>. The hash keeps the browser's
// back button (and a reload) working in a plain browser. No pushState: office.js disables it in some
// Outlook hosts; hash changes and history.back() work everywhere.
import { useCallback, useEffect, useRef, useState } from 'react';

export type Route = { view: 'list' } | { view: 'message'; id: string };

export function parseRoute(hash: string): Route {
  const match = /^#\/message\/([^/?#]+)$/.exec(hash);
  return match ? { view: 'message', id: decodeURIComponent(match[1]) } : { view: 'list' };
}

export function useHashRoute() {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  // True while the open letter was reached from the list, so "back" can pop the history entry;
  // a deep link (#/message/… loaded directly) goes to the list instead of leaving the pane.
  const openedFromList = useRef(false);

  useEffect(() => {
    const onChange = () => {
      const next = parseRoute(window.location.hash);
      if (next.view === 'list') openedFromList.current = false;
      setRoute(next);
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);

  const openMessage = useCallback((id: string) => {
    openedFromList.current = true;
    window.location.hash = `#/message/${encodeURIComponent(id)}`;
  }, []);

  const showList = useCallback(() => {
    if (openedFromList.current) window.history.back();
    else window.location.hash = '#/';
  }, []);

  return { route, openMessage, showList };
}
