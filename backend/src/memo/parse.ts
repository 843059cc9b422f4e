// MeMo XML → Memo, validated against the MeMo 1.1 / 1.2 schema (see schema.ts) plus the few rules
// of the MeMo documentation that the XSD cannot express (idType values and identifier formats, a
// DIGITALPOST needs a MessageBody). Anything else is a MemoError naming the element path and a rule
// a person can act on.
//
// Why fast-xml-parser: it is pure JavaScript (no native build, no libxml2 binding to keep patched),
// already a dependency, has no network or file access of its own, and with `preserveOrder` it keeps
// the document order that schema validation needs. Its `stopNodes` let the base64 document content
// (up to 150 MB) be taken as one slice instead of character by character (a 20 MB letter: ~0.4 s instead of
// ~6 s). Its XMLValidator checks well-formedness (tag nesting, attribute syntax). What it does not do,
// this file does: namespaces are resolved here, entity references are decoded here (the library's
// entity processing is switched off, so nothing is ever expanded from a DTD), DOCTYPE/ENTITY
// declarations are refused before the parser runs, and size, depth and element count are bounded.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MemoError, type Memo, type MemoAction, type MemoAttentionData, type MemoContactPoint, type MemoContentData, type MemoDocument, type MemoForwardData, type MemoParty, type MemoReplyData, type MemoVersion } from './types';
import { cutPayloads } from './payloads';
import { NS, ID_TYPES, checkIdentifier, collapse, messageDecl, quote, validateTree, type XAttr, type XNode } from './schema';

export interface MemoLimits {
  /** Largest accepted message in bytes (default 150 MB, the Digital Post maximum). */
  maxBytes: number;
  /** Deepest element nesting (MeMo itself needs 7). */
  maxDepth: number;
  /** Most elements in one message. */
  maxElements: number;
}

export const DEFAULT_MEMO_LIMITS: Readonly<MemoLimits> = Object.freeze({
  maxBytes: 150 * 1024 * 1024,
  maxDepth: 32,
  maxElements: 100_000,
});

/** Path used for problems that concern the document as a whole rather than one element. */
export const DOCUMENT_PATH = '(document)';

export function parseMemo(xml: string | Buffer, limits?: Partial<MemoLimits>): Memo {
  const lim: MemoLimits = { ...DEFAULT_MEMO_LIMITS, ...limits };
  if (Buffer.isBuffer(xml) && xml.length <= lim.maxBytes && isUtf8Declared(xml)) {
    const fast = parseWithoutPayloads(xml, lim);
    if (fast) return fast;
  }
  return parseText(decodeInput(xml, lim), lim, decodeBase64);
}

const decodeBase64 = (text: string) => Buffer.from(text, 'base64');

/** Where a document's base64 was in the parsed bytes; `content` is the very Buffer the Memo holds. */
export interface PayloadSpan { start: number; end: number; content: Buffer }
const payloadSpans = new WeakMap<Memo, PayloadSpan[]>();

/**
 * The spans of the documents' base64 in the bytes `memo` was parsed from, in document order, when
 * the fast path parsed it (large payloads only); otherwise none. memo/original.ts keeps the original
 * without them.
 */
export function payloadSpansOf(memo: Memo): readonly PayloadSpan[] {
  return payloadSpans.get(memo) ?? [];
}

/**
 * The fast path (see payloads.ts): the markup is parsed with the documents cut out. Any doubt, and
 * any error, returns null so the full path runs and says exactly what it would have said.
 */
function parseWithoutPayloads(xml: Buffer, lim: MemoLimits): Memo | null {
  const cut = cutPayloads(xml);
  if (!cut) return null;
  const used = new Set<string>();
  let reused = false;
  try {
    const memo = parseText(decodeInput(cut.skeleton, lim), lim, (text) => {
      const payload = cut.payloads.get(text);
      if (!payload) return decodeBase64(text);
      if (used.has(text)) reused = true;
      used.add(text);
      return payload;
    });
    // Every token must have come back as exactly one File/content (not, say, from inside a comment).
    if (reused || used.size !== cut.payloads.size) return null;
    payloadSpans.set(memo, [...cut.spans].map(([token, [start, end]]) => ({ start, end, content: cut.payloads.get(token)! })));
    return memo;
  } catch {
    return null;
  }
}

