// Renewing a Digital Post mailbox's password must not drop its OCES certificate: credentials sent
// without it keep the stored one (at the same address), `certificate: null` removes it, and a new
// address never takes it along (ingest/provider.ts keepCredentials).
import { and, eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import type { MailboxRow } from '../../backend/src/context';
import { mailboxes } from '../../backend/src/store/schema';
import { createTestPki, opensslAvailable, type TestPki } from '../../backend/src/simulators/ngdp/test-pki';
import { DEMO_ORGANISATION } from '../../backend/src/demo/letters';
import { testDatabases } from '../helpers/databases';
import { callApi } from '../helpers/app';

const [cvrA] = DEMO_ORGANISATION.cvrs;
let pki: TestPki;
beforeAll(() => {
  if (!opensslAvailable()) throw new Error('These tests make throwaway certificates with the `openssl` command; install openssl.');
  pki = createTestPki({ cvr: cvrA.cvr });
});
afterAll(() => pki?.cleanup());

describe.each(testDatabases)('Digital Post credentials renewed on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
  });
  afterEach(async () => {
    await app?.stop();
    await drop?.();
  });

  const row = async () => (await app.database.db.select().from(mailboxes)
    .where(and(eq(mailboxes.cvr, cvrA.cvr), eq(mailboxes.provider, 'ngdp'))))[0] as MailboxRow;
  const secret = async () => JSON.parse(app.ctx.sealer.open((await row()).secretEnc!).toString('utf8')) as Record<string, unknown>;
  const patch = async (body: unknown) => callApi(app, 'PATCH', `/admin/mailboxes/${(await row()).id}`, body);

  test('a new password keeps the certificate; null removes it; the API never returns either', async () => {
    const certificate = { format: 'pem', certificate: pki.client.cert.trim(), privateKey: pki.client.key.trim() };
    const set = await patch({ credentials: { systemPassword: 'første-adgangskode', certificate } });
    expect(set.status).toBe(200);
    expect((await secret()).certificate).toEqual(certificate);

    const renewed = await patch({ credentials: { systemPassword: 'anden-adgangskode' } });
    expect(renewed.status).toBe(200);
    expect(await secret()).toEqual({ systemPassword: 'anden-adgangskode', certificate });
    expect(JSON.stringify(renewed.body)).not.toMatch(/adgangskode|BEGIN/);

    expect((await patch({ credentials: { systemPassword: 'tredje-adgangskode', certificate: null } })).status).toBe(200);
    expect(await secret()).toEqual({ systemPassword: 'tredje-adgangskode' });
  });
});
