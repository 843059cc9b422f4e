// A plain-JSON overview of a Memo: every header and content field that is present, each document
// by role, name, type and size, and the actions, but never a byte of document content.
import type { Memo, MemoAction, MemoAttentionData, MemoContactPoint, MemoContentData, MemoDocument, MemoForwardData, MemoParty, MemoReplyData } from './types';

export type DocumentRole = 'main' | 'additional' | 'technical';

export interface MemoSummaryParty {
  id: string;
  idType: string;
  label: string | null;
  idTypeLabel?: string;
  attention?: MemoAttentionData;
  contactPoint?: MemoContactPoint;
  representative?: NonNullable<MemoParty['representative']>;
}

export interface MemoSummaryDocument {
  role: DocumentRole;
  /** The file name; a document with several files (e.g. PDF plus an alternative format) gives one entry per file. */
  name: string;
  mimeType: string;
  size: number; // bytes, decoded
  language: string;
  documentID?: string;
  documentLabel?: string;
}

export interface MemoSummaryAction extends Omit<MemoAction, 'entryPointUrl'> {
  role: DocumentRole;
  /** The name of the document's first file, to tell which document the action belongs to. */
  document: string;
  url?: string;
}

export interface MemoSummary {
  uuid: string;
  version: Memo['version'];
  memoSchVersion?: string;
  type: Memo['messageType'];
  label: string;
  messageID?: string;
  messageCode?: string;
  notification?: string;
  additionalNotification?: string;
  postType?: string;
  mandatory?: boolean;
  legalNotification?: boolean;
  doNotDeliverUntilDate?: string;
  sender: MemoSummaryParty;
  recipient: MemoSummaryParty;
  /** null for a message without a MessageBody (a NEMSMS). */
  createdDateTime: string | null;
  replyAllowed: boolean;
  replyBy: string | null;
  documents: MemoSummaryDocument[];
  actions?: MemoSummaryAction[];
  contentData?: MemoContentData;
  forwardData?: MemoForwardData;
  replyData?: MemoReplyData[];
}

export function summarizeMemo(memo: Memo): MemoSummary {
  const docs: [DocumentRole, MemoDocument][] = [
    ...(memo.body.mainDocument ? [['main', memo.body.mainDocument] as [DocumentRole, MemoDocument]] : []),
    ...memo.body.additionalDocuments.map((d): [DocumentRole, MemoDocument] => ['additional', d]),
    ...memo.body.technicalDocuments.map((d): [DocumentRole, MemoDocument] => ['technical', d]),
  ];
  const documents = docs.flatMap(([role, d]) => d.files.map((f) => clean<MemoSummaryDocument>({
    role,
    name: f.filename,
    mimeType: f.encodingFormat,
    size: f.content.length,
    language: f.language,
    documentID: d.documentID,
    documentLabel: d.label || undefined,
  })));
  const actions = docs.flatMap(([role, d]) => d.actions.map((a) => {
    const { entryPointUrl, ...rest } = a;
    return clean<MemoSummaryAction>({ role, document: d.files[0]?.filename ?? '', ...copy(rest), url: entryPointUrl });
  }));
  return clean<MemoSummary>({
    uuid: memo.messageUUID,
    version: memo.version,
    memoSchVersion: memo.memoSchVersion,
    type: memo.messageType,
    label: memo.label,
    messageID: memo.messageID,
    messageCode: memo.messageCode,
    notification: memo.notification,
    additionalNotification: memo.additionalNotification,
    postType: memo.postType,
    mandatory: memo.mandatory,
    legalNotification: memo.legalNotification,
    doNotDeliverUntilDate: memo.doNotDeliverUntilDate,
    sender: party(memo.sender),
    recipient: party(memo.recipient),
    createdDateTime: memo.body.createdDateTime || null,
    replyAllowed: memo.reply,
    replyBy: memo.replyByDateTime ?? null,
    documents,
    actions: actions.length ? actions : undefined,
    contentData: memo.contentData && copy(memo.contentData),
    forwardData: memo.forwardData && copy(memo.forwardData),
    replyData: memo.replyData.length ? copy(memo.replyData) : undefined,
  });
}

function party(p: MemoParty): MemoSummaryParty {
  return clean<MemoSummaryParty>({
    id: p.id,
    idType: p.idType,
    label: p.label ?? null,
    idTypeLabel: p.idTypeLabel,
    attention: p.attentionData && copy(p.attentionData),
    contactPoint: p.contactPoint && copy(p.contactPoint),
    representative: p.representative && copy(p.representative),
  });
}

/** Drops undefined entries so the result is the same object JSON.parse(JSON.stringify(it)) gives back. */
function clean<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** A JSON-safe deep copy (the summary must not share objects with the Memo, nor carry Buffers). */
function copy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x) => (Buffer.isBuffer(x) || (x && x.type === 'Buffer' && Array.isArray(x.data)) ? undefined : x))) as T;
}
