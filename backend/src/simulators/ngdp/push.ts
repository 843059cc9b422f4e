// REST push as Digital Post does it: one POST per memo to the system's registered endpoint,
// multipart/form-data with a single part `file` whose filename is the memo's messageUUID. Real NgDP
// authenticates with its client certificate (mTLS); in-process there is no TLS, so the caller may
// add the header a TLS-terminating proxy would set (e.g. X-ARR-ClientCert) to exercise that check.
import type { NgdpState } from './state';

export interface PushOptions {
  /** The header a TLS-terminating proxy would add with Digital Post's verified client certificate. */
  clientCertHeader?: { name: string; value: string };
  /** Defaults to the messageUUID, as NgDP sends it. */
  filename?: string;
  /** Content type of the `file` part (default application/xml). */
  partContentType?: string;
}

export interface PushResult { messageUUID: string; status: number; body: string; error?: string }

export async function pushMemo(state: NgdpState, url: string, cvr: string, xml: Buffer | string, opts: PushOptions = {}): Promise<PushResult> {
  const memo = state.addPushed(cvr, xml, url);
  const form = new FormData();
  form.append('file', new Blob([memo.xml as unknown as BlobPart], { type: opts.partContentType ?? 'application/xml' }), opts.filename ?? memo.id);
  const headers: Record<string, string> = {};
  if (opts.clientCertHeader) headers[opts.clientCertHeader.name] = opts.clientCertHeader.value;
  memo.attempts++;
  try {
    const res = await fetch(url, { method: 'POST', body: form, headers });
    const body = await res.text().catch(() => '');
    memo.lastStatus = res.status;
    memo.lastError = res.ok ? null : body.slice(0, 500);
    return { messageUUID: memo.id, status: res.status, body };
  } catch (e) {
    const err = e as Error & { cause?: Error };
    memo.lastStatus = null;
    memo.lastError = err.cause?.message ?? err.message;
    return { messageUUID: memo.id, status: 0, body: '', error: memo.lastError };
  }
}
