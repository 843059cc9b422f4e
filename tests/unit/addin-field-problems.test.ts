// One way for the pane's admin forms to put a refused save on their fields
// (addin/src/components/admin/field-problems.ts): each problem the server names a field for at that
// field of the form, in the reader's language and without naming the field again; the rest for the
// bar, named by the form's label (or the request's name for it); the server's English reason apart.
// Fed with what the backend answers (api/zod-problems.ts on the real schemas), for the recipient
// form, Settings › Delivery and › Retention, and the mailbox forms.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { i18n } from 'i18next';
import type { z } from 'zod';
import { ApiError } from '../../addin/src/api/client';
import { apiErrorText, problemText, type Translate } from '../../addin/src/codes';
import { placeProblems, type ProblemForm } from '../../addin/src/components/admin/field-problems';
import { recipientForm } from '../../addin/src/components/admin/recipients/problems';
import { noticeForm } from '../../addin/src/components/admin/settings/DeliverySection';
import { retentionForm } from '../../addin/src/components/admin/SettingsPage';
import { mailboxForm } from '../../addin/src/components/admin/mailboxes/attach';
import { zodProblems } from '../../backend/src/api/zod-problems';
import { deliverySettingsSchema, destinationCreateSchema, noticeCreateSchema, retentionSettingsUpdateSchema, type Problem } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

/** The server's answer to `value` under `schema`, as the pane's client makes it (api/errors.ts answers any zod refusal so). */
function refusal(schema: z.ZodTypeAny, value: unknown): ApiError {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('accepted');
  const problems = zodProblems(r.error);
  return new ApiError('http', 'invalid_request', problems[0].message, 400, true, { problems });
}
const withProblems = (...problems: Problem[]) => new ApiError('http', 'invalid_request', problems[0].message, 400, true, { problems });

