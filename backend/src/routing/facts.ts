// The MeMo fields that rules match on, extracted once at ingest and stored with the letter
// (no document content), so routing is a pure function of facts and rules.
import type { Memo } from '../memo/types';
import { findCprNumbers } from '../../../shared/src/identifiers';

export interface RoutingFacts {
  provider: string;
  senderId: string;
  senderName: string;
  recipientCvr: string;
  label: string;
  kle: string[];
  caseIds: string[];
  attentionPerson?: string;
  productionUnit?: string;
  documentNames: string[];
  replyRequired: boolean;
  cprPresent: boolean;
  /** The letter's actions (links, payments, bookings), shown in the delivered mail; absent on older rows. */
  actions?: { label: string; actionCode: string; url?: string; startDateTime?: string; endDateTime?: string }[];
}

export function routingFactsOf(memo: Memo, provider: string): RoutingFacts {
  const docs = [memo.body.mainDocument, ...memo.body.additionalDocuments].filter((d) => d !== undefined);
  const att = memo.recipient.attentionData;
  return {
    provider,
    senderId: memo.sender.id,
    senderName: memo.sender.label ?? memo.sender.id,
    recipientCvr: memo.recipient.id,
    label: memo.label,
    kle: memo.contentData?.kleData?.map((k) => k.subjectKey) ?? [],
    caseIds: memo.contentData?.caseID?.map((c) => c.caseID) ?? [],
    attentionPerson: att?.attentionPerson?.label ?? att?.attentionPerson?.personID,
    productionUnit: att?.productionUnit?.productionUnitNumber,
    documentNames: docs.flatMap((d) => d!.files.map((f) => f.filename)),
    replyRequired: memo.reply,
    actions: docs.flatMap((d) => d!.actions).slice(0, 20).map((a) => ({
      label: a.label, actionCode: a.actionCode,
      ...(a.entryPointUrl ? { url: a.entryPointUrl } : {}),
      ...(a.startDateTime ? { startDateTime: a.startDateTime } : {}),
      ...(a.endDateTime ? { endDateTime: a.endDateTime } : {}),
    })),
    cprPresent: (memo.contentData?.cprData?.length ?? 0) > 0 || findCprNumbers(`${memo.label} ${memo.notification ?? ''}`).length > 0,
  };
}
