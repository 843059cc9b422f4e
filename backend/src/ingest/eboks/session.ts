// e-Boks credentials and session, and nothing else: the logon challenge, the session id and the
// rolling nonce, and logging on again when e-Boks forgets the session (401). Shapes follow the
// e-Boks mobile XML API as its public clients use it (see docs/CONNECTORS.md):
//
//   PUT {base}/session   X-EBOKS-AUTHENTICATE: logon deviceid="…",datetime="…",challenge="…"
//        <Logon xmlns="urn:eboks:mobile:1.0.0"><App …/><User identity identityType nationality pincode/></Logon>
//     → 200, X-EBOKS-AUTHENTICATE: sessionid="…",nonce="…", <Session><User userId name/></Session>
//   challenge = sha256hex(sha256hex("activationCode:deviceId:identityType:identity:nationality:password:datetime"))
//
//   every later call: X-EBOKS-AUTHENTICATE: deviceid="…",nonce="…",sessionid="…",response="…"
//   response  = sha256hex("activationCode:deviceId:nonce"); each answer carries the next nonce.
//
// Because the nonce rolls with every answer, calls on one session are strictly one at a time.
import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { withTimeout } from '../../util/timeout';
import { ProviderError, kindOfStatus } from '../connector';
import { providerErrorDetail } from '../provider-error-body';

export const EBOKS_XML_NS = 'urn:eboks:mobile:1.0.0';
export const AUTH_HEADER = 'X-EBOKS-AUTHENTICATE';

export interface EboksCredentials {
  /** The login identity: the CPR number of the user the company's e-Boks is opened with (or its CVR). */
  identity: string;
  /** e-Boks identityType; "P" in every public client. */
  identityType: string;
  nationality: string;
  /** The device id the activation code was issued for. */
  deviceId: string;
  /** The e-Boks password (pincode). */
  password: string;
  /** The mobile activation code, from e-Boks' settings ("Mobiladgang"). */
  activationCode: string;
}

export interface EboksUser { userId: string; name: string }

export interface EboksSessionOptions {
  baseUrl: string; // e.g. https://rest.e-boks.dk/mobile/1/xml.svc/en-gb
  credentials: EboksCredentials;
  timeoutMs?: number;
  now?: () => Date;
  /** undici dispatcher (proxy, custom TLS); omitted normally. */
  dispatcher?: unknown;
}

/** One HTTP answer, body read in full inside the time limit. */
export interface RawAnswer { status: number; headers: Headers; body: Buffer }

export interface SendInit {
  body?: string | Buffer; contentType?: string; accept?: string; query?: Record<string, string>;
  /** Ask for the bytes as they are (documents): see `exchange`. */
  uncompressed?: boolean;
}

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function logonChallenge(c: EboksCredentials, datetime: string): string {
  return sha256hex(sha256hex([c.activationCode, c.deviceId, c.identityType, c.identity, c.nationality, c.password, datetime].join(':')));
}

export function nonceResponse(c: Pick<EboksCredentials, 'activationCode' | 'deviceId'>, nonce: string): string {
  return sha256hex(`${c.activationCode}:${c.deviceId}:${nonce}`);
}

/** `a="1", b="2"` → { a: '1', b: '2' } (also accepts a leading scheme word such as `logon`). */
export function parseAuthHeader(h: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (h ?? '').matchAll(/([A-Za-z]+)\s*=\s*"([^"]*)"/g)) out[m[1].toLowerCase()] = m[2];
  return out;
}

const xmlAttr = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);

/** e-Boks' datetime form in the logon header: "2026-01-18 12:00:00Z". */
const logonDatetime = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

export const eboksXml = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false,
  // Lists are arrays even with one entry; a root element (a folder page is <FolderInfo>) never is.
  trimValues: true, isArray: (name, jPath) => String(jPath).includes('.') && ['FolderInfo', 'MessageInfo', 'AttachmentInfo'].includes(name),
});

/** Parses an e-Boks XML answer; a cut-off or broken body is a retryable ProviderError. */
export function readXml(body: Buffer, what: string): Record<string, any> {
  const text = body.toString('utf8');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) {
    throw new ProviderError('provider_answer_unreadable', `e-Boks sent ${what} we cannot read (truncated or malformed XML); will try again.`, true);
  }
  return eboksXml.parse(text) as Record<string, any>;
}

export class EboksSession {
  private readonly base: string;
  private state: { user: EboksUser; sessionId: string; nonce: string } | null = null;
  private loggingIn: Promise<EboksUser> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** How many times this session logged on (for health and tests). */
  logins = 0;

