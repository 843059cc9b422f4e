// mit.dk credentials and tokens, and nothing else. mit.dk (the Digital Post web and app viewer)
// signs a person in with MitID and hands out two token pairs: "dpp" (sent as header mitdkToken) and
// "ngdp" (sent as header ngdpToken). MitID cannot be automated, so Brevdue is given the two refresh
// tokens of such a sign-in and keeps itself signed in from there, as the public mit.dk clients do:
//
//   POST {base}/authorization/refresh?client_id=…   {"dppRefreshToken": "…", "ngdpRefreshToken": "…"}
//     → {"dpp": {"access_token", "refresh_token", "expires_in", …}, "ngdp": {…}}
//   every call: headers mitdkToken: <dpp access token>, ngdpToken: <ngdp access token>, platform: web
//
// Access tokens are refreshed shortly before they expire and once more when mit.dk answers 401.
// Each refresh returns new refresh tokens; `onTokens` hands them to whoever keeps the secret, so a
// restart does not fall back to tokens that have since expired.
import { z } from 'zod';
import { withTimeout } from '../../util/timeout';
import { ProviderError, kindOfStatus } from '../connector';
import { providerErrorDetail } from '../provider-error-body';

export interface MitdkRefreshTokens { dppRefreshToken: string; ngdpRefreshToken: string }

export interface MitdkSessionOptions {
  baseUrl: string; // e.g. https://gateway.mit.dk/view/client
  clientId: string; // the viewer's OAuth client id
  refreshTokens: MitdkRefreshTokens;
  /** Called with every new pair of refresh tokens (persist them to survive restarts). */
  onTokens?: (t: MitdkRefreshTokens) => void | Promise<void>;
  timeoutMs?: number;
  now?: () => number;
  dispatcher?: unknown;
}

export interface RawAnswer { status: number; headers: Headers; body: Buffer }
export interface SendInit { json?: unknown; headers?: Record<string, string> }

const tokenSet = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
}).passthrough();
export const refreshAnswerSchema = z.object({ dpp: tokenSet, ngdp: tokenSet }).passthrough();

/** Renew this long before the access tokens expire. */
const EARLY_MS = 30_000;
/** When mit.dk does not say how long a token lives. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

export class MitdkSession {
  private readonly base: string;
  private refresh: MitdkRefreshTokens;
  private access: { dpp: string; ngdp: string; expiresAt: number } | null = null;
  private refreshing: Promise<void> | null = null;
  /** How many times the tokens were refreshed (for health and tests). */
  refreshes = 0;

  constructor(private readonly o: MitdkSessionOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.refresh = { ...o.refreshTokens };
  }

  private now(): number { return this.o.now?.() ?? Date.now(); }

  /** Drop the access tokens; the next call refreshes. */
  invalidate(): void { this.access = null; }

  /**
   * One authenticated call, `path` relative to the base URL. Refreshes the tokens when they are
   * missing or about to expire, and once more on 401. Other statuses are the caller's to judge.
   */
  async send(method: string, path: string, init: SendInit = {}): Promise<RawAnswer> {
    for (let attempt = 0; ; attempt++) {
      const access = await this.tokens();
      const answer = await exchange(this.o, this.base, method, path, {
        ...init, headers: { ...init.headers, mitdkToken: access.dpp, ngdpToken: access.ngdp, platform: 'web' },
      });
      if (answer.status !== 401) return answer;
      if (this.access === access) this.access = null;
      if (attempt >= 1) {
        throw new ProviderError('credentials_refused', `mit.dk refused fresh access tokens (401 to ${method} ${path}); `
          + 'the sign-in behind them may have been revoked: sign in to mit.dk with MitID again and save the new tokens.', false, 401);
      }
    }
  }

  private async tokens(): Promise<{ dpp: string; ngdp: string; expiresAt: number }> {
    if (this.access && this.access.expiresAt - EARLY_MS > this.now()) return this.access;
    this.refreshing ??= this.doRefresh().finally(() => { this.refreshing = null; });
    await this.refreshing;
    return this.access!;
  }

  private async doRefresh(): Promise<void> {
    const path = `/authorization/refresh?client_id=${encodeURIComponent(this.o.clientId)}`;
    const a = await exchange(this.o, this.base, 'POST', path, { json: this.refresh });
    let json: unknown;
    try { json = JSON.parse(a.body.toString('utf8')); } catch { json = undefined; }
    if (a.status >= 500 || a.status === 429 || a.status === 408) {
      throw new ProviderError('provider_unavailable', `mit.dk could not renew the sign-in just now (${a.status}); will try again.`, true, a.status);
    }
    const parsed = refreshAnswerSchema.safeParse(json);
    if (a.status !== 200 || !parsed.success) {
      if (a.status === 200 && json === undefined) {
        throw new ProviderError('provider_answer_unreadable', 'mit.dk sent a token answer we cannot read (truncated or malformed JSON); will try again.', true);
      }
      const detail = providerErrorDetail(a.body, 'mitdk');
      const said = detail ? `: ${detail}` : '';
      throw new ProviderError('credentials_refused', `mit.dk refused to renew the sign-in (${a.status}${said}). Someone with access to the company's `
        + 'mailbox on mit.dk must sign in with MitID again and save the new refresh tokens in Brevdue.', false, a.status);
    }
    const t = parsed.data;
    const lifetime = Math.min(t.dpp.expires_in ?? Infinity, t.ngdp.expires_in ?? Infinity);
    this.access = {
      dpp: t.dpp.access_token, ngdp: t.ngdp.access_token,
      expiresAt: this.now() + (Number.isFinite(lifetime) ? lifetime * 1000 : DEFAULT_LIFETIME_MS),
    };
    this.refresh = { dppRefreshToken: t.dpp.refresh_token, ngdpRefreshToken: t.ngdp.refresh_token };
    this.refreshes++;
    await this.o.onTokens?.({ ...this.refresh });
  }
}

