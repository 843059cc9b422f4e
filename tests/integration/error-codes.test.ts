// The API's refusals carry a stable code and params (names, never ids) besides the English message,
// so the task pane can say them in the reader's language (addin/src/codes.ts): a rule's problems
// (catastrophic and invalid regexes, an unknown folder placeholder, a deleted destination by its
// name), the dry run's problems (each on its own, not "was not saved"), and archiving a destination
// a rule uses.
import { eq } from 'drizzle-orm';
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { destinations } from '../../backend/src/store/schema';
import { apiErrorSchema, dryRunResponseSchema, ruleViewSchema } from '../../shared/src/contracts';
import { testDatabases } from '../helpers/databases';
import { callApi } from '../helpers/app';

describe.each(testDatabases)('error codes on $name', (tdb) => {
  let app: Brevdue;
  let drop: () => Promise<void>;
  let finance = '';
  let financeName = '';
  let teams = '';
  let teamsName = '';

  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false });
    const all = await app.database.db.select().from(destinations).where(eq(destinations.orgId, app.demoOrgId!));
    const f = all.find((x) => x.displayName === 'Økonomi – fælles postkasse')!;
    const tm = all.find((x) => x.kind === 'teams_channel')!;
    finance = f.id; financeName = f.displayName; teams = tm.id; teamsName = tm.displayName;
    for (const r of (await api('GET', '/admin/rules')).body.items) expect((await api('DELETE', `/admin/rules/${r.id}`)).status).toBe(204);
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  const api = (method: string, path: string, body?: unknown) => callApi(app, method, path, body);
  const refused = async (body: unknown) => {
    const r = await api('POST', '/admin/rules', body);
    expect(r.status).toBe(422);
    return apiErrorSchema.parse(r.body).error;
  };
  const rule = (name: string, conditions: unknown, action: unknown = { kind: 'destinations', destinationIds: [finance] }) => ({ name, priority: 10, conditions, action });

  test('a catastrophic regex, an invalid one and an unknown placeholder: rule_refused with each problem coded', async () => {
    const e = await refused(rule('Test æøå regex', { text: { field: 'label', regex: { pattern: '(a+)+$', flags: 'i' } } }));
    expect(e.code).toBe('rule_refused');
    expect(e.params).toEqual({ rule: 'Test æøå regex' });
    expect(e.message).toContain('was not saved'); // the English sentence stays for API clients and logs
    expect(e.problems).toEqual([expect.objectContaining({ code: 'regex_catastrophic', params: expect.objectContaining({ regex: '/(a+)+$/i' }) })]);

    const bad = await refused(rule('Ugyldig', { text: { field: 'label', regex: { pattern: '([a-z' } } }));
    expect(bad.problems).toEqual([expect.objectContaining({ code: 'regex_invalid', params: { regex: '/([a-z/', detail: 'Unterminated character class' } })]);

    const tpl = await refused(rule('Skabelon', { always: true }, { kind: 'destinations', destinationIds: [finance], folderTemplate: 'Post/{bogus}' }));
    expect(tpl.problems).toEqual([expect.objectContaining({ code: 'template_unknown_placeholder', params: expect.objectContaining({ placeholders: '{bogus}', count: 1 }) })]);
  });

  test('a deleted destination is named, not given by its id; archiving one a rule uses is in_use with the rules by name', async () => {
    const made = await api('POST', '/admin/rules', rule('Til Teams', { always: true }, { kind: 'destinations', destinationIds: [teams] }));
    expect(made.status).toBe(201);
    const inUse = await api('DELETE', `/admin/destinations/${teams}`);
    expect(inUse.status).toBe(409);
    expect(apiErrorSchema.parse(inUse.body).error).toMatchObject({ code: 'in_use', params: { rules: '"Til Teams"', count: 1 } });

    expect((await api('DELETE', `/admin/rules/${ruleViewSchema.parse(made.body).id}`)).status).toBe(204);
    expect((await api('DELETE', `/admin/destinations/${teams}`)).status).toBe(204);
    const e = await refused(rule('Til det slettede', { always: true }, { kind: 'destinations', destinationIds: [teams] }));
    expect(e.problems).toEqual([{ code: 'destination_deleted', params: { destination: teamsName }, message: expect.stringContaining(`"${teamsName}"`) }]);
    expect(JSON.stringify(e.problems)).not.toContain(teams);
  });

  test('a dry run lists each problem with its code, not the save\'s refusal', async () => {
    const r = await api('POST', '/admin/rules/dry-run', { days: 30, rules: [rule('Test æøå regex', { text: { field: 'label', regex: { pattern: '(a+)+$', flags: 'i' } } })] });
    expect(r.status).toBe(200);
    const res = dryRunResponseSchema.parse(r.body);
    expect(res.problems).toHaveLength(1);
    expect(res.problems[0].rule).toBe('Test æøå regex');
    expect(res.problems[0].problems.join(' ')).not.toContain('was not saved');
    expect(res.problems[0].problems.join(' ')).not.toContain('Test æøå regex');
    expect(res.problems[0].details).toEqual([expect.objectContaining({ code: 'regex_catastrophic' })]);
    void financeName;
  });
});