function parseText(text: string, lim: MemoLimits, decodeFile: (base64: string) => Buffer): Memo {
  refuseDeclarations(text);
  refuseBadCharacters(text);
  refuseTooMuchMarkup(text, lim);
  if (text.trim() === '') throw new MemoError(DOCUMENT_PATH, 'is empty; expected a MeMo Message');
  const ok = XMLValidator.validate(text);
  if (ok !== true) {
    const where = ok.err.line !== undefined ? ` (line ${ok.err.line}${ok.err.col !== undefined ? `, column ${ok.err.col}` : ''})` : '';
    throw new MemoError(DOCUMENT_PATH, `is not well-formed XML${where}: ${ok.err.msg}`);
  }
  const root = readTree(text, lim);
  if (root.ns !== NS.memo || root.name !== 'Message') {
    throw new MemoError(root.name, `the root element must be Message in the namespace ${NS.memo}, not ${root.name}${root.ns ? ` in ${root.ns}` : ' without a namespace'}`);
  }
  const version = versionOf(root);
  validateTree(root, messageDecl(version), 'Message');
  return toMemo(root, version, decodeFile);
}

/** UTF-8 by BOM, by declaration, or by default (XML's); other encodings take the full path. */
function isUtf8Declared(xml: Buffer): boolean {
  if ((xml[0] === 0xfe && xml[1] === 0xff) || (xml[0] === 0xff && xml[1] === 0xfe)) return false;
  const declared = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(xml.subarray(0, 200).toString('latin1'));
  return !declared || /^utf-?8$/i.test(declared[1]);
}

// ---------------------------------------------------------------------------------------------
// Bytes → text

function decodeInput(xml: string | Buffer, lim: MemoLimits): string {
  if (typeof xml === 'string') {
    // A string is at most 3 bytes per UTF-16 unit as UTF-8; only count exactly when it could matter.
    const size = xml.length * 3 > lim.maxBytes ? Buffer.byteLength(xml, 'utf8') : xml.length;
    if (size > lim.maxBytes) throw tooLarge(size, lim);
    return xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  }
  if (xml.length > lim.maxBytes) throw tooLarge(xml.length, lim);
  let encoding = 'utf-8';
  if (xml[0] === 0xfe && xml[1] === 0xff) encoding = 'utf-16be';
  else if (xml[0] === 0xff && xml[1] === 0xfe) encoding = 'utf-16le';
  else if (!(xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf)) {
    const head = xml.subarray(0, 200).toString('latin1');
    const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head);
    if (declared) encoding = declared[1].toLowerCase();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true }); // strips a BOM
  } catch {
    throw new MemoError(DOCUMENT_PATH, `declares the character encoding ${quote(encoding)}, which is not supported; use UTF-8`);
  }
  try {
    return decoder.decode(xml);
  } catch {
    throw new MemoError(DOCUMENT_PATH, `is not valid ${encoding.toUpperCase()} text; save the file as UTF-8`);
  }
}

function tooLarge(size: number, lim: MemoLimits): MemoError {
  return new MemoError(DOCUMENT_PATH, `is ${size} bytes; the limit is ${lim.maxBytes} bytes`);
}

function refuseDeclarations(text: string): void {
  // A DTD is never part of MeMo; refusing it outright rules out external entities and entity
  // expansion ("billion laughs") without having to trust any parser's handling of them.
  for (const decl of ['<!DOCTYPE', '<!ENTITY']) {
    const at = text.indexOf(decl);
    if (at !== -1) {
      throw new MemoError(DOCUMENT_PATH, `contains a ${decl.slice(2)} declaration (line ${lineOf(text, at)}); MeMo messages must not have one, and DTDs and entity declarations are refused for safety`);
    }
  }
}

// Control characters XML 1.0 forbids even as literal text, and surrogates (checked for pairing below).
const SUSPECT_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/g;

