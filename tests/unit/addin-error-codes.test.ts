// Every error code the backend can answer reaches the task pane in the reader's language, or is one
// whose English sentence the pane shows on purpose (codes.ts SERVER_WORDED_CODES, each with why).
// The codes are read from backend/src itself (every HttpError, ReplyRefusal, refuse and sendError
// with a literal code, and every code built as an object and answered through a variable, such as
// the operator's refusals of delivery/registry/allowed.ts), so a new code without a sentence fails
// here. Likewise the problem codes a refused mailbox carries (api/admin.ts, and one per certificate
// problem of ingest/ngdp/tls.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { i18n } from 'i18next';
import { ApiError } from '../../addin/src/api/client';
import { SERVER_WORDED_CODES, problemText } from '../../addin/src/codes';
import { describeError } from '../../addin/src/components/ErrorBar';
import { placeProblems } from '../../addin/src/components/admin/field-problems';
import { recipientForm, type RecipientField } from '../../addin/src/components/admin/recipients/problems';
import { da } from '../../addin/src/i18n/da';
import { en } from '../../addin/src/i18n/en';
import { paneLanguages, tr } from '../helpers/i18n';

const BACKEND = fileURLToPath(new URL('../../backend/src/', import.meta.url));

/** The codes of a zod refusal's problems, as api/zod-problems.ts declares them. */
const FIELD_PROBLEM_CODES: readonly string[] = [...readFileSync(path.join(BACKEND, 'api/zod-problems.ts'), 'utf8')
  .matchAll(/'(field_[a-z_]+)'/g)].map((m) => m[1]).filter((c, i, all) => all.indexOf(c) === i);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    // The simulators answer as Microsoft, Digital Post, e-Boks and mit.dk do, never to the pane.
    if (statSync(p).isDirectory()) return name === 'simulators' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * A code written as a value rather than as an argument: `code: 'x'` in an object, `code?: 'x' | 'y'` in
 * a type, `code ||= 'x'`. A refusal built as an object and thrown through a variable
 * (`new HttpError(400, refusal.code, …)`) is found only this way.
 */
const CODE_LITERAL = /\bcode\??\s*(?::|\|\|=|\?\?=|=(?![=>]))\s*((?:'[a-z][a-z0-9_]*'\s*\|?\s*)+)/g;

/**
 * The `code` literals that are not error codes the API answers, each deliberately, by where they are
 * (a path under backend/src; '' is anywhere) and why. Any other `code` literal is taken for an error
 * code: a new one here must be either translated or listed with its reason. `catalog`: where the
 * pane says them instead (checked below, in both languages).
 */
const NOT_ERROR_CODES: { under: string; codes: string[]; why: string; catalog?: string }[] = [
  { under: '', codes: ['custom'], why: 'zod\'s own issue code (ctx.addIssue); a zod refusal answers invalid_request' },
  { under: 'pdf-text/', codes: ['empty', 'error', 'invalid'], why: 'why a PDF\'s text could not be extracted (pdf-text/index.ts): kept with the document, never an answer' },
  { under: 'routing/', codes: ['routed', 'no_rule_matched', 'rule_sends_to_triage', 'rule_names_no_destination', 'no_existing_destination'],
    why: 'how routing decided (RoutingExplanation.outcome, a triage cause), said by codes.ts explanationLines' },
  { under: 'routing/apply.ts', codes: ['nothing_specific', 'too_few_placements'],
    why: 'why the assistant did not place a letter itself (the suggested event\'s notAutoPlacedCode)', catalog: 'events.notAutoPlaced' },
  { under: 'routing/', codes: ['template_empty', 'regex_invalid', 'regex_unchecked', 'regex_unproven', 'regex_catastrophic', 'regex_slow'],
    why: 'a rule\'s problems: each one of a refusal\'s details.problems (or the dry run\'s), not the error\'s code', catalog: 'codes.problem' },
  { under: 'api/zod-problems.ts', codes: [...FIELD_PROBLEM_CODES],
    why: 'a zod refusal\'s problems, one per field, of an invalid_request (and of a refused mailbox\'s settings, api/admin.ts)', catalog: 'codes.problem' },
  { under: 'delivery/registry/check.ts', codes: ['field_missing', 'mailbox_not_found', 'mailbox_access_denied', 'folder_not_creatable', 'graph_unavailable'],
    why: 'a recipient check\'s problems, each one of destination_check_failed\'s details.problems', catalog: 'codes.problem' },
  { under: 'delivery/teams/check.ts', codes: ['webhook_not_allowed', 'teams_folder_invalid', 'team_id_invalid', 'channel_id_invalid', 'team_not_found',
    'channel_not_found', 'teams_permission_missing', 'channel_files_missing', 'channel_unreachable', 'graph_unavailable'],
  why: 'a Teams channel check\'s problems, each one of destination_check_failed\'s details.problems', catalog: 'codes.problem' },
];

