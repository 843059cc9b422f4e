// The add-in's API client for letters in quarantine: the list and "try again" send the exact requests,
// parse the shared contracts, and a letter that stays (422) comes back as the server's sentence.
import i18next from 'i18next';
import { ApiError, createApiClient } from '../../addin/src/api/client';
import { describeError } from '../../addin/src/components/ErrorBar';
import { da } from '../../addin/src/i18n/da';
import { en } from '../../addin/src/i18n/en';
import { quarantineRetryResultSchema } from '../../shared/src/contracts';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function client(respond: (url: string, init?: RequestInit) => Response) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return respond(String(input), init);
  }) as typeof globalThis.fetch;
  return { api: createApiClient({ fetch, getToken: async () => null }), calls };
}

const MAILBOX = '0b6c8a4e-6f7d-4a57-9d0e-2f1e5d3c4b21';
const ITEM = { id: '7c1f2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f', mailboxId: MAILBOX, providerMessageId: 'a/b', receivedAt: '2026-03-01T10:00:00.000Z', reason: 'MessageBody: invalid' };

describe('add-in: letters in quarantine', () => {
  test('lists a mailbox\'s quarantined letters', async () => {
    const { api, calls } = client(() => json(200, { items: [ITEM] }));
    await expect(api.mailboxQuarantine(MAILBOX)).resolves.toEqual([ITEM]);
    expect(calls[0].url).toBe(`/api/admin/mailboxes/${MAILBOX}/quarantine`);
    expect(calls[0].init?.method).toBe('GET');
  });

  test.each([
    [200, { outcome: 'stored', messageId: '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a', message: 'stored' }],
    [200, { outcome: 'already_stored', messageId: '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a', message: 'already' }],
    [202, { outcome: 'fetch_again', messageId: null, message: 'fetched at the next poll' }],
  ])('try again: POSTs to the letter\'s retry route and parses a %s %j', async (status, body) => {
    const { api, calls } = client(() => json(status, body));
    await expect(api.retryQuarantined(MAILBOX, ITEM.id)).resolves.toEqual(quarantineRetryResultSchema.parse(body));
    expect(calls[0].url).toBe(`/api/admin/mailboxes/${MAILBOX}/quarantine/${ITEM.id}/retry`);
    expect(calls[0].init?.method).toBe('POST');
  });

  test('a letter that stays in quarantine is an ApiError carrying the letter\'s reason, said in the reader\'s language', async () => {
    const message = 'The Digital Post letter x is still not a valid letter: year 0000. It stays in quarantine.';
    const { api } = client(() => json(422, { error: { code: 'still_invalid', message, params: { provider: 'ngdp', reason: 'MessageHeader/createdDateTime: year 0000', receiptAgain: 1 } } }));
    const err = await api.retryQuarantined(MAILBOX, ITEM.id).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'still_invalid', fromServer: true });
    const i18n = i18next.createInstance();
    await i18n.init({ lng: 'da', resources: { da: { translation: da }, en: { translation: en } }, interpolation: { escapeValue: false } });
    expect(describeError(err, i18n.t)).toBe('Brevet er stadig ikke et gyldigt brev og bliver i karantæne: MessageHeader/createdDateTime: year 0000. '
      + 'Kvitteringen om, at brevet er ugyldigt, sendes igen til Digital Post ved postkassens næste hentning. Hvis afsenderen sendte det sådan, så bed dem sende det igen.');
    await i18n.changeLanguage('en');
    expect(describeError(err, i18n.t)).toBe('The letter is still not a valid letter and stays in quarantine: MessageHeader/createdDateTime: year 0000. '
      + 'Its INVALID receipt is sent to Digital Post again at the mailbox\'s next poll. If the sender sent it like this, ask them to send it again.');
    // An answer without the params (an older server): the code's sentence without the reason, still not English.
    await i18n.changeLanguage('da');
    expect(describeError(new ApiError('http', 'still_invalid', message, 422, true), i18n.t)).toBe('Brevet er stadig ikke et gyldigt brev og bliver i karantæne. Hvis afsenderen sendte det sådan, så bed dem sende det igen.');
  });

  test('every outcome has a sentence in both languages', () => {
    for (const outcome of quarantineRetryResultSchema.shape.outcome.options) {
      expect(da.admin.mailboxes.quarantine[outcome]).toContain('{{id}}');
      expect(en.admin.mailboxes.quarantine[outcome]).toContain('{{id}}');
    }
  });
});
