// /api/admin: CVR numbers and their provider mailboxes (admins), pause/resume and health (operators too;
// a mailbox's last error and quarantine only to those who see its quarantine: store/scope.ts).
import express, { type Router } from 'express';
import { z, type ZodType } from 'zod';
import { cvrCreateSchema, mailboxCreateSchema, mailboxUpdateSchema, type MailboxCreate, type MailboxUpdate, type Problem, type Provider } from '../../../shared/src/contracts';
import { addCvr, addMailbox, getMailbox, listCvrs, listQuarantine, mailboxRow, removeCvr, updateMailbox } from '../store/organisation';
import { backfillRequestSchema, backfillStatus, listBackfills, startBackfill } from '../ingest/ngdp/backfill';
import { ProviderError } from '../ingest/connector';
import { DEFAULT_PROVIDER_URL_POLICY, PROVIDER_BASE_URL_SETTING, ProviderUrlRefused, providerBaseUrlRefusal, type ProviderUrlPolicy } from '../ingest/provider-urls';
import { providerModule } from '../ingest/connectors';
import { splitSecretSettings } from '../ingest/provider';
import { loadNgdpCertificate, NgdpCertificateError } from '../ingest/ngdp/tls';
import { HttpError } from './errors';
import { issueProblems } from './zod-problems';
import type { MailboxRow } from '../context';
import { isFullAdmin, requireRole, scope } from './roles';
import { mayUseCvr, seesQuarantineOf } from '../store/scope';
import { h } from './handler';
import { pollDueNow, retryQuarantined } from '../ingest/quarantine-retry';
import { appendAudit } from '../audit/chain';
import { QUARANTINE_RETRY_ACTION } from '../retention/purge';
import type { ApiDeps } from './router';

const cvrParam = z.string().regex(/^\d{8}$/, 'the CVR number in the address must be 8 digits');
const idParam = z.string().uuid('must be a mailbox id (UUID)');
const quarantineIdParam = z.string().uuid('must be a quarantined letter\'s id (UUID), as the quarantine list shows it');

/** What the pane names in a base-URL refusal: the provider and the addresses the installation allows now. */
function allowedBaseUrls(urls: ProviderUrlPolicy, provider: Provider): Problem['params'] {
  return { provider, allowed: (urls.allowed[provider] ?? []).map((a) => a.text).join(', '), setting: PROVIDER_BASE_URL_SETTING[provider] };
}

/**
 * A new mailbox's settings and credentials checked field by field, every problem naming its field
 * (`params.field`: "baseUrl", "deviceId", "certificate.passphrase", …) so the task pane shows it next
 * to that field: a zod refusal's `field_*` (api/zod-problems.ts), `base_url_not_allowed`, or
 * `certificate_<problem>` (ingest/ngdp/tls.ts). The same schemas as addMailbox, asked once it refused
 * (which answers the first problem only, after the CVR number's own checks); `code` is the one it answers.
 */
export function newMailboxProblems(input: MailboxCreate, urls: ProviderUrlPolicy): { code: string; problems: Problem[] } {
  const p = providerModule(input.provider);
  const split = splitSecretSettings(p, input.config, input.credentials);
  const problems: Problem[] = [];
  let code = '';
  const check = (schema: ZodType, value: unknown, what: string): Record<string, unknown> | null => {
    const r = schema.safeParse(value);
    if (r.success) return r.data as Record<string, unknown>;
    code ||= 'invalid_mailbox';
    for (const i of r.error.issues) {
      const field = i.path.join('.');
      const message = `${p.displayName} ${what}: ${field ? `${field}: ` : ''}${i.message}`;
      let certificate: NgdpCertificateError | null = null;
      if (i.code === 'custom' && i.path[0] === 'certificate') {
        try { loadNgdpCertificate((value as { certificate: never }).certificate); } catch (e) { if (e instanceof NgdpCertificateError) certificate = e; }
      }
      if (certificate) problems.push({ code: `certificate_${certificate.problem.replace(/-/g, '_')}`, params: { field }, message: withoutOpenSslDetail(message) });
      else problems.push(...issueProblems(i, message)); // coded as any zod refusal (zod-problems.ts)
    }
    return null;
  };
  const config = check(p.configSchema, split.config, 'settings');
  if (config) {
    const refusal = providerBaseUrlRefusal(urls, input.provider, config.baseUrl);
    if (refusal) {
      code ||= 'base_url_not_allowed';
      problems.push({ code: 'base_url_not_allowed', params: { field: 'baseUrl', ...allowedBaseUrls(urls, input.provider) }, message: refusal });
    }
  }
  check(p.secretSchema, split.secret, 'credentials');
  return { code, problems };
}

