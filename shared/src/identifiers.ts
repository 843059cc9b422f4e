// Danish identifiers: CVR (companies), P-numbers (production units) and CPR (persons).
// Pure functions without Node APIs: used by the backend and the Outlook add-in alike.

const CVR_WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1];
const CPR_WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

function weightedSum(digits: string, weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i];
  return sum;
}

/**
 * A CVR number: exactly 8 digits (no spaces, no "DK" prefix), not starting with 0 (CVR numbers are
 * issued from 10000000 up), with the weights 2,7,6,5,4,3,2,1 summing to a multiple of 11.
 */
export function isValidCvr(s: string): boolean {
  return /^[1-9]\d{7}$/.test(s) && weightedSum(s, CVR_WEIGHTS) % 11 === 0;
}

/** A P-number (production unit, "produktionsenhedsnummer"): exactly 10 digits. */
export function isValidPNumber(s: string): boolean {
  return /^\d{10}$/.test(s);
}

export interface CprMatch {
  /** The text as found, e.g. "010190-1234" or "0101901234" (text.slice(start, end)). */
  value: string;
  start: number;
  end: number;
  /** Passes the old modulus-11 check: extra confidence only, numbers issued since 2007 may fail it. */
  mod11: boolean;
}

// DDMMYY, an optional hyphen (ASCII or the Unicode hyphens/dash a word processor puts in), SSSS.
// Not preceded by a digit or a digit+hyphen, not followed by a digit or a hyphen+digit: a CPR number
// inside a longer run of digits (an account, a phone number with extension, a UUID group) is no CPR.
const CPR_CANDIDATE = /(?<!\d)(?<!\d[-\u2010\u2011\u2013])(\d{2})(\d{2})(\d{2})([-\u2010\u2011\u2013]?)(\d{4})(?!\d)(?![-\u2010\u2011\u2013]\d)/g;

/** The full birth year from the two-digit year and the 7th digit (the first of the serial). */
export function cprCentury(yy: number, seventh: number): number | null {
  if (seventh <= 3) return 1900 + yy;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  if (seventh <= 8) return yy <= 57 ? 2000 + yy : 1800 + yy;
  return null;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export interface FindCprOptions {
  /** Birth dates after this day are not CPR numbers (default: today). */
  now?: Date;
}

/**
 * Finds CPR numbers (DDMMYY-SSSS or DDMMYYSSSS) in free text. A candidate counts when its date is a
 * real calendar date in the century its 7th digit gives, and is not in the future; modulus 11 is
 * reported, not required (numbers issued since 2007 need not satisfy it).
 */
export function findCprNumbers(text: string, opts: FindCprOptions = {}): CprMatch[] {
  const now = opts.now ?? new Date();
  const today = now.getFullYear() * 10000 + (now.getMonth() + 1) * 100 + now.getDate();
  const found: CprMatch[] = [];
  CPR_CANDIDATE.lastIndex = 0;
  for (let m = CPR_CANDIDATE.exec(text); m; m = CPR_CANDIDATE.exec(text)) {
    const [value, dd, mm, yy, , serial] = m;
    const day = +dd;
    const month = +mm;
    const year = cprCentury(+yy, +serial[0]);
    if (year === null || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) continue;
    if (year * 10000 + month * 100 + day > today) continue;
    const digits = dd + mm + yy + serial;
    found.push({ value, start: m.index, end: m.index + value.length, mod11: weightedSum(digits, CPR_WEIGHTS) % 11 === 0 });
  }
  return found;
}

/** Replaces every CPR number found by findCprNumbers with its birth date and a masked serial: DDMMYY-XXXX. */
export function maskCpr(text: string, opts: FindCprOptions = {}): string {
  const found = findCprNumbers(text, opts);
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + `${f.value.slice(0, 6)}-XXXX`;
    at = f.end;
  }
  return out + text.slice(at);
}

/**
 * A party's id (MeMo Sender/Recipient) as Brevdue stores and shows it: a person's CPR number (idType
 * CPR) as DDMMYY-XXXX, whatever its date says (a CPR number issued since 2007 or a test number is one
 * too), and one that is not 10 digits as XXXXXX-XXXX; other ids (CVR, P-number, …) as they are, with
 * any CPR number inside them masked. The full id stays only in the sealed original MeMo.
 */
export function maskPartyId(id: string, idType: string | undefined): string {
  if ((idType ?? '').toUpperCase() === 'CPR') {
    const digits = id.replace(/\D/g, '');
    return digits.length === 10 ? `${digits.slice(0, 6)}-XXXX` : 'XXXXXX-XXXX';
  }
  return maskCpr(id);
}