function refuseBadCharacters(text: string): void {
  SUSPECT_CHAR.lastIndex = 0;
  for (let mt = SUSPECT_CHAR.exec(text); mt; mt = SUSPECT_CHAR.exec(text)) {
    const c = mt[0].charCodeAt(0);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(mt.index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        SUSPECT_CHAR.lastIndex = mt.index + 2; // a well-formed pair (an emoji, say)
        continue;
      }
    }
    const code = c.toString(16).toUpperCase().padStart(4, '0');
    throw new MemoError(DOCUMENT_PATH, `contains the character U+${code} (line ${lineOf(text, mt.index)}), which XML does not allow`);
  }
}

/**
 * Cheap early bound on the element count: every element costs one or two '<', so a document with
 * far more '<' than maxElements allows is refused before the well-formedness check walks all of it.
 * (The exact count is enforced while the tree is built.)
 */
function refuseTooMuchMarkup(text: string, lim: MemoLimits): void {
  const budget = 2 * lim.maxElements + 1000;
  let n = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    if (++n > budget) throw new MemoError(DOCUMENT_PATH, `has more than ${lim.maxElements} elements; a MeMo message needs far fewer`);
  }
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Text → element tree with namespaces resolved and references decoded

type FxpNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function readTree(text: string, lim: MemoLimits): XNode {
  // Every prefix in the document could name the MeMo namespace; make `content` (the base64 of a
  // File) a stop node under each of them. Prefixes the path syntax cannot express just parse slower.
  const prefixes = new Set<string>();
  for (const mt of text.matchAll(/xmlns:([A-Za-z_][A-Za-z0-9_-]*)\s*=/g)) prefixes.add(mt[1]);
  const stopNodes = ['..content', ...[...prefixes].map((p) => `..${p}:content`)];

  let elements = 0;
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false, // decoded below, where only the five XML entities and character references exist
    htmlEntities: false,
    cdataPropName: '#cdata',
    ignoreDeclaration: true,
    ignorePiTags: true,
    stopNodes,
    maxNestedTags: lim.maxDepth + 1,
    jPath: false,
    updateTag(tagName, matcher) {
      const view = matcher as unknown as { getDepth(): number; toArray(): string[] };
      if (++elements > lim.maxElements) {
        throw new MemoError(DOCUMENT_PATH, `has more than ${lim.maxElements} elements; a MeMo message needs far fewer`);
      }
      if (view.getDepth() > lim.maxDepth) {
        throw new MemoError(view.toArray().map(local).join('/'), `is nested more than ${lim.maxDepth} elements deep; a MeMo message needs far fewer`);
      }
      return tagName;
    },
  });
  let raw: FxpNode[];
  try {
    raw = parser.parse(text) as FxpNode[];
  } catch (e) {
    if (e instanceof MemoError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/nested tags/i.test(msg)) throw new MemoError(DOCUMENT_PATH, `is nested more than ${lim.maxDepth} elements deep; a MeMo message needs far fewer`);
    throw new MemoError(DOCUMENT_PATH, `is not well-formed XML: ${msg}`);
  }
  const roots: XNode[] = [];
  for (const n of raw) {
    const name = nodeName(n);
    if (name === '#text') {
      if (String(n['#text']).trim() !== '') throw new MemoError(DOCUMENT_PATH, 'has text outside the root element');
    } else if (name === '#cdata') {
      throw new MemoError(DOCUMENT_PATH, 'has a CDATA section outside the root element');
    } else if (name !== undefined && !name.startsWith('?')) {
      roots.push(convert(n, name, new Map([['xml', NS.xml]]), ''));
    }
  }
  if (roots.length !== 1) throw new MemoError(DOCUMENT_PATH, roots.length === 0 ? 'has no root element' : `has ${roots.length} root elements; XML allows exactly one (Message)`);
  return roots[0];
}

function nodeName(n: FxpNode): string | undefined {
  for (const k in n) if (k !== ':@') return k;
  return undefined;
}

function local(qn: string): string {
  const i = qn.indexOf(':');
  return i === -1 ? qn : qn.slice(i + 1);
}

