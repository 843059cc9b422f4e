// A letter as e-Boks and mit.dk hand it over (metadata plus document files, no MeMo), and the one
// pure conversion of such a letter into a MeMo, shared by both connectors so that everything after
// the fetch (parse, store, route, deliver) stays the same as for Digital Post (NgDP).
//
// Shared by ingest/eboks and ingest/mitdk; it lives here only because the connectors' folders are
// what this change may touch. It belongs in ingest/ next to connector.ts.
import { createHash } from 'node:crypto';
import { buildMemoXml } from '../../memo/build';
import { MemoError, type Memo, type MemoDocument } from '../../memo/types';

export type LetterProvider = 'eboks' | 'mitdk';

export interface ProviderFile { filename: string; mimeType: string; content: Buffer }

export interface ProviderDocument {
  /** What the provider calls the document (shown as the MeMo document label). */
  title: string;
  /** One file, or the same document in several formats (mit.dk). */
  files: ProviderFile[];
}

export interface ProviderLetter {
  provider: LetterProvider;
  /** The provider's id of the message, stable for as long as the message exists there. */
  providerMessageId: string;
  /** The company whose mailbox this is. */
  recipientCvr: string;
  recipientName?: string;
  sender: {
    name: string;
    /** A CVR number, when the provider tells us one. */
    cvr?: string;
    /** The provider's own id for the sender (e-Boks sender id, mit.dk sender id). */
    providerId?: string;
  };
  subject: string;
  /** When the provider received it: ISO 8601, with a zone, or local Danish time without one. */
  receivedAt: string;
  /** The first is the letter itself; the rest are its attachments. */
  documents: ProviderDocument[];
}

/**
 * MeMo requires a sender CVR (or CPR). When the provider names a sender without one (private
 * senders are known to e-Boks and mit.dk by their own ids), the MeMo says 00000000 and keeps the
 * provider's sender id in AdditionalContentData; routing rules match such letters by sender name.
 */
export const UNKNOWN_SENDER_CVR = '00000000';

/** AdditionalContentData/contentDataType of the provenance entries the conversion adds. */
export const PROVENANCE_TYPE = 'brevdue:provider';

export type Conversion =
  | { ok: true; memo: Memo }
  | { ok: false; code: string; reason: string };

// ---------------------------------------------------------------------------------------------
// Identifiers

/**
 * A deterministic messageUUID for a provider message: the same provider, mailbox and message id give
 * the same UUID on every fetch, so a letter fetched twice is recognised as a duplicate when stored.
 * Built like a name-based (v5) UUID, from SHA-256 instead of SHA-1, and stamped version 4 because
 * MeMo's memoUuidType only admits version-4 UUIDs.
 */
