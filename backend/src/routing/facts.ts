// The MeMo fields that rules match on, extracted once at ingest and stored with the letter
// (no document content), so routing is a pure function of facts, the documents' text and rules.
import type { Memo, MemoDocument } from '../memo/types';
import type { RoutingFacts } from './types';
import { findCprNumbers, maskPartyId } from '../../../shared/src/identifiers';

export type { RoutingFacts } from './types';

/** Distinct, non-empty, trimmed, in first-seen order. */
function distinct(values: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const t = v?.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Only the fields that have a value, so the stored JSON stays small and `undefined`-free. */
function present<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function routingFactsOf(memo: Memo, provider: string): RoutingFacts {
  const docs: MemoDocument[] = [memo.body.mainDocument, ...memo.body.additionalDocuments].filter((d): d is MemoDocument => d !== undefined);
  const files = docs.flatMap((d) => d.files);
  const att = memo.recipient.attentionData;
  // The department responsible for the content is usually named in the sender's AttentionData.
  const responsible = att?.contentResponsible ?? memo.sender.attentionData?.contentResponsible;
  const cd = memo.contentData;
  const facts: RoutingFacts = {
    provider,
    messageType: memo.messageType,
    // A person's CPR number as sender is kept masked (DDMMYY-XXXX): rules on senderId match that form.
    senderId: maskPartyId(memo.sender.id, memo.sender.idType),
    senderIdType: memo.sender.idType,
    senderName: memo.sender.label ?? maskPartyId(memo.sender.id, memo.sender.idType),
    recipientCvr: memo.recipient.id,
    label: memo.label,
    notification: memo.notification,
    kle: distinct(cd?.kleData?.map((k) => k.subjectKey) ?? []),
    caseIds: distinct(cd?.caseID?.map((c) => c.caseID) ?? []),
    caseSystems: distinct(cd?.caseID?.map((c) => c.caseSystem) ?? []),
    forms: distinct(cd?.formData?.map((f) => f.taskKey) ?? []),
    cvrData: distinct(cd?.cvrData?.map((c) => c.cvrNumber) ?? []),
    cprPresent: (cd?.cprData?.length ?? 0) > 0 || findCprNumbers(`${memo.label} ${memo.notification ?? ''}`).length > 0,
    attentionPerson: att?.attentionPerson?.label ?? att?.attentionPerson?.personID,
    attentionPersonId: att?.attentionPerson?.personID,
    productionUnit: att?.productionUnit?.productionUnitNumber,
    attentionEmail: att?.email?.emailAddress,
    contentResponsible: responsible?.label ?? responsible?.contentResponsibleID,
    contentResponsibleId: responsible?.contentResponsibleID,
    documentNames: files.map((f) => f.filename),
    documentTypes: distinct(files.map((f) => f.encodingFormat.toLowerCase())),
    replyRequired: memo.reply,
    actions: docs.flatMap((d) => d.actions).slice(0, 20).map((a) => ({
      label: a.label, actionCode: a.actionCode,
      ...(a.entryPointUrl ? { url: a.entryPointUrl } : {}),
      ...(a.startDateTime ? { startDateTime: a.startDateTime } : {}),
      ...(a.endDateTime ? { endDateTime: a.endDateTime } : {}),
    })),
    createdAt: memo.body.createdDateTime || undefined,
  };
  return present(facts);
}
