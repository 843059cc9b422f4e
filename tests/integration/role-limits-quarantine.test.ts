// Limited callers and quarantined letters (GET /api/admin/mailboxes/:id/quarantine, …/retry). A
// quarantined letter was delivered to nobody, so, as with the triage queue, a caller whose limit names
// destinations does not see it: the list answers 403 `quarantine_destination_limited` (the mailbox
// itself, its health and pause/resume stay theirs, without the last error's text, which can quote a
// letter given up, nor the quarantine's count). A caller limited to CVR numbers only sees the
// quarantine of those CVR numbers' mailboxes; another's mailbox is 404 as if it did not exist. Limits
// are held one at a time: a CVR grant and a destination grant do not add up to the other CVR's quarantine.
// Production mode, real tokens; the letters are quarantined by the real ingest path (acceptLetter).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import type { MailboxRow } from '../../backend/src/context';
import { z } from 'zod';
import { destinations, mailboxes, quarantine } from '../../backend/src/store/schema';
import { acceptLetter } from '../../backend/src/ingest/accept';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo } from '../../backend/src/demo/letters';
import { cvrViewSchema, mailboxViewSchema, type MailboxView } from '../../shared/src/contracts';
import { NO_JOBS } from '../helpers/notices';
import { startIdp, startProductionBrevdue, type TestIdp } from '../helpers/entra';
import { testDatabases } from '../helpers/databases';
import { callWithToken, insertTenantOrganisation } from '../helpers/tenant';

const CVR1 = '12345674';
const CVR2 = '87654328';