  constructor(private readonly o: EboksSessionOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** The logged-on user, logging on first if needed. */
  async user(): Promise<EboksUser> {
    return this.state?.user ?? this.logon();
  }

  /** Forget the session; the next call logs on again. */
  invalidate(): void { this.state = null; }

  /**
   * One authenticated call, `path` relative to the base URL. Logs on when there is no session, and
   * once more when e-Boks answers 401 (session expired or nonce out of step). Other statuses are
   * returned as they are; the caller decides what they mean.
   */
  async send(method: string, path: string, init: SendInit = {}): Promise<RawAnswer> {
    for (let attempt = 0; ; attempt++) {
      await this.user();
      const answer = await this.serial(() => this.authenticated(method, path, init));
      if (answer.status !== 401) return answer;
      this.invalidate();
      if (attempt >= 1) {
        throw new ProviderError('credentials_refused', `e-Boks refused the session right after a fresh logon (401 to ${method} ${path}); `
          + 'check that the device id and activation code belong together.', false, 401);
      }
    }
  }

  private async authenticated(method: string, path: string, init: SendInit): Promise<RawAnswer> {
    const s = this.state;
    if (!s) return { status: 401, headers: new Headers(), body: Buffer.alloc(0) };
    const c = this.o.credentials;
    const auth = `deviceid="${c.deviceId}",nonce="${s.nonce}",sessionid="${s.sessionId}",response="${nonceResponse(c, s.nonce)}"`;
    const answer = await this.exchange(method, path, auth, init);
    const next = parseAuthHeader(answer.headers.get(AUTH_HEADER)).nonce;
    if (next && this.state === s) s.nonce = next;
    return answer;
  }

  private logon(): Promise<EboksUser> {
    this.loggingIn ??= this.serial(() => this.doLogon()).finally(() => { this.loggingIn = null; });
    return this.loggingIn;
  }

  private async doLogon(): Promise<EboksUser> {
    const c = this.o.credentials;
    const datetime = logonDatetime(this.o.now?.() ?? new Date());
    const auth = `logon deviceid="${c.deviceId}",datetime="${datetime}",challenge="${logonChallenge(c, datetime)}"`;
    const body = `<?xml version="1.0" encoding="utf-8"?>
<Logon xmlns="${EBOKS_XML_NS}"><App version="1" os="server" osVersion="node" Device="Brevdue"/>`
      + `<User identity="${xmlAttr(c.identity)}" identityType="${xmlAttr(c.identityType)}" nationality="${xmlAttr(c.nationality)}" pincode="${xmlAttr(c.password)}"/></Logon>`;
    const answer = await this.exchange('PUT', '/session', auth, { body, contentType: 'application/xml' });
    if (answer.status === 401 || answer.status === 403) {
      throw new ProviderError('credentials_refused', `e-Boks refused the logon for identity ${mask(c.identity)} (${answer.status}): check the password, `
        + 'the activation code and the device id it was issued for, then save the credentials again.', false, answer.status);
    }
    if (answer.status !== 200) throw statusError(answer, 'PUT', '/session');
    const h = parseAuthHeader(answer.headers.get(AUTH_HEADER));
    const xml = readXml(answer.body, 'a logon answer');
    const u = xml.Session?.User;
    if (!h.sessionid || !h.nonce || !u?.['@_userId']) {
      throw new ProviderError('provider_answer_unreadable', 'e-Boks accepted the logon but sent no session id, nonce or user id; will try again.', true);
    }
    const user = { userId: String(u['@_userId']), name: String(u['@_name'] ?? '') };
    this.state = { user, sessionId: h.sessionid, nonce: h.nonce };
    this.logins++;
    return user;
  }

  /** Runs calls on this session one at a time (the nonce chain demands it). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange(method: string, path: string, auth: string, init: SendInit): Promise<RawAnswer> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { [AUTH_HEADER]: auth, Accept: init.accept ?? '*/*' };
    // Documents come uncompressed (PDFs do not shrink, and their Content-Length is then checked
    // against the very bytes we store); XML answers may come gzipped, as the mobile app takes them.
    if (init.uncompressed) headers['Accept-Encoding'] = 'identity';
    if (init.contentType) headers['Content-Type'] = init.contentType;
    return withTimeout(this.o.timeoutMs ?? 60_000, async (signal) => {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: init.body, signal, ...(this.o.dispatcher ? { dispatcher: this.o.dispatcher } : {}) } as RequestInit);
      } catch (e) {
        throw new ProviderError('provider_unavailable', `e-Boks ${method} ${path} ${describeFailure(e)}; will try again.`, true);
      }
      let body: Buffer;
      try {
        body = Buffer.from(await res.arrayBuffer());
      } catch (e) {
        throw new ProviderError('provider_answer_unreadable', `e-Boks broke off the answer to ${method} ${path} (${describeFailure(e)}); will try again.`, true);
      }
      // fetch decompresses, and Content-Length is then the compressed size: compare only unencoded
      // bodies. A compressed one cut short fails in fetch itself, and the XML reader refuses half a document.
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (!isEncoded(res.headers) && Number.isFinite(declared) && declared !== body.length) {
        throw new ProviderError('provider_answer_unreadable', `e-Boks sent ${body.length} of ${declared} bytes for ${method} ${path}; will try again.`, true);
      }
      return { status: res.status, headers: res.headers, body };
    });
  }
}

/** Whether the body came with a content coding (gzip, br, …) that fetch undid. */
export function isEncoded(h: Headers): boolean {
  const coding = (h.get('content-encoding') ?? '').trim().toLowerCase();
  return coding !== '' && coding !== 'identity';
}

/** A ProviderError for an unexpected status: 5xx, 429 and 408 are worth another try, the rest not. */
export function statusError(a: RawAnswer, method: string, path: string): ProviderError {
  const retryable = a.status >= 500 || a.status === 429 || a.status === 408;
  // Only e-Boks's own error code and message, bounded and cleaned: never the body as it came.
  const detail = providerErrorDetail(a.body, 'eboks');
  return new ProviderError(kindOfStatus(a.status), `e-Boks answered ${a.status} to ${method} ${path}${retryable ? ' (will try again)' : ''}${detail ? `: ${detail}` : '.'}`, retryable, a.status);
}

function describeFailure(e: unknown): string {
  const err = e as Error & { cause?: Error };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'did not answer in time';
  return `could not be completed: ${err.cause?.message ?? err.message}`;
}

const mask = (id: string) => (id.length > 6 ? `${id.slice(0, 6)}…` : id);
