// Structured logging: pino, one JSON line per entry ({time, level, msg, ...fields}). Two guards sit
// on every line whatever the caller passes: fields that hold credentials or letter content are
// redacted by name, and CPR numbers are masked in the finished line, so a log never carries a
// person's number even when it arrives inside an error message or a URL.
import { pino } from 'pino';
import { maskCpr } from '../../shared/src/identifiers';
import { databaseErrorOf } from './store/db-error';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Field names never logged, at the top level and one level down (e.g. `headers.authorization`). */
const SECRET_KEYS = [
  'authorization', 'cookie', 'token', 'accessToken', 'refreshToken', 'secret', 'clientSecret', 'password',
  'privateKey', 'kek', 'webhookUrl', 'content', 'contentEnc', 'body', 'text', 'raw', 'xml',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`]);

export function createLogger(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const destination = {
    // pino hands over a finished line ending in '\n'; the caller's writer adds its own.
    write(chunk: string) { write(maskCpr(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk)); },
  };
  const p = pino({
    base: null, // no pid/hostname on every line; the platform adds those
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }, destination);
  const emit = (level: 'info' | 'warn' | 'error') => (msg: string, fields: Record<string, unknown> = {}) => p[level](fields, msg);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * An error's message, fit for a log line or a stored "last error": a database error becomes what
 * the server said, never drizzle's "Failed query: <SQL> params: <values>" (a letter's fields).
 */
export function errorMessage(e: unknown): string {
  const db = databaseErrorOf(e);
  if (db) return `the database answered ${db.code ? `(${db.code}) ` : ''}"${db.message}"`;
  const message = e instanceof Error ? e.message : String(e);
  // A wrapper we do not know that still quotes a query: say only that one failed.
  return message.startsWith('Failed query:') ? 'a database query failed' : message;
}
