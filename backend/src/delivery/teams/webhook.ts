// Posting the announcement card to a channel's Workflows webhook. The URL is checked against the
// allowlist again right here (a stored destination may predate a rule change), nothing is sent
// when it is refused, and redirects are not followed (they could lead anywhere).
//
// A 202 means Power Automate accepted the request for a run; whether Teams then shows the card is
// only visible in the flow's run history. The webhook cannot be asked whether a card was posted,
// so a retry after a timeout may post the card twice (the files themselves are not duplicated).
import { withTimeout } from '../../util/timeout';
import { TEAMS_MESSAGE_MAX_BYTES, teamsMessage, type AdaptiveCard } from './card';
import { TeamsDeliveryError, isRetryableStatus, isTimeout, retryAfterOf } from './errors';
import { checkWebhookUrl } from './webhook-url';

export interface PostCardOptions {
  fetch?: typeof fetch;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Exact origins allowed besides Microsoft's hosts (the local simulator in demo and tests). */
  extraAllowedOrigins?: string[];
}

export interface PostCardResult { status: number; runId: string | null }

const DEFAULT_TIMEOUT_MS = 30_000;

export async function postCard(url: string, card: AdaptiveCard, opts: PostCardOptions = {}): Promise<PostCardResult> {
  const check = checkWebhookUrl(url, opts.extraAllowedOrigins);
  if (!check.ok) throw new TeamsDeliveryError(`The Teams webhook URL was refused: ${check.reason}`, { retryable: false, code: 'WebhookUrlRefused' });
  const body = JSON.stringify(teamsMessage(card));
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > TEAMS_MESSAGE_MAX_BYTES) {
    throw new TeamsDeliveryError(`The Teams card is ${bytes} bytes; Teams takes messages up to 28 KB.`, { retryable: false, code: 'CardTooLarge' });
  }
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let res: Response;
  let text: string;
  try {
    ({ res, text } = await withTimeout(timeoutMs, async (signal) => {
      const r = await doFetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, redirect: 'manual', signal });
      return { res: r, text: await r.text().catch(() => '') };
    }));
  } catch (e) {
    const why = isTimeout(e) ? `did not answer within ${timeoutMs} ms` : `could not be reached (${(e as Error).message}${causeOf(e)})`;
    throw new TeamsDeliveryError(`The Teams webhook ${why}; the card may or may not have been posted.`, { retryable: true, uncertain: true, cause: e });
  }

  const runId = res.headers.get('x-ms-workflow-run-id');
  if (res.status >= 200 && res.status < 300) {
    // Legacy connectors answer 200 with an error text in the body when Teams refused the message.
    const legacy = /failed with error:?\s*(.*)$/i.exec(text.trim());
    if (check.kind === 'legacy-connector' && legacy) {
      const inner = Number(/HTTP error (\d{3})/i.exec(legacy[1])?.[1] ?? 0);
      throw new TeamsDeliveryError(`The Teams connector refused the card: ${legacy[1].slice(0, 300)}`, {
        statusCode: inner || undefined, retryable: inner ? isRetryableStatus(inner) : false,
      });
    }
    return { status: res.status, runId };
  }
  const { code, message } = errorOf(text);
  const detail = `${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const retryAfterMs = retryAfterOf(res.headers);
  if (res.status >= 300 && res.status < 400) {
    throw new TeamsDeliveryError(`The Teams webhook answered with a redirect (${res.status}); Brevdue does not follow webhook redirects. Copy the webhook URL again from Teams.`, {
      statusCode: res.status, retryable: false,
    });
  }
  const hint = res.status === 404 ? ' The workflow no longer exists or is turned off: create the webhook again in the channel and update the destination.'
    : res.status === 401 || res.status === 403 ? ' The URL\'s signature was refused: copy the whole webhook URL (including sig=…) again from Teams.'
      : res.status === 413 ? ' The card is too large for Teams.'
        : res.status === 429 ? ' Power Automate is throttling this workflow; Brevdue will try again later.' : '';
  throw new TeamsDeliveryError(`The Teams webhook answered ${detail}.${hint}`, {
    statusCode: res.status, code, headers: res.headers,
    retryable: isRetryableStatus(res.status), retryAfterMs, uncertain: res.status >= 500,
  });
}

function errorOf(text: string): { code?: string; message?: string } {
  try {
    const j = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return {
      code: typeof j.error?.code === 'string' ? j.error.code : undefined,
      message: typeof j.error?.message === 'string' ? j.error.message.slice(0, 500) : undefined,
    };
  } catch {
    return { message: text ? text.slice(0, 300) : undefined };
  }
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ? `: ${c.code}` : c?.message ? `: ${c.message}` : '';
}
