// An organisation of an Entra tenant on a production-mode Brevdue (tests/helpers/entra.ts), for tests
// that call the API with real signed tokens: the organisation with its CVR numbers and mailboxes, and
// an API call carrying a bearer token.
import type { Brevdue } from '../../backend/src/app';
import { cvrNumbers, mailboxes, organisations } from '../../backend/src/store/schema';

/** A JSON API call with `token` as the bearer: the status, the text, and the body parsed when it is JSON (else null). */
export async function callWithToken(app: Brevdue, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}/api${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, text, json: isJson && text ? JSON.parse(text) : null };
}

/**
 * The organisation "Koncern A/S" of Entra tenant `tenant`, with each CVR number of `cvrs` (named
 * "Selskab <key>") and its Digital Post mailbox, pulling from an address where nothing answers.
 * Returns the organisation's id and each CVR number's mailbox id by key.
 */
export async function insertTenantOrganisation<K extends string>(
  app: Brevdue, tenant: string, cvrs: Record<K, string>,
): Promise<{ orgId: string; mailboxIds: Record<K, string> }> {
  const db = app.database.db;
  const [org] = await db.insert(organisations).values({ name: 'Koncern A/S', entraTenantId: tenant }).returning();
  const mailboxIds = {} as Record<K, string>;
  for (const [k, cvr] of Object.entries(cvrs) as [K, string][]) {
    await db.insert(cvrNumbers).values({ orgId: org.id, cvr, name: `Selskab ${k}` });
    const [mb] = await db.insert(mailboxes).values({
      orgId: org.id, cvr, provider: 'ngdp', config: { baseUrl: 'http://127.0.0.1:9/apis/v1', systemUsername: 'sys', mode: 'pull' },
      secretEnc: app.ctx.sealer.seal(JSON.stringify({ systemPassword: 'pw' })),
    }).returning();
    mailboxIds[k] = mb.id;
  }
  return { orgId: org.id, mailboxIds };
}
