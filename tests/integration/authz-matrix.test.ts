// The authorization matrix: every API route (read from the router at runtime, so a new route fails
// this test until it has a line in EXPECTED) × every role (admin, operator, reader, no token) ×
// tenant (the caller's own organisation's ids, another organisation's ids), against a production-mode
// server with real signed tokens. Allowed → never 401/403 (and never 500); not allowed → 403; no
// token → 401; another organisation's ids → 404; and no answer to organisation A ever contains
// organisation B's data, nor does any request change B's rows.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import { cvrNumbers, deliveries, destinations, documents, mailboxes, organisations, quarantine, roleGrants, rules, serviceNotices } from '../../backend/src/store/schema';
import { storeLetter } from '../../backend/src/store/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { eq } from 'drizzle-orm';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';
import { apiRoutes } from '../helpers/routes';

type Role = 'admin' | 'operator' | 'reader';
type Access = 'public' | Role[];
const ALL: Role[] = ['admin', 'operator', 'reader'];
const OPS: Role[] = ['admin', 'operator'];
const ADMIN: Role[] = ['admin'];

interface Ids { letter: string; doc: string; dest: string; rule: string; notice: string; mailbox: string; cvr: string; graphMessageId: string; grant: string; quarantine: string }
interface Expect {
  access: Access;
  /** A valid body, so a foreign id is judged by the lookup and not refused earlier by validation. */
  body?: (own: Ids) => unknown;
  /** Sent as multipart/form-data. */
  form?: Record<string, string>;
  /** Routes without an organisation's id in the path: nothing to swap (their answers are still checked for B's data). */
  noIds?: true;
  /** A valid query string, so the allowed roles get the real answer rather than a 400. */
  query?: string;
}

const LIMITED_CVR = '73423023';
const future = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const notice = () => ({ textDa: 'Planlagt vedligehold', textEn: 'Planned maintenance', startsAt: future(24), endsAt: future(26) });

