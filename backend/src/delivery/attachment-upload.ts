// Large attachments (over 3 MB) through Graph's upload-session protocol: create a session on the
// message, then PUT the bytes in ranges to the session's URL. That URL carries its own credential:
// it must not get our bearer token (Graph refuses it, and it would leak the token to another host).
import type { Client } from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { call, enc } from './mailbox';
import type { Pacer, UploadReservation } from './pacing/pacer';
import { retryAfterMs } from './pacing/middleware';
import { withTimeout } from '../util/timeout';
import { safeFilename } from '../util/filename';

/** Graph: chunks of at most 4 MB; a multiple of 320 KiB keeps us aligned with what OneDrive wants too. */
export const ATTACHMENT_CHUNK_BYTES = 12 * 320 * 1024; // 3.75 MiB
const CHUNK_TIMEOUT_MS = 60_000;
const MAX_THROTTLE_RETRIES = 6;

export class UploadRefused extends Error {
  constructor(message: string, readonly status: number, readonly code: string) { super(message); }
}

export async function createAttachmentSession(graph: Client, mailbox: string, messageId: string,
  file: { filename: string; mimeType: string; size: number }): Promise<string> {
  const item: MicrosoftGraph.AttachmentItem = { attachmentType: 'file', name: safeFilename(file.filename), size: file.size, contentType: file.mimeType };
  try {
    const s = await call<MicrosoftGraph.UploadSession>(graph, `/users/${enc(mailbox)}/messages/${enc(messageId)}/attachments/createUploadSession`,
      (r) => r.post({ AttachmentItem: item }));
    if (!s.uploadUrl) throw new Error('Microsoft Graph created an upload session without an uploadUrl.');
    return s.uploadUrl;
  } catch (e) {
    const g = e as { statusCode?: number; code?: string; message?: string };
    // A 4xx other than throttling is Graph refusing the session itself (e.g. on a non-draft message).
    if (g.statusCode && g.statusCode >= 400 && g.statusCode < 500 && g.statusCode !== 429 && g.statusCode !== 404) {
      throw new UploadRefused(`Microsoft Graph refused an upload session for "${file.filename}": ${g.statusCode} ${g.code ?? ''} ${g.message ?? ''}`.trim(), g.statusCode, g.code ?? '');
    }
    throw e;
  }
}

/**
 * PUTs the content in ranges through the lane's pacer (uploads count against the mailbox's limits);
 * through `reservation` when the document's bytes were reserved before the session was opened.
 */
export async function uploadToSession(uploadUrl: string, content: Buffer,
  opts: { pacer?: Pacer; reservation?: UploadReservation; lane: string; fetchImpl?: typeof fetch }): Promise<void> {
  const doFetch = opts.fetchImpl ?? fetch;
  let offset = 0;
  let throttles = 0;
  while (offset < content.length) {
    const end = Math.min(content.length, offset + ATTACHMENT_CHUNK_BYTES);
    const chunk = content.subarray(offset, end);
    const release = opts.reservation ? await opts.reservation.acquire(chunk.length)
      : opts.pacer ? await opts.pacer.acquire(opts.lane, chunk.length) : () => {};
    let res: Response;
    try {
      res = await withTimeout(CHUNK_TIMEOUT_MS, (signal) => doFetch(uploadUrl, {
        method: 'PUT', signal, body: new Uint8Array(chunk),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(chunk.length), 'Content-Range': `bytes ${offset}-${end - 1}/${content.length}` },
      }));
    } finally { release(); }
    if (res.status === 429 || res.status === 503) {
      const wait = retryAfterMs(res.headers);
      opts.pacer?.pause(opts.lane, wait);
      await res.arrayBuffer().catch(() => undefined);
      if (++throttles > MAX_THROTTLE_RETRIES) throw Object.assign(new Error(`Upload kept being throttled (${res.status}).`), { statusCode: res.status });
      if (!opts.pacer) await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    if (res.status !== 200 && res.status !== 201 && res.status !== 202) {
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 300);
      try { const j = JSON.parse(text) as { error?: { code?: string; message?: string } }; if (j.error) detail = `${j.error.code ?? ''}: ${j.error.message ?? ''}`; } catch { /* not JSON */ }
      throw Object.assign(new Error(`Uploading bytes ${offset}-${end - 1} of ${content.length} failed: ${res.status} ${detail}`), { statusCode: res.status });
    }
    // Graph says where to continue; trust it over our own arithmetic.
    let next = end;
    if (res.status !== 201) {
      const body = await res.json().catch(() => ({})) as { nextExpectedRanges?: string[] };
      const r = body.nextExpectedRanges?.[0];
      if (r) next = Number(r.split('-')[0]);
    } else {
      await res.arrayBuffer().catch(() => undefined);
      next = content.length;
    }
    offset = next;
  }
}
