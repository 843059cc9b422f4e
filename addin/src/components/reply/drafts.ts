// Reply drafts, one per letter, kept in memory for the pane's session: closing the dialog (or the
// pane showing another letter) does not lose a typed reply; it goes once sent or explicitly
// discarded. Not stored anywhere else, so a reply's text never outlives the pane. The memoUuid goes
// with the draft: sending again after a lost answer must still find the same reply.

export interface ReplyDraft {
  text: string;
  files: File[];
  memoUuid: string;
}

const drafts = new Map<string, ReplyDraft>();

/** Something a person would lose: text that is not only blanks, or a file. */
export const draftHasContent = (d: Pick<ReplyDraft, 'text' | 'files'>) => d.text.trim() !== '' || d.files.length > 0;

/** The letter's draft, or a new empty one (not kept until saved). */
export function draftFor(letterId: string): ReplyDraft {
  return drafts.get(letterId) ?? { text: '', files: [], memoUuid: crypto.randomUUID() };
}

export function hasDraft(letterId: string): boolean {
  const d = drafts.get(letterId);
  return !!d && draftHasContent(d);
}

export function saveDraft(letterId: string, draft: ReplyDraft): void {
  drafts.set(letterId, draft);
}

export function dropDraft(letterId: string): void {
  drafts.delete(letterId);
}