const notAnErrorCode = (file: string, code: string) => NOT_ERROR_CODES.find((x) => file.startsWith(x.under) && x.codes.includes(code));

/** Every literal `code` value of backend/src, by code, with the files it is in (relative to backend/src). */
function backendCodeLiterals(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sources(BACKEND)) {
    const rel = path.relative(BACKEND, file).split(path.sep).join('/');
    for (const m of readFileSync(file, 'utf8').matchAll(CODE_LITERAL)) {
      for (const [, code] of m[1].matchAll(/'([a-z][a-z0-9_]*)'/g)) found.set(code, [...new Set([...(found.get(code) ?? []), rel])]);
    }
  }
  return found;
}

/**
 * Every literal error code of backend/src: `new HttpError(409, 'code', …)`, `refuse(409, 'code', …)`,
 * `sendError(res, 429, 'code', …)`, and the `code` literals NOT_ERROR_CODES does not account for
 * (`{ code: 'mailbox_domain_not_allowed', … }` of registry/allowed.ts).
 */
function backendErrorCodes(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (code: string, file: string) => found.set(code, [...new Set([...(found.get(code) ?? []), file])]);
  const pattern = /(?:HttpError|ReplyRefusal|refuse|sendError)\(\s*(?:res,\s*)?[^,()]+,\s*'([a-z][a-z0-9_]*)'/g;
  for (const file of sources(BACKEND)) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) add(m[1], path.relative(BACKEND, file));
  }
  for (const [code, files] of backendCodeLiterals()) {
    for (const file of files) if (!notAnErrorCode(file, code)) add(code, file);
  }
  return found;
}

type Tree = { [key: string]: string | Tree };
const errorKeys = (tree: Tree) => Object.keys((tree.codes as Tree).error as Tree);
/** A code's sentence: the key itself, or its plural forms. */
const translated = (tree: Tree, code: string) => errorKeys(tree).some((k) => k === code || k === `${code}_one`);

