// Reads a reply's multipart/form-data request (field `text`, optional field `memoUuid`, files
// `attachments`) with busboy, bounded: a request far beyond the limits is refused from its
// Content-Length before a byte is read; otherwise at most the limits are kept in memory, and a
// violation is reported once the body has been drained (so the browser reads our answer).
import busboy from 'busboy';
import type { Request } from 'express';
import { REPLY_LIMITS } from '../../../shared/src/contracts';
import { ReplyRefusal } from './validate';
import type { UploadedFile } from './validate';

export interface ReplyForm { text: string | undefined; memoUuid: string | undefined; files: UploadedFile[] }

/** The multipart framing around 25 MB of files and 10,000 characters of text fits well inside this. */
const SLACK = 1024 * 1024;
export const MAX_REPLY_REQUEST_BYTES = REPLY_LIMITS.totalMaxBytes + SLACK;
const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;

export function readReplyForm(req: Request): Promise<ReplyForm> {
  return new Promise((resolve, reject) => {
    if (!req.is('multipart/form-data')) {
      reject(new ReplyRefusal(400, 'invalid_request', 'Send the reply as multipart/form-data: a field "text" and files "attachments".'));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > MAX_REPLY_REQUEST_BYTES) {
      req.resume();
      reject(new ReplyRefusal(413, 'reply_too_large', `The reply is ${mb(declared)}; a reply with its attachments may be at most ${mb(REPLY_LIMITS.totalMaxBytes)}. Leave out or compress attachments.`));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        // Browsers send file names as raw UTF-8 ("Årsrapport.pdf"); busboy's default is latin1.
        defParamCharset: 'utf8',
        // One more than allowed of each, so that "too many" and "too large" can be told apart from "just right".
        limits: { files: REPLY_LIMITS.maxFiles + 1, fileSize: REPLY_LIMITS.fileMaxBytes + 1, fields: 10, parts: REPLY_LIMITS.maxFiles + 12, fieldSize: 64 * 1024 },
      });
    } catch (e) {
      reject(new ReplyRefusal(400, 'invalid_request', `The reply is not readable form data (${(e as Error).message}).`));
      return;
    }
    const form: ReplyForm = { text: undefined, memoUuid: undefined, files: [] };
    let problem: ReplyRefusal | null = null;
    const fail = (p: ReplyRefusal) => { problem ??= p; };
    let kept = 0;
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err); else if (problem) reject(problem); else resolve(form);
    };

    bb.on('field', (name, value, info) => {
      if (name === 'text') {
        if (info.valueTruncated) fail(new ReplyRefusal(400, 'reply_text_too_long', `The reply text is too long; at most ${REPLY_LIMITS.textMaxChars.toLocaleString('en')} characters are allowed.`));
        form.text = value;
      } else if (name === 'memoUuid') form.memoUuid = value || undefined;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'attachments' || problem) { stream.resume(); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        kept += c.length;
        if (kept > REPLY_LIMITS.totalMaxBytes) {
          fail(new ReplyRefusal(422, 'reply_files_too_large', `The attachments add up to more than ${mb(REPLY_LIMITS.totalMaxBytes)}, the most one reply may carry. Leave some out or compress them.`));
        }
        if (!problem) chunks.push(c);
      });
      stream.on('limit', () => {
        fail(new ReplyRefusal(422, 'reply_file_too_large', `"${info.filename}" is larger than ${mb(REPLY_LIMITS.fileMaxBytes)}, the most one attachment may be. Compress it or split it.`));
      });
      stream.on('end', () => {
        if (!problem) form.files.push({ filename: info.filename ?? '', content: Buffer.concat(chunks, size) });
      });
    });
    bb.on('filesLimit', () => {
      fail(new ReplyRefusal(422, 'reply_too_many_files', `A reply may carry at most ${REPLY_LIMITS.maxFiles} attachments. Combine some into one PDF.`));
    });
    bb.on('partsLimit', () => fail(new ReplyRefusal(400, 'invalid_request', 'The form has more parts than a reply can have.')));
    bb.on('error', (e) => { req.unpipe(bb); req.resume(); finish(new ReplyRefusal(400, 'invalid_request', `The reply is not readable form data (${(e as Error).message}).`)); });
    bb.on('close', () => finish(null));

    // Bounds what is read at all when no (or a false) Content-Length was sent.
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > 2 * MAX_REPLY_REQUEST_BYTES) req.socket.destroy();
      if (total > MAX_REPLY_REQUEST_BYTES && !settled) {
        req.unpipe(bb);
        req.resume();
        finish(new ReplyRefusal(413, 'reply_too_large', `The reply is larger than ${mb(REPLY_LIMITS.totalMaxBytes)} with its attachments. Leave out or compress attachments.`));
      }
    });
    req.on('aborted', () => finish(new ReplyRefusal(400, 'aborted', 'The upload was interrupted; send the reply again.')));
    req.pipe(bb);
  });
}