/**
 * A certificate sentence without what OpenSSL appended ("…: error:0680007B:asn1 encoding
 * routines::header too long"): its internals mean nothing to the person who pasted the certificate.
 */
export function withoutOpenSslDetail(message: string): string {
  return message.replace(/:\s*(?:error:[0-9A-Fa-f]+:|[^:.]*\broutines::)[^]*$/, '.').replace(/\.\.$/, '.');
}

/**
 * A refused change of a mailbox's settings or credentials (PATCH), field by field as attaching one
 * is (newMailboxProblems): the problems of what was sent. A field left out that the stored mailbox
 * keeps (e-Boks' login number, Digital Post's certificate) is not missing.
 */
export function mailboxChangeProblems(row: Pick<MailboxRow, 'provider' | 'config'>, update: MailboxUpdate, urls: ProviderUrlPolicy): Problem[] {
  const sent = new Set([...Object.keys(update.config ?? {}), ...Object.keys(update.credentials ?? {})]);
  const { problems } = newMailboxProblems({ provider: row.provider as Provider, config: update.config ?? row.config, credentials: update.credentials ?? {} }, urls);
  return problems.filter((p) => p.code !== 'field_missing' || sent.has(String(p.params?.field ?? '').split('.')[0]));
}

/** A Digital Post refusal to start a system fetch because one runs (its 422 "… is still running …"). */
const BACKFILL_RUNNING = /still running/i;
/** The answer when a backfill runs already: seen in our list before asking, or in Digital Post's refusal. */
const backfillRunning = () => new HttpError(409, 'backfill_running', 'Digital Post is still fetching earlier letters for this mailbox (a backfill runs); start another when it has finished.');