export function providerMessageUUID(provider: LetterProvider, cvr: string, providerMessageId: string): string {
  const b = createHash('sha256').update(`brevdue/${provider}/${cvr}/${providerMessageId}`, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const CVR_WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1];

/** 8 digits whose weighted sum (2,7,6,5,4,3,2,1) is divisible by 11. */
export function isValidCvr(s: string | undefined): s is string {
  if (!s || !/^\d{8}$/.test(s) || s === UNKNOWN_SENDER_CVR) return false;
  return [...s].reduce((sum, d, i) => sum + Number(d) * CVR_WEIGHTS[i], 0) % 11 === 0;
}

// ---------------------------------------------------------------------------------------------
// Time

const NAIVE_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const copenhagen = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Copenhagen', hourCycle: 'h23',
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

function copenhagenOffsetMs(utcMs: number): number {
  const p = Object.fromEntries(copenhagen.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * "2026-01-15T10:30:00" (Danish local time, as e-Boks writes it), "…Z" or "…+01:00" → the MeMo
 * dateTime form "2026-01-15T09:30:00Z". Undefined when the text is no date and time.
 */
export function toMemoDateTime(s: string): string | undefined {
  const t = s.trim();
  const naive = NAIVE_RE.exec(t);
  let ms: number;
  if (naive) {
    const wall = Date.UTC(+naive[1], +naive[2] - 1, +naive[3], +naive[4], +naive[5], +(naive[6] ?? 0));
    ms = wall - copenhagenOffsetMs(wall);
    ms = wall - copenhagenOffsetMs(ms); // the offset at the instant itself (daylight-saving edges)
  } else {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) return undefined;
    ms = Date.parse(t);
  }
  if (!Number.isFinite(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

// ---------------------------------------------------------------------------------------------
// Conversion

/** MeMo text fields hold at most 256 characters (code points). */
export function clip(s: string, max = 256): string {
  const cps = [...s];
  return cps.length <= max ? s : cps.slice(0, max - 1).join('') + '…';
}

// eslint-disable-next-line no-control-regex
const XML_BAD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const text = (s: string, max = 256) => clip(s.replace(XML_BAD, ' ').replace(/\s+/g, ' ').trim(), max);

/** Letter → MeMo 1.2, pure. A letter that cannot be a valid MeMo gives a reason instead. */
export function letterToMemo(letter: ProviderLetter): Conversion {
  const fail = (code: string, reason: string): Conversion => ({ ok: false, code, reason });
  if (!/^\d{8}$/.test(letter.recipientCvr)) return fail('recipient', `the mailbox's CVR number "${letter.recipientCvr}" is not 8 digits`);
  if (!letter.providerMessageId) return fail('message-id', 'the provider gave the message no id');
  const created = toMemoDateTime(letter.receivedAt);
  if (!created) return fail('received-time', `the provider's received time "${letter.receivedAt}" is not a date and time`);
  if (letter.documents.length === 0) return fail('no-documents', 'the message has no document, and a MeMo letter needs a main document');
  const empty = letter.documents.findIndex((d) => d.files.length === 0);
  if (empty >= 0) return fail('no-files', `document ${empty + 1} ("${letter.documents[empty].title}") has no file`);

  const senderName = text(letter.sender.name) || 'Ukendt afsender';
  const senderCvr = isValidCvr(letter.sender.cvr) ? letter.sender.cvr : UNKNOWN_SENDER_CVR;
  const label = text(letter.subject) || text(letter.documents[0].title) || '(uden emne)';
  const provenance = [
    { contentDataType: PROVENANCE_TYPE, contentDataName: 'provider', contentDataValue: letter.provider },
    { contentDataType: PROVENANCE_TYPE, contentDataName: 'providerMessageId', contentDataValue: text(letter.providerMessageId) },
    ...(letter.sender.providerId
      ? [{ contentDataType: PROVENANCE_TYPE, contentDataName: 'providerSenderId', contentDataValue: text(letter.sender.providerId) }]
      : []),
  ];
  const doc = (d: ProviderDocument, i: number): MemoDocument => ({
    label: text(d.title) || (i === 0 ? label : `Bilag ${i}`),
    files: d.files.map((f, j) => ({
      encodingFormat: text(f.mimeType) || 'application/octet-stream',
      filename: text(f.filename) || `dokument-${i + 1}${j ? `-${j + 1}` : ''}`,
      language: 'da',
      content: f.content,
    })),
    actions: [],
  });
  const [main, ...rest] = letter.documents;
  const memo: Memo = {
    version: '1.2',
    messageType: 'DIGITALPOST',
    messageUUID: providerMessageUUID(letter.provider, letter.recipientCvr, letter.providerMessageId),
    messageID: text(letter.providerMessageId),
    label,
    reply: false,
    sender: { id: senderCvr, idType: 'CVR', label: senderName },
    recipient: {
      id: letter.recipientCvr, idType: 'CVR',
      ...(letter.recipientName && text(letter.recipientName) ? { label: text(letter.recipientName) } : {}),
    },
    contentData: { additionalContentData: provenance },
    replyData: [],
    body: {
      createdDateTime: created,
      mainDocument: doc(main, 0),
      additionalDocuments: rest.map((d, i) => doc(d, i + 1)),
      technicalDocuments: [],
    },
  };
  return { ok: true, memo };
}

/**
 * The bytes fetchRaw hands to the poller. A convertible letter is its MeMo XML. One that is not
 * becomes a small XML record that is deliberately not a MeMo (root `Unconvertible` in the namespace
 * urn:brevdue:unconvertible:<code>): the poller's MeMo parser rejects it, so the letter is
 * quarantined with the raw record (reason and provider metadata) and acknowledged INVALID, exactly
 * like a broken MeMo from Digital Post. The reason code shows in the quarantine reason itself.
 */
export function letterToRaw(letter: ProviderLetter, metadata: unknown): Buffer {
  const c = letterToMemo(letter);
  if (c.ok) {
    try {
      return Buffer.from(buildMemoXml(c.memo), 'utf8');
    } catch (e) {
      if (!(e instanceof MemoError)) throw e;
      return unconvertibleRaw(letter.provider, letter.providerMessageId, 'memo-invalid', e.message, metadata);
    }
  }
  return unconvertibleRaw(letter.provider, letter.providerMessageId, c.code, c.reason, metadata);
}

export const UNCONVERTIBLE_NS = 'urn:brevdue:unconvertible:';

export function unconvertibleRaw(provider: LetterProvider, providerMessageId: string, code: string, reason: string, metadata: unknown): Buffer {
  const esc = (s: string) => s.replace(XML_BAD, ' ').replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
  const slug = code.replace(/[^a-z0-9-]/gi, '-').toLowerCase();
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<Unconvertible xmlns="${UNCONVERTIBLE_NS}${slug}" provider="${esc(provider)}" providerMessageId="${esc(providerMessageId)}">
  <reason>${esc(reason)}</reason>
  <metadata>${esc(JSON.stringify(metadata ?? null))}</metadata>
</Unconvertible>
`, 'utf8');
}