describe('the backend\'s error codes in the task pane', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });

  const codes = backendErrorCodes();

  test('the scan finds the codes (it reads the source, not a copied list)', () => {
    expect(codes.size).toBeGreaterThan(40);
    for (const c of ['version_conflict', 'duplicate_name', 'base_url_not_allowed', 'not_found', 'rate_limited', 'reply_in_progress']) expect(codes.has(c)).toBe(true);
    // Built as objects and thrown through a variable (HttpError(400, refusal.code, …)).
    expect(codes.get('mailbox_domain_not_allowed')).toEqual(['delivery/registry/allowed.ts']);
    expect(codes.get('team_not_allowed')).toEqual(['delivery/registry/allowed.ts']);
    // Not swept in: codes of another kind, the simulators' (Graph's ErrorItemNotFound, NgDP's) and our own Teams errors' (CamelCase).
    for (const c of ['custom', 'routed', 'no_rule_matched', 'regex_slow', 'too_few_placements', 'field_missing', 'empty', 'error', 'mailbox_not_found', 'field_invalid_value']) expect([c, codes.has(c)]).toEqual([c, false]);
  });

  test('the code literals left out are left out on purpose: each still there, each said where it belongs', () => {
    const literals = backendCodeLiterals();
    for (const x of NOT_ERROR_CODES) {
      expect(x.why.length).toBeGreaterThan(20);
      for (const c of x.codes) {
        // Still in the source where the entry says (a stale entry would hide a new code of the same name).
        expect([c, (literals.get(c) ?? []).some((f) => f.startsWith(x.under))]).toEqual([c, true]);
        if (!x.catalog) continue;
        for (const [lang, tree] of [['da', da], ['en', en]] as const) {
          const node = x.catalog.split('.').reduce<unknown>((n, k) => (n as Tree | undefined)?.[k], tree) as Tree | undefined;
          const has = !!node && Object.keys(node).some((k) => k === c || k === `${c}_one`);
          expect([lang, x.catalog, c, has]).toEqual([lang, x.catalog, c, true]);
        }
      }
    }
  });

  test('each code has a sentence in Danish and English, or is shown in the server\'s words on purpose', () => {
    const missing = [...codes.keys()].filter((c) => !(c in SERVER_WORDED_CODES) && !(translated(da as unknown as Tree, c) && translated(en as unknown as Tree, c)));
    expect(missing.map((c) => `${c} (${codes.get(c)!.join(', ')})`)).toEqual([]);
    // Not both, and nothing listed that the backend no longer answers.
    expect(Object.keys(SERVER_WORDED_CODES).filter((c) => translated(da as unknown as Tree, c))).toEqual([]);
    expect(Object.keys(SERVER_WORDED_CODES).filter((c) => !codes.has(c))).toEqual([]);
    expect(errorKeys(da as unknown as Tree).map((k) => k.replace(/_(one|other|listed)$/, '')).filter((c) => !codes.has(c))).toEqual([]);
  });

  test.each([...backendErrorCodes().keys()].filter((c) => !(c in SERVER_WORDED_CODES)))('%s is said in Danish and English, never in the server\'s English', (code) => {
    const e = new ApiError('http', code, 'The server\'s English sentence.', 409, true, { params: { rule: 'Til Teams', rules: '"Til Teams"', count: 1, domain: 'rival.example' } });
    const d = describeError(e, da_.t);
    const g = describeError(e, en_.t);
    expect(d).not.toBe(e.message);
    expect(g).not.toBe(e.message);
    expect(d).not.toBe(g);
    expect(`${d} ${g}`).not.toMatch(/\{\{|codes\.error/);
  });

  test('the three that used to reach the pane in English', () => {
    const t = describeError;
    expect(t(new ApiError('http', 'version_conflict', 'The rule was changed by Ida meanwhile (now version 4); reload it and make your change again.', 409, true), da_.t))
      .toBe('Reglen er blevet ændret af en anden imens. Genindlæs den, og foretag din ændring igen.');
    expect(t(new ApiError('http', 'duplicate_name', 'A destination named "Jura" exists already; …', 409, true), en_.t))
      .toBe('A recipient with this name exists already. Choose another name so people can tell them apart.');
    // A refused address: with the allowed ones when the answer names them (params), else without.
    const listed = new ApiError('http', 'base_url_not_allowed', 'The Digital Post mailbox of CVR 55133018 was not called …', 409, true,
      { params: { provider: 'ngdp', allowed: 'https://api.digitalpost.dk/apis/v1, https://test.digitalpost.dk/apis/v1', setting: 'NGDP_ALLOWED_BASE_URLS' } });
    expect(t(listed, da_.t)).toBe('Denne Brevdue-installation tillader ikke Digital Post-postkassens adresse, så den kaldes ikke. Tilladt nu: '
      + 'https://api.digitalpost.dk/apis/v1, https://test.digitalpost.dk/apis/v1. En administrator skal give postkassen en tilladt adresse '
      + '(med adgangsoplysningerne igen), eller driften tilføjer adressen med NGDP_ALLOWED_BASE_URLS.');
    expect(t(new ApiError('http', 'base_url_not_allowed', 'x is not an allowed e-Boks address; …', 400, true), en_.t))
      .toMatch(/^This Brevdue installation does not allow the mailbox's address, so it is not called\./);
  });

  test('the operator\'s refusals of a recipient: the domain, the allowed ones when there are any, the chosen recipient when one was chosen', () => {
    const t = describeError;
    const saved = new ApiError('http', 'mailbox_domain_not_allowed', 'The destination was not saved. Your organisation may not deliver to mailboxes in rival.example: …', 400, true,
      { params: { domain: 'rival.example', allowed: 'nordlys.example, *.nordlys.example' } });
    expect(t(saved, da_.t)).toBe('Jeres organisation må ikke levere til postkasser i rival.example: driften af denne Brevdue-installation bestemmer, hvilke maildomæner '
      + 'hver organisation må bruge. Tilladt for jeres nu: nordlys.example, *.nordlys.example. Vælg en postkasse i et tilladt domæne, eller bed driften om at tillade dette.');
    expect(t(saved, en_.t)).toMatch(/^Your organisation may not deliver to mailboxes in rival\.example: .* Allowed for yours now: nordlys\.example, \*\.nordlys\.example\. /);
    // None allowed yet: not "Allowed now: ." (the operator's list for the organisation is empty).
    const none = new ApiError('http', 'mailbox_domain_not_allowed', 'x', 400, true, { params: { domain: 'firma.dk', allowed: '' } });
    expect(t(none, en_.t)).toBe('Your organisation may not deliver to mailboxes in firma.dk: the operator of this Brevdue installation decides which mail domains '
      + 'each organisation may use, and allows none for yours yet. Ask the operator to allow this domain.');
    expect(t(none, da_.t)).toMatch(/har endnu ikke tilladt nogen for jeres/);
    // A reroute, resend or placement names the recipient chosen.
    const rerouted = new ApiError('http', 'mailbox_domain_not_allowed', 'x', 400, true,
      { params: { domain: 'rival.example', allowed: 'nordlys.example', destination: 'Direktøren (gammel)' } });
    expect(t(rerouted, da_.t)).toMatch(/^"Direktøren \(gammel\)" kan ikke modtage breve nu\. Jeres organisation må ikke levere til postkasser i rival\.example: /);
    const team = new ApiError('http', 'team_not_allowed', 'x', 400, true, { params: { destination: 'Bestyrelsen' } });
    expect(t(team, en_.t)).toMatch(/^"Bestyrelsen" cannot receive letters now\. Your organisation may not deliver to this team: /);
    expect(t(new ApiError('http', 'team_not_allowed', 'x', 400, true), da_.t)).toMatch(/^Jeres organisation må ikke levere til dette team: /);
  });

  test('a code shown in the server\'s words keeps them', () => {
    const e = new ApiError('http', 'still_refused', 'The Digital Post letter x still cannot be stored: Brevdue\'s database cannot hold this letter: value too long. It stays in quarantine.', 422, true);
    expect(describeError(e, da_.t)).toBe(e.message);
  });

  test('the problems of a refused mailbox: each code has a sentence in both languages', () => {
    const admin = readFileSync(path.join(BACKEND, 'api/admin.ts'), 'utf8');
    const tls = readFileSync(path.join(BACKEND, 'ingest/ngdp/tls.ts'), 'utf8');
    // Its settings' zod issues are coded as any zod refusal's (api/zod-problems.ts, checked with the recipient's below).
    const problemCodes = [...new Set([...admin.matchAll(/code: '([a-z_]+)'/g)].map((m) => m[1]))];
    expect(problemCodes.sort()).toEqual(['base_url_not_allowed']);
    const union = /export type NgdpCertificateProblem =([^;]+);/.exec(tls)![1];
    const certificate = [...union.matchAll(/'([a-z-]+)'/g)].map((m) => `certificate_${m[1].replace(/-/g, '_')}`);
    expect(certificate.length).toBeGreaterThan(8);
    for (const code of [...problemCodes, ...certificate]) {
      const p = { code, params: { field: 'x', detail: 'must be a UUID', provider: 'eboks', allowed: 'https://rest.e-boks.dk/mobile/1/xml.svc', setting: 'EBOKS_ALLOWED_BASE_URLS' }, message: 'English.' };
      const d = problemText(p, tr(da_));
      const g = problemText(p, tr(en_));
      expect([code, d]).not.toEqual([code, 'English.']);
      expect([code, g]).not.toEqual([code, 'English.']);
      expect(d).not.toBe(g);
    }
    expect(problemText({ code: 'base_url_not_allowed', params: { field: 'baseUrl', provider: 'eboks', allowed: 'https://rest.e-boks.dk/mobile/1/xml.svc', setting: 'EBOKS_ALLOWED_BASE_URLS' }, message: 'x' }, tr(da_)))
      .toBe('Denne Brevdue-installation tillader ikke den adresse til e-Boks. Tilladt nu: https://rest.e-boks.dk/mobile/1/xml.svc. Driften tilføjer adresser med EBOKS_ALLOWED_BASE_URLS.');
  });

  test('a refused recipient: each problem of the check and of the form in both languages, never the server\'s English, at its field', () => {
    const files = ['delivery/registry/check.ts', 'delivery/teams/check.ts'].map((f) => readFileSync(path.join(BACKEND, f), 'utf8')).join('\n');
    const problemCodes = [...new Set([...[...files.matchAll(/code: '([a-z_]+)'/g)].map((m) => m[1]), ...FIELD_PROBLEM_CODES])].sort();
    expect(problemCodes).toEqual(expect.arrayContaining(['channel_not_found', 'field_invalid_value', 'field_missing', 'folder_not_creatable', 'graph_unavailable', 'mailbox_not_found', 'webhook_not_allowed']));
    const params = { field: 'mailbox', mailbox: 'x@nordlys.example', folder: 'Digital Post', host: 'hooks.example.com', team: 'Økonomi', channel: 'Post',
      permission: 'Channel.ReadBasic.All', min: 2, max: 200, options: 'leave, move', key: 'colour', expected: 'number', detail: 'the mailbox must be an e-mail address',
      reason: 'Microsoft Graph answered 403 ErrorAccessDenied: no' };
    for (const code of problemCodes) {
      const p = { code, params, message: 'English.' };
      const d = problemText(p, tr(da_));
      const g = problemText(p, tr(en_));
      expect([code, d]).not.toEqual([code, 'English.']);
      expect([code, g]).not.toEqual([code, 'English.']);
      expect([code, d === g]).toEqual([code, false]);
      expect(`${d} ${g}`).not.toMatch(/\{\{|codes\.problem|ErrorAccessDenied/); // Graph's words are the detail line, not the sentence
    }
    // The field says what it wants; a field without its own sentence gets the general one.
    const atField = (code: string, field: string) => problemText({ code, params: { field, detail: 'x' }, message: `${field}: x` }, tr(da_), { atField: true });
    expect(atField('field_not_email', 'mailbox')).toBe('Skriv en e-mailadresse, fx post@firma.dk.');
    expect(atField('field_invalid_value', 'folderPath')).toBe('Hvert mappenavn skal være 1–255 tegn uden styretegn; adskil mapper med »/«.');
    expect(atField('field_invalid_value', 'teamId')).toBe('Værdien kan ikke bruges: x.');
    expect(atField('field_not_url', 'webhookUrl')).toBe('Indsæt hele webhook-adressen; den begynder med https://.');
    const place = (error: unknown, shown: RecipientField[]) => placeProblems(error, recipientForm(shown, tr(da_)), tr(da_));

    const refused = new ApiError('http', 'destination_check_failed', 'The destination was not saved: Microsoft Graph does not know the mailbox …', 422, true, {
      problems: [
        { code: 'mailbox_not_found', params: { field: 'mailbox', mailbox: 'ukendt@nordlys.example' }, message: 'Microsoft Graph does not know the mailbox ukendt@nordlys.example …' },
        { code: 'graph_unavailable', params: { reason: 'Microsoft Graph answered 503 ServiceUnavailable: busy' }, message: 'Microsoft Graph could not be asked …' },
      ],
    });
    const placed = place(refused, ['displayName', 'mailbox', 'folderPath'])!;
    expect(placed.fields).toEqual({ mailbox: expect.stringMatching(/^Exchange kender ikke postkassen ukendt@nordlys\.example/) });
    expect(placed.rest).toEqual([expect.stringMatching(/^Microsoft 365 svarede ikke lige nu/)]);
    expect(placed.details).toEqual(['Microsoft Graph answered 503 ServiceUnavailable: busy']);
    // Not shown on this form (a Teams field on a mailbox form): in the bar instead.
    expect(place(refused, ['displayName', 'folderPath'])!.rest).toHaveLength(2);
    // A refusal without problems that is about one field: at that field.
    const domain = new ApiError('http', 'mailbox_domain_not_allowed', 'x', 400, true, { params: { domain: 'rival.example', allowed: 'nordlys.example' } });
    expect(place(domain, ['displayName', 'mailbox', 'folderPath'])!.fields.mailbox).toMatch(/^Jeres organisation må ikke levere til postkasser i rival\.example/);
    expect(place(new ApiError('network', 'network', 'x', null, false), ['mailbox'])).toBeNull();
  });
});
