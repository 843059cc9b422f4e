// POST /users/{u}/sendMail {"message":{…},"saveToSentItems":true}: 202 Accepted and no body, as
// Graph answers. Transport, simulated: a received copy in the Inbox of every recipient that is a
// mailbox of this simulator, a copy in the sender's Sent Items unless saveToSentItems is false, and
// one outbox entry (api.outbox(), GET <prefix>/sim/outbox) for the recipients outside it.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { Response, Router } from 'express';
import { badRequest, GraphHttpError } from './errors';
import { parsePropId } from './ext-props';
import { changeKey, exchangeId, newGuid } from './ids';
import { attachmentBytes, buildMessage, isoSeconds, parseMessage, type MessageInput } from './messages';
import { sendEmpty } from './respond';
import type { GraphRuntime } from './runtime';
import type { MailboxRec, MessageRec } from './state';

export interface OutboxItem {
  id: string;
  sentDateTime: string;
  /** The sending mailbox. */
  from: string;
  subject: string;
  toRecipients: string[];
  ccRecipients: string[];
  bccRecipients: string[];
  /** The recipients this entry is for: those that are not mailboxes of the simulator. */
  externalRecipients: string[];
  body: { contentType: string; content: string };
  attachments: { name: string; contentType: string; size: number }[];
  internetMessageId: string;
}

const ADDRESS = /^[^@\s]+@[^@\s]+$/;

export function sendMailRoutes(r: Router, rt: GraphRuntime): void {
  r.post('/sendMail', (_req, res: Response) => {
    const mb = res.locals.mailbox as MailboxRec;
    const { message, saveToSentItems } = parseSendMail(res.locals.body);
    const sentItems = rt.state.folder(mb, 'sentitems');
    const base = buildMessage(mb, sentItems.id, message);

    const recipients = [...(base.data.toRecipients ?? []), ...(base.data.ccRecipients ?? []), ...(base.data.bccRecipients ?? [])]
      .map((x) => x.emailAddress?.address?.trim() ?? '');
    if (recipients.length === 0) {
      throw badRequest("At least one recipient isn't valid., A message can't be sent because it contains no recipients.", 'ErrorInvalidRecipients');
    }
    const bad = recipients.find((a) => !ADDRESS.test(a));
    if (bad !== undefined) {
      throw badRequest(`At least one recipient isn't valid., Recipient '${bad}' isn't resolved. All recipients must be resolved before a message can be submitted.`, 'ErrorInvalidRecipients');
    }
    rt.chargeUpload(mb.id, attachmentBytes(base.attachments));

    const now = isoSeconds(new Date());
    const sender: MicrosoftGraph.Recipient = { emailAddress: { name: mb.displayName, address: mb.userPrincipalName } };
    const sent: Partial<MicrosoftGraph.Message> = {
      from: base.data.from ?? sender, sender, sentDateTime: now, receivedDateTime: now, isDraft: false,
      conversationId: base.data.conversationId, internetMessageId: base.data.internetMessageId,
    };
    // Transport sets the MAPI flags and times; named properties travel with the message.
    const extProps = base.extProps.filter((p) => parsePropId(p.id)?.key.includes('{'));

    if (saveToSentItems) {
      rt.state.addMessage(mb, copyOf(base, sentItems.id, { ...sent, isRead: true }, extProps));
    }
    const external: string[] = [];
    const delivered = new Set<string>();
    for (const address of recipients) {
      const to = rt.state.find(address);
      if (!to) { if (!external.some((x) => x.toLowerCase() === address.toLowerCase())) external.push(address); continue; }
      if (delivered.has(to.id)) continue;
      delivered.add(to.id);
      const inbox = rt.state.folder(to, 'inbox');
      rt.state.addMessage(to, copyOf(base, inbox.id, { ...sent, isRead: false, bccRecipients: [] }, extProps));
    }
    if (external.length) {
      const addrs = (xs: MicrosoftGraph.Recipient[] | null | undefined) => (xs ?? []).map((x) => x.emailAddress?.address ?? '');
      rt.outbox.push({
        id: newGuid(), sentDateTime: now, from: mb.userPrincipalName, subject: base.data.subject ?? '',
        toRecipients: addrs(base.data.toRecipients), ccRecipients: addrs(base.data.ccRecipients), bccRecipients: addrs(base.data.bccRecipients),
        externalRecipients: external,
        body: { contentType: base.data.body?.contentType ?? 'text', content: base.data.body?.content ?? '' },
        attachments: base.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size })),
        internetMessageId: base.data.internetMessageId ?? '',
      });
    }
    sendEmpty(rt, res, 202);
  });
}

/** The parameters of sendMail, validated (the message as on create). Throws Graph's errors. */
export interface SendMailInput { message: MessageInput; saveToSentItems?: boolean }

function parseSendMail(body: unknown): Required<SendMailInput> {
  if (body === undefined) throw new GraphHttpError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The sendMail payload must be a JSON object.', 'RequestBodyRead');
  let message: unknown;
  let save: unknown = true;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k.toLowerCase() === 'message') message = v;
    else if (k.toLowerCase() === 'savetosentitems') save = v ?? true;
    else if (!k.startsWith('@')) throw badRequest(`The parameter '${k}' in the request payload is not a valid parameter for the operation 'sendMail'.`, 'RequestBodyRead');
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) throw badRequest("The parameter 'Message' is required.", 'ErrorInvalidParameter');
  if (typeof save !== 'boolean') throw badRequest(`Cannot convert the literal '${String(save)}' to the expected type 'Edm.Boolean'.`, 'RequestBodyRead');
  return { message: parseMessage(message), saveToSentItems: save };
}

/** One mailbox's copy of the sent message: its own ids, the given folder and transport fields. */
function copyOf(base: Omit<MessageRec, 'seq'>, folderId: string, fields: Partial<MicrosoftGraph.Message>, extProps: MessageRec['extProps']): Omit<MessageRec, 'seq'> {
  const id = exchangeId('message');
  return {
    id, folderId, extProps: extProps.map((p) => ({ ...p })),
    attachments: base.attachments.map((a) => ({ ...a, id: exchangeId('attachment') })),
    data: {
      ...base.data, ...fields, id, parentFolderId: folderId, changeKey: changeKey(),
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    },
  };
}
