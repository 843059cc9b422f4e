// What may be replied, and with what. Every refusal is a ReplyRefusal with an HTTP status and a
// sentence a person can act on; the API turns it into the JSON error as it is.
import { fileTypeFromBuffer } from 'file-type';
import { REPLY_FILE_TYPES, REPLY_LIMITS } from '../../../shared/src/contracts';
import { HttpError } from '../api/errors';

export class ReplyRefusal extends HttpError {}

const refuse = (status: number, code: string, message: string) => new ReplyRefusal(status, code, message);

/** What the check needs of the original letter. */
export interface ReplyableLetter {
  provider: string;
  reply: boolean;
  replyByDateTime?: string | null;
}

const PROVIDER_NAMES: Record<string, string> = { eboks: 'e-Boks', mitdk: 'mit.dk' };

/** The original allows a reply now: it came through Digital Post, says reply=true, and its deadline has not passed. */
export function checkReplyable(letter: ReplyableLetter, now: Date): void {
  if (letter.provider !== 'ngdp') {
    const name = PROVIDER_NAMES[letter.provider] ?? letter.provider;
    throw refuse(409, 'reply_wrong_provider', `This letter came through ${name}; replies can only be sent to Digital Post letters. Answer the sender in ${name} or by the contact details in the letter.`);
  }
  if (!letter.reply) {
    throw refuse(409, 'reply_not_allowed', 'The sender does not accept replies to this letter through Digital Post. Use the contact details in the letter instead.');
  }
  if (letter.replyByDateTime) {
    const by = new Date(letter.replyByDateTime);
    if (!Number.isNaN(by.getTime()) && by.getTime() <= now.getTime()) {
      throw refuse(409, 'reply_deadline_passed', `The deadline for replying to this letter passed on ${by.toISOString().slice(0, 16).replace('T', ' ')} UTC; Digital Post no longer takes replies to it. Contact the sender directly.`);
    }
  }
}

// C0 controls other than tab and line feed: XML cannot carry most of them and a PDF line cannot show them.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\ufffe\uffff]/g;

/** The reply text, line breaks normalised; 1–10,000 characters. */
export function checkText(raw: unknown): string {
  if (typeof raw !== 'string') throw refuse(400, 'reply_text_missing', 'Write the reply text (field "text").');
  const text = raw.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(/\s+$/, '').replace(/^\s*\n/, '');
  if (text.trim().length === 0) throw refuse(400, 'reply_text_missing', 'Write the reply text; it cannot be empty.');
  const chars = [...text].length;
  if (chars > REPLY_LIMITS.textMaxChars) {
    throw refuse(400, 'reply_text_too_long', `The reply is ${chars.toLocaleString('en')} characters; at most ${REPLY_LIMITS.textMaxChars.toLocaleString('en')} are allowed. Shorten it, or attach the rest as a document.`);
  }
  return text;
}

/** A safe file name: no folders, no characters Windows or MeMo dislike, at most 100 characters, its ending kept. */
export function sanitizeFilename(raw: string, fallback: string): string {
  const base = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  let name = base.replace(CONTROL, '').replace(/[\u0000-\u001f<>:"|?*]/g, '_').replace(/\s+/g, ' ').trim().replace(/^[.\s]+|[.\s]+$/g, '');
  if (!name) return fallback;
  if (name.length > 100) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 6 ? name.slice(dot) : '';
    name = name.slice(0, 100 - ext.length).trimEnd() + ext;
  }
  return name;
}

export interface UploadedFile { filename: string; content: Buffer }
export interface CheckedFile { filename: string; mimeType: string; content: Buffer }

const mb = (n: number) => `${(n / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;
const ALLOWED = 'PDF, PNG, JPEG, TIFF, Word (.docx), Excel (.xlsx) or plain text (.txt)';

/** Plain text has no signature: valid UTF-8 without NUL or other binary control bytes. */
function looksLikeText(b: Buffer): boolean {
  if (b.length === 0) return false;
  if (b.includes(0)) return false;
  try { new TextDecoder('utf-8', { fatal: true }).decode(b); } catch { return false; }
  return !/[\u0001-\u0008\u000e-\u001a\u001c-\u001f]/.test(b.subarray(0, 64 * 1024).toString('latin1'));
}

/** The type by content, or null when it is not one a reply may carry. */
export async function sniffType(content: Buffer): Promise<string | null> {
  const found = await fileTypeFromBuffer(content);
  if (found) return REPLY_FILE_TYPES[found.mime] ? found.mime : null;
  return looksLikeText(content) ? 'text/plain' : null;
}

/** Count, sizes and types (by content) of the attachments; names sanitised and made unique. */
export async function checkAttachments(files: UploadedFile[]): Promise<CheckedFile[]> {
  if (files.length > REPLY_LIMITS.maxFiles) {
    throw refuse(422, 'reply_too_many_files', `A reply may carry at most ${REPLY_LIMITS.maxFiles} attachments; you chose ${files.length}. Combine some into one PDF.`);
  }
  let total = 0;
  const out: CheckedFile[] = [];
  const used = new Set<string>();
  for (const [i, f] of files.entries()) {
    const shown = sanitizeFilename(f.filename, `Bilag ${i + 1}`);
    if (f.content.length === 0) throw refuse(422, 'reply_file_empty', `"${shown}" is empty; choose the file again.`);
    if (f.content.length > REPLY_LIMITS.fileMaxBytes) {
      throw refuse(422, 'reply_file_too_large', `"${shown}" is ${mb(f.content.length)}; each attachment may be at most ${mb(REPLY_LIMITS.fileMaxBytes)}. Compress it or split it.`);
    }
    total += f.content.length;
    if (total > REPLY_LIMITS.totalMaxBytes) {
      throw refuse(422, 'reply_files_too_large', `The attachments add up to more than ${mb(REPLY_LIMITS.totalMaxBytes)}, the most one reply may carry. Leave some out or compress them.`);
    }
    const mimeType = await sniffType(f.content);
    if (!mimeType) throw refuse(422, 'reply_file_type', `"${shown}" is not a file type Digital Post replies accept. Use ${ALLOWED}.`);
    const endings = REPLY_FILE_TYPES[mimeType];
    const dot = shown.lastIndexOf('.');
    const ext = dot > 0 ? shown.slice(dot + 1).toLowerCase() : '';
    let filename = shown;
    if (!ext) filename = `${shown}.${endings[0]}`;
    else if (!endings.includes(ext)) {
      // The recipient's system opens files by their ending; a mismatch would show garbage or be blocked.
      throw refuse(422, 'reply_file_type', `"${shown}" is named .${ext} but its content is ${mimeType === 'text/plain' ? 'plain text' : `a .${endings[0]} file`}. Rename it to .${endings[0]} or choose the right file.`);
    }
    let unique = filename;
    for (let n = 2; used.has(unique.toLowerCase()); n++) {
      const d = filename.lastIndexOf('.');
      unique = `${filename.slice(0, d)} (${n})${filename.slice(d)}`;
    }
    used.add(unique.toLowerCase());
    out.push({ filename: unique, mimeType, content: f.content });
  }
  return out;
}
