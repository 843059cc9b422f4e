// REST push as Digital Post does it: one POST per memo to the system's registered endpoint,
// multipart/form-data with a single part `file` whose filename is the memo's messageUUID. Real NgDP
// authenticates with its client certificate (mTLS); in-process there is no TLS, so the caller may
// add the header a TLS-terminating proxy would set (e.g. X-ARR-ClientCert) to exercise that check.
import http from 'node:http';
import https from 'node:https';
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
    // A new connection per push, as NgDP makes: a pooled keep-alive socket that the server closes
    // just as a (slowly built) push starts would fail the push for no reason of ours.
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    headers['Content-Type'] = encoded.headers.get('content-type')!;
    const res = await post(url, headers, body);
    memo.lastStatus = res.status;
    memo.lastError = res.status >= 200 && res.status < 300 ? null : res.body.slice(0, 500);
    return { messageUUID: memo.id, status: res.status, body: res.body };
  } catch (e) {
    const err = e as Error & { cause?: Error };
    memo.lastStatus = null;
    memo.lastError = err.cause?.message ?? err.message;
    return { messageUUID: memo.id, status: 0, body: '', error: memo.lastError };
  }
}

function post(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method: 'POST', agent: false, headers: { ...headers, 'Content-Length': String(body.length), Connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written: its answer counts.
    req.on('error', reject);
    req.end(body);
  });
}
