// The API's codes in the reader's language (addin/src/codes.ts), and the components that show them:
// error bars for the listed error codes, a triage card's "why it is here" (one line per rule, no
// repeats), the timeline's detail for each event type, and the dry run's problems — in Danish and in
// English, with the English message for what the pane does not know.
import type { i18n } from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { ApiError } from '../../addin/src/api/client';
import { describeError, ErrorBar } from '../../addin/src/components/ErrorBar';
import { Timeline } from '../../addin/src/components/Timeline';
import { eventDetail, eventNote, explanationLines, problemText, replyFailureText, requestedByText, triageWhyLines } from '../../addin/src/codes';
import { deliveryReasonSchema, timelineEventTypeSchema, type TimelineEvent } from '../../shared/src/contracts';
import { paneLanguages, tr } from '../helpers/i18n';

describe('the API\'s codes in words', () => {
  let da_: i18n;
  let en_: i18n;
  beforeAll(async () => { [da_, en_] = await paneLanguages(); });

  const refusal = (problems: { code: string; params?: Record<string, string | number>; message: string }[]) =>
    new ApiError('http', 'rule_refused', `The rule "Test æøå regex" was not saved: ${problems.map((p) => p.message).join(' ')}`, 422, true,
      { params: { rule: 'Test æøå regex' }, problems });
  const catastrophic = { code: 'regex_catastrophic', params: { regex: '/(a+)+$/i', at: '"(a+)+"' }, message: 'The regular expression /(a+)+$/i can backtrack catastrophically: …' };
  const invalid = { code: 'regex_invalid', params: { regex: '/([a-z/', detail: 'Unterminated character class' }, message: 'The regular expression /([a-z/ is not valid: Unterminated character class.' };
  const placeholder = { code: 'template_unknown_placeholder', params: { placeholders: '{bogus}', count: 1, known: '{sender}, {year}' }, message: 'The folder template has an unknown placeholder {bogus}; …' };
  const deleted = { code: 'destination_deleted', params: { destination: 'HR – Teams' }, message: 'Destination "HR – Teams" does not exist or has been deleted; …' };

  test('error bars: each listed code in Danish and English, never the English sentence, never "was not saved" twice', () => {
    const cases: [ApiError, RegExp, RegExp][] = [
      [refusal([catastrophic]), /^Det regulære udtryk \/\(a\+\)\+\$\/i kan backtracke katastrofalt.*\(ved "\(a\+\)\+"\)/, /^The regular expression \/\(a\+\)\+\$\/i can backtrack catastrophically.*\(at "\(a\+\)\+"\)/],
      [refusal([invalid]), /^Det regulære udtryk \/\(\[a-z\/ er ikke gyldigt: en tegnklasse "\[" er ikke afsluttet med "\]"\.$/, /^The regular expression \/\(\[a-z\/ is not valid: a character class "\[" is not closed with "\]"\.$/],
      [refusal([placeholder]), /^Mappeskabelonen har en ukendt pladsholder \{bogus\}; pladsholderne er \{sender\}, \{year\}\.$/, /^The folder template has an unknown placeholder \{bogus\}/],
      [refusal([deleted]), /^Modtageren "HR – Teams" er slettet/, /^The recipient "HR – Teams" has been deleted/],
      [new ApiError('http', 'not_in_triage', 'This letter is not waiting in triage (someone may have placed it already); use reroute to send it elsewhere.', 409, true),
        /^Brevet venter ikke længere i sorteringen/, /^This letter is no longer waiting in triage/],
      [new ApiError('http', 'in_use', 'Rules still send letters here: "Til Teams". Change those rules first.', 409, true, { params: { rules: '"Til Teams"', count: 1 } }),
        /^Reglen "Til Teams" sender stadig breve hertil/, /^Rule "Til Teams" still sends letters here/],
      [new ApiError('http', 'cvr_taken', 'CVR 12345674 is already connected to another organisation in Brevdue.', 409, true),
        /^CVR-nummeret er allerede knyttet til en anden organisation/, /^This CVR number is already connected to another organisation/],
      [new ApiError('http', 'credentials_required', 'A new address needs new credentials.', 400, true),
        /^En ny adresse kræver adgangsoplysningerne igen/, /^A new address needs the credentials again/],
    ];
    for (const [error, daText, enText] of cases) {
      const d = describeError(error, da_.t);
      const e = describeError(error, en_.t);
      expect(d).toMatch(daText);
      expect(e).toMatch(enText);
      expect(d).not.toMatch(/was not saved|The rule|Rules still/);
      expect(e).not.toContain('was not saved');
    }
    // Rendered: the title once, the problem in Danish.
    const html = renderToStaticMarkup(createElement(I18nextProvider, { i18n: da_ },
      createElement(ErrorBar, { title: 'Reglen blev ikke gemt', error: refusal([catastrophic]) })));
    expect(html).toContain('Reglen blev ikke gemt');
    expect(html).toContain('kan backtracke katastrofalt');
    expect(html).not.toContain('was not saved');
    expect(html.match(/Reglen blev ikke gemt/g)).toHaveLength(1);
  });

  test('"exists" with its names (a role grant, a CVR number\'s provider mailbox) is said in the reader\'s language; without them, in the server\'s words', () => {
    const grant = new ApiError('http', 'exists', 'This user already has the admin role (the grant "Jens Hansen"). Change that grant instead of adding a second one.', 409, true,
      { params: { what: 'grant', role: 'admin', grant: 'Jens Hansen' } });
    expect(describeError(grant, da_.t)).toBe('»Jens Hansen« har allerede rollen administrator. Ret den tildeling i stedet for at tilføje en til.');
    expect(describeError(grant, en_.t)).toBe('"Jens Hansen" already has the administrator role. Change that grant instead of adding another.');
    const mailbox = new ApiError('http', 'exists', 'CVR 12345674 already has a e-Boks mailbox; change it instead of adding another.', 409, true,
      { params: { what: 'mailbox', cvr: '12345674', provider: 'eboks' } });
    expect(describeError(mailbox, da_.t)).toBe('CVR 12345674 har allerede en e-Boks-postkasse. Ret den i stedet for at tilføje en til.');
    expect(describeError(mailbox, en_.t)).toBe('CVR 12345674 already has a mailbox at e-Boks. Change it instead of adding another.');
    const older = new ApiError('http', 'exists', 'Something exists already.', 409, true);
    expect(describeError(older, da_.t)).toBe('Something exists already.');
  });

  test('a code the pane does not know shows the server\'s own sentence', () => {
    const e = new ApiError('http', 'brand_new', 'Something new went wrong.', 400, true);
    expect(describeError(e, da_.t)).toBe('Something new went wrong.');
    expect(problemText({ code: 'brand_new', message: 'A new problem.' }, tr(da_))).toBe('A new problem.');
  });

  test('the dry run\'s problems: each in the reader\'s language', () => {
    expect(problemText(catastrophic, tr(da_))).toMatch(/^Det regulære udtryk/);
    expect(problemText(catastrophic, tr(en_))).toMatch(/^The regular expression/);
  });

  test('a triage card\'s why: the deciding rule once, with its conditions; no rule matched; old letters\' lines without repeats', () => {
    const cpr = { outcome: { code: 'rule_sends_to_triage', params: { rule: 'CPR til sortering' } }, matched: [{ rule: 'CPR til sortering', held: [{ condition: { cprPresent: true } }] }] };
    expect(explanationLines(cpr, tr(da_))).toEqual(['Reglen "CPR til sortering" sender breve til manuel sortering: brevet nævner et CPR-nummer.']);
    expect(explanationLines(cpr, tr(en_))).toEqual(['Rule "CPR til sortering" sends letters to manual sorting: the letter names a CPR number.']);
    expect(triageWhyLines({ why: ['no rule matched'], explanation: { outcome: { code: 'no_rule_matched' }, matched: [] } }, tr(da_))).toEqual(['Ingen regel passede på brevet.']);
    expect(triageWhyLines({ why: ['no rule matched'], explanation: { outcome: { code: 'no_rule_matched' }, matched: [] } }, tr(en_))).toEqual(['No rule matched the letter.']);
    const two = {
      outcome: { code: 'rule_sends_to_triage', params: { rule: 'Resten' } },
      matched: [
        { rule: 'Skat til Teams', held: [{ condition: { senderId: '19552101' }, found: 'Skattestyrelsen' }, { condition: { text: { field: 'label', regex: { pattern: 'moms', flags: 'i' } } }, found: 'Moms' }] },
        { rule: 'Resten', held: [{ condition: { always: true } }] },
      ],
    };
    expect(explanationLines(two, tr(da_))).toEqual([
      'Reglen "Skat til Teams" passede: afsender er 19552101 (Skattestyrelsen) og emnet matcher /moms/i (Moms).',
      'Reglen "Resten" sender breve til manuel sortering: alle breve.',
    ]);
    // Stored before the explanation: the English lines as they were, each once.
    expect(triageWhyLines({ why: ['a', 'b', 'a'] }, tr(da_))).toEqual(['a', 'b']);
  });

  const at = '2026-01-05T10:00:00.000Z';
  const ev = (type: TimelineEvent['type'], data: Record<string, unknown>, actor = 'system', text = `English text of ${type}`): TimelineEvent => ({ at, type, actor, text, data });
  const events: TimelineEvent[] = [
    ev('fetched', { provider: 'ngdp', cvr: '29189846' }),
    ev('stored', { documents: 1, bytes: 100 }),
    ev('routed', { explanation: { outcome: { code: 'routed' }, matched: [{ rule: 'Moms', held: [{ condition: { text: { field: 'label', words: ['moms'] } } }] }] },
      places: [{ name: 'Økonomi', kind: 'shared_mailbox', mailbox: 'oekonomi@x.dk', folder: 'Indbakke/Digital Post' }] }),
    ev('triage', { why: ['no rule matched'], explanation: { outcome: { code: 'no_rule_matched' }, matched: [] } }),
    ev('delivery_attempt', { attempt: 1, destination: 'Økonomi', reason: 'Graph answered 503' }),
    ev('delivered', { destination: 'Økonomi', destinationKind: 'shared_mailbox', mailbox: 'oekonomi@x.dk', folder: 'Indbakke', reason: 'reroute', requestedBy: 'Demo-bruger', foundExisting: false, notes: [] }),
    ev('delivery_failed', { attempt: 3, destination: 'Økonomi', reason: 'Graph answered 403' }),
    ev('resend_requested', { destinations: ['Økonomi'] }, 'Demo-bruger'),
    ev('reroute_requested', { destinations: ['HR'], moving: 1, staying: 0 }, 'Demo-bruger'),
    ev('old_copy_moved', { destination: 'HR' }, 'Demo-bruger'),
    ev('old_copy_removed', { mailbox: 'oekonomi@x.dk' }, 'Demo-bruger'),
    ev('admins_notified', { sent: true, to: 'it@x.dk', destination: 'Økonomi' }),
    ev('placed', { destinations: ['Økonomi'] }, 'Demo-bruger'),
    ev('auto_placed', { destinations: ['Økonomi'], confidence: 0.93, explanation: { da: 'Fra Skattestyrelsen om »moms«.', en: 'From Skattestyrelsen about "moms".' } }, 'assistant'),
    ev('suggested', { suggestions: [{ destinations: ['Økonomi'], confidence: 0.62 }], notAutoPlaced: 'English', notAutoPlacedCode: { code: 'too_few_placements', params: { outcomes: 5, needed: 20 } } }, 'assistant'),
    ev('reply_sent', { to: 'Skattestyrelsen', transmissionId: 't-1', attachments: 0 }, 'Demo-bruger'),
    ev('reply_failed', { to: 'Skattestyrelsen', error: 'Digital Post did not answer.' }, 'Demo-bruger'),
    ev('purged', { reason: 'retention' }),
    ev('quarantine_released', { quarantineId: 'q', reason: 'x' }, 'Admin'),
  ];

  test('the timeline: every event type has a detail from its data in Danish and English, never the stored English text', () => {
    const types = new Set(events.map((e) => e.type));
    for (const type of timelineEventTypeSchema.options.filter((x) => x !== 'acknowledged')) expect(types).toContain(type);
    for (const e of events) {
      const d = eventDetail(e, tr(da_), 'da');
      const n = eventDetail(e, tr(en_), 'en');
      expect([e.type, d]).not.toEqual([e.type, null]);
      expect([e.type, n]).not.toEqual([e.type, null]);
      expect(d).not.toBe(e.text);
    }
    const daOf = (type: string) => eventDetail(events.find((e) => e.type === type)!, tr(da_), 'da');
    expect(daOf('fetched')).toBe('Hentet fra Digital Post-postkassen for CVR 29189846');
    expect(daOf('stored')).toBe('Gemt krypteret med 1 dokument');
    expect(daOf('routed')).toBe('Reglen "Moms" passede: emnet indeholder ordet “moms”. → Økonomi, mappe Indbakke/Digital Post');
    expect(daOf('triage')).toBe('Ingen regel passede på brevet.');
    expect(daOf('delivered')).toBe('Afleveret til Økonomi (oekonomi@x.dk, mappe Indbakke); Omdirigeret efter ønske fra Demo-bruger');
    expect(daOf('reroute_requested')).toBe('Demo-bruger omdirigerede brevet til HR; 1 tidligere kopi bliver flyttet');
    expect(daOf('auto_placed')).toBe('Assistenten placerede brevet selv (93 % sikker): Økonomi. Fra Skattestyrelsen om »moms«.');
    expect(daOf('suggested')).toMatch(/^Assistenten foreslår Økonomi \(62 %\); ikke placeret automatisk: personer har kun placeret 5 breve/);
    expect(eventDetail(events.find((e) => e.type === 'stored')!, tr(en_), 'en')).toBe('Stored encrypted with 1 document');
  });

  test('a reply Digital Post did not take: its code in the reader\'s language, Digital Post\'s words only as the detail; before codes, the stored sentence', () => {
    const detail = 'Digital Post answered 503 to POST /memos/: SERVICE_UNAVAILABLE: Digital Post is unavailable.';
    const error = `${detail} Nothing was received; try again in a few minutes.`;
    const failure = { code: 'reply_provider_unavailable', params: { status: 503 }, detail };
    const da = replyFailureText({ error, failure }, tr(da_));
    expect(da).toEqual({ text: expect.stringMatching(/^Digital Post kunne ikke tage imod svaret lige nu.*prøv igen om nogle minutter\.$/), detail });
    expect(replyFailureText({ error, failure }, tr(en_)).text).toMatch(/^Digital Post could not take the reply just now/);
    // Stored before codes, or a code this pane does not know: the server's sentence, with no separate detail.
    expect(replyFailureText({ error, failure: null }, tr(da_))).toEqual({ text: error, detail: null });
    expect(replyFailureText({ error, failure: { ...failure, code: 'reply_new_kind' } }, tr(da_))).toEqual({ text: error, detail: null });

    const coded = ev('reply_failed', { to: 'Skattestyrelsen', error, failure }, 'Demo-bruger', `Demo-bruger's reply to Skattestyrelsen was not sent: ${error}`);
    expect(eventDetail(coded, tr(da_), 'da')).toBe(`Demo-brugers svar til Skattestyrelsen blev ikke sendt: ${da.text}`);
    expect(eventDetail(coded, tr(da_), 'da')).not.toContain('answered 503');
    const old = ev('reply_failed', { to: 'Skattestyrelsen', error }, 'Demo-bruger');
    expect(eventDetail(old, tr(da_), 'da')).toBe(`Demo-brugers svar til Skattestyrelsen blev ikke sendt: ${error}`);
  });

  test('the timeline: events stored before their data had names show their text; purged details are said in the reader\'s language', () => {
    expect(eventDetail(ev('delivered', { destinationId: 'x' }), tr(da_), 'da')).toBeNull();
    expect(eventDetail(ev('routed', { why: ['x'] }), tr(da_), 'da')).toBeNull();
    expect(eventDetail(ev('routed', {}, 'system', 'Detaljer slettet sammen med brevets indhold'), tr(en_), 'en')).toBe('Details deleted with the letter\'s content');
  });

  test('the rendered timeline in Danish: details and actors in Danish, "af assistenten", no "by system"', () => {
    const html = renderToStaticMarkup(createElement(I18nextProvider, { i18n: da_ }, createElement(Timeline, { events })));
    expect(html).toContain('Hentet fra Digital Post-postkassen for CVR 29189846');
    expect(html).toContain('af assistenten');
    expect(html).not.toContain('af assistant<');
    expect(html).not.toContain('af system');
    expect(html).not.toContain('English text of');
    const enHtml = renderToStaticMarkup(createElement(I18nextProvider, { i18n: en_ }, createElement(Timeline, { events })));
    expect(enHtml).toContain('by the assistant');
    expect(enHtml).toContain('Stored encrypted with 1 document');
    expect(enHtml).not.toContain('English text of');
  });

  test('who asked for a delivery: every reason reads as a sentence in Danish and English, on the timeline and on the delivery', () => {
    const delivered = (reason: string, requestedBy: string) => ev('delivered', { destination: 'Økonomi', destinationKind: 'shared_mailbox', mailbox: 'oekonomi@x.dk', folder: 'Indbakke', reason, requestedBy });
    const expected: Record<string, { da: string; en: string }> = {
      resend: { da: 'Gensendt efter ønske fra Demo-bruger', en: 'Resent by Demo-bruger' },
      reroute: { da: 'Omdirigeret efter ønske fra Demo-bruger', en: 'Rerouted by Demo-bruger' },
      placement: { da: 'Placeret efter ønske fra Demo-bruger', en: 'Placed by Demo-bruger' },
    };
    // Every reason but a rule's own delivery, which names nobody (codes.ts, MessageDetail.tsx).
    expect(Object.keys(expected).sort()).toEqual(deliveryReasonSchema.options.filter((r) => r !== 'initial').sort());
    for (const [reason, want] of Object.entries(expected)) {
      expect(eventDetail(delivered(reason, 'Demo-bruger'), tr(da_), 'da')).toBe(`Afleveret til Økonomi (oekonomi@x.dk, mappe Indbakke); ${want.da}`);
      expect(eventDetail(delivered(reason, 'Demo-bruger'), tr(en_), 'en')).toBe(`Delivered to Økonomi (oekonomi@x.dk, folder Indbakke); ${want.en}`);
    }
    // The assistant asked nobody: it did it itself, in both languages (not "efter ønske fra assistenten").
    expect(eventDetail(delivered('placement', 'assistant'), tr(en_), 'en')).toBe('Delivered to Økonomi (oekonomi@x.dk, folder Indbakke); Placed automatically by the assistant');
    expect(eventDetail(delivered('placement', 'assistant'), tr(da_), 'da')).toBe('Afleveret til Økonomi (oekonomi@x.dk, mappe Indbakke); Placeret automatisk af assistenten');
    // The delivery card says the same, shorter, in Danish.
    for (const reason of Object.keys(expected)) {
      for (const [i, lang] of [[da_, 'da'], [en_, 'en']] as const) {
        expect(tr(i)('detail.requestedBy', { reason: tr(i)(`deliveryReason.${reason}`), name: 'Demo-bruger' })).toBe(lang === 'da'
          ? `${{ resend: 'Gensendt', reroute: 'Omdirigeret', placement: 'Placeret' }[reason]} af Demo-bruger` : expected[reason].en);
      }
    }
  });

  test('who asked for a delivery, on the delivery card: a person by name, the assistant and Brevdue as doing it automatically, never their codes', () => {
    for (const [i, lang] of [[da_, 'da'], [en_, 'en']] as const) {
      const card = (reason: string, by: string) => requestedByText(reason, by, tr(i), 'detail.requestedBy');
      expect([lang, card('placement', 'Demo-bruger')]).toEqual([lang, lang === 'da' ? 'Placeret af Demo-bruger' : 'Placed by Demo-bruger']);
      expect([lang, card('placement', 'assistant')]).toEqual([lang, lang === 'da' ? 'Placeret automatisk af assistenten' : 'Placed automatically by the assistant']);
      expect([lang, card('resend', 'system')]).toEqual([lang, lang === 'da' ? 'Gensendt automatisk af Brevdue' : 'Resent automatically by Brevdue']);
    }
  });

  test('a dead-letter notice that may have reached the admins twice says so, in Danish and English, on the rendered timeline too', () => {
    const sent = { deliveryId: 'd', sent: true, to: 'it@x.dk', destination: 'Økonomi' };
    const twice = ev('admins_notified', { ...sent, duplicatePossible: true }, 'system', 'Mailed it@x.dk that the delivery to Økonomi failed (an earlier attempt, from a sender no longer allowed, may have mailed them too)');
    expect(eventNote(twice, tr(da_))).toMatch(/^Administratorerne kan have fået beskeden to gange: /);
    expect(eventNote(twice, tr(en_))).toMatch(/^The admins may have received the notice twice: /);
    // The detail stays the notice's own sentence.
    expect(eventDetail(twice, tr(da_), 'da')).toBe('Der er sendt besked til it@x.dk om, at afleveringen til Økonomi mislykkedes');
    // Only then: a notice sent once, a waiting one, another event, a redacted one.
    for (const e of [ev('admins_notified', sent), ev('admins_notified', { deliveryId: 'd', waiting: true, duplicatePossible: true }),
      ev('delivered', { destination: 'Økonomi', duplicatePossible: true }), ev('admins_notified', { redacted: true })]) {
      expect([e.data, eventNote(e, tr(da_))]).toEqual([e.data, null]);
    }
    const html = renderToStaticMarkup(createElement(I18nextProvider, { i18n: da_ }, createElement(Timeline, { events: [twice, ev('admins_notified', sent)] })));
    expect(html.match(/data-testid="timeline-note"/g)).toHaveLength(1);
    expect(html).toContain('Administratorerne kan have fået beskeden to gange: ');
    expect(html).not.toContain('may have mailed them too');
  });

  test('the timeline: a suggestion the assistant was under 1 % sure of says so, not "0 %"', () => {
    const e = ev('suggested', { suggestions: [{ destinations: ['Økonomi'], confidence: 0.84 }, { destinations: ['Ejendomme'], confidence: 0.004 }] }, 'assistant');
    expect(eventDetail(e, tr(da_), 'da')).toBe('Assistenten foreslår Økonomi (84 %), Ejendomme (under 1 %)');
    expect(eventDetail(e, tr(en_), 'en')).toBe('The assistant suggests Økonomi (84 %), Ejendomme (less than 1 %)');
  });

  test('the timeline: an event redacted for a caller limited to some recipients says so in the reader\'s language, keeping its label and actor', () => {
    // As the server sends it (backend store/read.ts scopedTimeline): type, time and actor kept, the data only { redacted: true }.
    const server = 'Details not shown: this step also concerns destinations outside what your role lets you see.';
    const redacted = (['reroute_requested', 'delivered', 'suggested', 'routed'] as const).map((type) => ev(type, { redacted: true }, type === 'reroute_requested' ? 'Ida Jensen' : 'system', server));
    for (const e of redacted) {
      expect([e.type, eventDetail(e, tr(da_), 'da')]).toEqual([e.type, 'Detaljerne vises ikke: dette trin vedrører også modtagere uden for dem, din rolle giver adgang til.']);
      expect([e.type, eventDetail(e, tr(en_), 'en')]).toEqual([e.type, 'Details not shown: this step also concerns recipients outside those your role gives you access to.']);
    }
    // Not every event with a "redacted" key: only the server's marker.
    expect(eventDetail(ev('placed', { destinations: ['Økonomi'], redacted: 'no' }, 'Ida Jensen'), tr(en_), 'en')).toBe('Ida Jensen placed the letter: Økonomi');
    const html = renderToStaticMarkup(createElement(I18nextProvider, { i18n: da_ }, createElement(Timeline, { events: redacted })));
    expect(html).not.toContain(server);
    expect(html.match(/Detaljerne vises ikke/g)).toHaveLength(4);
    expect(html).toContain('>Omdirigering bestilt<'); // the event's own label (timeline.reroute_requested)
    expect(html).toContain('af Ida Jensen');
  });
});