/** One HTTP exchange with the body read in full inside the time limit; network trouble is retryable. */
export async function exchange(o: Pick<MitdkSessionOptions, 'timeoutMs' | 'dispatcher'>, base: string, method: string, path: string, init: SendInit): Promise<RawAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  return withTimeout(o.timeoutMs ?? 60_000, async (signal) => {
    let res: Response;
    try {
      res = await fetch(base + path, { method, headers, body, signal, ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}) } as RequestInit);
    } catch (e) {
      throw new ProviderError('provider_unavailable', `mit.dk ${method} ${stripQuery(path)} ${describeFailure(e)}; will try again.`, true);
    }
    let buf: Buffer;
    try {
      buf = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw new ProviderError('provider_answer_unreadable', `mit.dk broke off the answer to ${method} ${stripQuery(path)} (${describeFailure(e)}); will try again.`, true);
    }
    // fetch decompresses, and Content-Length is then the compressed size: compare only unencoded
    // bodies. A compressed one cut short fails in fetch itself, and the JSON reader refuses half a document.
    const coding = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if ((coding === '' || coding === 'identity') && Number.isFinite(declared) && declared !== buf.length) {
      throw new ProviderError('provider_answer_unreadable', `mit.dk sent ${buf.length} of ${declared} bytes for ${method} ${stripQuery(path)}; will try again.`, true);
    }
    return { status: res.status, headers: res.headers, body: buf };
  });
}

/** A ProviderError for an unexpected status: 5xx, 429 and 408 are worth another try, the rest not. */
export function statusError(a: RawAnswer, method: string, path: string): ProviderError {
  const retryable = a.status >= 500 || a.status === 429 || a.status === 408;
  // Only mit.dk's own error code and message, bounded and cleaned: never the body as it came.
  const detail = providerErrorDetail(a.body, 'mitdk');
  return new ProviderError(kindOfStatus(a.status), `mit.dk answered ${a.status} to ${method} ${stripQuery(path)}${retryable ? ' (will try again)' : ''}${detail ? `: ${detail}` : '.'}`, retryable, a.status);
}

/** Parses a JSON answer; a cut-off or broken body is a retryable ProviderError. */
export function readJson(a: RawAnswer, what: string): unknown {
  try {
    return JSON.parse(a.body.toString('utf8'));
  } catch {
    throw new ProviderError('provider_answer_unreadable', `mit.dk sent ${what} we cannot read (truncated or malformed JSON); will try again.`, true);
  }
}

const stripQuery = (p: string) => p.replace(/\?.*$/, '');

function describeFailure(e: unknown): string {
  const err = e as Error & { cause?: Error };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'did not answer in time';
  return `could not be completed: ${err.cause?.message ?? err.message}`;
}