function convert(n: FxpNode, qn: string, scope: Map<string, string>, parentPath: string): XNode {
  const path = parentPath ? `${parentPath}/${local(qn)}` : local(qn);
  const rawAttrs = n[':@'] ?? {};
  let inScope = scope;
  const attrs: { qn: string; value: string }[] = [];
  for (const [an, av] of Object.entries(rawAttrs)) {
    const value = decodeAttribute(String(av), `${path}/@${an}`);
    if (an === 'xmlns' || an.startsWith('xmlns:')) {
      if (inScope === scope) inScope = new Map(scope);
      const prefix = an === 'xmlns' ? '' : an.slice(6);
      if (prefix && !value) throw new MemoError(`${path}/@${an}`, 'a namespace prefix cannot be bound to an empty namespace name');
      inScope.set(prefix, value);
    } else {
      attrs.push({ qn: an, value });
    }
  }
  const resolve = (name: string, isAttr: boolean): { name: string; ns: string } => {
    const i = name.indexOf(':');
    if (i === -1) return { name, ns: isAttr ? '' : inScope.get('') ?? '' };
    const prefix = name.slice(0, i);
    const ns = inScope.get(prefix);
    if (ns === undefined) {
      throw new MemoError(path, `uses the namespace prefix ${quote(prefix)} without declaring it (add xmlns:${prefix}="…")`);
    }
    return { name: name.slice(i + 1), ns };
  };
  const { name, ns } = resolve(qn, false);
  const xattrs: XAttr[] = attrs.map((a) => ({ ...resolve(a.qn, true), value: a.value }));

  const children: XNode[] = [];
  let text = '';
  const body = n[qn];
  if (Array.isArray(body)) {
    for (const c of body as FxpNode[]) {
      const cn = nodeName(c);
      if (cn === '#text') {
        const raw = String(c['#text']);
        const markup = isStopNode(local(qn)) ? /<([A-Za-z_][^\s/>]*)/.exec(raw) : null;
        // Markup inside File/content arrives as raw text (it is a stop node); show it to validation as
        // the child element it is, so the error names the element with its full path.
        if (markup) children.push({ name: local(markup[1]), ns: '', attrs: [], children: [], text: '' });
        else text += decodeText(raw, path, isStopNode(local(qn)));
      }
      else if (cn === '#cdata') text += cdataText(c['#cdata']);
      else if (cn !== undefined && !cn.startsWith('?')) children.push(convert(c, cn, inScope, path));
    }
  }
  return { name, ns, attrs: xattrs, children, text };
}

function isStopNode(localName: string): boolean {
  return localName === 'content';
}

function cdataText(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return v.map((t) => String((t as Record<string, unknown>)['#text'] ?? '')).join('');
}

// The only entities XML defines without a DTD; everything else is refused.
const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REF = /&(?:#x([0-9a-fA-F]+);|#([0-9]+);|([A-Za-z_][A-Za-z0-9._-]*);)?/g;

function decodeRefs(s: string, path: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(REF, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (hex !== undefined || dec !== undefined) {
      const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
      const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!ok) throw new MemoError(path, `contains the character reference ${whole}, which is not a character XML allows`);
      return String.fromCodePoint(cp);
    }
    if (name !== undefined) {
      const v = XML_ENTITIES[name];
      if (v === undefined) {
        throw new MemoError(path, `uses the entity &${name}; which XML does not define (only &lt; &gt; &amp; &quot; &apos; and numeric references like &#230; are allowed)`);
      }
      return v;
    }
    throw new MemoError(path, 'contains a "&" that does not start a reference; write it as &amp;');
  });
}

function decodeAttribute(raw: string, path: string): string {
  if (raw.indexOf('<') !== -1) throw new MemoError(path, 'contains a "<", which XML does not allow in attribute values; write it as &lt;');
  return decodeRefs(raw.replace(/[\t\n\r]/g, ' '), path);
}

