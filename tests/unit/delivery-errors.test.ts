// What a failed delivery attempt records and how it is retried: the sentence people read on the
// timeline and in the failed-deliveries list, and whether the next attempt must look for a copy first.
import { GraphError } from '@microsoft/microsoft-graph-client';
import { classify, describeGraphError } from '../../backend/src/delivery/deliver';

describe('describeGraphError and classify', () => {
  test('Graph\'s answer: status, code and message', () => {
    const e = Object.assign(new GraphError(404, 'The requested user \'ny@nordlys.example\' is invalid.'), { code: 'ErrorInvalidUser' });
    expect(describeGraphError(e)).toBe('Microsoft Graph answered 404 ErrorInvalidUser: The requested user \'ny@nordlys.example\' is invalid.');
    expect(classify(e)).toMatchObject({ kind: 'failed', uncertain: false, permanent: false });
  });

  test('a timeout, also when the SDK could not see it as an Error (another realm) and kept it as the body', () => {
    const timeout = new DOMException('timed out after 1500 ms', 'TimeoutError');
    const wrapped = Object.assign(new GraphError(-1, ''), { code: null, body: timeout });
    for (const e of [timeout, wrapped]) {
      expect(describeGraphError(e)).toMatch(/^Microsoft Graph did not answer in time \(.*1500 ms.*\); the next attempt checks whether the mail arrived anyway\.$/);
      expect(classify(e)).toMatchObject({ kind: 'failed', uncertain: true, permanent: false });
    }
  });

  test('no answer and no detail is said as such, never "unknown error"', () => {
    const e = Object.assign(new GraphError(-1, ''), { code: null, body: {} });
    expect(describeGraphError(e)).toBe('No answer from Microsoft Graph (the connection failed or was cut); the next attempt checks whether the mail arrived anyway.');
    expect(classify(e)).toMatchObject({ kind: 'failed', uncertain: true });
  });

  test('400, 413 and 422 are permanent: the same request would be refused again', () => {
    for (const status of [400, 413, 422]) expect(classify(new GraphError(status, 'x'))).toMatchObject({ permanent: true, uncertain: false });
    expect(classify(new GraphError(503, 'x'))).toMatchObject({ permanent: false, uncertain: true });
  });
});
