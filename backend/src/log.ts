// Minimal structured logger: one JSON line per entry, CPR numbers masked in every message, so a log
// line never carries a person's number. (pino replaces this in issue #8; the interface stays.)
import { maskCpr } from '../../shared/src/identifiers';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const emit = (level: string) => (msg: string, fields: Record<string, unknown> = {}) =>
    write(maskCpr(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })));
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