/** Text of an element; stop-node text (File/content) arrives raw and may still hold CDATA or comments. */
function decodeText(raw: string, path: string, stopNode: boolean): string {
  if (!stopNode || raw.indexOf('<') === -1) return decodeRefs(raw, path);
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const lt = raw.indexOf('<', i);
    if (lt === -1) {
      out += decodeRefs(raw.slice(i), path);
      break;
    }
    out += decodeRefs(raw.slice(i, lt), path);
    if (raw.startsWith('<![CDATA[', lt)) {
      const end = raw.indexOf(']]>', lt);
      out += raw.slice(lt + 9, end);
      i = end + 3;
    } else if (raw.startsWith('<!--', lt)) {
      i = raw.indexOf('-->', lt) + 3;
    } else if (raw.startsWith('<?', lt)) {
      i = raw.indexOf('?>', lt) + 2;
    } else {
      throw new MemoError(path, 'must contain only text (the base64 of the file), but contains markup');
    }
    if (i < 3) throw new MemoError(path, 'is not well-formed XML');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Version and root attributes

function versionOf(root: XNode): MemoVersion {
  const attr = root.attrs.find((a) => a.name === 'memoVersion' && a.ns === '');
  if (!attr) throw new MemoError('Message/@memoVersion', 'required attribute is missing; MeMo messages say their version, e.g. memoVersion="1.2"');
  const v = collapse(attr.value);
  const mt = /^\+?0*1\.([12])0*$/.exec(v);
  if (!mt) throw new MemoError('Message/@memoVersion', `must be 1.1 or 1.2 (the MeMo versions Brevdue reads), not ${quote(v)}`);
  return mt[1] === '1' ? '1.1' : '1.2';
}

// ---------------------------------------------------------------------------------------------
// Validated tree → Memo

const kid = (n: XNode, name: string): XNode | undefined => n.children.find((c) => c.name === name);
const kids = (n: XNode, name: string): XNode[] => n.children.filter((c) => c.name === name);
const txt = (n: XNode | undefined, name: string): string | undefined => (n ? kid(n, name)?.text : undefined);
const bool = (n: XNode, name: string): boolean | undefined => {
  const v = txt(n, name);
  return v === undefined ? undefined : v === 'true';
};

/** Copies the defined entries only, so absent optional fields stay absent (and deep-equal holds). */
function defined<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function toMemo(root: XNode, version: MemoVersion, decodeFile: (base64: string) => Buffer): Memo {
  const header = kid(root, 'MessageHeader')!;
  const body = kid(root, 'MessageBody');
  const messageType = txt(header, 'messageType') as Memo['messageType'];
  if (messageType === 'DIGITALPOST' && !body) {
    throw new MemoError('Message/MessageBody', 'required for a DIGITALPOST message (only a NEMSMS may consist of the header alone)');
  }
  const contentData = kid(header, 'ContentData');
  const forwardData = kid(header, 'ForwardData');
  const schVersion = root.attrs.find((a) => a.name === 'memoSchVersion' && a.ns === '')?.value;
  return defined<Memo>({
    version,
    memoSchVersion: version === '1.1' ? schVersion : undefined,
    messageType,
    messageUUID: txt(header, 'messageUUID')!,
    messageID: txt(header, 'messageID'),
    messageCode: txt(header, 'messageCode'),
    label: txt(header, 'label')!,
    notification: txt(header, 'notification'),
    additionalNotification: txt(header, 'additionalNotification'),
    reply: bool(header, 'reply') ?? false,
    replyByDateTime: txt(header, 'replyByDateTime'),
    doNotDeliverUntilDate: txt(header, 'doNotDeliverUntilDate'),
    mandatory: bool(header, 'mandatory'),
    legalNotification: bool(header, 'legalNotification'),
    postType: txt(header, 'postType'),
    sender: party(kid(header, 'Sender')!, 'senderID'),
    recipient: party(kid(header, 'Recipient')!, 'recipientID'),
    contentData: contentData ? content(contentData) : undefined,
    forwardData: forwardData ? forward(forwardData) : undefined,
    replyData: kids(header, 'ReplyData').map(reply),
    body: body
      ? {
          createdDateTime: txt(body, 'createdDateTime')!,
          mainDocument: doc(kid(body, 'MainDocument')!, 'mainDocumentID', decodeFile),
          additionalDocuments: kids(body, 'AdditionalDocument').map((d) => doc(d, 'additionalDocumentID', decodeFile)),
          technicalDocuments: kids(body, 'TechnicalDocument').map((d) => doc(d, 'technicalDocumentID', decodeFile)),
        }
      : { createdDateTime: '', additionalDocuments: [], technicalDocuments: [] },
  });
}

function party(n: XNode, idName: 'senderID' | 'recipientID'): MemoParty {
  const id = kid(n, idName)!;
  const idType = kid(n, 'idType')!;
  checkIdentifier(id.text, idType.text, id.path!, idType.path!);
  const att = kid(n, 'AttentionData');
  const cp = kid(n, 'ContactPoint');
  const rep = kid(n, 'Representative');
  if (rep) {
    const repId = kid(rep, 'representativeID');
    const repType = kid(rep, 'idType');
    if (repId && repType) checkIdentifier(repId.text, repType.text, repId.path!, repType.path!);
    else if (repType && !ID_TYPES[repType.text]) throw new MemoError(repType.path!, `must be CVR or CPR, not ${quote(repType.text)}`);
  }
  return defined<MemoParty>({
    id: id.text,
    idType: idType.text,
    idTypeLabel: txt(n, 'idTypeLabel'),
    label: txt(n, 'label'),
    attentionData: att ? attention(att) : undefined,
    contactPoint: cp ? contactPoint(cp) : undefined,
    representative: rep
      ? defined({ representativeID: txt(rep, 'representativeID'), idType: txt(rep, 'idType'), idTypeLabel: txt(rep, 'idTypeLabel'), label: txt(rep, 'label') })
      : undefined,
  });
}

function pair<A extends string, B extends string>(n: XNode | undefined, a: A, b: B): ({ [K in A]: string } & { [K in B]?: string }) | undefined {
  if (!n) return undefined;
  return defined({ [a]: txt(n, a)!, [b]: txt(n, b) } as { [K in A]: string } & { [K in B]?: string });
}

function address(n: XNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of n.children) {
    if (c.name === 'AddressPoint') for (const p of c.children) out[p.name] = p.text;
    else out[c.name] = c.text;
  }
  return out;
}