/** One line per route: who may call it. Keys are "METHOD /path" relative to /api, as the router declares them. */
const EXPECTED: Record<string, Expect> = {
  'GET /health': { access: 'public', noIds: true },
  'GET /ready': { access: 'public', noIds: true },
  'GET /auth-config': { access: 'public', noIds: true },
  'GET /me': { access: ALL, noIds: true },
  'GET /cvrs': { access: ALL, noIds: true },
  'GET /messages': { access: ALL, noIds: true },
  'GET /messages/by-graph-id/:graphMessageId': { access: ALL },
  'GET /messages/:id': { access: ALL },
  'GET /messages/:id/documents/:docId': { access: ALL },
  'GET /destinations': { access: ALL, noIds: true },
  'POST /messages/:id/resend': { access: OPS, body: () => ({}) },
  'POST /messages/:id/reroute': { access: OPS, body: (o) => ({ destinationIds: [o.dest] }) },
  'GET /admin/destinations': { access: OPS, noIds: true },
  'GET /admin/destinations/:id': { access: OPS },
  'POST /admin/destinations': { access: ADMIN, noIds: true, body: () => ({ kind: 'shared_mailbox', displayName: 'Ny', mailbox: 'ny@a.example', folderPath: 'Post' }) },
  'PATCH /admin/destinations/:id': { access: ADMIN, body: () => ({ displayName: 'Omdøbt' }) },
  'POST /admin/destinations/:id/check': { access: OPS },
  'DELETE /admin/destinations/:id': { access: ADMIN },
  'GET /admin/deliveries/failed': { access: OPS, noIds: true },
  'POST /admin/deliveries/retry': { access: OPS, noIds: true, body: (own) => ({ destinationId: own.dest }) },
  'GET /admin/delivery-settings': { access: OPS, noIds: true },
  'PUT /admin/delivery-settings': { access: ADMIN, noIds: true, body: () => ({}) },
  'GET /admin/rules': { access: OPS, noIds: true },
  'GET /admin/rules/:id': { access: OPS },
  'GET /admin/rules/:id/versions': { access: OPS },
  'POST /admin/rules': { access: ADMIN, noIds: true, body: (o) => ({ name: 'Ny regel', priority: 5, conditions: { recipientCvr: o.cvr }, action: { kind: 'destinations', destinationIds: [o.dest] } }) },
  'PATCH /admin/rules/:id': { access: ADMIN, body: () => ({ name: 'Omdøbt regel' }) },
  'DELETE /admin/rules/:id': { access: ADMIN },
  'POST /admin/rules/dry-run': { access: ADMIN, noIds: true, body: () => ({ rules: [], days: 1 }) },
  'GET /admin/routing-settings': { access: OPS, noIds: true },
  'PUT /admin/routing-settings': { access: ADMIN, noIds: true, body: () => ({}) },
  'GET /triage': { access: ALL, noIds: true },
  'POST /triage/:id/place': { access: OPS, body: (o) => ({ destinationIds: [o.dest] }) },
  'GET /messages/:id/replies': { access: ALL },
  'POST /messages/:id/reply': { access: OPS, form: { text: 'Tak for brevet.' } },
  'POST /messages/:id/replies/:replyId/retry': { access: OPS },
  'GET /stats': { access: ALL, noIds: true },
  'GET /stats.csv': { access: ALL, noIds: true },
  'GET /notices': { access: ALL, noIds: true },
  'GET /admin/notices': { access: OPS, noIds: true },
  'POST /admin/notices': { access: ADMIN, noIds: true, body: notice },
  'PUT /admin/notices/:id': { access: ADMIN, body: notice },
  'DELETE /admin/notices/:id': { access: ADMIN },
  'GET /admin/retention-settings': { access: OPS, noIds: true },
  'GET /admin/retention-settings/preview': { access: ADMIN, noIds: true, query: 'retentionDays=7&quarantineKeepDays=7' },
  'PUT /admin/retention-settings': { access: ADMIN, noIds: true, body: () => ({ retentionDays: 120 }) },
  'GET /admin/cvrs': { access: OPS, noIds: true },
  'POST /admin/cvrs': { access: ADMIN, noIds: true, body: () => ({ cvr: '10150817', name: 'Ny ApS' }) },
  'DELETE /admin/cvrs/:cvr': { access: ADMIN },
  'POST /admin/cvrs/:cvr/mailboxes': { access: ADMIN, body: () => ({ provider: 'ngdp', config: { baseUrl: 'http://127.0.0.1:9/apis/v1', systemUsername: 'x' }, credentials: { systemPassword: 'y' } }) },
  'GET /admin/mailboxes/:id': { access: OPS },
  'GET /admin/mailboxes/:id/quarantine': { access: OPS },
  'POST /admin/mailboxes/:id/quarantine/:quarantineId/retry': { access: ADMIN },
  'PATCH /admin/mailboxes/:id': { access: OPS, body: () => ({ paused: true }) },
  'POST /admin/mailboxes/:id/backfill': { access: ADMIN, body: () => ({ from: '2026-01-01' }) },
  'GET /admin/mailboxes/:id/backfill': { access: OPS },
  'GET /admin/mailboxes/:id/backfill/:fetchId': { access: OPS },
  'GET /admin/jobs': { access: OPS, noIds: true },
  'PUT /messages/:id/legal-hold': { access: ADMIN },
  'DELETE /messages/:id/legal-hold': { access: ADMIN },
  'GET /admin/role-grants': { access: ADMIN, noIds: true },
  'POST /admin/role-grants': { access: ADMIN, noIds: true, body: (o) => ({ principalType: 'group', principalId: randomUUID(), displayName: 'Ny gruppe', role: 'reader', cvrs: [o.cvr], destinationIds: [o.dest] }) },
  'PATCH /admin/role-grants/:id': { access: ADMIN, body: () => ({ displayName: 'Omdøbt gruppe' }) },
  'DELETE /admin/role-grants/:id': { access: ADMIN },
  'GET /admin/audit': { access: ADMIN, noIds: true },
  'GET /admin/audit.csv': { access: ADMIN, noIds: true },
  'POST /admin/dsr/search': { access: ADMIN, noIds: true, body: () => ({ cpr: '010203-1234' }) },
  'POST /admin/dsr/export': { access: ADMIN, noIds: true, body: () => ({ cpr: '010203-1234' }) },
  'POST /admin/dsr/erase': { access: ADMIN, noIds: true, body: () => ({ cpr: '010203-1234', confirm: true }) },
};

const ROUTES = apiRoutes();

test('every API route has a line in the authorization table, and every line a route', () => {
  expect(ROUTES.length).toBeGreaterThan(40);
  expect(ROUTES.filter((r) => !(r in EXPECTED))).toEqual([]);
  expect(Object.keys(EXPECTED).filter((k) => !ROUTES.includes(k))).toEqual([]);
});

