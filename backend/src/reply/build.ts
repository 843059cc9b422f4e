// The reply MeMo, built from the original letter (pure). MeMo and NgDP say a reply is a new message:
// its own messageUUID, sent by the CVR number that received the original, to the original's sender
// and the ContactPoint it named, with a ReplyData chain that names the original's messageUUID.
//
// The person's text travels as the main document, as a PDF (pdf.ts): every Digital Post recipient
// system and caseworker can open a PDF, and it keeps Danish letters and line breaks exactly.
import type { Memo, MemoContactPoint, MemoDocument, MemoReplyData } from '../memo/types';

export interface ReplyFile {
  filename: string;
  mimeType: string;
  content: Buffer;
}

export interface ReplyInput {
  /** The reply's messageUUID (version 4), fixed when the reply row is created. */
  messageUUID: string;
  /** The main document: the person's text rendered as a PDF. */
  mainDocument: ReplyFile;
  attachments: ReplyFile[];
  now: Date;
  /** Our organisation's name for the CVR number, used when the original named the recipient by number only (MeMo requires the sender's label). */
  senderName?: string;
}

/** MeMo text fields hold at most 256 characters. */
const TEXT_MAX = 256;

/** "Re: <original label>", cut to what MeMo's label allows. */
export function replyLabel(originalLabel: string): string {
  const label = `Re: ${originalLabel.replace(/^\s*(re|sv)\s*:\s*/i, '')}`;
  return label.length <= TEXT_MAX ? label : `${label.slice(0, TEXT_MAX - 1)}…`;
}

/** The original's chain plus one entry naming the original itself (its UUID, id, parties, case and contact point). */
export function replyChain(original: Memo, replyUUID: string): MemoReplyData[] {
  const entry: MemoReplyData = {
    ...(original.messageID ? { messageID: original.messageID } : {}),
    messageUUID: original.messageUUID,
    // replyUUID: this reply's own UUID, so the sender's case system can pair question and answer.
    replyUUID,
    senderID: original.sender.id,
    recipientID: original.recipient.id,
    ...(original.contentData?.caseID?.[0] ? { caseID: original.contentData.caseID[0].caseID } : {}),
    ...(original.sender.contactPoint?.contactPointID ? { contactPointID: original.sender.contactPoint.contactPointID } : {}),
    ...(original.sender.attentionData?.generatingSystem?.generatingSystemID
      ? { generatingSystemID: original.sender.attentionData.generatingSystem.generatingSystemID } : {}),
  };
  return [...original.replyData, entry];
}

/** MeMo's xs:dateTime as the schema wants it: UTC, whole seconds, ending in Z. */
export function memoDateTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function buildReplyMemo(original: Memo, input: ReplyInput): Memo {
  const label = replyLabel(original.label);
  const contactPoint: MemoContactPoint | undefined = original.sender.contactPoint
    ? structuredClone(original.sender.contactPoint) : undefined;
  const file = (f: ReplyFile) => ({ encodingFormat: f.mimeType, filename: f.filename, language: 'da', content: f.content });
  const additional: MemoDocument[] = input.attachments.map((a, i) => ({
    documentID: `BILAG-${i + 1}`,
    label: a.filename.length <= TEXT_MAX ? a.filename : a.filename.slice(0, TEXT_MAX),
    files: [file(a)],
    actions: [],
  }));
  const caseIDs = original.contentData?.caseID;
  return {
    version: '1.2',
    messageType: 'DIGITALPOST',
    messageUUID: input.messageUUID,
    label,
    reply: false,
    sender: {
      id: original.recipient.id,
      idType: original.recipient.idType,
      label: original.recipient.label || input.senderName || original.recipient.id,
    },
    recipient: {
      id: original.sender.id,
      idType: original.sender.idType,
      ...(original.sender.label ? { label: original.sender.label } : {}),
      ...(contactPoint ? { contactPoint } : {}),
    },
    // Only the case number travels back (it lets the authority file the answer); nothing else of the
    // original's content data, which may hold CPR numbers.
    ...(caseIDs?.length ? { contentData: { caseID: caseIDs.map((c) => ({ ...c })) } } : {}),
    replyData: replyChain(original, input.messageUUID),
    body: {
      createdDateTime: memoDateTime(input.now),
      mainDocument: { documentID: 'SVAR', label, files: [file(input.mainDocument)], actions: [] },
      additionalDocuments: additional,
      technicalDocuments: [],
    },
  };
}
