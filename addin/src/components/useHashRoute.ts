// The pane's navigation, in the URL hash: the letters (#/), one letter (#/message/<id>), the triage
// queue (#/triage) and, inside Outlook, the open item's letter (#/this). The hash keeps the browser's
// back button (and a reload) working in a plain browser. No pushState: office.js disables it in some
// Outlook hosts; hash changes and history.back() work everywhere. Leaving a page with unsaved work
// (leave-guard.ts) asks first, however the route would change.
import { useCallback, useEffect, useRef, useState } from 'react';
import { hasLeaveGuard, whenLeaving } from './leave-guard';

export type Route =
  | { view: 'list' }
  | { view: 'message'; id: string }
  | { view: 'triage' }
  | { view: 'this' }
  | { view: 'stats' }
  | { view: 'admin'; page: AdminPage };

/** The admin section's pages (#/admin/<page>). */
export const ADMIN_PAGES = ['rules', 'recipients', 'mailboxes', 'settings', 'roles', 'audit'] as const;
export type AdminPage = (typeof ADMIN_PAGES)[number];

/** The three top-level sections the tabs show. */
export type Section = 'this' | 'letters' | 'triage' | 'stats' | 'admin';

export function parseRoute(hash: string): Route {
  // #/messages/<id>: the form the server's mails and Teams cards built before; mails already sent carry it.
  const match = /^#\/messages?\/([^/?#]+)$/.exec(hash);
  if (match) {
    try {
      return { view: 'message', id: decodeURIComponent(match[1]) };
    } catch {
      return { view: 'list' };
    }
  }
  if (hash === '#/triage') return { view: 'triage' };
  if (hash === '#/stats') return { view: 'stats' };
  const admin = /^#\/admin(?:\/([a-z]+))?$/.exec(hash);
  if (admin) return { view: 'admin', page: (ADMIN_PAGES as readonly string[]).includes(admin[1] ?? '') ? admin[1] as AdminPage : 'rules' };
  if (hash === '#/this') return { view: 'this' };
  return { view: 'list' };
}

export function routeHash(route: Route): string {
  switch (route.view) {
    case 'message': return `#/message/${encodeURIComponent(route.id)}`;
    case 'triage': return '#/triage';
    case 'this': return '#/this';
    case 'stats': return '#/stats';
    case 'admin': return `#/admin/${route.page}`;
    default: return '#/';
  }
}

/** The route a start without a hash shows: the open item's letter inside Outlook, else the list. */
export function initialRoute(hash: string, inOutlook: boolean): Route {
  if ((hash === '' || hash === '#' || hash === '#/') && inOutlook) return { view: 'this' };
  const route = parseRoute(hash);
  return route.view === 'this' && !inOutlook ? { view: 'list' } : route;
}

export function useHashRoute(inOutlook: boolean) {
  const [route, setRoute] = useState<Route>(() => initialRoute(window.location.hash, inOutlook));
  // Where the open letter was reached from, so "back" can pop the history entry and the tabs can
  // show the right section; a deep link (#/message/… loaded directly) belongs to the letters.
  const openedFrom = useRef<Section | null>(null);
  // The hash of the route on screen, to put back when a change from outside (the browser's back
  // button, a link) would leave unsaved work before the person confirmed.
  const shown = useRef(routeHash(route));

  useEffect(() => {
    // Make the URL say what the pane shows (e.g. #/this inside Outlook) without a history entry.
    // location.replace, not history.replaceState: office.js removes the History API in some hosts.
    const wanted = routeHash(route);
    if (window.location.hash !== wanted && !(wanted === '#/' && window.location.hash === '')) {
      window.location.replace(wanted);
    }
    const onChange = () => {
      const next = parseRoute(window.location.hash);
      if (routeHash(next) !== shown.current && hasLeaveGuard()) {
        const wanted = window.location.hash;
        window.location.replace(shown.current);
        whenLeaving(() => { window.location.hash = wanted; });
        return;
      }
      if (next.view !== 'message') openedFrom.current = null;
      const shownRoute = next.view === 'this' && !inOutlook ? { view: 'list' } as const : next;
      shown.current = routeHash(shownRoute);
      setRoute(shownRoute);
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
    // Only once: later changes come through hashchange.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const go = useCallback((next: Route) => {
    const hash = routeHash(next);
    if (hash === shown.current) window.location.hash = hash;
    else whenLeaving(() => { window.location.hash = hash; });
  }, []);

  const openMessage = useCallback((id: string, from: Section = 'letters') => {
    whenLeaving(() => {
      openedFrom.current = from;
      window.location.hash = routeHash({ view: 'message', id });
    });
  }, []);

  /** Back from a letter: to where it was opened from (history when possible, so scroll survives). */
  const back = useCallback(() => {
    whenLeaving(() => {
      if (openedFrom.current) window.history.back();
      else window.location.hash = '#/';
    });
  }, []);

  const section: Section = route.view === 'this' || route.view === 'stats' || route.view === 'admin'
    ? route.view
    : route.view === 'triage' || (route.view === 'message' && openedFrom.current === 'triage')
      ? 'triage'
      : 'letters';

  return { route, section, openedFrom: route.view === 'message' ? openedFrom.current : null, go, openMessage, back };
}
