// OData system query options as the simulator supports them: $filter, $select, $top, $skip,
// $orderby, $expand (with nested $filter/$select) and $count. Query strings are decoded like
// ASP.NET does ('+' is a space), so clients must percent-encode what they put in a filter.
import type { Request } from 'express';
import { badRequest } from './errors';
import { filterProperties, parseFilter, type Expr } from './odata-filter';

export interface ExpandItem { name: string; filter?: Expr; select?: string[] }

export interface ODataQuery {
  filter?: Expr;
  select?: string[];
  top?: number;
  skip: number;
  orderby: { prop: string; desc: boolean }[];
  expand: ExpandItem[];
  count: boolean;
  raw: URLSearchParams;
}

export function rawQuery(req: Request): URLSearchParams {
  const i = req.originalUrl.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.originalUrl.slice(i + 1));
}

export function parseQuery(req: Request, entity: string, known: ReadonlySet<string>, maxTop = 1000): ODataQuery {
  const q = rawQuery(req);
  const get = (n: string) => q.get(n) ?? q.get(n.slice(1)) ?? undefined; // "$top" or "top"
  const check = (props: string[]) => {
    for (const p of props) {
      if (!known.has(p)) throw badRequest(`Could not find a property named '${p}' on type 'microsoft.graph.${entity}'.`, 'RequestBroker--ParseUri');
    }
  };
  const out: ODataQuery = { skip: 0, orderby: [], expand: [], count: false, raw: q };

  const f = get('$filter');
  if (f !== undefined) {
    out.filter = parseFilter(f);
    check(filterProperties(out.filter));
  }
  const sel = get('$select');
  if (sel !== undefined) {
    out.select = sel.split(',').map((s) => s.trim()).filter(Boolean);
    check(out.select);
  }
  const top = get('$top');
  if (top !== undefined) {
    if (!/^\d+$/.test(top) || Number(top) < 1 || Number(top) > maxTop) throw badRequest(`Invalid $top value '${top}': use 1 to ${maxTop}.`, 'ErrorInvalidArgument');
    out.top = Number(top);
  }
  const skip = get('$skip');
  if (skip !== undefined) {
    if (!/^\d+$/.test(skip)) throw badRequest(`Invalid $skip value '${skip}'.`, 'ErrorInvalidArgument');
    out.skip = Number(skip);
  }
  const ob = get('$orderby');
  if (ob !== undefined) {
    out.orderby = ob.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const [prop, dir, ...rest] = s.split(/\s+/);
      if (rest.length || (dir && !/^(asc|desc)$/i.test(dir))) throw badRequest(`Invalid $orderby clause '${s}'.`);
      return { prop, desc: /^desc$/i.test(dir ?? '') };
    });
    check(out.orderby.map((o) => o.prop));
  }
  const ex = get('$expand');
  if (ex !== undefined) out.expand = splitTop(ex, ',').map(parseExpandItem);
  out.count = /^true$/i.test(get('$count') ?? '');
  return out;
}

function parseExpandItem(s: string): ExpandItem {
  const m = /^\s*([\w.]+)\s*(?:\((.*)\))?\s*$/s.exec(s);
  if (!m) throw badRequest(`Invalid $expand clause '${s}'.`);
  const item: ExpandItem = { name: m[1] };
  for (const opt of m[2] ? splitTop(m[2], ';') : []) {
    const eq = opt.indexOf('=');
    const [k, v] = [opt.slice(0, eq).trim().toLowerCase(), opt.slice(eq + 1)];
    if (k === '$filter') item.filter = parseFilter(v);
    else if (k === '$select') item.select = v.split(',').map((x) => x.trim());
    else throw badRequest(`Query option '${k}' is not supported inside $expand.`);
  }
  return item;
}

/** Splits on `sep` outside parentheses and quoted strings. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0; let quoted = false; let cur = '';
  for (const c of s) {
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    if (c === sep && depth === 0 && !quoted) { out.push(cur); cur = ''; } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

/** Sorts (stable), pages and projects a collection; returns the page and whether more follow. */
export function applyPaging<T>(items: T[], q: ODataQuery, defaultTop: number,
  view: (t: T) => Record<string, unknown> = (t) => t as Record<string, unknown>): { page: T[]; more: boolean; top: number } {
  const sorted = q.orderby.length === 0 ? items : [...items].sort((a, b) => {
    for (const o of q.orderby) {
      const d = cmp(view(a)[o.prop], view(b)[o.prop]);
      if (d !== 0) return o.desc ? -d : d;
    }
    return 0;
  });
  const top = q.top ?? defaultTop;
  return { page: sorted.slice(q.skip, q.skip + top), more: sorted.length > q.skip + top, top };
}

function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).toLowerCase() < String(b).toLowerCase() ? -1 : String(a).toLowerCase() > String(b).toLowerCase() ? 1 : 0;
}

/** Keeps the selected properties (plus id and OData annotations). */
export function project<T extends object>(o: T, select?: string[]): Partial<T> {
  if (!select) return o;
  const keep = new Set([...select, 'id']);
  return Object.fromEntries(Object.entries(o).filter(([k]) => keep.has(k) || k.startsWith('@odata.'))) as Partial<T>;
}

/** The nextLink for the page after this one. */
export function nextLink(req: Request, q: ODataQuery, top: number): string {
  const p = new URLSearchParams(q.raw);
  p.delete('skip'); p.set('$skip', String(q.skip + top));
  if (!p.has('$top') && !p.has('top')) p.set('$top', String(top));
  return `${origin(req)}${req.baseUrl}${req.path}?${p.toString().replace(/\+/g, '%20')}`;
}

export function origin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
