/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the Brevdue API lives; defaults to `/api` on the page's own origin. */
  readonly VITE_API_BASE?: string;
}
