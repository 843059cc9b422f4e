// Loading the message list: first page per filter, "show more" pages, and quiet refreshes that keep
// what is on screen (statuses change while a letter travels, so the list refreshes itself).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSummary } from '../../../shared/src/contracts';
import { isAbortError } from '../api/client';
import { useApi } from '../api/context';

export const PAGE_SIZE = 50;
const MAX_LIMIT = 200; // the API's limit cap
export const AUTO_REFRESH_MS = 10_000;

export interface ListFilter { q: string; cvr: string }

export interface ListState {
  items: MessageSummary[];
  total: number;
  /** A first page has arrived for some filter. */
  loaded: boolean;
  /** A first page for the current filter is on its way. */
  loading: boolean;
  refreshing: boolean;
  loadingMore: boolean;
  error: unknown;
}

const INITIAL: ListState = { items: [], total: 0, loaded: false, loading: true, refreshing: false, loadingMore: false, error: null };

export function useMessageList(filter: ListFilter, active: boolean) {
  const api = useApi();
  const [state, setState] = useState<ListState>(INITIAL);
  const [cvrNames, setCvrNames] = useState<Record<string, string>>({});
  const current = useRef<AbortController | null>(null);
  const items = useRef<MessageSummary[]>([]);

  const remember = useCallback((list: MessageSummary[]) => {
    setCvrNames((known) => {
      const missing = list.filter((m) => known[m.cvr] !== m.cvrName);
      if (missing.length === 0) return known;
      const next = { ...known };
      for (const m of missing) next[m.cvr] = m.cvrName;
      return next;
    });
  }, []);

  const run = useCallback(async (mode: 'load' | 'refresh' | 'more') => {
    if (mode !== 'load' && current.current) return; // something is already in flight
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    const offset = mode === 'more' ? items.current.length : 0;
    const limit = mode === 'refresh' ? Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, items.current.length)) : PAGE_SIZE;
    setState((s) => ({
      ...s,
      loading: mode === 'load',
      refreshing: mode === 'refresh',
      loadingMore: mode === 'more',
      error: mode === 'load' ? null : s.error,
    }));
    try {
      const res = await api.listMessages({ q: filter.q, cvr: filter.cvr || undefined, limit, offset }, controller.signal);
      if (controller.signal.aborted) return;
      remember(res.items);
      let next = res.items;
      if (mode === 'more') {
        const seen = new Set(items.current.map((m) => m.id));
        next = [...items.current, ...res.items.filter((m) => !seen.has(m.id))];
      }
      items.current = next;
      setState({ items: next, total: res.total, loaded: true, loading: false, refreshing: false, loadingMore: false, error: null });
    } catch (e) {
      if (isAbortError(e) || controller.signal.aborted) return;
      setState((s) => ({ ...s, loading: false, refreshing: false, loadingMore: false, error: e }));
    } finally {
      if (current.current === controller) current.current = null;
    }
  }, [api, filter.q, filter.cvr, remember]);

  // A new filter: a fresh first page.
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
    loadMore: useCallback(() => void run('more'), [run]),
  };
}
