// A quarantine reason is the validator's own words, and those quote the letter: an invalid value (here
// a person's name, e-mail address and CPR number where a date belongs), an unknown element's name, the
// namespace of a root that is no MeMo. The admins' quarantine notice goes by mail, unencrypted, and the
// log lines to wherever the logs go: both carry only the reason's non-personal facts (the kind of
// failure, the element path with MeMo names only), never its words. The pane shows the whole reason.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { DEMO_ORGANISATION, demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { mailboxes, quarantine } from '../../backend/src/store/schema';
import { runQuarantineNotices } from '../../backend/src/delivery/quarantine-notice';
import { FIRST_REASON_SEPARATOR, RECEIPT_NOT_SENT_PREFIX } from '../../backend/src/ingest/letter-failures';
import type { AppContext, MailboxRow } from '../../backend/src/context';
import { testDatabases } from '../helpers/databases';
import { callApi } from '../helpers/app';
import { NO_JOBS, quarantineByPoll, sentMails } from '../helpers/notices';

const [company] = DEMO_ORGANISATION.cvrs;
const PERSON = 'Jens Hansen jens@hansen-privat.example 010190-1234';
/** Any trace of the person: the name, the address, the CPR number masked or not (its date is theirs too). */
const PERSONAL = /Jens|Hansen|hansen-privat|010190/;
const MIN = 60_000;

const valid = () => buildMemoXml(demoMemo({ recipientCvr: company.cvr, label: 'Brev' }));
const HOSTILE = {
  /** The person where MessageBody/createdDateTime needs a date: the validator quotes the value. */
  value: () => valid().replace(/(<(?:\w+:)?createdDateTime>)[^<]+/, `$1${PERSON}`),
  /** An element named after the person, holding the rest: the path names it. */
  element: () => valid().replace(/(<\/(?:\w+:)?label>)/, `$1<JensHansen>${PERSON}</JensHansen>`),
  /** A root that is no MeMo, named after the person in the person's namespace (a Message inside, for Digital Post's id). */
  root: () => `<?xml version="1.0" encoding="UTF-8"?>\n<JensHansen xmlns="mailto:jens@hansen-privat.example"><Message><MessageHeader>`
    + `<messageUUID>${randomUUID()}</messageUUID></MessageHeader></Message><x>${PERSON}</x></JensHansen>\n`,
};

interface SentMail { subject: string; body: { content: string } }

describe.each(testDatabases)('personal data in quarantine reasons on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let mb: MailboxRow;
  let ctx: AppContext;
  const lines: string[] = [];

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, graphTimeoutMs: 5000, log: (l) => lines.push(l) });
    [mb] = await app.database.db.select().from(mailboxes).where(and(eq(mailboxes.cvr, company.cvr), eq(mailboxes.provider, 'ngdp'))) as MailboxRow[];
    ctx = { ...app.ctx, jobs: NO_JOBS };
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  test('hostile letters, pulled and pushed: the notice names the kind and the MeMo path, never the person; nor do the logs', async () => {
    await quarantineByPoll(app, ctx, mb, company.cvr, [HOSTILE.value(), HOSTILE.element(), HOSTILE.root()]);
    const pushed = await app.sims!.ngdp.api.pushTo(`${app.url}/ngdp/push/${company.cvr}`, company.cvr, HOSTILE.value());
    expect(pushed.status).toBe(200);
    expect(JSON.parse(pushed.body)).toMatchObject({ status: 'quarantined' });

    // The reasons themselves quote the person (the pane shows them to those who may see the quarantine).
    const rows = await app.database.db.select().from(quarantine);
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => /Jens Hansen jens@hansen-privat\.example 010190-XXXX/.test(r.reason))).toHaveLength(2);
    expect(rows.filter((r) => r.reason.includes('JensHansen'))).toHaveLength(2);
    const list = await callApi(app, 'GET', `/admin/mailboxes/${mb.id}/quarantine`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((q: { reason: string }) => q.reason).join('\n')).toContain('jens@hansen-privat.example');
    // A letter whose INVALID receipt was given up keeps its first reason after the mark (ingest/poll.ts).
    const [marked] = await app.database.db.insert(quarantine).values({
      orgId: mb.orgId, mailboxId: mb.id, providerMessageId: randomUUID(), rawEnc: app.ctx.sealer.seal(Buffer.from(HOSTILE.value())),
      reason: `${RECEIPT_NOT_SENT_PREFIX} 5 attempts (the letter is kept in quarantine; it stays waiting at Digital Post): Digital Post answered 503.${FIRST_REASON_SEPARATOR}${rows.find((r) => r.reason.includes('createdDateTime'))!.reason}`,
    }).returning();
    expect(marked.reason).toMatch(PERSONAL);

    expect(Object.values(await runQuarantineNotices(ctx, { now: new Date(Date.now() + 2 * MIN) }))).toEqual(['sent']);
    const [mail] = sentMails<SentMail>(app);
    expect(JSON.stringify(mail)).not.toMatch(PERSONAL);
    expect(lines.filter((l) => PERSONAL.test(l))).toEqual([]);
    const body = mail.body.content;
    for (const r of [...rows, marked]) expect(body).toContain(r.id);
    expect(body.match(/Ugyldigt brev \(MeMo\) ved Message\/MessageBody\/createdDateTime/g)).toHaveLength(3);
    expect(body).toContain('INVALID-kvitteringen kunne ikke sendes til udbyderen; Ugyldigt brev (MeMo) ved Message/MessageBody/createdDateTime');
    expect(body).toContain('Ugyldigt brev (MeMo) ved Message/MessageHeader/…');
    expect(body).toContain('Ugyldigt brev (MeMo) ved …');
    expect(body).toContain('hele årsagen, som kan citere brevet, ses i Brevdue-panelet');

    // The log lines of each quarantined letter say where, not what.
    const quarantined = lines.filter((l) => l.includes('"letter quarantined"') || l.includes('"ngdp push quarantined"'));
    expect(quarantined).toHaveLength(5); // three pulled, and the pushed one by the ingest and by the push receiver
    expect(quarantined.map((l) => JSON.parse(l).kind)).toEqual(Array(5).fill('invalid_memo'));
    expect(quarantined.filter((l) => JSON.parse(l).path === 'Message/MessageBody/createdDateTime')).toHaveLength(3);
  }, 60_000);
});
