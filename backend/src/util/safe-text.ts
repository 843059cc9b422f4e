// Text from outside (an error's message, a provider's or Graph's sentence) made safe to store in a
// text column, show to people and log: CPR numbers masked, control characters removed (a NUL makes
// PostgreSQL refuse the whole UPDATE), whitespace folded, length bounded.
import { maskCpr } from '../../../shared/src/identifiers';

export function safeText(s: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const clean = maskCpr(s.replace(/[\u0000-\u0008\u000B-\u001F\u007F]+/g, ' ').replace(/\s+/g, ' ').trim());
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
