// Memo → MeMo XML for memo.version (1.2 primarily; 1.1 too). The element tree is checked with the
// same schema table the parser uses (schema.ts) before a byte is written, so what this returns is
// valid MeMo or it throws a MemoError naming the field — it never drops a field silently.
//
// Round trip: parseMemo(buildMemoXml(m)) deep-equals m for every field m sets, with these
// normalisations, all of which are what the parser returns anyway: `reply: false` is written by
// leaving <reply> out; in 1.1 (where the XSD requires them) absent `mandatory`/`legalNotification`
// are written as false and an absent `memoSchVersion` as "1.1.0"; xs:boolean/xs:dateTime values are
// whitespace-trimmed by XSD rules.
import { MemoError, type Memo, type MemoAction, type MemoAttentionData, type MemoContactPoint, type MemoContentData, type MemoDocument, type MemoParty } from './types';
import { NS, PREFIX, checkIdentifier, messageDecl, validateTree, type XAttr, type XNode } from './schema';

export function buildMemoXml(memo: Memo): string {
  const root = toTree(memo);
  validateTree(root, messageDecl(memo.version), 'Message', { checkChars: true });
  checkIdentifier(memo.sender.id, memo.sender.idType, 'Message/MessageHeader/Sender/senderID', 'Message/MessageHeader/Sender/idType');
  checkIdentifier(memo.recipient.id, memo.recipient.idType, 'Message/MessageHeader/Recipient/recipientID', 'Message/MessageHeader/Recipient/idType');
  if (memo.messageType === 'DIGITALPOST' && !memo.body.mainDocument) {
    throw new MemoError('Message/MessageBody/MainDocument', 'a DIGITALPOST message needs a main document');
  }
  return serialize(root);
}

// ---------------------------------------------------------------------------------------------
// Memo → element tree (in schema order; validateTree confirms it)

type Child = XNode | undefined | false;

function el(name: string, children: Child[], ns: string = NS.memo, attrs: XAttr[] = []): XNode {
  return { name, ns, attrs, children: children.filter((c): c is XNode => !!c), text: '' };
}

function leaf(name: string, value: string | undefined, ns: string = NS.memo): XNode | undefined {
  return value === undefined ? undefined : { name, ns, attrs: [], children: [], text: value };
}

const bool = (v: boolean | undefined) => (v === undefined ? undefined : String(v));

function toTree(memo: Memo): XNode {
  const v11 = memo.version === '1.1';
  const attrs: XAttr[] = [{ name: 'memoVersion', ns: '', value: memo.version }];
  if (v11) attrs.push({ name: 'memoSchVersion', ns: '', value: memo.memoSchVersion ?? '1.1.0' });
  else if (memo.memoSchVersion !== undefined) {
    throw new MemoError('Message/@memoSchVersion', 'exists only in MeMo 1.1; remove memoSchVersion or set version to 1.1');
  }
  const b = memo.body;
  const hasBody = b.mainDocument !== undefined || memo.messageType !== 'NEMSMS' || b.createdDateTime !== ''
    || b.additionalDocuments.length > 0 || b.technicalDocuments.length > 0;
  return el('Message', [
    el('MessageHeader', [
      leaf('messageType', memo.messageType),
      leaf('messageUUID', memo.messageUUID),
      leaf('messageID', memo.messageID),
      leaf('messageCode', memo.messageCode),
      leaf('label', memo.label),
      leaf('notification', memo.notification),
      leaf('additionalNotification', memo.additionalNotification),
      memo.reply && leaf('reply', 'true'),
      leaf('replyByDateTime', memo.replyByDateTime),
      leaf('doNotDeliverUntilDate', memo.doNotDeliverUntilDate),
      leaf('mandatory', bool(memo.mandatory ?? (v11 ? false : undefined))),
      leaf('legalNotification', bool(memo.legalNotification ?? (v11 ? false : undefined))),
      leaf('postType', memo.postType),
      party('Sender', 'senderID', memo.sender),
      party('Recipient', 'recipientID', memo.recipient),
      memo.contentData && contentData(memo.contentData),
      memo.forwardData && el('ForwardData', [
        leaf('messageUUID', memo.forwardData.messageUUID),
        leaf('originalMessageDateTime', memo.forwardData.originalMessageDateTime),
        leaf('originalSender', memo.forwardData.originalSender),
        leaf('originalContentResponsible', memo.forwardData.originalContentResponsible),
        leaf('originalRepresentative', memo.forwardData.originalRepresentative),
        leaf('contactPointID', memo.forwardData.contactPointID),
        leaf('comment', memo.forwardData.comment),
      ]),
      ...memo.replyData.map((r) => el('ReplyData', [
        leaf('messageID', r.messageID),
        leaf('messageUUID', r.messageUUID),
        leaf('replyUUID', r.replyUUID),
        leaf('senderID', r.senderID),
        leaf('recipientID', r.recipientID),
        leaf('caseID', r.caseID),
        leaf('contactPointID', r.contactPointID),
        leaf('generatingSystemID', r.generatingSystemID),
        leaf('comment', r.comment),
        ...(r.additionalReplyData ?? []).map((a) => el('AdditionalReplyData', [leaf('label', a.label), leaf('value', a.value)])),
      ])),
    ]),
    hasBody && el('MessageBody', [
      leaf('createdDateTime', b.createdDateTime),
      b.mainDocument && documentNode('MainDocument', b.mainDocument),
      ...b.additionalDocuments.map((d) => documentNode('AdditionalDocument', d)),
      ...b.technicalDocuments.map((d) => documentNode('TechnicalDocument', d)),
    ]),
  ], NS.memo, attrs);
}

