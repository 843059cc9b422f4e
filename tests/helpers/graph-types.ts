// Conformance of request bodies to Microsoft Graph's types. The declarations in
// @microsoft/microsoft-graph-types are read once with the TypeScript compiler API; a JSON value is
// then walked through the declared property types (NullableOption<T> and `| null` unwrapped,
// arrays, inherited interfaces) and every property the type does not have is reported. An object
// with "@odata.type" is checked as that (derived) type; instance annotations such as "@odata.type"
// or "@microsoft.graph.conflictBehavior" are allowed anywhere.
//
// GRAPH_BODY_ROUTES says which type the body of each Graph call is. checkRecordedRequests takes the
// Graph simulator's recording (api.requests()) and reports every property that is not Graph's, and
// every JSON body sent to a route the table does not know: keep the table complete.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const TYPES_FILE = fileURLToPath(new URL('../../node_modules/@microsoft/microsoft-graph-types/microsoft-graph.d.ts', import.meta.url));

type Members = Map<string, ts.TypeNode | undefined>;
type Shape =
  | { kind: 'any' }
  | { kind: 'primitive' }
  | { kind: 'array'; element: Shape }
  | { kind: 'object'; name?: string; members: Members }
  | { kind: 'union'; options: Shape[] };

interface Model {
  sf: ts.SourceFile;
  interfaces: Map<string, ts.InterfaceDeclaration[]>;
  aliases: Map<string, ts.TypeAliasDeclaration>;
  members: Map<string, Members>;
}

let model: Model | undefined;

function load(): Model {
  if (model) return model;
  const sf = ts.createSourceFile(TYPES_FILE, readFileSync(TYPES_FILE, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const interfaces = new Map<string, ts.InterfaceDeclaration[]>();
  const aliases = new Map<string, ts.TypeAliasDeclaration>();
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st)) interfaces.set(st.name.text, [...(interfaces.get(st.name.text) ?? []), st]);
    else if (ts.isTypeAliasDeclaration(st)) aliases.set(st.name.text, st);
  }
  model = { sf, interfaces, aliases, members: new Map() };
  return model;
}

/** Whether the Graph types declare an interface of this name (e.g. 'Message'). */
export function isGraphType(name: string): boolean {
  return load().interfaces.has(name);
}

function nameOf(n: ts.PropertyName, sf: ts.SourceFile): string {
  return ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) ? n.text : n.getText(sf);
}

function bases(name: string): string[] {
  const m = load();
  return (m.interfaces.get(name) ?? []).flatMap((d) => (d.heritageClauses ?? []).flatMap((h) =>
    h.types.map((t) => (ts.isIdentifier(t.expression) ? t.expression.text : '')).filter(Boolean)));
}

/** Own and inherited properties of an interface. */
function membersOf(name: string): Members {
  const m = load();
  const cached = m.members.get(name);
  if (cached) return cached;
  const out: Members = new Map();
  m.members.set(name, out); // guards against cycles
  for (const b of bases(name)) for (const [k, v] of membersOf(b)) out.set(k, v);
  for (const d of m.interfaces.get(name) ?? []) {
    for (const el of d.members) if (ts.isPropertySignature(el)) out.set(nameOf(el.name, m.sf), el.type);
  }
  return out;
}

function isSubtype(derived: string, base: string, seen = new Set<string>()): boolean {
  if (derived === base) return true;
  if (seen.has(derived)) return false;
  seen.add(derived);
  return bases(derived).some((b) => isSubtype(b, base, seen));
}

function literalMembers(node: ts.TypeLiteralNode, sf: ts.SourceFile): Members {
  const out: Members = new Map();
  for (const el of node.members) if (ts.isPropertySignature(el)) out.set(nameOf(el.name, sf), el.type);
  return out;
}

function resolve(node: ts.TypeNode | undefined, sf: ts.SourceFile, depth = 0): Shape {
  if (!node || depth > 20) return { kind: 'any' };
  const m = load();
  if (ts.isParenthesizedTypeNode(node)) return resolve(node.type, sf, depth + 1);
  if (ts.isArrayTypeNode(node)) return { kind: 'array', element: resolve(node.elementType, sf, depth + 1) };
  if (ts.isTypeLiteralNode(node)) return { kind: 'object', members: literalMembers(node, sf) };
  if (ts.isLiteralTypeNode(node)) return { kind: 'primitive' };
  if (ts.isUnionTypeNode(node)) {
    const options = node.types
      .filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword) && t.kind !== ts.SyntaxKind.UndefinedKeyword)
      .map((t) => resolve(t, sf, depth + 1));
    if (options.length === 1) return options[0];
    if (options.every((o) => o.kind === 'primitive')) return { kind: 'primitive' };
    if (options.some((o) => o.kind === 'any')) return { kind: 'any' };
    return { kind: 'union', options };
  }
  if (ts.isTypeReferenceNode(node)) {
    if (!ts.isIdentifier(node.typeName)) return { kind: 'any' }; // a nested namespace's type
    const name = node.typeName.text;
    if (name === 'NullableOption') return resolve(node.typeArguments?.[0], sf, depth + 1);
    if (name === 'Array' || name === 'ReadonlyArray') return { kind: 'array', element: resolve(node.typeArguments?.[0], sf, depth + 1) };
    if (m.interfaces.has(name)) return { kind: 'object', name, members: membersOf(name) };
    const alias = m.aliases.get(name);
    if (alias) return resolve(alias.type, m.sf, depth + 1);
    return { kind: 'any' };
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword: case ts.SyntaxKind.NumberKeyword: case ts.SyntaxKind.BooleanKeyword:
    case ts.SyntaxKind.NullKeyword: case ts.SyntaxKind.UndefinedKeyword:
      return { kind: 'primitive' };
    default:
      return { kind: 'any' };
  }
}

