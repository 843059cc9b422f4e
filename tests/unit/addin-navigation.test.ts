// The pane's hash routes and who may act on letters.
import { actionPermission } from '../../addin/src/api/session';
import { initialRoute, parseRoute, routeHash } from '../../addin/src/components/useHashRoute';
import { letterPaneUrl } from '../../backend/src/delivery/pane-link';
import { fixtureMe } from '../e2e/fixtures';

describe('add-in navigation', () => {
  test('hashes map to views and back', () => {
    expect(parseRoute('')).toEqual({ view: 'list' });
    expect(parseRoute('#/')).toEqual({ view: 'list' });
    expect(parseRoute('#/triage')).toEqual({ view: 'triage' });
    expect(parseRoute('#/this')).toEqual({ view: 'this' });
    expect(parseRoute('#/message/abc%2Fdef')).toEqual({ view: 'message', id: 'abc/def' });
    expect(parseRoute('#/message/%E0%A4%A')).toEqual({ view: 'list' }); // malformed escape
    expect(parseRoute('#/nonsense')).toEqual({ view: 'list' });
    for (const r of [{ view: 'list' }, { view: 'triage' }, { view: 'this' }, { view: 'message', id: 'a/b c' }] as const) {
      expect(parseRoute(routeHash(r))).toEqual(r);
    }
  });

  test('a start without a hash shows "This letter" inside Outlook, the list elsewhere; #/this needs Outlook', () => {
    expect(initialRoute('', true)).toEqual({ view: 'this' });
    expect(initialRoute('#/', true)).toEqual({ view: 'this' });
    expect(initialRoute('', false)).toEqual({ view: 'list' });
    expect(initialRoute('#/this', false)).toEqual({ view: 'list' });
    expect(initialRoute('#/triage', true)).toEqual({ view: 'triage' });
    expect(initialRoute('#/message/x', true)).toEqual({ view: 'message', id: 'x' });
  });

  test('resend, reroute and place need admin or operator; unknown while /api/me is loading or failed', () => {
    expect(actionPermission({ me: { ...fixtureMe, roles: ['admin'] }, failed: false })).toBe('allowed');
    expect(actionPermission({ me: { ...fixtureMe, roles: ['reader', 'operator'] }, failed: false })).toBe('allowed');
    expect(actionPermission({ me: { ...fixtureMe, roles: ['reader'] }, failed: false })).toBe('denied');
    expect(actionPermission({ me: { ...fixtureMe, roles: [] }, failed: false })).toBe('denied');
    expect(actionPermission({ me: null, failed: false })).toBe('loading');
    expect(actionPermission({ me: null, failed: true })).toBe('unknown');
  });
});

describe('links into the pane from mails and cards', () => {
  test('#/messages/<id> (the form mails already sent carry) opens the letter, not the list', () => {
    expect(parseRoute('#/messages/abc')).toEqual({ view: 'message', id: 'abc' });
    expect(initialRoute('#/messages/abc', true)).toEqual({ view: 'message', id: 'abc' });
    expect(routeHash({ view: 'message', id: 'abc' })).toBe('#/message/abc');
  });

  test('the server builds the letter link in the form the pane reads', () => {
    const url = letterPaneUrl('https://brevdue.example', '9c1e1f3a-0000-4000-8000-000000000001')!;
    expect(url).toBe('https://brevdue.example/taskpane.html#/message/9c1e1f3a-0000-4000-8000-000000000001');
    expect(parseRoute(new URL(url).hash)).toEqual({ view: 'message', id: '9c1e1f3a-0000-4000-8000-000000000001' });
    expect(letterPaneUrl(undefined, 'x')).toBeUndefined();
  });
});
