// What every Graph request passes before its route: request ids and Prefer, bearer token, body
// (4 MB, JSON), faults, then the mailbox's throttle (4 concurrent, 10,000 per 10 minutes).
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { readBody, sleep } from '../http';
import { GraphHttpError, invalidUser, sendGraphError } from './errors';
import { hit } from './faults';
import { noteBody } from './recorder';
import type { GraphRuntime } from './runtime';
import type { MailboxRec } from './state';

export function requestContext(rt: GraphRuntime): RequestHandler {
  return (req, res, next) => {
    rt.count('requests');
    res.locals.requestId = randomUUID();
    res.locals.clientRequestId = req.get('client-request-id') ?? randomUUID();
    res.setHeader('request-id', res.locals.requestId);
    res.setHeader('client-request-id', res.locals.clientRequestId);
    res.setHeader('x-ms-ags-diagnostic', JSON.stringify({ ServerInfo: { DataCenter: 'North Europe', Slice: 'E', Ring: '4', ScaleUnit: '000', RoleInstance: 'brevdue-sim' } }));
    res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    res.setHeader('Cache-Control', 'no-cache');
    // Ids here are immutable whatever the client asks; say so when it asks.
    if (/IdType\s*=\s*"?ImmutableId"?/i.test(req.get('Prefer') ?? '')) res.setHeader('Preference-Applied', 'IdType="ImmutableId"');
    next();
  };
}

export function bearerAuth(rt: GraphRuntime): RequestHandler {
  return (req, res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('Authorization') ?? '');
    const fail = (message: string) => sendGraphError(res, new GraphHttpError(401, 'InvalidAuthenticationToken', message, {
      'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    }));
    if (!m) return fail('Access token is empty.');
    if (rt.acceptedTokens && !rt.acceptedTokens.includes(m[1])) return fail('Access token validation failure. Invalid audience.');
    next();
  };
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function jsonBody(rt: GraphRuntime): RequestHandler {
  return (req, res, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
    readBody(req, rt.limits.maxRequestBytes).then(({ body, tooLarge, size }) => {
      noteBody(res, null, size);
      if (tooLarge) {
        throw new GraphHttpError(413, 'RequestEntityTooLarge', `The request body is ${size} bytes; the maximum request length supported is 4 MB.`);
      }
      if (body.length === 0) { res.locals.body = undefined; return next(); }
      if (!req.is('application/json')) throw new GraphHttpError(415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
      try { res.locals.body = JSON.parse(body.toString('utf8')); } catch {
        throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
      noteBody(res, res.locals.body, size);
      next();
    }).catch(next);
  };
}

export function faultGate(rt: GraphRuntime): RequestHandler {
  return (req, res, next) => {
    const f = rt.faults;
    const retryAfter = String(f.retryAfterSeconds ?? 1);
    if (hit(f.rate429, rt.random)) {
      rt.count('faulted429');
      return sendGraphError(res, new GraphHttpError(429, 'TooManyRequests', 'Too many requests (simulated).', { 'Retry-After': retryAfter }));
    }
    if (hit(f.rate503, rt.random)) {
      rt.count('faulted503');
      return sendGraphError(res, new GraphHttpError(503, 'ServiceUnavailable', 'The service is temporarily unavailable (simulated).', { 'Retry-After': retryAfter }));
    }
    if (WRITES.has(req.method) && !/\/\$batch\/?$/.test(req.path) && hit(f.timeoutAfterWriteRate, rt.random)) res.locals.holdAfterWrite = true;
    next();
  };
}

/** For upload-session URLs: a fragment PUT throttled on its own (the session and what it received stay). */
export function fragmentFault(rt: GraphRuntime): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'PUT' || !hit(rt.faults.uploadFragment429Rate, rt.random)) return next();
    rt.count('faulted429');
    sendGraphError(res, new GraphHttpError(429, 'TooManyRequests', 'Too many requests (simulated, upload fragment).', { 'Retry-After': String(rt.faults.retryAfterSeconds ?? 1) }));
  };
}

/** Simulated processing time; runs once a request is admitted, so it occupies a concurrency slot. */
export function latency(rt: GraphRuntime): RequestHandler {
  return (_req, _res, next) => {
    const ms = rt.faults.latencyMs;
    if (ms) sleep(ms).then(() => next(), next); else next();
  };
}

/** For `/users/:u/...`: finds the mailbox and admits the request under its limits. */
export function mailboxGate(rt: GraphRuntime): RequestHandler {
  return (req: Request, res, next) => {
    const u = req.params.u;
    const mb = rt.state.find(u);
    if (!mb) {
      const bare = req.path === '/' || req.path === '';
      return sendGraphError(res, bare
        ? new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${u}' does not exist or one of its queried reference-property objects are not present.`)
        : invalidUser(u));
    }
    if (!admitToMailbox(rt, mb, res)) return;
    res.locals.mailbox = mb;
    res.locals.user = u;
    next();
  };
}

/**
 * Admits a request under the mailbox's limits (4 concurrent, the request window) until its
 * response ends; otherwise answers 429 and returns false.
 */
export function admitToMailbox(rt: GraphRuntime, mb: MailboxRec, res: Response): boolean {
  const a = rt.throttle.admit(mb.id);
  if (!a.ok) {
    rt.count('throttled429');
    rt.countMailbox(mb.id, 'throttled429');
    sendGraphError(res, new GraphHttpError(429, 'ApplicationThrottled', a.message, { 'Retry-After': String(a.retryAfterSeconds) }));
    return false;
  }
  rt.countMailbox(mb.id, 'requests');
  res.on('finish', a.release);
  res.on('close', a.release);
  return true;
}