describe.each(testDatabases)('limited callers and quarantined letters on $name', (tdb) => {
  let idp: TestIdp;
  let app: Brevdue;
  let drop: () => Promise<void>;
  const tenant = randomUUID();
  const group = { operators: randomUUID(), admins: randomUUID(), oneAtOne: randomUUID(), oneAgain: randomUUID() };
  const users = { cvrOperator: randomUUID(), mixed: randomUUID() };
  const D = {} as Record<'one', string>;
  const MB = {} as Record<'one' | 'two', string>;
  // One quarantined letter per mailbox; its provider id and the label its reason quotes are canaries.
  const Q = {} as Record<'one' | 'two', { id: string; providerId: string; word: string }>;
  let fullAdmin = '';

  const token = (claims: Record<string, unknown>) => idp.token({ tid: tenant, claims: { name: 'Test Person', ...claims } });
  const api = (tok: string, method: string, path: string, body?: unknown) => callWithToken(app, tok, method, path, body);

  /** An invalid MeMo (a createdDateTime that is no date, quoting a secret word) for `cvr`, quarantined as a poll would. */
  async function quarantined(key: keyof typeof Q, cvr: string) {
    const word = `hemmelig${key}${randomUUID().slice(0, 6)}`;
    const xml = buildMemoXml(demoMemo({ recipientCvr: cvr, label: 'Brev' })).replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, `$1${word}`);
    const [mb] = await app.database.db.select().from(mailboxes).where(eq(mailboxes.id, MB[key])) as MailboxRow[];
    const providerId = `ugyldig-${key}-${randomUUID()}`;
    const r = await acceptLetter({ ...app.ctx, jobs: NO_JOBS }, mb, providerId, Buffer.from(xml), 'pull');
    expect(r.kind).toBe('quarantined');
    const [row] = await app.database.db.select().from(quarantine).where(eq(quarantine.providerMessageId, providerId));
    expect(row.reason).toContain(word);
    Q[key] = { id: row.id, providerId, word };
  }

  beforeAll(async () => {
    idp = await startIdp();
    const d = await tdb.create();
    drop = d.drop;
    app = await startProductionBrevdue(idp, { databaseUrl: d.databaseUrl, security: { ipLimit: 100_000, userLimit: 100_000 } });
    const org = await insertTenantOrganisation(app, tenant, { one: CVR1, two: CVR2 });
    Object.assign(MB, org.mailboxIds);
    const [dest] = await app.database.db.insert(destinations).values({ orgId: org.orgId, kind: 'shared_mailbox', displayName: 'Afdeling one', mailbox: 'one@a.example', folderPath: 'Digital Post' }).returning();
    D.one = dest.id;
    await quarantined('one', CVR1);
    await quarantined('two', CVR2);
    // Each mailbox's last poll gave its letter up: health's sentence quotes the letter, as poll.ts writes it.
    for (const key of ['one', 'two'] as const) {
      await app.database.db.update(mailboxes).set({
        lastError: `The Digital Post letter ${Q[key].providerId} was quarantined: MessageHeader/createdDateTime: ${Q[key].word} is not a date`,
        lastErrorKind: 'letter_given_up', lastErrorAt: new Date(), consecutiveFailures: 0, lastFetchAt: new Date(),
      }).where(eq(mailboxes.id, MB[key]));
    }

    fullAdmin = await token({ oid: randomUUID(), roles: ['admin'] });
    const grant = async (body: Record<string, unknown>) => expect((await api(fullAdmin, 'POST', '/admin/role-grants', body)).status).toBe(201);
    await grant({ principalType: 'group', principalId: group.operators, displayName: 'Afdeling one', role: 'operator', destinationIds: [D.one] });
    await grant({ principalType: 'group', principalId: group.admins, displayName: 'Afdeling one, admins', role: 'admin', destinationIds: [D.one] });
    await grant({ principalType: 'group', principalId: group.oneAtOne, displayName: 'Selskab one hos afdeling one', role: 'operator', cvrs: [CVR1], destinationIds: [D.one] });
    await grant({ principalType: 'user', principalId: users.cvrOperator, displayName: 'Selskab one', role: 'operator', cvrs: [CVR1] });
    // Two grants held at once: CVR 1's letters (any destination), and letters to department one.
    await grant({ principalType: 'user', principalId: users.mixed, displayName: 'Selskab one (blandet)', role: 'operator', cvrs: [CVR1] });
    await grant({ principalType: 'group', principalId: group.oneAgain, displayName: 'Afdeling one igen', role: 'operator', destinationIds: [D.one] });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await idp?.close();
    await drop?.();
  });

  const canaries = () => [Q.one, Q.two].flatMap((q) => [q.id, q.providerId, q.word]);
  const leaked = (text: string) => canaries().filter((c) => text.includes(c));

  test('a caller limited to destinations is refused the quarantine of every mailbox, with a code the pane says', async () => {
    const callers = {
      operator: await token({ oid: randomUUID(), groups: [group.operators] }),
      admin: await token({ oid: randomUUID(), groups: [group.admins] }),
      'operator limited to CVR 1 and destination one': await token({ oid: randomUUID(), groups: [group.oneAtOne] }),
    };
    for (const [who, t] of Object.entries(callers)) {
      for (const mb of [MB.one, MB.two]) {
        const r = await api(t, 'GET', `/admin/mailboxes/${mb}/quarantine`);
        expect(leaked(r.text)).toEqual([]);
        // CVR 2's mailbox is beyond the CVR limit of the third: not found, as for another organisation's.
        if (mb === MB.two && who.includes('CVR 1')) {
          expect([who, r.status, r.json?.error?.code]).toEqual([who, 404, 'not_found']);
          continue;
        }
        expect([who, r.status, r.json?.error?.code]).toEqual([who, 403, 'quarantine_destination_limited']);
        expect(r.json.error.message).toMatch(/delivered to nobody/);
      }
    }
    // The mailbox itself stays theirs (health, pause and resume), without its quarantined letters.
    const t = callers.operator;
    expect((await api(t, 'GET', `/admin/mailboxes/${MB.one}`)).status).toBe(200);
    const cvrs = await api(t, 'GET', '/admin/cvrs');
    expect(cvrs.status).toBe(200);
    expect(leaked(cvrs.text)).toEqual([]);
    // Trying a letter again needs an administrator without limits in any case.
    const retry = await api(callers.admin, 'POST', `/admin/mailboxes/${MB.one}/quarantine/${Q.one.id}/retry`);
    expect(retry.status).toBe(403);
    expect(leaked(retry.text)).toEqual([]);
    expect(await app.database.db.select().from(quarantine).where(eq(quarantine.id, Q.one.id))).toHaveLength(1);
  });

  /**
   * Every mailbox the caller's Mailboxes page shows (GET /admin/cvrs), each also as GET /admin/mailboxes/:id
   * answers it; no answer quotes a letter of a mailbox not in `quoted` (those whose quarantine the caller sees).
   */
  async function mailboxesSeen(t: string, quoted: (keyof typeof Q)[] = []): Promise<Record<string, MailboxView[]>> {
    const mayQuote = quoted.flatMap((k) => [Q[k].providerId, Q[k].word]);
    const unexpected = (text: string) => leaked(text).filter((c) => !mayQuote.includes(c));
    const cvrs = await api(t, 'GET', '/admin/cvrs');
    expect(cvrs.status).toBe(200);
    expect(unexpected(cvrs.text)).toEqual([]);
    const seen: Record<string, MailboxView[]> = {};
    for (const m of z.object({ items: z.array(cvrViewSchema) }).parse(cvrs.json).items.flatMap((c) => c.mailboxes)) {
      const one = await api(t, 'GET', `/admin/mailboxes/${m.id}`);
      expect(one.status).toBe(200);
      expect(unexpected(one.text)).toEqual([]);
      seen[m.id] = [m, mailboxViewSchema.parse(one.json)];
    }
    return seen;
  }
  // What health says of a mailbox whose last poll gave a letter up, to a caller who does not see its quarantine, and to one who does.
  const facts = { state: 'ok', lastFetchAt: expect.any(String), lastErrorAt: expect.any(String), lastErrorKind: 'letter_given_up', consecutiveFailures: 0, undelivered: 0 };
  const withoutDetail = { ...facts, lastError: null, quarantined: null, detailHidden: true };
  const withDetail = (key: keyof typeof Q) => ({ ...facts, lastError: expect.stringContaining(Q[key].providerId), quarantined: 1, detailHidden: false });

  test('mailbox health to a caller limited to destinations: the facts, not the last error\'s text nor the quarantine', async () => {
    const callers = {
      operator: await token({ oid: randomUUID(), groups: [group.operators] }),
      admin: await token({ oid: randomUUID(), groups: [group.admins] }),
      'operator limited to CVR 1 and destination one': await token({ oid: randomUUID(), groups: [group.oneAtOne] }),
    };
    for (const [who, t] of Object.entries(callers)) {
      const seen = await mailboxesSeen(t);
      const expected = who.includes('CVR 1') ? { [MB.one]: 'one' as const } : { [MB.one]: 'one' as const, [MB.two]: 'two' as const };
      expect([who, Object.keys(seen).sort()]).toEqual([who, Object.keys(expected).sort()]);
      for (const [id, key] of Object.entries(expected)) {
        for (const v of seen[id]) expect([who, key, v.health]).toEqual([who, key, expect.objectContaining(withoutDetail)]);
      }
    }
    // Pausing and resuming stay theirs, and answer the mailbox as health does.
    for (const paused of [true, false]) {
      const r = await api(callers.operator, 'PATCH', `/admin/mailboxes/${MB.two}`, { paused });
      expect(r.status).toBe(200);
      expect(leaked(r.text)).toEqual([]);
      expect(mailboxViewSchema.parse(r.json).health).toEqual(expect.objectContaining({ lastError: null, quarantined: null, detailHidden: true, lastErrorKind: 'letter_given_up' }));
    }
  });

  test('mailbox health with the detail to callers who see the quarantine: a CVR number\'s, the CVR grant of two held together, the whole organisation', async () => {
    const own = await mailboxesSeen(await token({ oid: users.cvrOperator }), ['one']);
    expect(Object.keys(own)).toEqual([MB.one]);
    for (const v of own[MB.one]) expect(v.health).toEqual(expect.objectContaining(withDetail('one')));
    // CVR 2's mailbox through the destination grant: its facts only.
    const both = await mailboxesSeen(await token({ oid: users.mixed, groups: [group.oneAgain] }), ['one']);
    for (const v of both[MB.one]) expect(v.health).toEqual(expect.objectContaining(withDetail('one')));
    for (const v of both[MB.two]) expect(v.health).toEqual(expect.objectContaining(withoutDetail));
    const all = await mailboxesSeen(fullAdmin, ['one', 'two']);
    for (const key of ['one', 'two'] as const) for (const v of all[MB[key]]) expect(v.health).toEqual(expect.objectContaining(withDetail(key)));
  });

  test('a caller limited to a CVR number sees the quarantine of its mailboxes only', async () => {
    const t = await token({ oid: users.cvrOperator });
    const own = await api(t, 'GET', `/admin/mailboxes/${MB.one}/quarantine`);
    expect(own.status).toBe(200);
    expect(own.json.items.map((q: { id: string }) => q.id)).toEqual([Q.one.id]);
    expect(own.text).not.toContain(Q.two.providerId);
    const other = await api(t, 'GET', `/admin/mailboxes/${MB.two}/quarantine`);
    expect([other.status, other.json.error.code]).toEqual([404, 'not_found']);
    expect(leaked(other.text)).toEqual([]);
  });

  test('a CVR grant and a destination grant held together: the CVR number\'s quarantine, not the other\'s', async () => {
    const t = await token({ oid: users.mixed, groups: [group.oneAgain] });
    const own = await api(t, 'GET', `/admin/mailboxes/${MB.one}/quarantine`);
    expect(own.status).toBe(200);
    expect(own.json.items.map((q: { id: string }) => q.id)).toEqual([Q.one.id]);
    // CVR 2's mailbox is theirs through the destination grant (its health), its quarantine is not.
    expect((await api(t, 'GET', `/admin/mailboxes/${MB.two}`)).status).toBe(200);
    const other = await api(t, 'GET', `/admin/mailboxes/${MB.two}/quarantine`);
    expect([other.status, other.json.error.code]).toEqual([403, 'quarantine_destination_limited']);
    expect(leaked(other.text)).toEqual([]);
  });

  test('an administrator without limits sees the quarantine of every mailbox', async () => {
    for (const key of ['one', 'two'] as const) {
      const r = await api(fullAdmin, 'GET', `/admin/mailboxes/${MB[key]}/quarantine`);
      expect(r.status).toBe(200);
      expect(r.json.items.map((q: { id: string }) => q.id)).toEqual([Q[key].id]);
    }
  });
});
