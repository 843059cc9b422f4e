// The parsed form of a MeMo message (Digital Post "Message Model", versions 1.1 and 1.2).
// Field names follow the XSD element names in camelCase so the schema stays the reference.

export type MemoVersion = '1.1' | '1.2';

export interface MemoFile {
  encodingFormat: string; // MIME type, e.g. application/pdf
  filename: string;
  language: string;
  content: Buffer; // decoded base64
}

export interface MemoAction {
  label: string;
  actionCode: string; // AFTALE | BETALING | SELVBETJENING | INFORMATION | UNDERSKRIV | BETALINGSSERVICE | FORBRUGSOPLYSNINGER | ...
  startDateTime?: string;
  endDateTime?: string;
  entryPointUrl?: string; // Action/EntryPoint/url
  /** Action/Reservation (a calendar booking); an Action has either an EntryPoint or a Reservation, not both. */
  reservation?: MemoReservation;
}

export interface MemoReservation {
  description: string;
  reservationUUID: string;
  abstract: string;
  location: string;
  startDateTime: string;
  endDateTime: string;
  organizerMail?: string;
  organizerName?: string;
}

export interface MemoDocument {
  documentID?: string; // mainDocumentID / additionalDocumentID / technicalDocumentID
  label: string; // optional in the XSD: '' when the document has no label
  files: MemoFile[];
  actions: MemoAction[];
}

export interface MemoAttentionData {
  attentionPerson?: { personID?: string; label?: string };
  productionUnit?: { productionUnitNumber: string; productionUnitName?: string };
  globalLocationNumber?: { globalLocationNumber: string; location?: string };
  email?: { emailAddress: string; relatedAgent?: string };
  sorData?: { sorIdentifier: string; entryName?: string };
  contentResponsible?: { contentResponsibleID?: string; label?: string };
  generatingSystem?: { generatingSystemID?: string; label?: string };
  seNumber?: { seNumber: string; companyName?: string }; // grd:SEnumber
  eid?: { eID: string; label?: string }; // grd:EID
  sedpData?: Record<string, string>; // no MeMo 1.1/1.2 element; never set by the parser
  telephone?: { telephoneNumber: string; relatedAgent?: string };
  ribData?: Record<string, string>; // no MeMo 1.1/1.2 element; never set by the parser
  address?: Record<string, string>; // grd:Address children by name (id, addressLabel, ..., country, geographicEastingMeasure, ...)
  unstructuredAddress?: string;
}

export interface MemoContactPoint {
  contactGroup?: string;
  contactPointID?: string;
  label?: string;
  contactInfo: { label: string; value: string }[];
}

export interface MemoParty {
  id: string; // senderID / recipientID
  idType: string; // CVR | CPR | ...
  idTypeLabel?: string;
  label?: string;
  attentionData?: MemoAttentionData;
  contactPoint?: MemoContactPoint;
  /** Sender/Representative (MeMo 1.2, sender only): who sends on the sender's behalf. */
  representative?: { representativeID?: string; idType?: string; idTypeLabel?: string; label?: string };
}

export interface MemoContentData {
  cprData?: { cprNumber: string; name?: string }[];
  cvrData?: { cvrNumber: string; companyName?: string }[];
  motorVehicle?: { licenseNumber?: string; chassisNumber?: string }[];
  propertyNumber?: string[];
  caseID?: { caseID: string; caseSystem?: string }[];
  kleData?: { subjectKey: string; version?: string; activityFacet?: string; label?: string }[];
  formData?: { taskKey: string; version?: string; activityFacet?: string; label?: string }[];
  productionUnit?: { productionUnitNumber: string; productionUnitName?: string }[];
  education?: { educationCode: string; educationName?: string }[];
  address?: Record<string, string>[];
  unstructuredAddress?: string[];
  // contentDataType is optional in the XSD: '' when absent.
  additionalContentData?: { contentDataType: string; contentDataName: string; contentDataValue: string }[];
}

export interface MemoForwardData {
  messageUUID: string;
  originalMessageDateTime: string;
  originalSender: string;
  originalContentResponsible?: string;
  originalRepresentative?: string;
  contactPointID?: string;
  comment?: string;
}

export interface MemoReplyData {
  messageID?: string;
  messageUUID: string;
  replyUUID?: string;
  senderID?: string;
  recipientID?: string;
  caseID?: string;
  contactPointID?: string;
  generatingSystemID?: string;
  comment?: string;
  additionalReplyData?: { label: string; value: string }[];
}

export interface Memo {
  version: MemoVersion;
  /** Message/@memoSchVersion, required in MeMo 1.1 (e.g. "1.1.0"), absent in 1.2. */
  memoSchVersion?: string;
  messageType: 'DIGITALPOST' | 'NEMSMS';
  messageUUID: string;
  messageID?: string;
  messageCode?: string;
  label: string;
  notification?: string;
  additionalNotification?: string;
  reply: boolean;
  replyByDateTime?: string;
  doNotDeliverUntilDate?: string;
  mandatory?: boolean;
  legalNotification?: boolean;
  postType?: string;
  sender: MemoParty;
  recipient: MemoParty;
  contentData?: MemoContentData;
  forwardData?: MemoForwardData;
  replyData: MemoReplyData[];
  body: {
    /** '' when the message has no MessageBody (a NEMSMS carries only the header). */
    createdDateTime: string;
    mainDocument?: MemoDocument; // absent only for NEMSMS
    additionalDocuments: MemoDocument[];
    technicalDocuments: MemoDocument[];
  };
}

/** Thrown for input that is not a valid MeMo; `path` is the element path, e.g. Message/MessageHeader/Sender/senderID. */
export class MemoError extends Error {
  constructor(public readonly path: string, public readonly rule: string) {
    super(`${path}: ${rule}`);
    this.name = 'MemoError';
  }
}
