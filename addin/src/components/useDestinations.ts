// The approved-recipients registry, loaded once per API client and shared by every picker (reroute,
// triage). A failed load is forgotten, so "try again" asks the server again.
import { useCallback, useEffect, useState } from 'react';
import type { Destination } from '../../../shared/src/contracts';
import type { ApiClient } from '../api/client';
import { useApi } from '../api/context';

const cache = new WeakMap<ApiClient, Promise<Destination[]>>();

function load(api: ApiClient, fresh: boolean): Promise<Destination[]> {
  let p = fresh ? undefined : cache.get(api);
  if (!p) {
    p = api.listDestinations();
    cache.set(api, p);
    p.catch(() => { if (cache.get(api) === p) cache.delete(api); });
  }
  return p;
}

export interface DestinationsState {
  destinations: Destination[];
  loading: boolean;
  error: unknown;
  retry: () => void;
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

  return { ...state, retry: useCallback(() => setAttempt((n) => n + 1), []) };
}
