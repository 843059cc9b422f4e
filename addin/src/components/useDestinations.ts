// The approved-recipients registry, loaded once per API client and shared by every picker (reroute,
// triage). A failed load is forgotten, so "try again" asks the server again.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DestinationChoice as Destination } from '../../../shared/src/contracts';
import type { ApiClient } from '../api/client';
import { useApi } from '../api/context';

const cache = new WeakMap<ApiClient, Promise<Destination[]>>();
// Every name this pane has seen, so a recipient archived since can still be named where it is chosen.
const names = new Map<string, string>();

/** The name of a destination seen in any registry load this session, or undefined. */
export function knownDestinationName(id: string): string | undefined {
  return names.get(id);
}

function load(api: ApiClient, fresh: boolean): Promise<Destination[]> {
  let p = fresh ? undefined : cache.get(api);
  if (!p) {
    p = api.listDestinations();
    cache.set(api, p);
    p.then((list) => { for (const d of list) names.set(d.id, d.displayName); }, () => { if (cache.get(api) === p) cache.delete(api); });
  }
  return p;
}

export interface DestinationsState {
  destinations: Destination[];
  loading: boolean;
  error: unknown;
  retry: () => void;
  /** Fetch again without showing a loading state; on failure the list shown stays. */
  refresh: () => void;
}

export function useDestinations(): DestinationsState {
  const api = useApi();
  const [state, setState] = useState<{ destinations: Destination[]; loading: boolean; error: unknown }>(
    { destinations: [], loading: true, error: null },
  );
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load(api, attempt > 0).then(
      (destinations) => { if (live) setState({ destinations, loading: false, error: null }); },
      (error: unknown) => { if (live) setState({ destinations: [], loading: false, error }); },
    );
    return () => { live = false; };
  }, [api, attempt]);

  const live = useRef(true);
  useEffect(() => { live.current = true; return () => { live.current = false; }; }, []);
  const refresh = useCallback(() => {
    load(api, true).then(
      (destinations) => { if (live.current) setState({ destinations, loading: false, error: null }); },
      () => {},
    );
  }, [api]);

  return { ...state, retry: useCallback(() => setAttempt((n) => n + 1), []), refresh };
}
