// Inputs that passed validation and then made PostgreSQL fail (a 500): a NUL in any string, year 0000,
// an offset of +99:99, numbers beyond the column. Each is now a 400 invalid_request naming the field,
// from the edges in shared/src/input-edges.ts (the schemas) and api/input-guard.ts (every route); the
// audit CSV answers an error before its headers, never a download cut off. Values at the edges that
// are valid still pass.
import { startBrevdue, type Brevdue } from '../../backend/src/app';
import { testDatabases } from '../helpers/databases';
import {
  PG_INTEGER_MAX, controlCharacterPath, dayOrDateTime, isCalendarDay, isDateTime, text, wholeNumber,
} from '../../shared/src/input-edges';
import { messageListQuerySchema, noticeCreateSchema, roleGrantCreateSchema } from '../../shared/src/contracts';

describe('the edges (shared/src/input-edges.ts)', () => {
  test('strings: control characters refused, tab, line feed and carriage return kept', () => {
    expect(text().safeParse('a\u0000b').success).toBe(false);
    expect(text().safeParse('a\u001bb').success).toBe(false);
    expect(text().safeParse('a\u007fb').success).toBe(false);
    expect(text().safeParse('linje 1\r\nlinje 2\tmed tab, æøå').success).toBe(true);
    expect(text().trim().max(3).safeParse('  abc  ').success).toBe(true); // still a ZodString
    expect(controlCharacterPath({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toEqual(['a', 1, 'c']);
    expect(controlCharacterPath({ ['k\u0000']: 1 })).toEqual(['k?']);
    expect(controlCharacterPath({ a: 'ok', b: [1, null, true] })).toBeNull();
  });

  test('days and date-times: years 0001–9999, offsets within ±14:59', () => {
    expect(isCalendarDay('0001-01-01')).toBe(true);
    expect(isCalendarDay('9999-12-31')).toBe(true);
    expect(isCalendarDay('0000-01-01')).toBe(false);
    expect(isCalendarDay('2025-02-30')).toBe(false);
    expect(isDateTime('2025-01-01T00:00:00+14:00')).toBe(true);
    expect(isDateTime('2025-01-01T00:00:00-12:00')).toBe(true);
    expect(isDateTime('2025-01-01T00:00:00.123Z')).toBe(true);
    expect(isDateTime('9999-12-31T23:59:59Z')).toBe(true);
    expect(isDateTime('2025-01-01T00:00:00+99:99')).toBe(false);
    expect(isDateTime('2025-01-01T00:00:00+15:00')).toBe(false);
    expect(isDateTime('2025-01-01T00:00:00+01:60')).toBe(false);
    expect(isDateTime('0000-01-01T00:00:00Z')).toBe(false);
    expect(dayOrDateTime().safeParse(' 2025-03-31 ').success).toBe(true);
  });

  test('whole numbers: within the column', () => {
    expect(wholeNumber('offset').safeParse('99999999999999999999').success).toBe(false);
    expect(wholeNumber('offset').safeParse(String(PG_INTEGER_MAX)).success).toBe(true);
    expect(wholeNumber('offset').safeParse(String(PG_INTEGER_MAX + 1)).success).toBe(false);
    expect(wholeNumber('offset').safeParse('1.5').success).toBe(false);
    expect(wholeNumber('offset').safeParse('x').success).toBe(false);
  });

  test('the contracts use them (the add-in checks the same)', () => {
    expect(messageListQuerySchema.safeParse({ q: 'a\u0000b' }).success).toBe(false);
    expect(messageListQuerySchema.safeParse({ to: '0000-01-01' }).success).toBe(false);
    expect(messageListQuerySchema.safeParse({ from: '2025-01-01T00:00:00+99:99' }).success).toBe(false);
    expect(roleGrantCreateSchema.safeParse({ principalType: 'user', principalId: '00000000-0000-4000-8000-000000000000', displayName: 'a\u0000', role: 'reader' }).success).toBe(false);
    const window = { startsAt: '2099-01-01T00:00:00Z', endsAt: '2099-01-02T00:00:00Z', textDa: 'a', textEn: 'b' };
    expect(noticeCreateSchema().safeParse(window).success).toBe(true);
    expect(noticeCreateSchema().safeParse({ ...window, textDa: 'a\u0000' }).success).toBe(false);
    expect(noticeCreateSchema().safeParse({ ...window, startsAt: '2099-01-01T00:00:00+99:99' }).success).toBe(false);
  });
});

describe.each(testDatabases)('odd but well-formed inputs on $name', (tdb) => {
  let app: Brevdue; let drop: () => Promise<void>;
  const logs: string[] = [];
  beforeAll(async () => {
    const d = await tdb.create(); drop = d.drop;
    app = await startBrevdue({ databaseUrl: d.databaseUrl, dataDir: null, demo: true, seed: false, runJobs: false, log: (l) => { logs.push(l); } });
  });
  afterAll(async () => { await app.stop(); await drop(); });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api${path}`, {
      method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const t = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text: t };
  };

  // [method, path, body, the field the message names]
  const refused: [string, string, unknown, string][] = [
    ['GET', '/messages?q=%00', undefined, 'q'],
    ['GET', '/messages?q=a%00b', undefined, 'q'],
    ['GET', '/messages?sender=%00', undefined, 'sender'],
    ['GET', '/messages?from=2025-01-01T00:00:00%2B99:99', undefined, 'from'],
    ['GET', '/messages?to=0000-01-01', undefined, 'to'],
    ['GET', '/messages/by-graph-id/%00', undefined, 'path'],
    ['GET', '/messages/by-graph-id/abc?internetMessageId=%00', undefined, 'internetMessageId'],
    ['GET', '/admin/audit?before=99999999999999999999', undefined, 'before'],
    ['GET', '/admin/audit?before=9223372036854775808', undefined, 'before'],
    ['GET', '/admin/audit?action=%00', undefined, 'action'],
    ['GET', '/admin/audit?from=0000-01-01', undefined, 'from'],
    ['GET', '/admin/audit.csv?from=0000-01-01', undefined, 'from'],
    ['GET', '/triage?limit=1&offset=99999999999999999999', undefined, 'offset'],
    ['POST', '/admin/cvrs', { cvr: '12345674', name: 'a\u0000b' }, 'name'],
    ['POST', '/admin/notices', { startsAt: '2099-01-01T00:00:00Z', endsAt: '2099-01-02T00:00:00Z', textDa: 'a\u0000', textEn: 'b', severity: 'info' }, 'textDa'],
    ['POST', '/admin/notices', { startsAt: '2099-01-01T00:00:00+99:99', endsAt: '2099-01-02T00:00:00Z', textDa: 'a', textEn: 'b' }, 'startsAt'],
    ['POST', '/admin/role-grants', { principalType: 'user', principalId: '00000000-0000-4000-8000-000000000000', displayName: 'a\u0000', role: 'reader' }, 'displayName'],
    // Validated elsewhere (routing/conditions.ts, the provider's schemas): the edge guard covers them.
    ['POST', '/admin/rules', { name: 'x', priority: 1, conditions: { senderId: 'a\u0000' }, action: { kind: 'triage' } }, 'conditions.senderId'],
    ['POST', '/admin/cvrs/12345674/mailboxes', { provider: 'eboks', config: { name: 'x\u0000' }, credentials: {} }, 'config.name'],
  ];

  test.each(refused)('%s %s: 400 naming the field', async (method, path, body, field) => {
    const r = await call(method, path, body);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/json/);
    const err = (JSON.parse(r.text) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('invalid_request');
    expect(err.message.startsWith(`${field}: `)).toBe(true);
    expect(err.message).not.toContain('\u0000');
  });

  test('valid values at the edges still pass', async () => {
    for (const path of [
      '/messages?from=0001-01-01', '/messages?to=9999-12-31', '/messages?from=9999-12-31T23:59:59Z',
      '/messages?from=2025-01-01T00:00:00%2B14:00', '/messages?q=' + encodeURIComponent('søg\tefter'),
      `/admin/audit?before=${PG_INTEGER_MAX}`, '/admin/audit?from=0001-01-01&to=9999-12-31',
      `/triage?offset=${PG_INTEGER_MAX}`,
    ]) {
      expect([path, (await call('GET', path)).status]).toEqual([path, 200]);
    }
    const notice = await call('POST', '/admin/notices', { startsAt: '2099-01-01T00:00:00+14:00', endsAt: '2099-01-02T00:00:00Z', textDa: 'Linje 1\nLinje 2', textEn: 'b' });
    expect(notice.status).toBe(201);
    const csv = await fetch(`${app.url}/api/admin/audit.csv?from=0001-01-01`);
    expect(csv.status).toBe(200);
    expect(Buffer.from(await csv.arrayBuffer()).toString('utf8').startsWith('\ufeffseq,at,')).toBe(true);
    expect(logs.filter((l) => l.includes('unhandled') || l.includes('after the answer had started'))).toEqual([]);
  });
});
