// GET /metrics (Prometheus text) and GET /api/ready (readiness: the database answers and the job
// runner runs). /api/health stays the liveness probe.
import type { Request, RequestHandler, Response } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Metrics } from './metrics';
import { errorMessage, type Logger } from '../log';

export interface MetricsAccess {
  /** METRICS_TOKEN: scrapes must send `Authorization: Bearer <token>`. */
  token: string | null;
  /** Demo mode: open without a token (nothing real to leak). */
  demo: boolean;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsHandler(metrics: Metrics, access: MetricsAccess, log: Logger): RequestHandler {
  return async (req: Request, res: Response) => {
    if (access.token) {
      const m = /^Bearer (.+)$/.exec(req.get('Authorization') ?? '');
      // Compare digests: equal lengths for timingSafeEqual, and no timing hint about the token.
      if (!m || !timingSafeEqual(digest(m[1]), digest(access.token))) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="brevdue-metrics"');
        return res.status(401).type('text').send('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.\n');
      }
    } else if (!access.demo) {
      // Production without a token: metrics name organisations' volumes, so they stay closed.
      return res.status(404).type('text').send('Metrics are off: set METRICS_TOKEN to enable /metrics.\n');
    }
    try {
      const { contentType, body } = await metrics.scrape();
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', contentType); // prom-client's exact type (express's send would add a charset)
      res.end(body);
    } catch (e) {
      log.error('metrics scrape failed', { error: errorMessage(e) });
      res.status(503).type('text').send('Metrics are unavailable: the database did not answer.\n');
    }
  };
}

export interface ReadinessDeps {
  /** Resolves when the database answers a query. */
  ping(): Promise<unknown>;
  jobsRunning(): boolean;
}

export interface Readiness { ready: boolean; database: 'ok' | 'down'; jobs: 'ok' | 'down'; down: string[] }

export async function checkReadiness(deps: ReadinessDeps, timeoutMs = 2000): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), timeoutMs); });
  const database = await Promise.race([deps.ping(), timeout]).then(() => 'ok' as const, () => 'down' as const).finally(() => clearTimeout(timer));
  const jobs = deps.jobsRunning() ? 'ok' as const : 'down' as const;
  const down = [...(database === 'down' ? ['database'] : []), ...(jobs === 'down' ? ['jobs'] : [])];
  return { ready: down.length === 0, database, jobs, down };
}

export function readinessHandler(deps: ReadinessDeps): RequestHandler {
  return async (_req, res) => {
    const r = await checkReadiness(deps);
    res.status(r.ready ? 200 : 503).setHeader('Cache-Control', 'no-store').json(r);
  };
}