describe('a refused save on its form', () => {
  let da: Translate;
  let en: Translate;
  beforeAll(async () => { const [d, e]: i18n[] = await paneLanguages(); da = tr(d); en = tr(e); });

  test('each zod problem in Danish and English: at its field plain, away from it named first', () => {
    const cases: [Problem, string, string][] = [
      [{ code: 'field_missing', params: { field: 'name' }, message: 'x' }, 'Udfyld feltet.', 'Fill in this field.'],
      [{ code: 'field_too_long', params: { field: 'folderPath', max: 1000 }, message: 'x' }, 'Højst 1.000 tegn.', 'At most 1,000 characters.'],
      [{ code: 'field_too_short', params: { field: 'q', min: 3 }, message: 'x' }, 'Skriv mindst 3 tegn.', 'Enter at least 3 characters.'],
      [{ code: 'field_too_small', params: { field: 'days', min: 7 }, message: 'x' }, 'Skal være mindst 7.', 'Must be at least 7.'],
      [{ code: 'field_too_small', params: { field: 'n', min: 0, exclusive: 1 }, message: 'x' }, 'Skal være større end 0.', 'Must be more than 0.'],
      [{ code: 'field_too_big', params: { field: 'days', max: 3650 }, message: 'x' }, 'Må højst være 3.650.', 'Must be at most 3,650.'],
      [{ code: 'field_too_big', params: { field: 'n', max: 10, exclusive: 1 }, message: 'x' }, 'Skal være mindre end 10.', 'Must be less than 10.'],
      [{ code: 'field_too_few', params: { field: 'ids', min: 1 }, message: 'x' }, 'Vælg mindst 1.', 'Choose at least 1.'],
      [{ code: 'field_too_many', params: { field: 'ids', max: 20 }, message: 'x' }, 'Vælg højst 20.', 'Choose at most 20.'],
      [{ code: 'field_not_email', params: { field: 'to' }, message: 'x' }, 'Skriv en e-mailadresse, fx post@firma.dk.', 'Enter an e-mail address, e.g. post@company.com.'],
      [{ code: 'field_not_url', params: { field: 'url' }, message: 'x' }, 'Skriv en hel adresse, der begynder med https://.', 'Enter a full address beginning with https://.'],
      [{ code: 'field_not_uuid', params: { field: 'id' }, message: 'x' }, 'Det er ikke et gyldigt id. Genindlæs siden, og vælg igen.', 'This is not a valid id. Reload the page and choose again.'],
      [{ code: 'field_not_date', params: { field: 'from' }, message: 'x' }, 'Det er ikke en gyldig dato.', 'This is not a valid date.'],
      [{ code: 'field_invalid_enum', params: { field: 'oldCopy', options: 'leave, move' }, message: 'x' }, 'Vælg en af de mulige værdier: leave, move.', 'Choose one of the possible values: leave, move.'],
      [{ code: 'field_invalid_type', params: { field: 'days', expected: 'integer' }, message: 'x' }, 'Skriv et helt tal.', 'Enter a whole number.'],
      [{ code: 'field_invalid_type', params: { field: 'days', expected: 'number' }, message: 'x' }, 'Skriv et tal.', 'Enter a number.'],
      [{ code: 'field_invalid_type', params: { field: 'x', expected: 'object' }, message: 'x' }, 'Værdien har en forkert form.', 'The value has the wrong form.'],
      [{ code: 'field_unrecognized_key', params: { field: 'config', key: 'colour' }, message: 'x' },
        'Feltet »colour« kendes ikke her. Genindlæs siden, og prøv igen.', 'The field “colour” is not known here. Reload the page and try again.'],
      [{ code: 'field_control_character', params: { field: 'name' }, message: 'x' }, 'Må ikke indeholde styretegn (fx NUL); fjern dem.', 'Must not contain control characters (such as NUL); remove them.'],
      [{ code: 'field_invalid_value', params: { field: 'cvr', detail: 'must be 8 digits' }, message: 'x' }, 'Værdien kan ikke bruges: must be 8 digits.', 'This value cannot be used: must be 8 digits.'],
    ];
    for (const [p, d, e] of cases) {
      expect([p.code, problemText(p, da, { atField: true }), problemText(p, en, { atField: true })]).toEqual([p.code, d, e]);
      expect(problemText(p, da)).toBe(`${p.params!.field}: ${d}`);
      expect(problemText(p, da, { label: 'Opbevaring' })).toBe(`Opbevaring: ${d}`);
    }
    // A field that wants something particular says so; the request as a whole is not named.
    expect(problemText({ code: 'field_not_url', params: { field: 'webhookUrl' }, message: 'x' }, da, { atField: true })).toBe('Indsæt hele webhook-adressen; den begynder med https://.');
    expect(problemText({ code: 'field_not_uuid', params: {}, message: 'request: must be a UUID' }, da)).toBe('Det er ikke et gyldigt id. Genindlæs siden, og vælg igen.');
    // A code the pane does not know: the server's sentence, never a key.
    expect(problemText({ code: 'field_something_new', params: { field: 'x' }, message: 'x: English.' }, da)).toBe('x: English.');
  });

  test('no code is another\'s with a suffix: a field\'s own sentence (the code, "_", the field) never lands on another code\'s', () => {
    const codes = [...readFileSync(fileURLToPath(new URL('../../backend/src/api/zod-problems.ts', import.meta.url)), 'utf8').matchAll(/'(field_[a-z_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.flatMap((a) => codes.filter((b) => b.startsWith(`${a}_`)).map((b) => `${a} → ${b}`))).toEqual([]);
  });

  test('an error bar without a form says every problem in the reader\'s language, each naming its field; not the English sentence', () => {
    const e = refusal(retentionSettingsUpdateSchema, { retentionDays: 5, confirmDeletes: -1 });
    expect(e.message).toBe('retentionDays: retention is at least 7 days');
    expect(apiErrorText(e, da)).toBe('retentionDays: Skal være mindst 7. confirmDeletes: Skal være mindst 0.');
  });

  test('the recipient form: each problem at its field when shown, named by its Danish label in the bar when not', () => {
    const e = refusal(destinationCreateSchema, { kind: 'teams_channel', displayName: ' ', teamId: 'x'.repeat(201), webhookUrl: 'ikke en url', folderPath: 'A//\u0001' });
    const teams = placeProblems(e, recipientForm(['displayName', 'teamId', 'channelId', 'webhookUrl', 'folderPath'], da), da)!;
    expect(teams).toEqual({
      fields: {
        displayName: 'Udfyld feltet.', teamId: 'Højst 200 tegn.', channelId: 'Udfyld feltet.',
        webhookUrl: 'Indsæt hele webhook-adressen; den begynder med https://.',
        folderPath: 'Hvert mappenavn skal være 1–255 tegn uden styretegn; adskil mapper med »/«.',
      },
      rest: [],
      details: [],
    });
    const mailboxShown = placeProblems(e, recipientForm(['displayName', 'mailbox', 'folderPath'], da), da)!;
    expect(mailboxShown.rest).toEqual(['Team-id: Højst 200 tegn.', 'Kanal-id: Udfyld feltet.', 'Workflows-webhook-URL: Indsæt hele webhook-adressen; den begynder med https://.']);
    expect(placeProblems(e, recipientForm(['displayName', 'mailbox', 'folderPath'], en), en)!.rest[0]).toBe('Team id: At most 200 characters.');
    // A problem of the check: at its field too, Graph's English apart.
    const checked = withProblems({ code: 'mailbox_access_denied', params: { field: 'mailbox', mailbox: 'a@b.dk', reason: 'Microsoft Graph answered 403' }, message: 'x' });
    expect(placeProblems(checked, recipientForm(['mailbox'], da), da)).toEqual({
      fields: { mailbox: expect.stringMatching(/^Brevdues app må ikke bruge postkassen a@b\.dk\./) }, rest: [], details: ['Microsoft Graph answered 403'],
    });
  });

  test('every refinement of the contracts that names its rule (params: { code }) has its field_<code> in Danish and English', () => {
    const contracts = readFileSync(fileURLToPath(new URL('../../shared/src/contracts.ts', import.meta.url)), 'utf8');
    const codes = [...new Set([...contracts.matchAll(/params: \{ code: '([^']*)'/g)].map((m) => m[1]))].sort();
    expect(codes).toEqual(expect.arrayContaining(['folder_names', 'nothing_to_change', 'not_date', 'range_reversed', 'template_without_label',
      'window_ended', 'window_reversed', 'window_too_long', 'shown_after_start', 'shown_too_early']));
    // Every `params: { code` is one the backend takes (api/zod-problems.ts), not silently field_invalid_value.
    expect([...contracts.matchAll(/params: \{ code\b/g)]).toHaveLength([...contracts.matchAll(/params: \{ code: '([^']*)'/g)].length);
    for (const code of codes) {
      expect([code, /^[a-z][a-z0-9_]{1,40}$/.test(code)]).toEqual([code, true]);
      const p = { code: `field_${code}`, params: { field: 'x', max: 30 }, message: 'English.' };
      const d = problemText(p, da, { atField: true });
      const g = problemText(p, en, { atField: true });
      expect([code, d]).not.toEqual([code, 'English.']);
      expect([code, g]).not.toEqual([code, 'English.']);
      expect([code, d === g]).toEqual([code, false]);
      expect([code, `${d} ${g}`]).not.toEqual([code, expect.stringMatching(/\{\{|codes\.problem|field_/)]);
    }
  });

  test('a service notice\'s window: its rule in the reader\'s words, with its bound, named by the field away from it', () => {
    const start = Date.parse('2030-01-10T08:00:00Z');
    const at = (days: number) => new Date(start + days * 86_400_000).toISOString();
    const e = refusal(noticeCreateSchema(() => start - 86_400_000), { textDa: 'a', textEn: 'b', startsAt: at(0), endsAt: at(33), showFrom: at(-40) });
    expect(e.details?.problems?.map((p) => [p.code, p.params])).toEqual([
      ['field_window_too_long', { field: 'endsAt', max: 30 }], ['field_shown_too_early', { field: 'showFrom', max: 30 }]]);
    expect(apiErrorText(e, da)).toBe('endsAt: En periode må højst vare 30 dage. showFrom: Banneret kan højst vises 30 dage før perioden begynder.');
    expect(apiErrorText(e, en)).toBe('endsAt: A window is at most 30 days long. showFrom: The banner can be shown at most 30 days before the window starts.');
    expect(e.message).toBe('endsAt: a window is at most 30 days long');
  });

  test('Settings › Delivery: a malformed address at its field in the form\'s own words; the operator\'s refusal at the sender', () => {
    const e = refusal(deliverySettingsSchema, { notifyAddress: 'it-drift', notifySender: 'x@' });
    expect(placeProblems(e, noticeForm(da), da)!.fields).toEqual({ address: 'Skriv en mailadresse, fx it-drift@firma.dk.', sender: 'Skriv postkassens adresse, fx digitalpost@firma.dk.' });
    // A problem of a field the form does not show: for the bar, by the request's name.
    expect(placeProblems(refusal(deliverySettingsSchema, { subjectTemplate: 'Post' }), noticeForm(da), da))
      .toEqual({ fields: {}, rest: ['subjectTemplate: Emnet skal indeholde {label}, hvor brevets etiket skal stå.'], details: [] });
    const refused = new ApiError('http', 'mailbox_domain_not_allowed', 'x', 400, true, { params: { domain: 'rival.example', allowed: '' } });
    expect(placeProblems(refused, noticeForm(en), en)!.fields.sender).toMatch(/^The operator of Brevdue does not allow mailboxes in rival\.example/);
  });

  test('Settings › Retention: either period at its field in the form\'s own words, the rest named by its label', () => {
    const e = refusal(retentionSettingsUpdateSchema, { retentionDays: 5, quarantineKeepDays: 7.5 });
    expect(placeProblems(e, retentionForm(da), da)!.fields).toEqual({
      retention: 'Skriv et helt antal dage fra 7 til 3.650.', keep: 'Skriv et helt antal dage fra 7 til 3.650 for breve i karantæne.',
    });
    const form: ProblemForm<'retention'> = { fieldOf: (p) => (p === 'retentionDays' ? 'retention' : undefined), label: (p) => (p === 'quarantineKeepDays' ? 'Karantæne (dage)' : undefined) };
    expect(placeProblems(e, form, da)!.rest).toEqual(['Karantæne (dage): Skriv et helt tal.']);
  });

  test('the mailbox forms: a setting\'s or certificate\'s path at the field that shows it', () => {
    const e = withProblems(
      { code: 'field_missing', params: { field: 'dataSources.0' }, message: 'x' },
      { code: 'certificate_wrong_passphrase', params: { field: 'certificate.passphrase' }, message: 'x' },
    );
    expect(placeProblems(e, mailboxForm('mitdk'), da)!.fields.dataSources).toBe('Udfyld feltet.');
    expect(placeProblems(e, mailboxForm('ngdp'), da)).toEqual({ fields: { passphrase: 'Adgangsfrasen passer ikke.' }, rest: ['dataSources.0: Udfyld feltet.'], details: [] });
  });

  test('not the server\'s answer: null (the caller describes it); an answer without problems or field: for the bar', () => {
    const form = recipientForm(['mailbox'], da);
    expect(placeProblems(new ApiError('network', 'network', 'offline'), form, da)).toBeNull();
    expect(placeProblems(new Error('x'), form, da)).toBeNull();
    expect(placeProblems(new ApiError('http', 'forbidden', 'Needs admin', 403, true), form, da))
      .toEqual({ fields: {}, rest: [apiErrorText(new ApiError('http', 'forbidden', 'Needs admin', 403, true), da)], details: [] });
    // Two problems at one field: both, in order.
    const two = withProblems({ code: 'field_not_email', params: { field: 'mailbox' }, message: 'x' }, { code: 'field_too_long', params: { field: 'mailbox', max: 200 }, message: 'y' });
    expect(placeProblems(two, form, da)!.fields.mailbox).toBe('Skriv en e-mailadresse, fx post@firma.dk. Højst 200 tegn.');
  });
});
