// The pino logger keeps CPR numbers and secrets out of every line, and the request-id middleware
// gives each request an id that is echoed to the caller and present in its log line.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../backend/src/log';
import { requestIdMiddleware, saneRequestId } from '../../backend/src/observability/request-id';

const CPR = '010190-1234'; // a valid-looking CPR (date part is a real date)
const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('logger', () => {
  test('one JSON line per entry with time, level and message', () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l));
    log.info('started', { port: 3000 });
    log.warn('careful');
    log.error('broken', { error: 'x' });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    const [a, b, c] = parse(lines);
    expect(a).toMatchObject({ level: 'info', msg: 'started', port: 3000 });
    expect(new Date(a.time as string).toISOString()).toBe(a.time);
    expect(b.level).toBe('warn');
    expect(c).toMatchObject({ level: 'error', error: 'x' });
  });

  test('CPR numbers are masked in the message, in fields and in nested fields', () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l));
    log.warn(`letter for ${CPR} quarantined`, { reason: `recipient 0101901234 unknown`, nested: { deep: [`cpr ${CPR}`] } });
    expect(lines[0]).not.toMatch(/1234/);
    const [e] = parse(lines);
    expect(e.msg).toBe('letter for 010190-XXXX quarantined');
    expect(e.reason).toBe('recipient 010190-XXXX unknown');
    expect(JSON.stringify(e.nested)).toContain('010190-XXXX');
  });

  test('credentials and letter content are redacted by field name', () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l));
    log.info('call', {
      headers: { authorization: 'Bearer eyJ-secret', accept: 'application/json' },
      token: 'tok-123', password: 'hunter2', clientSecret: 'cs-1', content: 'Kære modtager …',
      request: { body: 'the letter text', secret: 's3' }, mailboxId: 'mb-1',
    });
    const line = lines[0];
    for (const leaked of ['eyJ-secret', 'tok-123', 'hunter2', 'cs-1', 'Kære modtager', 'the letter text', 's3"']) expect(line).not.toContain(leaked);
    const [e] = parse(lines);
    expect(e).toMatchObject({ token: '[redacted]', password: '[redacted]', content: '[redacted]', mailboxId: 'mb-1' });
    expect(e.headers).toEqual({ authorization: '[redacted]', accept: 'application/json' });
    expect(e.request).toEqual({ body: '[redacted]', secret: '[redacted]' });
  });
});

describe('request ids', () => {
  test('only short plain incoming ids are kept', () => {
    expect(saneRequestId('abc-123-def.456')).toBe('abc-123-def.456');
    expect(saneRequestId('short')).toBeNull();
    expect(saneRequestId('a'.repeat(200))).toBeNull();
    expect(saneRequestId('abc\n{"level":"error"}')).toBeNull();
    expect(saneRequestId(undefined)).toBeNull();
  });

  test('each request gets an id, echoed in the header and in one access-log line without the query string', async () => {
    const lines: string[] = [];
    const app = express();
    app.use(requestIdMiddleware(createLogger((l) => lines.push(l))));
    app.get('/api/messages/:id', (_req, res) => { res.json({ ok: true }); });
    app.get('/boom', (_req, res) => { res.status(500).end(); });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const own = await fetch(`${base}/api/messages/42?q=${CPR}`);
      const generated = own.headers.get('x-request-id')!;
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      const passed = await fetch(`${base}/api/messages/${CPR}`, { headers: { 'X-Request-Id': 'proxy-id-0001' } });
      expect(passed.headers.get('x-request-id')).toBe('proxy-id-0001');
      const refused = await fetch(`${base}/boom`, { headers: { 'X-Request-Id': 'x' } });
      expect(refused.headers.get('x-request-id')).not.toBe('x');
      await new Promise((r) => setTimeout(r, 50)); // 'finish' fires after the client has the answer

      expect(lines.join('\n')).not.toContain('1234');
      const entries = parse(lines);
      expect(entries).toHaveLength(3);
      expect(entries[0]).toMatchObject({ msg: 'request', requestId: generated, method: 'GET', path: '/api/messages/42', route: '/api/messages/:id', status: 200, level: 'info' });
      expect(typeof entries[0].ms).toBe('number');
      expect(String(entries[0].path)).not.toContain('?');
      expect(entries[1]).toMatchObject({ requestId: 'proxy-id-0001', path: '/api/messages/010190-XXXX' });
      expect(entries[2]).toMatchObject({ status: 500, level: 'error' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