export function adminRouter(deps: ApiDeps): Router {
  const r = express.Router();
  const admin = requireRole('admin');
  const operator = requireRole('admin', 'operator');
  const org = (req: express.Request) => scope(req).orgId;
  /** The mailbox, if it belongs to a CVR number the caller may see; 404 as for another organisation's otherwise. */
  const mailboxRowInScope = async (req: express.Request): Promise<{ id: string; cvr: string }> => {
    const row = await mailboxRow(deps.db, org(req), idParam.parse(req.params.id));
    if (!mayUseCvr(scope(req), row.cvr)) throw new HttpError(404, 'not_found', 'No such mailbox in your organisation.');
    return row;
  };
  const mailboxInScope = async (req: express.Request): Promise<string> => (await mailboxRowInScope(req)).id;
  /** The mailbox, for its quarantined letters: a caller limited to destinations sees the mailbox but not those (store/scope.ts). */
  const quarantineInScope = async (req: express.Request): Promise<string> => {
    const row = await mailboxRowInScope(req);
    if (!seesQuarantineOf(scope(req), row.cvr)) {
      throw new HttpError(403, 'quarantine_destination_limited', 'Quarantined letters were delivered to nobody, so a role limited to destinations '
        + 'does not show them (nor the triage queue). Ask an administrator whose role covers this mailbox\'s CVR number without a destination limit.');
    }
    return row.id;
  };

  r.get('/cvrs', operator, h(async (req, res) => {
    res.json({ items: await listCvrs(deps.db, scope(req)) });
  }));

  r.post('/cvrs', admin, h(async (req, res) => {
    res.status(201).json(await addCvr(deps.db, org(req), cvrCreateSchema.parse(req.body)));
  }));

  r.delete('/cvrs/:cvr', admin, h(async (req, res) => {
    await removeCvr(deps.db, org(req), cvrParam.parse(req.params.cvr));
    res.status(204).end();
  }));

  r.post('/cvrs/:cvr/mailboxes', admin, h(async (req, res) => {
    const input = mailboxCreateSchema.parse(req.body);
    let mb;
    try {
      mb = await addMailbox(deps.db, deps.sealer, org(req), cvrParam.parse(req.params.cvr), input, deps.delivery.ctx.providerUrls);
    } catch (e) {
      // The store answers the first problem; the pane is told every one, each with its field.
      const refused = e instanceof HttpError && (e.code === 'invalid_mailbox' || e.code === 'base_url_not_allowed')
        ? newMailboxProblems(input, deps.delivery.ctx.providerUrls ?? DEFAULT_PROVIDER_URL_POLICY) : null;
      if (!refused?.problems.length) throw e instanceof HttpError ? new HttpError(e.status, e.code, withoutOpenSslDetail(e.message), e.details) : e;
      throw new HttpError(400, (e as HttpError).code, refused.problems.map((p) => p.message).join(' '), { params: { provider: input.provider }, problems: refused.problems });
    }
    await deps.mailboxChanged(mb.id);
    res.status(201).json(mb);
  }));

  r.get('/mailboxes/:id', operator, h(async (req, res) => {
    res.json(await getMailbox(deps.db, scope(req), await mailboxInScope(req)));
  }));

  // Quarantined letters of a mailbox (invalid, refused by the database, or given up): what and why, no
  // content; `erased` ones (a data subject request) have nothing left to try again.
  r.get('/mailboxes/:id/quarantine', operator, h(async (req, res) => {
    res.json({ items: await listQuarantine(deps.db, org(req), await quarantineInScope(req)) });
  }));

  // Try a quarantined letter again (ingest/quarantine-retry.ts): a held letter is taken in from its
  // stored bytes, one never fetched is fetched again at the next poll. Still invalid: 422, it stays.
  r.post('/mailboxes/:id/quarantine/:quarantineId/retry', admin, h(async (req, res) => {
    const mailboxId = await quarantineInScope(req);
    const quarantineId = quarantineIdParam.parse(req.params.quarantineId);
    const actor = `${req.auth!.displayName} (${req.auth!.userId})`;
    const ctx = deps.delivery.ctx;
    try {
      const result = await retryQuarantined(ctx, org(req), quarantineId, {
        mailboxId, actor,
        pollSoon: async (id) => { await pollDueNow(ctx.db, id); await deps.mailboxChanged(id); },
      });
      res.locals.auditDetails = { mailboxId, outcome: result.outcome, ...(result.messageId ? { messageId: result.messageId } : {}) };
      res.status(result.outcome === 'fetch_again' ? 202 : 200).json(result);
    } catch (e) {
      // Tried, and the letter stays in quarantine: recorded too (the audit middleware records 2xx only),
      // and retention may delete it once past the retention period (retention/purge.ts).
      if (e instanceof HttpError && e.status === 422) {
        await appendAudit(deps.db, {
          orgId: org(req), actor, actorIp: req.ip ?? null, action: QUARANTINE_RETRY_ACTION, targetType: 'quarantine', targetId: quarantineId,
          details: { route: 'POST /admin/mailboxes/:id/quarantine/:quarantineId/retry', status: 422, mailboxId, outcome: e.code },
        }).catch((err) => ctx.log.error('audit entry could not be written', { action: 'quarantine.retry', error: String(err) }));
      }
      throw e;
    }
  }));

  r.patch('/mailboxes/:id', operator, h(async (req, res, next) => {
    const update = mailboxUpdateSchema.parse(req.body);
    // Operators may pause and resume; changing settings or credentials is for admins (without limits):
    // `admin` answers 403 with the reason.
    if ((update.config || update.credentials) && !isFullAdmin(req.auth!)) return admin(req, res, next);
    const id = await mailboxInScope(req);
    let mb;
    try {
      mb = await updateMailbox(deps.db, deps.sealer, scope(req), id, update, deps.delivery.ctx.providerUrls);
    } catch (e) {
      // As attaching: every problem of what was sent, each with its field, and no OpenSSL internals.
      if (!(e instanceof HttpError) || (e.code !== 'invalid_mailbox' && e.code !== 'base_url_not_allowed')) throw e;
      const row = await mailboxRow(deps.db, org(req), id);
      const urls = deps.delivery.ctx.providerUrls ?? DEFAULT_PROVIDER_URL_POLICY;
      const problems = mailboxChangeProblems(row, update, urls);
      if (!problems.length) throw new HttpError(e.status, e.code, withoutOpenSslDetail(e.message), e.code === 'base_url_not_allowed' ? { params: allowedBaseUrls(urls, row.provider as Provider) } : e.details);
      throw new HttpError(400, e.code, problems.map((p) => p.message).join(' '), { params: { provider: row.provider }, problems });
    }
    await deps.mailboxChanged(mb.id);
    res.json(mb);
  }));

  // Backfill on onboarding: ask Digital Post to re-deliver a date range; progress comes from NgDP.
  const ngdpMailbox = async (req: express.Request): Promise<MailboxRow> => {
    const row = await mailboxRow(deps.db, org(req), await mailboxInScope(req));
    if (row.provider !== 'ngdp') throw new HttpError(400, 'not_supported', 'Backfill is available for Digital Post mailboxes only.');
    return row as MailboxRow;
  };
  const provider = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      // A stored address the installation does not allow (saved before the check, or since removed): not called.
      if (e instanceof ProviderUrlRefused) throw new HttpError(409, 'base_url_not_allowed', e.message, { params: allowedBaseUrls(deps.delivery.ctx.providerUrls ?? DEFAULT_PROVIDER_URL_POLICY, 'ngdp') });
      if (e instanceof ProviderError && e.status === 422 && BACKFILL_RUNNING.test(e.message)) {
        throw backfillRunning();
      }
      if (e instanceof ProviderError) {
        const status = e.status && [400, 404, 422].includes(e.status) ? e.status : 502;
        throw new HttpError(status, 'provider', e.message);
      }
      throw e;
    }
  };

  r.post('/mailboxes/:id/backfill', admin, h(async (req, res) => {
    const mb = await ngdpMailbox(req);
    const range = backfillRequestSchema.parse(req.body);
    // One at a time: Digital Post refuses a second while one runs; said as a code, not as its HTTP answer.
    const running = (await provider(() => listBackfills(mb, deps.sealer, deps.delivery.ctx.providerUrls))).some((b) => b.status === 'RUNNING');
    if (running) throw backfillRunning();
    res.status(201).json(await provider(() => startBackfill(mb, deps.sealer, range, deps.delivery.ctx.providerUrls)));
  }));
  r.get('/mailboxes/:id/backfill', operator, h(async (req, res) => {
    const mb = await ngdpMailbox(req);
    res.json({ items: await provider(() => listBackfills(mb, deps.sealer, deps.delivery.ctx.providerUrls)) });
  }));
  r.get('/mailboxes/:id/backfill/:fetchId', operator, h(async (req, res) => {
    const mb = await ngdpMailbox(req);
    res.json(await provider(() => backfillStatus(mb, deps.sealer, String(req.params.fetchId), deps.delivery.ctx.providerUrls)));
  }));

  return r;
}
