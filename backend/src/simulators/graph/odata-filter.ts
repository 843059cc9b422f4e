// A small OData v4 $filter parser and evaluator: comparisons (eq ne gt ge lt le), and/or/not,
// parentheses, startswith/endswith/contains, and lambda any/all over collections, e.g.
//   displayName eq 'O''Brien'
//   singleValueExtendedProperties/Any(ep: ep/id eq 'String {…} Name x' and ep/value eq 'y')
// String equality is case-insensitive, as Exchange compares.
import { badRequest } from './errors';

type Tok =
  | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'date'; v: number; raw: string }
  | { t: 'id'; v: string } | { t: 'punct'; v: string };

export type Expr =
  | { k: 'lit'; v: string | number | boolean | null | { date: number } }
  | { k: 'path'; segs: string[] }
  | { k: 'cmp'; op: string; l: Expr; r: Expr }
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'fn'; name: string; args: Expr[] }
  | { k: 'lambda'; segs: string[]; q: 'any' | 'all'; v: string; body: Expr };

const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FNS = new Set(['startswith', 'endswith', 'contains']);

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if ('(),:/'.includes(c)) { out.push({ t: 'punct', v: c }); i++; continue; }
    if (c === "'") {
      let v = ''; i++;
      for (;;) {
        if (i >= s.length) throw invalid('unterminated string literal');
        if (s[i] === "'") { if (s[i + 1] === "'") { v += "'"; i += 2; continue; } i++; break; }
        v += s[i++];
      }
      out.push({ t: 'str', v });
      continue;
    }
    const date = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(s.slice(i));
    if (date && date[0].length > 4) {
      const v = Date.parse(date[0]);
      if (Number.isNaN(v)) throw invalid(`bad date ${date[0]}`);
      out.push({ t: 'date', v, raw: date[0] }); i += date[0].length; continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(s.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_@$][\w.@$]*/.exec(s.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    throw invalid(`unexpected character '${c}'`);
  }
  return out;
}

const invalid = (why: string) => badRequest(`Invalid filter clause: ${why}.`);

export function parseFilter(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isWord = (w: string) => peek()?.t === 'id' && (peek() as { v: string }).v.toLowerCase() === w;
  const expect = (v: string) => {
    const t = toks[p++];
    if (!t || t.t !== 'punct' || t.v !== v) throw invalid(`expected '${v}'`);
  };

  const or = (): Expr => {
    let l = and();
    while (isWord('or')) { p++; l = { k: 'or', l, r: and() }; }
    return l;
  };
  const and = (): Expr => {
    let l = unary();
    while (isWord('and')) { p++; l = { k: 'and', l, r: unary() }; }
    return l;
  };
  const unary = (): Expr => {
    if (isWord('not')) { p++; return { k: 'not', e: unary() }; }
    const l = operand();
    const t = peek();
    if (t?.t === 'id' && CMP.has(t.v.toLowerCase())) {
      p++;
      return { k: 'cmp', op: t.v.toLowerCase(), l, r: operand() };
    }
    return l;
  };
  const operand = (): Expr => {
    const t = toks[p++];
    if (!t) throw invalid('unexpected end');
    if (t.t === 'punct' && t.v === '(') { const e = or(); expect(')'); return e; }
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'date') return { k: 'lit', v: { date: t.v } };
    if (t.t !== 'id') throw invalid(`unexpected '${t.v}'`);
    const w = t.v.toLowerCase();
    if (w === 'true' || w === 'false') return { k: 'lit', v: w === 'true' };
    if (w === 'null') return { k: 'lit', v: null };
    if (FNS.has(w) && peek()?.t === 'punct' && (peek() as { v: string }).v === '(') {
      p++;
      const args = [or()];
      while (peek()?.t === 'punct' && (peek() as { v: string }).v === ',') { p++; args.push(or()); }
      expect(')');
      if (args.length !== 2) throw invalid(`${w} takes two arguments`);
      return { k: 'fn', name: w, args };
    }
    const segs = [t.v];
    while (peek()?.t === 'punct' && (peek() as { v: string }).v === '/') {
      p++;
      const n = toks[p++];
      if (!n || n.t !== 'id') throw invalid('expected a property name after /');
      const q = n.v.toLowerCase();
      if ((q === 'any' || q === 'all') && peek()?.t === 'punct' && (peek() as { v: string }).v === '(') {
        p++;
        const v = toks[p++];
        if (!v || v.t !== 'id') throw invalid('expected a lambda variable');
        expect(':');
        const body = or();
        expect(')');
        return { k: 'lambda', segs, q, v: v.v, body };
      }
      segs.push(n.v);
    }
    return { k: 'path', segs };
  };

  const e = or();
  if (p !== toks.length) throw invalid(`unexpected '${String((toks[p] as { v: unknown }).v)}'`);
  return e;
}