function attention(n: XNode): MemoAttentionData {
  const person = kid(n, 'AttentionPerson');
  const responsible = kid(n, 'ContentResponsible');
  const system = kid(n, 'GeneratingSystem');
  const addr = kid(n, 'Address');
  const unstructured = kid(n, 'UnstructuredAddress');
  return defined<MemoAttentionData>({
    attentionPerson: person ? defined({ personID: txt(person, 'personID'), label: txt(person, 'label') }) : undefined,
    productionUnit: pair(kid(n, 'ProductionUnit'), 'productionUnitNumber', 'productionUnitName'),
    globalLocationNumber: pair(kid(n, 'GlobalLocationNumber'), 'globalLocationNumber', 'location'),
    email: pair(kid(n, 'EMail'), 'emailAddress', 'relatedAgent'),
    seNumber: pair(kid(n, 'SEnumber'), 'seNumber', 'companyName'),
    telephone: pair(kid(n, 'Telephone'), 'telephoneNumber', 'relatedAgent'),
    eid: pair(kid(n, 'EID'), 'eID', 'label'),
    contentResponsible: responsible ? defined({ contentResponsibleID: txt(responsible, 'contentResponsibleID'), label: txt(responsible, 'label') }) : undefined,
    generatingSystem: system ? defined({ generatingSystemID: txt(system, 'generatingSystemID'), label: txt(system, 'label') }) : undefined,
    sorData: pair(kid(n, 'SORdata'), 'sorIdentifier', 'entryName'),
    address: addr ? address(addr) : undefined,
    unstructuredAddress: unstructured ? txt(unstructured, 'unstructured') : undefined,
  });
}

function contactPoint(n: XNode): MemoContactPoint {
  return defined<MemoContactPoint>({
    contactGroup: txt(n, 'contactGroup'),
    contactPointID: txt(n, 'contactPointID'),
    label: txt(n, 'label'),
    contactInfo: kids(n, 'ContactInfo').map((c) => ({ label: txt(c, 'label')!, value: txt(c, 'value')! })),
  });
}