const typeExprCache = new Map<string, Shape>();

/** A Graph interface name ('Message') or a type expression over them ('{ message: Message; saveToSentItems?: boolean }'). */
function shapeOf(type: string): Shape {
  const cached = typeExprCache.get(type);
  if (cached) return cached;
  let shape: Shape;
  if (/^[A-Za-z_]\w*$/.test(type)) {
    if (!isGraphType(type)) throw new Error(`@microsoft/microsoft-graph-types declares no interface '${type}'.`);
    shape = { kind: 'object', name: type, members: membersOf(type) };
  } else {
    const sf = ts.createSourceFile('expr.ts', `type __T = ${type};`, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const decl = sf.statements[0];
    if (!decl || !ts.isTypeAliasDeclaration(decl)) throw new Error(`Not a type expression: ${type}`);
    shape = resolve(decl.type, sf); // names in the expression resolve against the Graph model
  }
  typeExprCache.set(type, shape);
  return shape;
}

/** '#microsoft.graph.fileAttachment' → 'FileAttachment'. */
export function typeNameOfOdataType(odataType: string): string {
  const n = odataType.replace(/^#/, '').replace(/^microsoft\.graph\./i, '');
  return n.charAt(0).toUpperCase() + n.slice(1);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function walk(value: unknown, shape: Shape, path: string, out: string[], sf: ts.SourceFile): void {
  switch (shape.kind) {
    case 'any': case 'primitive': return;
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, shape.element, `${path}[${i}]`, out, sf));
      return;
    case 'union': {
      if (Array.isArray(value)) {
        const arr = shape.options.find((o) => o.kind === 'array');
        if (arr) walk(value, arr, path, out, sf);
        return;
      }
      const objects = shape.options.filter((o): o is Extract<Shape, { kind: 'object' }> => o.kind === 'object');
      if (!isPlainObject(value) || objects.length === 0) return;
      const members: Members = new Map();
      for (const o of objects) for (const [k, v] of o.members) if (!members.has(k)) members.set(k, v);
      walk(value, { kind: 'object', members }, path, out, sf);
      return;
    }
    case 'object': {
      if (!isPlainObject(value)) return;
      let members = shape.members;
      let memberFile = shape.name ? load().sf : sf;
      const odataType = value['@odata.type'];
      if (typeof odataType === 'string') {
        const derived = typeNameOfOdataType(odataType);
        if (!isGraphType(derived)) out.push(`${join(path, '@odata.type')} ('${odataType}' is not a Graph type)`);
        else if (shape.name && !isSubtype(derived, shape.name)) out.push(`${join(path, '@odata.type')} ('${odataType}' is not derived from ${shape.name})`);
        else { members = membersOf(derived); memberFile = load().sf; }
      }
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('@')) continue; // instance and property annotations
        if (!members.has(k)) { out.push(join(path, k)); continue; }
        walk(v, resolve(members.get(k), memberFile), join(path, k), out, sf);
      }
    }
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Every property path in `value` that `type` (a Graph interface name or a type expression over
 * them) does not declare, e.g. ['subjekt', 'from.emailAddress.adress', 'attachments[0].bogus'].
 */
export function unknownProperties(value: unknown, type: string): string[] {
  const out: string[] = [];
  walk(value, shapeOf(type), '', out, load().sf);
  return out;
}

// ---- the route table ----------------------------------------------------------------------------

export interface GraphBodyRoute {
  method: 'POST' | 'PATCH' | 'PUT';
  /** Against the path below /v1.0, percent-decoded per segment, without the query. */
  path: RegExp;
  /** A Graph interface name or type expression; '$batch' for JSON batching (its requests are checked). */
  type: string;
  what: string;
}

const SEG = '[^/]+';
const USER = `/(?:users/${SEG}|me)`;
const FOLDER = `${USER}/mailFolders/${SEG}(?:/childFolders/${SEG})*`;
const MESSAGE = `${USER}(?:/mailFolders/${SEG}(?:/childFolders/${SEG})*)?/messages/${SEG}`;
const DRIVE = `(?:/drives/${SEG}|/(?:users|groups|sites)/${SEG}/drive|/me/drive|/teams/${SEG}/channels/${SEG}/filesFolder)`;
const DRIVE_ITEM = `${DRIVE}(?:/items/${SEG}|/root)(?::/[^:]+:)?`;
const NS = '(?:microsoft\\.graph\\.)?';
const re = (p: string) => new RegExp(`^${p}/?$`, 'i');

export const GRAPH_BODY_ROUTES: GraphBodyRoute[] = [
  { method: 'POST', path: re('/\\$batch'), type: '$batch', what: 'JSON batch' },
  { method: 'POST', path: re(`${USER}/messages`), type: 'Message', what: 'create a message (in Drafts)' },
  { method: 'POST', path: re(`${FOLDER}/messages`), type: 'Message', what: 'create a message in a folder' },
  { method: 'PATCH', path: re(MESSAGE), type: 'Message', what: 'update a message' },
  { method: 'POST', path: re(`${USER}/mailFolders`), type: 'MailFolder', what: 'create a top-level folder' },
  { method: 'POST', path: re(`${FOLDER}/childFolders`), type: 'MailFolder', what: 'create a child folder' },
  { method: 'PATCH', path: re(FOLDER), type: 'MailFolder', what: 'update a folder' },
  { method: 'POST', path: re(`${MESSAGE}/attachments`), type: 'Attachment', what: 'add an attachment (derived type by @odata.type)' },
  { method: 'POST', path: re(`${MESSAGE}/attachments/${NS}createUploadSession`), type: '{ AttachmentItem: AttachmentItem }', what: 'attachment upload session' },
  { method: 'POST', path: re(`${MESSAGE}/${NS}(?:move|copy)`), type: '{ destinationId: string }', what: 'move or copy a message' },
  { method: 'POST', path: re(`${USER}/${NS}sendMail`), type: '{ message: Message; saveToSentItems?: boolean }', what: 'send mail' },
  { method: 'POST', path: re(`${DRIVE_ITEM}/${NS}createUploadSession`), type: '{ item?: DriveItemUploadableProperties; deferCommit?: boolean }', what: 'drive item upload session' },
  { method: 'POST', path: re(`${DRIVE_ITEM}/children`), type: 'DriveItem', what: 'create a drive item (folder)' },
  { method: 'PATCH', path: re(DRIVE_ITEM), type: 'DriveItem', what: 'update a drive item' },
  { method: 'POST', path: re(`/teams/${SEG}/channels/${SEG}/messages`), type: 'ChatMessage', what: 'post a channel message' },
];

/** The path below /v1.0, decoded per segment (a decoded '/' stays %2F); undefined outside /v1.0. */
export function graphPath(recordedPath: string): string | undefined {
  const noQuery = recordedPath.replace(/[?#].*$/, '').replace(/^https?:\/\/[^/]+/i, '');
  const m = /^(?:.*?)?\/v1\.0(\/.*)?$/i.exec(noQuery);
  if (!m) return undefined;
  return (m[1] ?? '/').split('/').map((s) => {
    try { return decodeURIComponent(s).replace(/\//g, '%2F'); } catch { return s; }
  }).join('/');
}

export function bodyRouteFor(method: string, path: string): GraphBodyRoute | undefined {
  return GRAPH_BODY_ROUTES.find((r) => r.method === method.toUpperCase() && r.path.test(path));
}

/** What checkRecordedRequests needs of a recorded request (the simulator's RecordedRequest fits). */
export interface RecordedRequestLike {
  method: string;
  path: string;
  body: unknown;
  batch?: { id: string; method: string; url: string; body: unknown }[];
  batchId?: string;
}

/** Human-readable violations in the JSON bodies of recorded requests; [] when all conform. */
export function checkRecordedRequests(requests: RecordedRequestLike[]): string[] {
  const out: string[] = [];
  const check = (method: string, path: string | undefined, body: unknown, label: string) => {
    if (body === null || body === undefined || typeof body !== 'object') return;
    if (path === undefined) { out.push(`${label}: a JSON body outside /v1.0`); return; }
    const route = bodyRouteFor(method, path);
    if (!route) { out.push(`${label}: no body type for this route in GRAPH_BODY_ROUTES`); return; }
    if (route.type === '$batch') return;
    for (const p of unknownProperties(body, route.type)) out.push(`${label}: '${p}' is not a property of ${route.type}`);
  };
  for (const r of requests) {
    if (r.batchId) continue; // a $batch request replayed by the simulator: checked through its batch
    const label = `${r.method} ${r.path}`;
    const path = graphPath(r.path);
    check(r.method, path, r.body, label);
    if (path !== undefined && bodyRouteFor(r.method, path)?.type === '$batch') {
      for (const inner of r.batch ?? []) {
        const url = inner.url.startsWith('/') || /^https?:/i.test(inner.url) ? inner.url : `/${inner.url}`;
        const innerPath = graphPath(/\/v1\.0(\/|$)/i.test(url) ? url : `/v1.0${url.replace(/^https?:\/\/[^/]+/i, '')}`);
        check(inner.method.toUpperCase(), innerPath, inner.body, `${label} [${inner.id}] ${inner.method.toUpperCase()} ${inner.url}`);
      }
    }
  }
  return out;
}
