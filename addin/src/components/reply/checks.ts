// The reply's limits checked in the pane before anything is uploaded (the server checks again, and
// also by content). Pure, so the dialog and the tests share them.
import { REPLY_FILE_TYPES, REPLY_LIMITS } from '../../../../shared/src/contracts';

export const REPLY_ACCEPT = Object.values(REPLY_FILE_TYPES).flat().map((e) => `.${e}`).join(',');
const ENDINGS = new Set(Object.values(REPLY_FILE_TYPES).flat());

export type FileProblem =
  | { kind: 'type'; name: string }
  | { kind: 'tooLarge'; name: string; size: number }
  | { kind: 'tooMany' }
  | { kind: 'totalTooLarge'; size: number };

export interface PickedFile { name: string; size: number }

/** The first problem of a set of files, or null. */
export function fileProblem(files: readonly PickedFile[]): FileProblem | null {
  if (files.length > REPLY_LIMITS.maxFiles) return { kind: 'tooMany' };
  for (const f of files) {
    const dot = f.name.lastIndexOf('.');
    if (dot < 0 || !ENDINGS.has(f.name.slice(dot + 1).toLowerCase())) return { kind: 'type', name: f.name };
    if (f.size > REPLY_LIMITS.fileMaxBytes) return { kind: 'tooLarge', name: f.name, size: f.size };
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  return total > REPLY_LIMITS.totalMaxBytes ? { kind: 'totalTooLarge', size: total } : null;
}

/** Characters as the server counts them (code points). */
export const textLength = (s: string) => [...s].length;

/** The reason the letter cannot be answered now, or null when it can. */
export function replyBlocked(m: { provider: string; replyAllowed: boolean; replyBy: string | null }, now = new Date()):
  'wrongProvider' | 'notAllowed' | 'deadlinePassed' | null {
  if (!m.replyAllowed) return 'notAllowed';
  if (m.provider !== 'ngdp') return 'wrongProvider';
  if (m.replyBy && new Date(m.replyBy).getTime() <= now.getTime()) return 'deadlinePassed';
  return null;
}