function party(name: 'Sender' | 'Recipient', idName: string, p: MemoParty): XNode {
  const r = p.representative;
  return el(name, [
    leaf(idName, p.id),
    leaf('idType', p.idType),
    leaf('idTypeLabel', p.idTypeLabel),
    leaf('label', p.label),
    p.attentionData && attention(p.attentionData, `Message/MessageHeader/${name}/AttentionData`),
    p.contactPoint && contactPoint(p.contactPoint),
    r && el('Representative', [
      leaf('representativeID', r.representativeID),
      leaf('idType', r.idType),
      leaf('idTypeLabel', r.idTypeLabel),
      leaf('label', r.label),
    ]),
  ]);
}

function pair(name: string, ns: string, v: Record<string, string | undefined> | undefined, a: string, b: string): XNode | undefined {
  return v && el(name, [leaf(a, v[a], ns), leaf(b, v[b], ns)], ns);
}

function attention(a: MemoAttentionData, path: string): XNode {
  if (a.sedpData || a.ribData) {
    throw new MemoError(`${path}/${a.sedpData ? 'sedpData' : 'ribData'}`, 'has no MeMo 1.1/1.2 element to be written as; remove it (use seNumber or eid)');
  }
  return el('AttentionData', [
    a.attentionPerson && el('AttentionPerson', [leaf('personID', a.attentionPerson.personID), leaf('label', a.attentionPerson.label)]),
    pair('ProductionUnit', NS.grd, a.productionUnit, 'productionUnitNumber', 'productionUnitName'),
    pair('GlobalLocationNumber', NS.gln, a.globalLocationNumber, 'globalLocationNumber', 'location'),
    pair('EMail', NS.memo, a.email, 'emailAddress', 'relatedAgent'),
    pair('SEnumber', NS.grd, a.seNumber, 'seNumber', 'companyName'),
    pair('Telephone', NS.memo, a.telephone, 'telephoneNumber', 'relatedAgent'),
    pair('EID', NS.grd, a.eid, 'eID', 'label'),
    pair('ContentResponsible', NS.memo, a.contentResponsible, 'contentResponsibleID', 'label'),
    pair('GeneratingSystem', NS.memo, a.generatingSystem, 'generatingSystemID', 'label'),
    pair('SORdata', NS.sor, a.sorData, 'sorIdentifier', 'entryName'),
    a.address && address(a.address),
    a.unstructuredAddress !== undefined && el('UnstructuredAddress', [leaf('unstructured', a.unstructuredAddress, NS.grd)], NS.grd),
  ]);
}

const ADDRESS_FIELDS = ['id', 'addressLabel', 'houseNumber', 'door', 'floor', 'co', 'zipCode', 'city', 'country'];
const ADDRESS_POINT_FIELDS = ['geographicEastingMeasure', 'geographicNorthingMeasure', 'geographicHeightMeasure'];

function address(a: Record<string, string>): XNode {
  const point = ADDRESS_POINT_FIELDS.filter((k) => a[k] !== undefined);
  // Unknown keys are written too, so that validation names them instead of dropping them.
  const unknown = Object.keys(a).filter((k) => !ADDRESS_FIELDS.includes(k) && !ADDRESS_POINT_FIELDS.includes(k));
  return el('Address', [
    ...ADDRESS_FIELDS.map((k) => leaf(k, a[k], NS.grd)),
    point.length > 0 && el('AddressPoint', point.map((k) => leaf(k, a[k], NS.grd)), NS.grd),
    ...unknown.map((k) => leaf(k, a[k], NS.grd)),
  ], NS.grd);
}

function contactPoint(c: MemoContactPoint): XNode {
  return el('ContactPoint', [
    leaf('contactGroup', c.contactGroup),
    leaf('contactPointID', c.contactPointID),
    leaf('label', c.label),
    ...c.contactInfo.map((i) => el('ContactInfo', [leaf('label', i.label), leaf('value', i.value)])),
  ]);
}