function content(n: XNode): MemoContentData {
  const list = <T>(name: string, f: (c: XNode) => T): T[] | undefined => {
    const found = kids(n, name);
    return found.length ? found.map(f) : undefined;
  };
  const coded = (c: XNode) => ({ version: txt(c, 'version'), activityFacet: txt(c, 'activityFacet'), label: txt(c, 'label') });
  return defined<MemoContentData>({
    cprData: list('CPRdata', (c) => pair(c, 'cprNumber', 'name')!),
    cvrData: list('CVRdata', (c) => pair(c, 'cvrNumber', 'companyName')!),
    motorVehicle: list('MotorVehicle', (c) => defined({ licenseNumber: txt(c, 'licenseNumber'), chassisNumber: txt(c, 'chassisNumber') })),
    propertyNumber: list('PropertyNumber', (c) => txt(c, 'propertyNumber')!),
    caseID: list('CaseID', (c) => pair(c, 'caseID', 'caseSystem')!),
    kleData: list('KLEdata', (c) => defined({ subjectKey: txt(c, 'subjectKey')!, ...coded(c) })),
    formData: list('FORMdata', (c) => defined({ taskKey: txt(c, 'taskKey')!, ...coded(c) })),
    productionUnit: list('ProductionUnit', (c) => pair(c, 'productionUnitNumber', 'productionUnitName')!),
    education: list('Education', (c) => pair(c, 'educationCode', 'educationName')!),
    address: list('Address', address),
    unstructuredAddress: list('UnstructuredAddress', (c) => txt(c, 'unstructured')!),
    additionalContentData: list('AdditionalContentData', (c) => ({
      contentDataType: txt(c, 'contentDataType') ?? '',
      contentDataName: txt(c, 'contentDataName')!,
      contentDataValue: txt(c, 'contentDataValue')!,
    })),
  });
}

function forward(n: XNode): MemoForwardData {
  return defined<MemoForwardData>({
    messageUUID: txt(n, 'messageUUID')!,
    originalMessageDateTime: txt(n, 'originalMessageDateTime')!,
    originalSender: txt(n, 'originalSender')!,
    originalContentResponsible: txt(n, 'originalContentResponsible'),
    originalRepresentative: txt(n, 'originalRepresentative'),
    contactPointID: txt(n, 'contactPointID'),
    comment: txt(n, 'comment'),
  });
}

function reply(n: XNode): MemoReplyData {
  const extra = kids(n, 'AdditionalReplyData');
  return defined<MemoReplyData>({
    messageID: txt(n, 'messageID'),
    messageUUID: txt(n, 'messageUUID')!,
    replyUUID: txt(n, 'replyUUID'),
    senderID: txt(n, 'senderID'),
    recipientID: txt(n, 'recipientID'),
    caseID: txt(n, 'caseID'),
    contactPointID: txt(n, 'contactPointID'),
    generatingSystemID: txt(n, 'generatingSystemID'),
    comment: txt(n, 'comment'),
    additionalReplyData: extra.length ? extra.map((a) => ({ label: txt(a, 'label')!, value: txt(a, 'value')! })) : undefined,
  });
}

function doc(n: XNode, idName: string, decodeFile: (base64: string) => Buffer): MemoDocument {
  return defined<MemoDocument>({
    documentID: txt(n, idName),
    label: txt(n, 'label') ?? '',
    files: kids(n, 'File').map((f) => ({
      encodingFormat: txt(f, 'encodingFormat')!,
      filename: txt(f, 'filename')!,
      language: txt(f, 'language')!,
      content: decodeFile(txt(f, 'content')!),
    })),
    actions: kids(n, 'Action').map(action),
  });
}

function action(n: XNode): MemoAction {
  const r = kid(n, 'Reservation');
  return defined<MemoAction>({
    label: txt(n, 'label')!,
    actionCode: txt(n, 'actionCode')!,
    startDateTime: txt(n, 'startDateTime'),
    endDateTime: txt(n, 'endDateTime'),
    entryPointUrl: txt(kid(n, 'EntryPoint'), 'url'),
    reservation: r
      ? defined({
          description: txt(r, 'description')!,
          reservationUUID: txt(r, 'reservationUUID')!,
          abstract: txt(r, 'abstract')!,
          location: txt(r, 'location')!,
          startDateTime: txt(r, 'startDateTime')!,
          endDateTime: txt(r, 'endDateTime')!,
          organizerMail: txt(r, 'organizerMail'),
          organizerName: txt(r, 'organizerName'),
        })
      : undefined,
  });
}
