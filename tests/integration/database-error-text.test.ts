// A database error as it reaches a log line, an API's "internal" answer or a delivery's stored last
// error: what the server said, never drizzle's "Failed query: <SQL> params: <values>" (a letter's
// fields and sealed bytes). The errors here are real ones from the database under test.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../backend/src/store/db';
import { createLogger, errorMessage } from '../../backend/src/log';
import { errorHandler } from '../../backend/src/api/errors';
import { describeGraphError } from '../../backend/src/delivery/deliver';
import { testDatabases } from '../helpers/databases';

// A parameter the server's own message does not quote: it may appear only if the wrapper leaks.
const MARKER = 'letter-field-0101901234-Skattestyrelsen';

describe.each(testDatabases)('database errors as text on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const d = await tdb.create();
    drop = d.drop;
    database = await openDatabase(d);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const failingQuery = async (): Promise<unknown> => {
    try {
      await database.db.execute(sql`select 1 / ${0}::int as x, ${MARKER}::text as y`);
    } catch (e) {
      return e;
    }
    throw new Error('the query was expected to fail');
  };

  test('errorMessage and describeGraphError keep only what the server said', async () => {
    const e = await failingQuery();
    expect(String((e as Error).message)).toContain(MARKER); // what drizzle itself puts in its message
    expect(errorMessage(e)).toBe('the database answered (22012) "division by zero"');
    expect(describeGraphError(e)).toBe('the database answered (22012) "division by zero"');
  });

  test('an unhandled database error in a route: a reference for the person, no query or values in the log', async () => {
    const lines: string[] = [];
    const app = express();
    app.get('/boom', (_req, _res, next) => { failingQuery().then(next, next); });
    app.use(errorHandler(createLogger((l) => lines.push(l))));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`);
      expect(res.status).toBe(500);
      const body = await res.json() as { error: { message: string } };
      expect(JSON.stringify(body)).not.toMatch(/division|select|0101901234/);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('the database answered (22012) \\"division by zero\\"');
      expect(lines[0]).not.toMatch(/Failed query|select 1|params|Skattestyrelsen|0101901234/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
