// Errors of the ingest path as sentences (ingest/error-text.ts): drizzle's "Failed query … params …"
// never comes through (its params are a letter's sealed bytes), CPR numbers are masked, control
// characters removed; and which database errors are the letter's rather than the database's.
import { DrizzleQueryError } from 'drizzle-orm';
import { ingestErrorText, letterRefusedByDatabase, safeText } from '../../backend/src/ingest/error-text';
import { databaseErrorOf } from '../../backend/src/store/db';
import { ProviderError } from '../../backend/src/ingest/connector';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
const wrapped = (cause: unknown) => new DrizzleQueryError('insert into "messages" values ($1, $2)', ['0101901234', Buffer.from([0, 1, 2, 0])], cause as Error);

describe('ingest error text', () => {
  test('a wrapped database error becomes what PostgreSQL said, never the query or its values', () => {
    const text = ingestErrorText(wrapped(pgError('22008', 'date/time field value out of range: "0000-01-01" for 0101901234')), 'Storing it failed');
    expect(text).toBe('Storing it failed: the database answered (22008) "date/time field value out of range: "0000-01-01" for 010190-XXXX"');
    expect(text).not.toMatch(/insert into|params|\u0000/);
  });

  test('a query that failed without a server answer is the database\'s trouble, not the letter\'s', () => {
    const lost = wrapped(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
    expect(databaseErrorOf(lost)).toEqual({ code: null, message: 'Connection terminated unexpectedly' });
    expect(letterRefusedByDatabase(lost)).toBe(false);
  });

  test('data exceptions, constraint violations (not uniqueness) and program limits are the letter\'s', () => {
    for (const code of ['22008', '22P02', '23502', '54000']) expect(letterRefusedByDatabase(wrapped(pgError(code, 'x')))).toBe(true);
    for (const code of ['23505', '57P01', '08006', 'XX000', '53100']) expect(letterRefusedByDatabase(wrapped(pgError(code, 'x')))).toBe(false);
    expect(letterRefusedByDatabase(new Error('plain'))).toBe(false);
  });

  test('a provider\'s sentence stays; text is stripped of control characters and bounded', () => {
    expect(ingestErrorText(new ProviderError('provider_unavailable', 'e-Boks answered 503 (will try again): busy', true, 503))).toBe('e-Boks answered 503 (will try again): busy');
    expect(safeText('a\u0000b\u0007c  d\n e')).toBe('a b c d e');
    expect(safeText('x'.repeat(1000))).toHaveLength(400);
    expect(ingestErrorText(new Error('Failed query: select 1\nparams: \u0000'))).toBe('Fetching failed: a database query failed');
  });
});
