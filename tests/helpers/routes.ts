// Every API route as "METHOD /path" (relative to /api), read from the Express router at runtime, so
// the tests that must cover every route (authorization matrix, audit classification) see a new one.
import type { Router } from 'express';
import { apiRouter, type ApiDeps } from '../../backend/src/api/router';

/** "METHOD /path" of every route in an express router, nested routers included. */
export function routesOf(router: Router): string[] {
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push(`${m.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.name === 'router' && layer.handle?.stack) {
        let mount = '';
        if (!layer.regexp.fast_slash) {
          const m = /^\^\\\/(.*?)\\\/\?\(\?=\\\/\|\$\)$/i.exec(layer.regexp.source);
          if (!m) throw new Error(`cannot read the mount path of a nested router: ${layer.regexp.source}`);
          mount = `/${m[1].replace(/\\\//g, '/')}`;
        }
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((router as unknown as { stack: any[] }).stack, ''); // eslint-disable-line @typescript-eslint/no-explicit-any
  return out;
}

/** The routes of the real /api router (built with inert dependencies: nothing is called). */
export function apiRoutes(): string[] {
  return routesOf(apiRouter({
    db: {}, sealer: {}, demo: null, entra: null, jobsRunning: () => true, version: 't', mailboxChanged: async () => undefined,
    delivery: { ctx: {}, check: async () => [] },
  } as unknown as ApiDeps));
}
