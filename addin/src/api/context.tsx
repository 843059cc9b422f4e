// The API client reaches components through context, so a test or a story can hand in another one.
import { createContext, useContext, type ReactNode } from 'react';
import { createApiClient, type ApiClient } from './client';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client?: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client ?? defaultClient()}>{children}</ApiContext.Provider>;
}

let fallback: ApiClient | null = null;
function defaultClient(): ApiClient {
  fallback ??= createApiClient({ baseUrl: import.meta.env.VITE_API_BASE || '/api' });
  return fallback;
}

export function useApi(): ApiClient {
  return useContext(ApiContext) ?? defaultClient();
}
