// Any route's zod refusal answers 400 invalid_request with each problem at its field (the central
// error handler, api/errors.ts with api/zod-problems.ts), not one English "field: message" sentence
// for the pane to take apart: two settings routes, the recipient form, a query and a route parameter
// alike. The first problem's English stays the error's message, as API clients read it, and nothing
// is saved.
import { apiErrorSchema, deliverySettingsSchema, retentionSettingsSchema } from '../../shared/src/contracts';
import { callApi, demoAppForSuite } from '../helpers/app';
import { testDatabases } from '../helpers/databases';

describe.each(testDatabases)('a refused request\'s problems, each at its field, on $name', (tdb) => {
  const appOf = demoAppForSuite(tdb);
  const api = (method: string, path: string, body?: unknown) => callApi(appOf(), method, path, body);
  const refused = async (method: string, path: string, body?: unknown) => {
    const r = await api(method, path, body);
    expect([method, path, r.status, r.body?.error?.code]).toEqual([method, path, 400, 'invalid_request']);
    return apiErrorSchema.parse(r.body).error;
  };

  test('PUT /admin/retention-settings: each period at its field, with its bound or the type expected', async () => {
    const before = retentionSettingsSchema.parse((await api('GET', '/admin/retention-settings')).body);
    const e = await refused('PUT', '/admin/retention-settings', { retentionDays: 5, quarantineKeepDays: 'lang tid' });
    expect(e.problems).toEqual([
      { code: 'field_too_small', params: { field: 'retentionDays', min: 7 }, message: 'retentionDays: retention is at least 7 days' },
      { code: 'field_invalid_type', params: { field: 'quarantineKeepDays', expected: 'number' }, message: 'quarantineKeepDays: the quarantine period must be a number of days' },
    ]);
    expect(e.message).toBe('retentionDays: retention is at least 7 days');
    expect((await refused('PUT', '/admin/retention-settings', { retentionDays: 4000.5 })).problems!.map((p) => [p.code, p.params])).toEqual([
      ['field_invalid_type', { field: 'retentionDays', expected: 'integer' }], ['field_too_big', { field: 'retentionDays', max: 3650 }],
    ]);
    expect((await refused('PUT', '/admin/retention-settings', {})).problems).toEqual([
      { code: 'field_missing', params: { field: 'retentionDays' }, message: expect.stringMatching(/^retentionDays: /) },
    ]);
    expect((await refused('PUT', '/admin/retention-settings', { retentionDays: 90, colour: 'blå' })).problems)
      .toEqual([{ code: 'field_unrecognized_key', params: { key: 'colour' }, message: 'request: unrecognized key \'colour\'' }]);
    expect((await api('GET', '/admin/retention-settings')).body).toEqual(before);
  });

  test('PUT /admin/delivery-settings: the notice address and sender at their fields, the subject template\'s own rule as the detail', async () => {
    const before = deliverySettingsSchema.parse((await api('GET', '/admin/delivery-settings')).body);
    const e = await refused('PUT', '/admin/delivery-settings', { ...before, notifyAddress: 'it-drift', notifySender: 'x@', rerouteOldCopy: 'delete' });
    expect(e.problems).toEqual([
      { code: 'field_not_email', params: { field: 'notifyAddress' }, message: 'notifyAddress: the notification address must be an e-mail address' },
      { code: 'field_not_email', params: { field: 'notifySender' }, message: 'notifySender: the notification sender must be a mailbox address' },
      { code: 'field_invalid_enum', params: { field: 'rerouteOldCopy', options: 'leave, move' }, message: expect.stringMatching(/^rerouteOldCopy: /) },
    ]);
    expect(e.message).toBe('notifyAddress: the notification address must be an e-mail address');
    const template = await refused('PUT', '/admin/delivery-settings', { ...before, subjectTemplate: 'Post', categories: ['Digital Post', 'x'.repeat(256)] });
    expect(template.problems).toEqual([
      { code: 'field_template_without_label', params: { field: 'subjectTemplate' }, message: 'subjectTemplate: the subject template must contain {label}' },
      { code: 'field_too_long', params: { field: 'categories.1', max: 255 }, message: expect.stringMatching(/^categories\.1: /) },
    ]);
    expect((await api('GET', '/admin/delivery-settings')).body).toEqual(before);
  });

  test('the recipient form answers as every route does: no form of its own', async () => {
    const e = await refused('POST', '/admin/destinations', { kind: 'shared_mailbox', displayName: ' ', mailbox: 'ikke en adresse' });
    expect(e.problems!.map((p) => [p.code, p.params])).toEqual([['field_missing', { field: 'displayName' }], ['field_not_email', { field: 'mailbox' }]]);
  });

  test('a query and a route parameter: at the query\'s key; the address itself has no field', async () => {
    const q = await refused('GET', '/admin/retention-settings/preview?retentionDays=abc');
    expect(q.problems).toEqual([{ code: 'field_invalid_value', params: { field: 'retentionDays', detail: 'must be a whole number of days' }, message: 'retentionDays: must be a whole number of days' }]);
    const id = await refused('GET', '/admin/destinations/not-an-id');
    expect(id.problems).toEqual([{ code: 'field_not_uuid', params: {}, message: id.message }]);
    expect(id.message).toMatch(/^request: /);
  });

  test('a control character anywhere, refused before any route: at its path', async () => {
    const e = await refused('PUT', '/admin/delivery-settings', { categories: ['Digital\u0000Post'] });
    expect(e.problems).toEqual([{ code: 'field_control_character', params: { field: 'categories.0' }, message: expect.stringMatching(/^categories\.0: must not contain control characters/) }]);
  });
});