/** Top-level property names a filter refers to (lambda variables excluded), for validation. */
export function filterProperties(e: Expr, vars: string[] = []): string[] {
  switch (e.k) {
    case 'lit': return [];
    case 'path': return vars.includes(e.segs[0]) ? [] : [e.segs[0]];
    case 'cmp': case 'and': case 'or': return [...filterProperties(e.l, vars), ...filterProperties(e.r, vars)];
    case 'not': return filterProperties(e.e, vars);
    case 'fn': return e.args.flatMap((a) => filterProperties(a, vars));
    case 'lambda': return [...(vars.includes(e.segs[0]) ? [] : [e.segs[0]]), ...filterProperties(e.body, [...vars, e.v])];
  }
}

export interface EvalOptions {
  /** String equality; defaults to case-insensitive comparison. */
  stringEquals?: (a: string, b: string) => boolean;
}

type Val = unknown;

export function evaluate(e: Expr, obj: Record<string, unknown>, o: EvalOptions = {}, scope: Record<string, unknown> = {}): boolean {
  return truthy(evalExpr(e, obj, o, scope));
}

function evalExpr(e: Expr, obj: Record<string, unknown>, o: EvalOptions, scope: Record<string, unknown>): Val {
  switch (e.k) {
    case 'lit': return e.v;
    case 'path': return resolve(e.segs, obj, scope);
    case 'and': return truthy(evalExpr(e.l, obj, o, scope)) && truthy(evalExpr(e.r, obj, o, scope));
    case 'or': return truthy(evalExpr(e.l, obj, o, scope)) || truthy(evalExpr(e.r, obj, o, scope));
    case 'not': return !truthy(evalExpr(e.e, obj, o, scope));
    case 'cmp': return compare(e.op, evalExpr(e.l, obj, o, scope), evalExpr(e.r, obj, o, scope), o);
    case 'fn': {
      const [a, b] = e.args.map((x) => evalExpr(x, obj, o, scope));
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const [x, y] = [a.toLowerCase(), b.toLowerCase()];
      return e.name === 'startswith' ? x.startsWith(y) : e.name === 'endswith' ? x.endsWith(y) : x.includes(y);
    }
    case 'lambda': {
      const coll = resolve(e.segs, obj, scope);
      const items = Array.isArray(coll) ? coll : [];
      const test = (it: unknown) => truthy(evalExpr(e.body, obj, o, { ...scope, [e.v]: it }));
      return e.q === 'any' ? items.some(test) : items.every(test);
    }
  }
}

function resolve(segs: string[], obj: Record<string, unknown>, scope: Record<string, unknown>): Val {
  let cur: unknown = segs[0] in scope ? scope[segs[0]] : obj[segs[0]];
  for (const s of segs.slice(1)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  return cur;
}

const truthy = (v: Val) => v === true;

function compare(op: string, a: Val, b: Val, o: EvalOptions): boolean {
  const asDate = (v: Val) => (v && typeof v === 'object' && 'date' in v ? (v as { date: number }).date
    : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : undefined);
  if ((a && typeof a === 'object' && 'date' in a) || (b && typeof b === 'object' && 'date' in b)) {
    const x = asDate(a); const y = asDate(b);
    if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) return op === 'ne';
    return ord(op, x - y);
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (op === 'eq' || op === 'ne') {
      const eq = (o.stringEquals ?? ((x, y) => x.toLowerCase() === y.toLowerCase()))(a, b);
      return op === 'eq' ? eq : !eq;
    }
    return ord(op, a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
  }
  if (op === 'eq') return (a ?? null) === (b ?? null);
  if (op === 'ne') return (a ?? null) !== (b ?? null);
  if (typeof a === 'number' && typeof b === 'number') return ord(op, a - b);
  return false;
}

function ord(op: string, d: number): boolean {
  switch (op) {
    case 'eq': return d === 0; case 'ne': return d !== 0;
    case 'gt': return d > 0; case 'ge': return d >= 0;
    case 'lt': return d < 0; default: return d <= 0;
  }
}