function contentData(c: MemoContentData): XNode {
  // The XSD allows each of these once; the arrays are written in full so validation reports extras.
  const coded = (name: string, ns: string, key: string, v: { version?: string; activityFacet?: string; label?: string } & Record<string, string | undefined>) =>
    el(name, [leaf(key, v[key], ns), leaf('version', v.version, ns), leaf('activityFacet', v.activityFacet, ns), leaf('label', v.label, ns)], ns);
  return el('ContentData', [
    ...(c.cprData ?? []).map((v) => pair('CPRdata', NS.grd, v, 'cprNumber', 'name')),
    ...(c.cvrData ?? []).map((v) => pair('CVRdata', NS.grd, v, 'cvrNumber', 'companyName')),
    ...(c.motorVehicle ?? []).map((v) => pair('MotorVehicle', NS.dmv, v, 'licenseNumber', 'chassisNumber')),
    ...(c.propertyNumber ?? []).map((v) => el('PropertyNumber', [leaf('propertyNumber', v, NS.grd)], NS.grd)),
    ...(c.caseID ?? []).map((v) => pair('CaseID', NS.memo, v, 'caseID', 'caseSystem')),
    ...(c.kleData ?? []).map((v) => coded('KLEdata', NS.kle, 'subjectKey', v)),
    ...(c.formData ?? []).map((v) => coded('FORMdata', NS.form, 'taskKey', v)),
    ...(c.productionUnit ?? []).map((v) => pair('ProductionUnit', NS.grd, v, 'productionUnitNumber', 'productionUnitName')),
    ...(c.education ?? []).map((v) => pair('Education', NS.udd, v, 'educationCode', 'educationName')),
    ...(c.address ?? []).map(address),
    ...(c.unstructuredAddress ?? []).map((v) => el('UnstructuredAddress', [leaf('unstructured', v, NS.grd)], NS.grd)),
    ...(c.additionalContentData ?? []).map((v) => el('AdditionalContentData', [
      v.contentDataType !== '' && leaf('contentDataType', v.contentDataType),
      leaf('contentDataName', v.contentDataName),
      leaf('contentDataValue', v.contentDataValue),
    ])),
  ]);
}

function documentNode(name: 'MainDocument' | 'AdditionalDocument' | 'TechnicalDocument', d: MemoDocument): XNode {
  const idName = `${name[0].toLowerCase()}${name.slice(1)}ID`;
  return el(name, [
    leaf(idName, d.documentID),
    d.label !== '' && leaf('label', d.label),
    ...d.files.map((f) => el('File', [
      leaf('encodingFormat', f.encodingFormat),
      leaf('filename', f.filename),
      leaf('language', f.language),
      { name: 'content', ns: NS.memo, attrs: [], children: [], text: Buffer.from(f.content).toString('base64'), trusted: true },
    ])),
    // A TechnicalDocument has no actions in MeMo; any given are written so validation reports them.
    ...d.actions.map(action),
  ]);
}

function action(a: MemoAction): XNode {
  const r = a.reservation;
  return el('Action', [
    leaf('label', a.label),
    leaf('actionCode', a.actionCode),
    leaf('startDateTime', a.startDateTime),
    leaf('endDateTime', a.endDateTime),
    r && el('Reservation', [
      leaf('description', r.description),
      leaf('reservationUUID', r.reservationUUID),
      leaf('abstract', r.abstract),
      leaf('location', r.location),
      leaf('startDateTime', r.startDateTime),
      leaf('endDateTime', r.endDateTime),
      leaf('organizerMail', r.organizerMail),
      leaf('organizerName', r.organizerName),
    ]),
    a.entryPointUrl !== undefined && el('EntryPoint', [leaf('url', a.entryPointUrl)]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Element tree → text

function escapeText(s: string): string {
  return /[&<>\r]/.test(s) ? s.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]) : s;
}
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c]);
}
const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

function serialize(root: XNode): string {
  const used = new Set<string>();
  const collect = (n: XNode) => {
    used.add(n.ns);
    n.children.forEach(collect);
  };
  collect(root);
  const decls = [`xmlns="${NS.memo}"`, ...[...used].filter((ns) => ns !== NS.memo).map((ns) => `xmlns:${PREFIX[ns]}="${escapeAttr(ns)}"`)];
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  const qn = (n: XNode) => (n.ns === NS.memo ? n.name : `${PREFIX[n.ns]}:${n.name}`);
  const write = (n: XNode, depth: number, extra: string[]) => {
    const indent = '  '.repeat(depth);
    const attrs = [...extra, ...n.attrs.map((a) => `${a.name}="${escapeAttr(a.value)}"`)];
    const open = `${indent}<${qn(n)}${attrs.length ? ' ' + attrs.join(' ') : ''}`;
    if (n.children.length === 0) {
      out.push(n.text === '' ? `${open}/>\n` : `${open}>${escapeText(n.text)}</${qn(n)}>\n`);
      return;
    }
    out.push(`${open}>\n`);
    for (const c of n.children) write(c, depth + 1, []);
    out.push(`${indent}</${qn(n)}>\n`);
  };
  write(root, 0, decls);
  return out.join('');
}
