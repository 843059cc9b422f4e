// Track & trace loading: one page per search (filters, order, offset), and quiet refreshes of that
// page that keep what is on screen (statuses change while a letter travels, so the page refreshes itself).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSort, MessageSummary } from '../../../shared/src/contracts';
import { isAbortError } from '../api/client';
import { useApi } from '../api/context';

export const PAGE_SIZE = 50;
export const AUTO_REFRESH_MS = 10_000;

export interface TraceSearch {
  q: string;
  cvr: string;
  sender: string;
  provider: string;
  destinationId: string;
  status: string;
  /** YYYY-MM-DD (Copenhagen days, as the API reads them) or ''. */
  from: string;
  to: string;
  sort: MessageSort;
  dir: 'asc' | 'desc';
  offset: number;
}

export const EMPTY_SEARCH: TraceSearch = {
  q: '', cvr: '', sender: '', provider: '', destinationId: '', status: '', from: '', to: '', sort: 'receivedAt', dir: 'desc', offset: 0,
};

/** Filters that narrow (not order or page): an empty result with any of them set is "no matches". */
export function activeFilters(s: TraceSearch): number {
  return [s.q, s.cvr, s.sender, s.provider, s.destinationId, s.status, s.from, s.to].filter((v) => v !== '').length;
}

export interface ListState {
  items: MessageSummary[];
  total: number;
  /** The server stopped counting: `total` is a lower bound. */
  capped: boolean;
  /** A page has arrived for some search. */
  loaded: boolean;
  /** A page for the current search is on its way. */
  loading: boolean;
  refreshing: boolean;
  error: unknown;
}

const INITIAL: ListState = { items: [], total: 0, capped: false, loaded: false, loading: true, refreshing: false, error: null };

export function useMessageList(search: TraceSearch, active: boolean) {
  const api = useApi();
  const [state, setState] = useState<ListState>(INITIAL);
  const [cvrNames, setCvrNames] = useState<Record<string, string>>({});
  const current = useRef<AbortController | null>(null);

  const remember = useCallback((list: MessageSummary[]) => {
    setCvrNames((known) => {
      const missing = list.filter((m) => known[m.cvr] !== m.cvrName);
      if (missing.length === 0) return known;
      const next = { ...known };
      for (const m of missing) next[m.cvr] = m.cvrName;
      return next;
    });
  }, []);

  const run = useCallback(async (mode: 'load' | 'refresh') => {
    if (mode === 'refresh' && current.current) return; // something is already in flight
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState((s) => ({ ...s, loading: mode === 'load', refreshing: mode === 'refresh', error: mode === 'load' ? null : s.error }));
    try {
      const res = await api.listMessages({ ...search, limit: PAGE_SIZE }, controller.signal);
      if (controller.signal.aborted) return;
      remember(res.items);
      setState({ items: res.items, total: res.total, capped: res.totalCapped === true, loaded: true, loading: false, refreshing: false, error: null });
    } catch (e) {
      if (isAbortError(e) || controller.signal.aborted) return;
      setState((s) => ({ ...s, loading: false, refreshing: false, error: e }));
    } finally {
      if (current.current === controller) current.current = null;
    }
  }, [api, search, remember]);

  // A new search or page: load it.
  useEffect(() => {
    void run('load');
  }, [run]);

  // Abort whatever is in flight when the list goes away.
  useEffect(() => () => current.current?.abort(), []);

  // Quiet refreshes while the list is on screen; and one on coming back to it.
  const wasActive = useRef(active);
  useEffect(() => {
    if (active && !wasActive.current) void run('refresh');
    wasActive.current = active;
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void run('refresh');
    }, AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, run]);

  return {
    state,
    cvrNames,
    reload: useCallback(() => void run('load'), [run]),
    refresh: useCallback(() => void run('refresh'), [run]),
  };
}