/** The path with its parameters filled from one organisation's rows. */
function fill(pattern: string, ids: Ids): string {
  const family = pattern.split('/')[1] === 'admin' ? pattern.split('/')[2] : pattern.split('/')[1];
  return pattern.replace(/:(\w+)/g, (_m, p: string) => {
    switch (p) {
      case 'id': return { messages: ids.letter, triage: ids.letter, destinations: ids.dest, rules: ids.rule, notices: ids.notice, mailboxes: ids.mailbox, 'role-grants': ids.grant }[family]
        ?? (() => { throw new Error(`no id for ${pattern}`); })();
      case 'docId': return ids.doc;
      case 'cvr': return ids.cvr;
      case 'graphMessageId': return encodeURIComponent(ids.graphMessageId);
      case 'replyId': return randomUUID();
      case 'fetchId': return 'fetch-1';
      case 'quarantineId': return ids.quarantine;
      default: throw new Error(`unknown route parameter :${p} in ${pattern}: teach fill() about it`);
    }
  });
}

describe.each(testDatabases)('authorization matrix on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  const tenants = { A: randomUUID(), B: randomUUID() };
  const ids = {} as Record<'A' | 'B', Ids>;
  const orgIds = {} as Record<'A' | 'B', string>;
  const canaries: string[] = [];
  /** Organisation A's rows of its first CVR number: beyond the limited roles' limit. */
  const beyondLimit: string[] = [];
  let letterLabelA = '';
  const tokens = new Map<string, string>();

  async function seed(key: 'A' | 'B', cvr: string) {
    const db = app.database.db;
    const [org] = await db.insert(organisations).values({ name: `Organisation ${key} ${randomUUID().slice(0, 8)}`, entraTenantId: tenants[key] }).returning();
    orgIds[key] = org.id;
    await db.insert(cvrNumbers).values({ orgId: org.id, cvr, name: `Firma ${key}` });
    const [mb] = await db.insert(mailboxes).values({
      orgId: org.id, cvr, provider: 'ngdp', config: { baseUrl: 'http://127.0.0.1:9/apis/v1', systemUsername: 'sys', mode: 'pull' },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: 'pw' })),
    }).returning();
    const label = `Hemmeligt brev til ${key} ${randomUUID().slice(0, 8)}`;
    const memo = demoMemo({ recipientCvr: cvr, label });
    const stored = await storeLetter(db, app.ctx.sealer, mb, memo, Buffer.from(buildMemoXml(memo)));
    const [doc] = await db.select().from(documents).where(eq(documents.messageId, stored.messageId));
    const [dest] = await db.insert(destinations).values({ orgId: org.id, kind: 'shared_mailbox', displayName: `Postkasse ${key}`, mailbox: `post@${key.toLowerCase()}.example`, folderPath: 'Digital Post' }).returning();
    const [rule] = await db.insert(rules).values({ orgId: org.id, name: `Regel ${key}`, priority: 10, conditions: { recipientCvr: cvr }, destinationIds: [dest.id] }).returning();
    const graphMessageId = `AAMk-${key}-${randomUUID()}`;
    await db.insert(deliveries).values({ orgId: org.id, messageId: stored.messageId, destinationId: dest.id, status: 'delivered', graphMessageId, deliveredAt: new Date() });
    const [n] = await db.insert(serviceNotices).values({
      orgId: org.id, textDa: `Besked ${key}`, textEn: `Notice ${key}`, showFrom: new Date(Date.now() - 3_600_000),
      startsAt: new Date(Date.now() + 3_600_000), endsAt: new Date(Date.now() + 7_200_000), createdBy: 'test',
    }).returning();
    const [grant] = await db.insert(roleGrants).values({
      orgId: org.id, principalType: 'group', principalId: randomUUID(), displayName: `Gruppe ${key} ${randomUUID().slice(0, 8)}`, role: 'operator', cvrs: [cvr], createdBy: 'test',
    }).returning();
    // A letter a poll gave up fetching: trying it again only forgets the record (no provider is reached).
    const [q] = await db.insert(quarantine).values({
      orgId: org.id, mailboxId: mb.id, providerMessageId: `stuck-${key}`, reason: 'Not fetched after 5 attempts (it stays waiting at Digital Post): test', rawEnc: app.ctx.sealer.seal('<NotFetched/>'),
    }).returning();
    ids[key] = { letter: stored.messageId, doc: doc.id, dest: dest.id, rule: rule.id, notice: n.id, mailbox: mb.id, cvr, graphMessageId, grant: grant.id, quarantine: q.id };
    if (key === 'A') letterLabelA = label;
    if (key === 'B') canaries.push(org.id, org.name, label, stored.messageId, doc.id, dest.id, dest.displayName, rule.id, n.id, mb.id, cvr, graphMessageId, 'Firma B', 'Notice B', grant.id, grant.displayName, grant.principalId, q.id);
  }

  /** Every row of organisation B, in every table with an org_id column (the audit log included). */
  async function snapshotB(): Promise<string> {
    const tables = (await app.database.db.execute(sql`SELECT table_name FROM information_schema.columns
      WHERE column_name = 'org_id' AND table_schema = current_schema() ORDER BY table_name`) as unknown as { rows: { table_name: string }[] }).rows;
    const out: Record<string, unknown> = {};
    for (const { table_name: t } of tables) {
      const rows = (await app.database.db.execute(sql`SELECT * FROM ${sql.identifier(t)} WHERE org_id = ${orgIds.B}`) as unknown as { rows: Record<string, unknown>[] }).rows;
      out[t] = rows.map((r) => JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))).sort();
    }
    const docs = (await app.database.db.execute(sql`SELECT d.* FROM documents d JOIN messages m ON m.id = d.message_id WHERE m.org_id = ${orgIds.B}`) as unknown as { rows: unknown[] }).rows;
    out.documents = docs.map((r) => JSON.stringify(r)).sort();
    return JSON.stringify(out);
  }

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    // Limits high enough for the whole matrix from one address.
    app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 } });
    await seed('A', '12345674');
    await seed('B', '87654328');
    for (const r of ALL) tokens.set(r, await idp.token({ tid: tenants.A, claims: { oid: `a-${r}`, name: `A ${r}`, roles: [r] } }));
    // The same roles granted in the database, limited to a second CVR number of A that has no letters:
    // A's letter, document and mailbox (all of the first CVR number) are beyond their limit.
    await app.database.db.insert(cvrNumbers).values({ orgId: orgIds.A, cvr: LIMITED_CVR, name: 'Datterselskab A' });
    for (const r of ALL) {
      const oid = randomUUID();
      await app.database.db.insert(roleGrants).values({ orgId: orgIds.A, principalType: 'user', principalId: oid, displayName: `Begrænset ${r}`, role: r, cvrs: [LIMITED_CVR], createdBy: 'test' });
      tokens.set(`limited-${r}`, await idp.token({ tid: tenants.A, claims: { oid, name: `A limited ${r}` } }));
    }
    beyondLimit.push(ids.A.letter, ids.A.doc, ids.A.mailbox, ids.A.graphMessageId, letterLabelA);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await idp?.close();
    await drop?.();
  });

  async function call(route: string, role: Role | `limited-${Role}` | null, target: Ids) {
    const [method, pattern] = route.split(' ');
    const e = EXPECTED[route];
    const headers: Record<string, string> = role ? { Authorization: `Bearer ${tokens.get(role)}` } : {};
    let body: BodyInit | undefined;
    if (e.form) {
      const f = new FormData();
      for (const [k, v] of Object.entries(e.form)) f.set(k, v);
      body = f;
    } else if (e.body) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(e.body(ids.A));
    }
    const res = await fetch(`${app.url}/api${fill(pattern, target)}${e.query ? `?${e.query}` : ''}`, { method, headers, body });
    return { status: res.status, text: await res.text() };
  }

  // These two run before the matrix, whose changes and deletions use up organisation A's rows.
  test('ids of organisation B inside a body are refused too, and nothing is sent to B\'s destination', async () => {
    const admin = { Authorization: `Bearer ${tokens.get('admin')}`, 'Content-Type': 'application/json' };
    const post = async (path: string, body: unknown) => (await fetch(`${app.url}/api${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) })).status;
    const before = await snapshotB();
    expect(await post(`/messages/${ids.A.letter}/reroute`, { destinationIds: [ids.B.dest] })).toBeGreaterThanOrEqual(400);
    expect(await post(`/triage/${ids.A.letter}/place`, { destinationIds: [ids.B.dest] })).toBeGreaterThanOrEqual(400);
    expect(await post('/admin/deliveries/retry', { destinationId: ids.B.dest })).toBe(404);
    expect(await post('/admin/rules', { name: 'x', priority: 1, conditions: { recipientCvr: ids.A.cvr }, action: { kind: 'destinations', destinationIds: [ids.B.dest] } })).toBe(422);
    expect(await post(`/messages/${ids.A.letter}/resend`, { deliveryId: (await app.database.db.select().from(deliveries).where(eq(deliveries.orgId, orgIds.B)))[0].id })).toBeGreaterThanOrEqual(400);
    const toB = await app.database.db.select().from(deliveries).where(eq(deliveries.destinationId, ids.B.dest));
    expect(toB.every((d) => d.orgId === orgIds.B)).toBe(true);
    expect(await snapshotB()).toBe(before);
  });

  test('an operator may pause a mailbox but not change its settings', async () => {
    const patch = async (body: unknown) => (await fetch(`${app.url}/api/admin/mailboxes/${ids.A.mailbox}`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${tokens.get('operator')}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    })).status;
    expect(await patch({ paused: false })).toBe(200);
    expect(await patch({ config: { baseUrl: 'https://evil.example/apis/v1', systemUsername: 'x' } })).toBe(403);
    expect(await patch({ credentials: { systemPassword: 'x' } })).toBe(403);
  });

  test('every route × role × tenant answers as the table says, and nothing of organisation B leaks or changes', async () => {
    const before = await snapshotB();
    const problems: string[] = [];
    const leaks = (route: string, who: string, text: string, sent?: Ids) => {
      // An error may repeat what the caller sent (a CVR number in the path); anything else of B is a leak.
      const hit = canaries.find((c) => text.includes(c) && !(sent && fill(route.split(' ')[1], sent).includes(c)));
      if (hit) problems.push(`${route} as ${who}: the answer contains organisation B's "${hit}"`);
    };
    // Reads first, then changes, and DELETEs last: a change may remove the caller's own rows.
    const order = (r: string) => (r.startsWith('GET') ? 0 : r.startsWith('DELETE') ? 2 : 1);
    for (const route of [...ROUTES].sort((a, b) => order(a) - order(b))) {
      const e = EXPECTED[route];
      const anon = await call(route, null, ids.A);
      if (e.access === 'public') {
        if ([401, 403].includes(anon.status)) problems.push(`${route} without a token: ${anon.status}, expected public`);
        leaks(route, 'no token', anon.text);
        continue;
      }
      if (anon.status !== 401) problems.push(`${route} without a token: ${anon.status}, expected 401`);
      for (const role of ALL) {
        const allowed = e.access.includes(role);
        if (!e.noIds) {
          // Another organisation's ids: 404 for those allowed, 403 for the rest; never data.
          const foreign = await call(route, role, ids.B);
          const want = allowed ? 404 : 403;
          if (foreign.status !== want) problems.push(`${route} as A's ${role} with B's ids: ${foreign.status}, expected ${want} (${foreign.text.slice(0, 160)})`);
          leaks(route, `${role} with B's ids`, foreign.text, ids.B);
        }
        // The role limited to another CVR number: A's letters, documents and mailboxes answer 404 as
        // if they did not exist; organisation-wide admin routes 403 (they need an unlimited admin);
        // everything else as for the unlimited role; lists never contain what is beyond the limit.
        const limited = await call(route, `limited-${role}`, ids.A);
        const hidden = /^\/(messages|triage|admin\/mailboxes)\//.test(route.split(' ')[1]);
        const orgWide = e.access.length === 1 && e.access[0] === 'admin';
        const wantLimited = !allowed || orgWide ? 403 : hidden && !e.noIds ? 404 : null;
        if (wantLimited !== null && limited.status !== wantLimited) problems.push(`${route} as ${role} limited to another CVR number: ${limited.status}, expected ${wantLimited} (${limited.text.slice(0, 160)})`);
        if (wantLimited === null && ([401, 403, 404].includes(limited.status) || limited.status >= 500 && limited.status !== 502)) {
          problems.push(`${route} as ${role} limited to another CVR number: ${limited.status}, expected to be allowed (${limited.text.slice(0, 160)})`);
        }
        const past = beyondLimit.find((c) => limited.text.includes(c) && !fill(route.split(' ')[1], ids.A).includes(c));
        if (past) problems.push(`${route} as ${role} limited to another CVR number: the answer contains "${past}" beyond the limit`);
        leaks(route, `limited ${role}`, limited.text);
        const own = await call(route, role, ids.A);
        if (allowed && ([401, 403].includes(own.status) || own.status >= 500 && own.status !== 502)) {
          problems.push(`${route} as ${role}: ${own.status}, expected to be allowed (${own.text.slice(0, 160)})`);
        }
        if (!allowed && own.status !== 403) problems.push(`${route} as ${role}: ${own.status}, expected 403`);
        leaks(route, role, own.text);
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshotB()).toBe(before);
  }, 240_000);
});
