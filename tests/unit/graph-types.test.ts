// The Graph conformance checker (tests/helpers/graph-types.ts) against hand-made bodies.
import { GRAPH_BODY_ROUTES, bodyRouteFor, checkRecordedRequests, graphPath, unknownProperties } from '../helpers/graph-types';

const message = {
  subject: 'Årsopgørelse',
  body: { contentType: 'html', content: '<p>Hej</p>' },
  from: { emailAddress: { name: 'Skattestyrelsen', address: 'digitalpost@brevdue.invalid' } },
  toRecipients: [{ emailAddress: { address: 'post@nordlys.example' } }],
  isRead: false,
  categories: ['Digital Post'],
  singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '0' }],
  flag: { flagStatus: 'flagged', startDateTime: { dateTime: '2026-03-02T08:15:00', timeZone: 'UTC' } },
  attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.pdf', contentType: 'application/pdf', contentBytes: 'JVBERi0=' }],
};

describe('unknownProperties', () => {
  test('a valid Message passes, with instance annotations', () => {
    expect(unknownProperties(message, 'Message')).toEqual([]);
    expect(unknownProperties({ '@odata.type': '#microsoft.graph.message', '@odata.etag': 'W/"x"', subject: 'x' }, 'Message')).toEqual([]);
  });

  test('an unknown top-level property is reported', () => {
    expect(unknownProperties({ subject: 'x', subjekt: 'y' }, 'Message')).toEqual(['subjekt']);
  });

  test('a wrong property nested in from.emailAddress is reported', () => {
    expect(unknownProperties({ from: { emailAddress: { name: 'A', adress: 'a@b.c' } } }, 'Message')).toEqual(['from.emailAddress.adress']);
    expect(unknownProperties({ toRecipients: [{ emailAddress: { address: 'a@b.c' } }, { email: 'x' }] }, 'Message')).toEqual(['toRecipients[1].email']);
  });

  test('inherited properties count (Message ← OutlookItem ← Entity)', () => {
    expect(unknownProperties({ id: 'x', changeKey: 'y', categories: [], subject: 'z' }, 'Message')).toEqual([]);
  });

  test('@odata.type picks the derived type: fileAttachment has contentBytes, bogus is reported', () => {
    expect(unknownProperties({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.pdf', contentBytes: 'QUJD' }, 'FileAttachment')).toEqual([]);
    expect(unknownProperties({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.pdf', contentBytes: 'QUJD' }, 'Attachment')).toEqual([]);
    expect(unknownProperties({
      attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', contentBytes: 'QUJD', bogus: 1 }],
    }, 'Message')).toEqual(['attachments[0].bogus']);
    // Without @odata.type an attachment is the abstract Attachment, which has no contentBytes.
    expect(unknownProperties({ attachments: [{ name: 'a.pdf', contentBytes: 'QUJD' }] }, 'Message')).toEqual(['attachments[0].contentBytes']);
  });

  test('an @odata.type that is not a Graph type, or not derived from the declared one, is reported', () => {
    expect(unknownProperties({ attachments: [{ '@odata.type': '#microsoft.graph.nosuchThing' }] }, 'Message'))
      .toEqual(["attachments[0].@odata.type ('#microsoft.graph.nosuchThing' is not a Graph type)"]);
    expect(unknownProperties({ attachments: [{ '@odata.type': '#microsoft.graph.mailFolder' }] }, 'Message'))
      .toEqual(["attachments[0].@odata.type ('#microsoft.graph.mailFolder' is not derived from Attachment)"]);
  });

  test('type expressions: action parameters', () => {
    expect(unknownProperties({ AttachmentItem: { attachmentType: 'file', name: 'x.pdf', size: 5_000_000, contentType: 'application/pdf', isInline: false, contentId: null } },
      '{ AttachmentItem: AttachmentItem }')).toEqual([]);
    expect(unknownProperties({ AttachmentItem: { attachmentType: 'file', name: 'x.pdf', sizeInBytes: 1 } }, '{ AttachmentItem: AttachmentItem }'))
      .toEqual(['AttachmentItem.sizeInBytes']);
    expect(unknownProperties({ message: { ...message, subjekt: 'y' }, saveToSentItems: true, saveToSent: true }, '{ message: Message; saveToSentItems?: boolean }'))
      .toEqual(['message.subjekt', 'saveToSent']);
    expect(unknownProperties({ item: { '@microsoft.graph.conflictBehavior': 'rename', name: 'a.pdf', fileSize: 10 } },
      '{ item?: DriveItemUploadableProperties; deferCommit?: boolean }')).toEqual([]);
  });

  test('MailFolder and DriveItem', () => {
    expect(unknownProperties({ displayName: 'Digital Post', isHidden: false }, 'MailFolder')).toEqual([]);
    expect(unknownProperties({ name: 'x' }, 'MailFolder')).toEqual(['name']);
    expect(unknownProperties({ name: 'Breve', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }, 'DriveItem')).toEqual([]);
  });

  test('an unknown type name is an error of the caller', () => {
    expect(() => unknownProperties({}, 'Mesage')).toThrow(/no interface 'Mesage'/);
  });
});

describe('routes and recorded requests', () => {
  test('the route table finds body types by method and path', () => {
    const p = (s: string) => graphPath(s)!;
    expect(bodyRouteFor('POST', p('/v1.0/users/post%40nordlys.example/mailFolders/AAMkA=/messages'))?.type).toBe('Message');
    expect(bodyRouteFor('POST', p('/v1.0/users/x/mailFolders/inbox/childFolders'))?.type).toBe('MailFolder');
    expect(bodyRouteFor('POST', p('/v1.0/users/x/messages/AAMkA=/attachments'))?.type).toBe('Attachment');
    expect(bodyRouteFor('POST', p('/v1.0/users/x/messages/AAMkA=/attachments/createUploadSession'))?.type).toBe('{ AttachmentItem: AttachmentItem }');
    expect(bodyRouteFor('POST', p('/v1.0/users/x/sendMail'))?.type).toMatch(/message: Message/);
    expect(bodyRouteFor('POST', p('/v1.0/users/x/messages/AAMkA=/move'))?.type).toBe('{ destinationId: string }');
    expect(bodyRouteFor('PATCH', p('/v1.0/users/x/messages/AAMkA='))?.type).toBe('Message');
    expect(bodyRouteFor('POST', p('/v1.0/drives/b!abc/items/01ABC:/brev.pdf:/createUploadSession'))?.type).toMatch(/DriveItemUploadableProperties/);
    expect(bodyRouteFor('POST', p('/v1.0/drives/b!abc/root:/Digital Post/brev.pdf:/createUploadSession'))?.type).toMatch(/DriveItemUploadableProperties/);
    expect(bodyRouteFor('GET', p('/v1.0/users/x/messages'))).toBeUndefined();
    // Every type in the table is known to the checker.
    for (const r of GRAPH_BODY_ROUTES) if (r.type !== '$batch') expect(() => unknownProperties({}, r.type)).not.toThrow();
  });

  test('checkRecordedRequests reports bad properties, unknown routes, and looks into $batch', () => {
    const violations = checkRecordedRequests([
      { method: 'POST', path: '/v1.0/users/x/mailFolders/inbox/messages', body: message },
      { method: 'GET', path: '/v1.0/users/x/messages', body: null },
      { method: 'PUT', path: '/upload/api/v2.0/Users(\'x\')/Messages(\'y\')/AttachmentSessions(\'z\')', body: null },
      { method: 'POST', path: '/v1.0/users/x/mailFolders/inbox/messages', body: { subject: 'x', subjekt: 'y' } },
      { method: 'POST', path: '/v1.0/users/x/frobnicate', body: { a: 1 } },
      {
        method: 'POST', path: '/v1.0/$batch', body: { requests: [] },
        batch: [
          { id: '1', method: 'POST', url: '/users/x/mailFolders/inbox/childFolders', body: { displayName: 'A', colour: 'red' } },
          { id: '2', method: 'GET', url: '/users/x', body: null },
        ],
      },
      // the simulator's replay of batch item 1: not reported twice
      { method: 'POST', path: '/v1.0/users/x/mailFolders/inbox/childFolders', body: { displayName: 'A', colour: 'red' }, batchId: 'abc' },
    ]);
    expect(violations).toEqual([
      "POST /v1.0/users/x/mailFolders/inbox/messages: 'subjekt' is not a property of Message",
      'POST /v1.0/users/x/frobnicate: no body type for this route in GRAPH_BODY_ROUTES',
      "POST /v1.0/$batch [1] POST /users/x/mailFolders/inbox/childFolders: 'colour' is not a property of MailFolder",
    ]);
  });
});
