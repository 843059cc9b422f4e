// The MeMo 1.1 / 1.2 schema (MeMo_core.xsd and the type schemas it imports) written down as data,
// and one validator for it that both directions use: parse.ts validates what it read, build.ts
// validates what it is about to write. Keeping the schema in one table means a rule fixed here is
// fixed for reading and writing alike.
//
// What is modelled: every element of the XSDs with its namespace, order, minOccurs/maxOccurs, the
// one xs:choice (Action: Reservation | EntryPoint) and every simple type with its facets
// (memoTextType 256, memoCommentType 512, memoNotificationType 160, memoUuidType pattern,
// memoDateTimeType ".+Z", xs:date, xs:boolean, memoLanguageType, memoUriType, xs:base64Binary,
// memoLicenseNumberType, memoGLNType, memoPNumberType, memoMessageType). The XSDs have no xs:any,
// so an element the table does not know is an error, as it is for a schema validator.
// Lengths count characters (code points), as XSD does. Whitespace handling follows each type:
// xs:string types keep the text exactly; the others are whitespace-collapsed before checking.
import { MemoError, type MemoVersion } from './types';

export const NS = {
  memo: 'https://DigitalPost.dk/MeMo-1',
  grd: 'https://data.gov.dk/model/core/',
  kle: 'http://kle-online.dk/',
  form: 'http://www.form-online.dk/',
  dmv: 'https://motorregister.skat.dk/',
  gln: 'https://www.gs1.dk/gs1-standarder/identifikation/gln-global-location-number/',
  sor: 'https://services.nsi.dk/en/Services/SOR',
  udd: 'https://www.dst.dk/da/TilSalg/Forskningsservice/Dokumentation/hoejkvalitetsvariable/elevregister-2/udd#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Preferred prefix per namespace, used by the builder and in error messages. */
export const PREFIX: Record<string, string> = Object.fromEntries(Object.entries(NS).map(([p, uri]) => [uri, p]));

export type SimpleType =
  | 'text' | 'comment' | 'notification' | 'uuid' | 'dateTime' | 'date' | 'boolean' | 'language'
  | 'uri' | 'base64' | 'licenseNumber' | 'gln' | 'pNumber' | 'messageType' | 'decimal';

export interface ElementDecl {
  name: string;
  ns: string;
  type: SimpleType | Particle[];
  /** Unqualified attributes the element may carry (only Message has any). */
  attrs?: AttrDecl[];
}

export interface AttrDecl {
  name: string;
  type: SimpleType;
  required: boolean;
}

/** One position of a sequence: one element, or a choice between elements, with its occurrence bounds. */
export interface Particle {
  alts: ElementDecl[];
  min: number;
  max: number; // Infinity = unbounded
}

/** An element of a parsed or to-be-written document. Paths are filled in by validateTree. */
export interface XNode {
  name: string; // local name
  ns: string; // namespace URI ('' for none)
  attrs: XAttr[];
  children: XNode[];
  text: string; // simple content (already entity-decoded); for complex elements the non-whitespace text, if any
  path?: string;
  /** Set by the builder on base64 content it encoded itself, so validation need not re-check 20 MB. */
  trusted?: boolean;
}

export interface XAttr {
  name: string; // local name
  ns: string; // '' for unprefixed attributes
  value: string;
}

// ---------------------------------------------------------------------------------------------
// The schema table

const one = (e: ElementDecl): Particle => ({ alts: [e], min: 1, max: 1 });
const opt = (e: ElementDecl): Particle => ({ alts: [e], min: 0, max: 1 });
const many = (e: ElementDecl, min: number, max = Infinity): Particle => ({ alts: [e], min, max });
const m = (name: string, type: ElementDecl['type']): ElementDecl => ({ name, ns: NS.memo, type });
const g = (ns: string, name: string, type: ElementDecl['type']): ElementDecl => ({ name, ns, type });

const schemas = new Map<MemoVersion, ElementDecl>();

/** The Message element declaration for a MeMo version (1.1 = MeMo_core.xsd, 1.2 = Version1.2/MeMo_core.xsd). */
export function messageDecl(version: MemoVersion): ElementDecl {
  let decl = schemas.get(version);
  if (!decl) {
    decl = buildMessageDecl(version);
    schemas.set(version, decl);
  }
  return decl;
}

function buildMessageDecl(version: MemoVersion): ElementDecl {
  const v12 = version === '1.2';

  // MeMo_grd.xsd
  const grdAddress = g(NS.grd, 'Address', [
    opt(g(NS.grd, 'id', 'text')), opt(g(NS.grd, 'addressLabel', 'text')), opt(g(NS.grd, 'houseNumber', 'text')),
    opt(g(NS.grd, 'door', 'text')), opt(g(NS.grd, 'floor', 'text')), opt(g(NS.grd, 'co', 'text')),
    opt(g(NS.grd, 'zipCode', 'text')), opt(g(NS.grd, 'city', 'text')), opt(g(NS.grd, 'country', 'text')),
    opt(g(NS.grd, 'AddressPoint', [
      opt(g(NS.grd, 'geographicEastingMeasure', 'text')),
      opt(g(NS.grd, 'geographicNorthingMeasure', 'text')),
      opt(g(NS.grd, 'geographicHeightMeasure', 'text')),
    ])),
  ]);
  const grdUnstructured = g(NS.grd, 'UnstructuredAddress', [one(g(NS.grd, 'unstructured', 'text'))]);
  const grdProductionUnit = g(NS.grd, 'ProductionUnit', [
    one(g(NS.grd, 'productionUnitNumber', 'pNumber')), opt(g(NS.grd, 'productionUnitName', 'text')),
  ]);

  const file = m('File', [
    one(m('encodingFormat', 'text')), one(m('filename', 'text')), one(m('language', 'language')), one(m('content', 'base64')),
  ]);
  const action = m('Action', [
    one(m('label', 'text')),
    one(m('actionCode', 'text')),
    opt(m('startDateTime', 'dateTime')),
    opt(m('endDateTime', 'dateTime')),
    {
      alts: [
        m('Reservation', [
          one(m('description', 'text')), one(m('reservationUUID', 'uuid')), one(m('abstract', 'text')),
          one(m('location', 'text')), one(m('startDateTime', 'dateTime')), one(m('endDateTime', 'dateTime')),
          opt(m('organizerMail', 'text')), opt(m('organizerName', 'text')),
        ]),
        m('EntryPoint', [one(m('url', 'uri'))]),
      ],
      min: 0,
      max: 1,
    },
  ]);
  const attentionData = m('AttentionData', [
    opt(m('AttentionPerson', [opt(m('personID', 'text')), opt(m('label', 'text'))])),
    opt(grdProductionUnit),
    opt(g(NS.gln, 'GlobalLocationNumber', [one(g(NS.gln, 'globalLocationNumber', 'gln')), opt(g(NS.gln, 'location', 'text'))])),
    opt(m('EMail', [one(m('emailAddress', 'text')), opt(m('relatedAgent', 'text'))])),
    opt(g(NS.grd, 'SEnumber', [one(g(NS.grd, 'seNumber', 'text')), opt(g(NS.grd, 'companyName', 'text'))])),
    opt(m('Telephone', [one(m('telephoneNumber', 'text')), opt(m('relatedAgent', 'text'))])),
    opt(g(NS.grd, 'EID', [one(g(NS.grd, 'eID', 'text')), opt(g(NS.grd, 'label', 'text'))])),
    opt(m('ContentResponsible', [opt(m('contentResponsibleID', 'text')), opt(m('label', 'text'))])),
    opt(m('GeneratingSystem', [one(m('generatingSystemID', 'text')), opt(m('label', 'text'))])),
    opt(g(NS.sor, 'SORdata', [one(g(NS.sor, 'sorIdentifier', 'text')), opt(g(NS.sor, 'entryName', 'text'))])),
    opt(grdAddress),
    opt(grdUnstructured),
  ]);
  const contactPoint = m('ContactPoint', [
    opt(m('contactGroup', 'text')),
    one(m('contactPointID', 'text')),
    opt(m('label', 'text')),
    many(m('ContactInfo', [one(m('label', 'text')), one(m('value', 'text'))]), 0, 2),
  ]);
  const sender = m('Sender', [
    one(m('senderID', 'text')), one(m('idType', 'text')), opt(m('idTypeLabel', 'text')), one(m('label', 'text')),
    opt(attentionData), opt(contactPoint),
    ...(v12 ? [opt(m('Representative', [
      opt(m('representativeID', 'text')), opt(m('idType', 'text')), opt(m('idTypeLabel', 'text')), opt(m('label', 'text')),
    ]))] : []),
  ]);
  const recipient = m('Recipient', [
    one(m('recipientID', 'text')), one(m('idType', 'text')), opt(m('idTypeLabel', 'text')), opt(m('label', 'text')),
    opt(attentionData), opt(contactPoint),
  ]);
  const contentData = m('ContentData', [
    opt(g(NS.grd, 'CPRdata', [one(g(NS.grd, 'cprNumber', 'text')), opt(g(NS.grd, 'name', 'text'))])),
    opt(g(NS.grd, 'CVRdata', [one(g(NS.grd, 'cvrNumber', 'text')), opt(g(NS.grd, 'companyName', 'text'))])),
    opt(g(NS.dmv, 'MotorVehicle', [one(g(NS.dmv, 'licenseNumber', 'licenseNumber')), opt(g(NS.dmv, 'chassisNumber', 'text'))])),
    opt(g(NS.grd, 'PropertyNumber', [one(g(NS.grd, 'propertyNumber', 'text'))])),
    opt(m('CaseID', [one(m('caseID', 'text')), one(m('caseSystem', 'text'))])),
    opt(g(NS.kle, 'KLEdata', [
      one(g(NS.kle, 'subjectKey', 'text')), one(g(NS.kle, 'version', 'text')), opt(g(NS.kle, 'activityFacet', 'text')), one(g(NS.kle, 'label', 'text')),
    ])),
    opt(g(NS.form, 'FORMdata', [
      one(g(NS.form, 'taskKey', 'text')), one(g(NS.form, 'version', 'text')), opt(g(NS.form, 'activityFacet', 'text')), one(g(NS.form, 'label', 'text')),
    ])),
    opt(grdProductionUnit),
    opt(g(NS.udd, 'Education', [one(g(NS.udd, 'educationCode', 'text')), opt(g(NS.udd, 'educationName', 'text'))])),
    opt(grdAddress),
    opt(grdUnstructured),
    many(m('AdditionalContentData', [
      opt(m('contentDataType', 'text')), one(m('contentDataName', 'text')), one(m('contentDataValue', 'text')),
    ]), 0, 10),
  ]);
  const forwardData = m('ForwardData', [
    one(m('messageUUID', 'uuid')), one(m('originalMessageDateTime', 'dateTime')), one(m('originalSender', 'text')),
    opt(m('originalContentResponsible', 'text')),
    ...(v12 ? [opt(m('originalRepresentative', 'text'))] : []),
    opt(m('contactPointID', 'text')), opt(m('comment', 'comment')),
  ]);
  const replyData = m('ReplyData', [
    opt(m('messageID', 'text')), one(m('messageUUID', 'uuid')), opt(m('replyUUID', 'uuid')), opt(m('senderID', 'text')),
    opt(m('recipientID', 'text')), opt(m('caseID', 'text')), opt(m('contactPointID', 'text')),
    opt(m('generatingSystemID', 'text')), opt(m('comment', 'comment')),
    many(m('AdditionalReplyData', [one(m('label', 'text')), one(m('value', 'text'))]), 0, 4),
  ]);
  const flag = (name: string) => (v12 ? opt(m(name, 'boolean')) : one(m(name, 'boolean')));
  const header = m('MessageHeader', [
    one(m('messageType', 'messageType')), one(m('messageUUID', 'uuid')), opt(m('messageID', 'text')), opt(m('messageCode', 'text')),
    one(m('label', 'text')), opt(m('notification', 'notification')), opt(m('additionalNotification', 'text')),
    opt(m('reply', 'boolean')), opt(m('replyByDateTime', 'dateTime')), opt(m('doNotDeliverUntilDate', 'date')),
    flag('mandatory'), flag('legalNotification'), opt(m('postType', 'text')),
    one(sender), one(recipient), opt(contentData), opt(forwardData), many(replyData, 0),
  ]);
  const document = (name: string, withActions: boolean) => m(name, [
    opt(m(`${name[0].toLowerCase()}${name.slice(1)}ID`, 'text')),
    opt(m('label', 'text')),
    many(file, 1),
    ...(withActions ? [many(action, 0)] : []),
  ]);
  const body = m('MessageBody', [
    one(m('createdDateTime', 'dateTime')),
    one(document('MainDocument', true)),
    many(document('AdditionalDocument', true), 0),
    many(document('TechnicalDocument', false), 0),
  ]);
  return {
    ...m('Message', [one(header), opt(body)]),
    attrs: [
      { name: 'memoVersion', type: 'decimal', required: true },
      ...(v12 ? [] : [{ name: 'memoSchVersion', type: 'text' as const, required: true }]),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

export interface ValidateOptions {
  /** Check every value for characters XML 1.0 cannot carry (the parser checked the whole document already). */
  checkChars?: boolean;
}

/**
 * Validates `node` (already known to be `decl`) and everything below it; fills in `path` on every
 * node and replaces simple values by their whitespace-normalised form. Throws MemoError.
 */
export function validateTree(node: XNode, decl: ElementDecl, path: string, opts: ValidateOptions = {}): void {
  node.path = path;
  checkAttributes(node, decl, path, opts);
  if (typeof decl.type === 'string') {
    if (node.children.length > 0) {
      throw new MemoError(path, `must contain only text, but contains the element ${qname(node.children[0])}`);
    }
    node.text = checkSimple(decl.type, node.text, path, opts, node.trusted === true);
    return;
  }
  if (node.text.trim() !== '') {
    throw new MemoError(path, `must contain only elements, but contains the text ${quote(node.text.trim())}`);
  }
  const particles = decl.type;
  const counts = new Array<number>(particles.length).fill(0);
  let pi = 0;
  let previous: XNode | undefined;
  for (const child of node.children) {
    // The next particle (from the current one on) that this child can be. MeMo never repeats an
    // element name within one sequence, so the first match is the only candidate.
    let j = pi;
    let matched: ElementDecl | undefined;
    for (; j < particles.length && !matched; j++) matched = particles[j].alts.find((a) => a.name === child.name && a.ns === child.ns);
    j--;
    if (!matched) throw misplaced(node, child, particles, pi, previous, path);
    if (counts[j] >= particles[j].max) {
      const alts = particles[j].alts;
      throw new MemoError(`${path}/${child.name}`, alts.length > 1
        ? `only one of ${alts.map((a) => a.name).join(' or ')} is allowed in ${node.name}`
        : particles[j].max === 1 ? 'may occur only once here' : `may occur at most ${particles[j].max} times here`);
    }
    for (let k = pi; k < j; k++) {
      if (counts[k] < particles[k].min) {
        const missing = particles[k].alts[0];
        throw new MemoError(`${path}/${missing.name}`, `required element is missing (found ${qname(child)} where ${missing.name} must come first)`);
      }
    }
    counts[j]++;
    pi = j;
    const p = particles[j];
    const childPath = p.max > 1 ? `${path}/${child.name}[${counts[j]}]` : `${path}/${child.name}`;
    validateTree(child, matched, childPath, opts);
    previous = child;
  }
  for (let j = pi; j < particles.length; j++) {
    if (counts[j] < particles[j].min) {
      const missing = particles[j].alts[0];
      throw new MemoError(`${path}/${missing.name}`, 'required element is missing');
    }
  }
}

function checkAttributes(node: XNode, decl: ElementDecl, path: string, opts: ValidateOptions): void {
  for (const a of node.attrs) {
    // Schema validators accept xsi:schemaLocation hints anywhere; they do not change the content.
    if (a.ns === NS.xsi && (a.name === 'schemaLocation' || a.name === 'noNamespaceSchemaLocation')) continue;
    const d = a.ns === '' ? decl.attrs?.find((x) => x.name === a.name) : undefined;
    const apath = `${path}/@${a.ns ? `${PREFIX[a.ns] ?? '{' + a.ns + '}'}:` : ''}${a.name}`;
    if (!d) {
      const allowed = decl.attrs?.length ? ` (allowed: ${decl.attrs.map((x) => x.name).join(', ')})` : '';
      throw new MemoError(apath, `attribute is not allowed on ${decl.name}${allowed}`);
    }
    a.value = checkSimple(d.type, a.value, apath, opts, false);
  }
  for (const d of decl.attrs ?? []) {
    if (d.required && !node.attrs.some((a) => a.ns === '' && a.name === d.name)) {
      throw new MemoError(`${path}/@${d.name}`, 'required attribute is missing');
    }
  }
}

function misplaced(parent: XNode, child: XNode, particles: Particle[], pi: number, previous: XNode | undefined, path: string): MemoError {
  const childPath = `${path}/${child.name}`;
  const sameName = particles.flatMap((p) => p.alts).find((a) => a.name === child.name);
  const earlier = particles.slice(0, pi).some((p) => p.alts.some((a) => a.name === child.name && a.ns === child.ns));
  if (earlier && previous) {
    return new MemoError(childPath, `is out of order: it must come before ${previous.name} (MeMo fixes the order of the elements in ${parent.name})`);
  }
  if (sameName && sameName.ns !== child.ns) {
    return new MemoError(childPath, `is in the wrong namespace ${quote(child.ns || '(none)')}; ${parent.name}/${child.name} belongs to ${sameName.ns}`);
  }
  const allowed = [...new Set(particles.flatMap((p) => p.alts.map((a) => a.name)))].join(', ');
  return new MemoError(childPath, `is not a MeMo element allowed in ${parent.name} (allowed: ${allowed})`);
}

export function qname(n: { name: string; ns: string }): string {
  const p = PREFIX[n.ns];
  return p && p !== 'memo' ? `${p}:${n.name}` : n.name;
}

export function quote(s: string, max = 60): string {
  const cut = [...s];
  const shown = cut.length > max ? `${cut.slice(0, max).join('')}…` : s;
  return JSON.stringify(shown);
}

// --- simple types ---

const UUID_RE = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[aAbB89][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-](\d{2}):(\d{2}))?$/;
const LANGUAGE_RE = /^[a-zA-Z]{1,2}$/;
// Characters XML 1.0 cannot carry, plus unpaired surrogates.
const BAD_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** XSD whitespace "collapse": trim and fold runs of whitespace to one space. */
export function collapse(s: string): string {
  return s.replace(/[ \t\r\n]+/g, ' ').trim();
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function maxLength(value: string, max: number, path: string): string {
  const n = value.length <= max ? value.length : codePoints(value);
  if (n > max) throw new MemoError(path, `is ${n} characters long; MeMo allows at most ${max}`);
  return value;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** XSD dates have no year 0000 (the year before 0001 is -0001), and PostgreSQL refuses it too. */
function checkYear(year: number, v: string, path: string): void {
  if (year === 0) throw new MemoError(path, `is ${quote(v)}, but the year 0000 does not exist (XML Schema dates start at 0001)`);
}

function validDate(y: number, mo: number, d: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function checkSimple(type: SimpleType, raw: string, path: string, opts: ValidateOptions, trusted: boolean): string {
  if (opts.checkChars && type !== 'base64') {
    const bad = BAD_XML_CHAR.exec(raw);
    if (bad) {
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      throw new MemoError(path, `contains the character U+${code}, which XML cannot carry; remove it`);
    }
  }
  switch (type) {
    case 'text': return maxLength(raw, 256, path);
    case 'comment': return maxLength(raw, 512, path);
    case 'notification': return maxLength(raw, 160, path);
    case 'licenseNumber': return maxLength(raw, 7, path);
    case 'messageType':
      if (raw !== 'DIGITALPOST' && raw !== 'NEMSMS') throw new MemoError(path, `must be DIGITALPOST or NEMSMS, not ${quote(raw)}`);
      return raw;
    case 'uuid':
      if (!UUID_RE.test(raw)) {
        throw new MemoError(path, `must be a version-4 UUID like 0f8fad5b-d9cb-469f-a165-70867728950e (36 characters, no spaces or braces), not ${quote(raw)}`);
      }
      return raw;
    case 'dateTime': {
      const v = collapse(raw);
      const mt = DATETIME_RE.exec(v);
      const ok = mt && validDate(+mt[1], +mt[2], +mt[3])
        && ((+mt[4] < 24 && +mt[5] < 60 && +mt[6] < 60) || (mt[4] === '24' && mt[5] === '00' && mt[6] === '00' && !/[1-9]/.test(mt[7] ?? '')));
      if (!ok) {
        throw new MemoError(path, `must be a UTC date and time ending in Z, like 2025-03-14T09:30:00Z, not ${quote(v)}`);
      }
      checkYear(+mt[1], v, path);
      // 9999-12-31T24:00:00Z is valid XSD but the first instant of the year 10000, which nothing stores.
      if (new Date(v).getUTCFullYear() > 9999) throw new MemoError(path, `is ${quote(v)}, the start of the year 10000; dates must lie in the years 0001 to 9999`);
      return v;
    }
    case 'date': {
      const v = collapse(raw);
      const mt = DATE_RE.exec(v);
      const tzOk = !mt?.[4] || mt[4] === 'Z' || (+mt[5] < 14 && +mt[6] < 60) || (mt[5] === '14' && mt[6] === '00');
      if (!mt || !validDate(+mt[1], +mt[2], +mt[3]) || !tzOk) {
        throw new MemoError(path, `must be a date like 2025-03-14, not ${quote(v)}`);
      }
      checkYear(+mt[1], v, path);
      return v;
    }
    case 'boolean': {
      const v = collapse(raw);
      if (v === 'true' || v === '1') return 'true';
      if (v === 'false' || v === '0') return 'false';
      throw new MemoError(path, `must be true or false, not ${quote(v)}`);
    }
    case 'language': {
      const v = collapse(raw);
      if (!LANGUAGE_RE.test(v)) throw new MemoError(path, `must be a language code of at most two letters, like da or en, not ${quote(v)}`);
      return v;
    }
    case 'uri': {
      const v = collapse(raw);
      return maxLength(v, 256, path);
    }
    case 'gln':
    case 'pNumber': {
      const v = collapse(raw);
      const max = type === 'gln' ? 9_999_999_999_999n : 9_999_999_999n;
      const what = type === 'gln' ? 'a GLN (at most 13 digits)' : 'a P-number (at most 10 digits)';
      if (!/^[+-]?\d+$/.test(v) || BigInt(v) > max || BigInt(v) < -(2n ** 63n)) {
        throw new MemoError(path, `must be ${what}, not ${quote(v)}`);
      }
      return v;
    }
    case 'base64':
      return trusted ? raw : checkBase64(raw, path);
    case 'decimal': {
      const v = collapse(raw);
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v)) throw new MemoError(path, `must be a decimal number like 1.2, not ${quote(v)}`);
      return v;
    }
  }
}

/**
 * xs:base64Binary: whitespace may separate the characters (line breaks every 76 are common), the
 * length without whitespace is a multiple of 4, '=' only as 1–2 padding characters at the end, and
 * the bits a padded final group does not use are zero. Returns the text without whitespace.
 */
export function checkBase64(raw: string, path: string): string {
  const s = /[ \t\r\n]/.test(raw) ? raw.replace(/[ \t\r\n]+/g, '') : raw;
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad) {
    throw new MemoError(path, `is not valid base64: the character ${quote(bad[0])} at position ${bad.index + 1} is not allowed (only A-Z, a-z, 0-9, +, / and = padding)`);
  }
  const eq = s.indexOf('=');
  if (eq !== -1 && (eq < s.length - 2 || (eq === s.length - 2 && s[s.length - 1] !== '='))) {
    throw new MemoError(path, 'is not valid base64: "=" may only appear as padding at the very end');
  }
  if (s.length % 4 !== 0) {
    throw new MemoError(path, `is not valid base64: its length without whitespace (${s.length}) is not a multiple of 4; the content looks truncated`);
  }
  if (eq !== -1) {
    const last = s[eq - 1];
    const pad = s.length - eq;
    const ok = pad === 2 ? 'AQgw'.includes(last) : 'AEIMQUYcgkosw048'.includes(last);
    if (!ok) throw new MemoError(path, 'is not valid base64: the last character before the padding has bits set that the padding says are unused');
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Rules of the MeMo documentation that the XSD leaves to prose

/** The identifier kinds MeMo 1.1/1.2 uses for senders, recipients and representatives, with their formats. */
export const ID_TYPES: Record<string, { pattern: RegExp; rule: string }> = {
  CVR: { pattern: /^\d{8}$/, rule: 'a CVR number is 8 digits' },
  CPR: { pattern: /^\d{10}$/, rule: 'a CPR number is 10 digits without a hyphen' },
};

export function checkIdentifier(id: string, idType: string, idPath: string, typePath: string): void {
  const t = ID_TYPES[idType];
  if (!t) throw new MemoError(typePath, `must be CVR or CPR, not ${quote(idType)}`);
  if (!t.pattern.test(id)) throw new MemoError(idPath, `must match its idType ${idType}: ${t.rule}, not ${quote(id)}`);
}
