// Creating a message from Graph's JSON, as Exchange does it: PR_MESSAGE_FLAGS decides draft or
// received (a message without it is a draft), the delivery and submit times come from
// PR_MESSAGE_DELIVERY_TIME / PR_CLIENT_SUBMIT_TIME, named properties are kept, and file attachments
// are stored inline (each under 3 MB).
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { z } from 'zod';
import { GraphHttpError, badRequest } from './errors';
import type { Annotated } from './graph-json';
import { MSGFLAG_READ, MSGFLAG_UNSENT, PR_CLIENT_SUBMIT_TIME, PR_MESSAGE_DELIVERY_TIME, PR_MESSAGE_FLAGS, checkPropValue, parsePropId, samePropId } from './ext-props';
import { changeKey, exchangeId } from './ids';
import type { AttachmentRec, ExtProp, MailboxRec, MessageRec } from './state';

export const MAX_INLINE_ATTACHMENT_BYTES = 3 * 1024 * 1024;

const emailAddress = z.object({ name: z.string().nullish(), address: z.string().nullish() }).strict();
const recipient = z.object({ emailAddress }).strict();
const dateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().nullish() }).strict();
const extProp = z.object({ id: z.string(), value: z.string({ invalid_type_error: 'extended property values are strings' }) }).strict();
// null is read as "not given" where Graph's type has no null (Attachment.isInline, Attachment.size).
const notNull = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
const attachment = z.object({
  '@odata.type': z.string({ required_error: 'an attachment needs @odata.type (#microsoft.graph.fileAttachment)' }),
  name: z.string().nullish(),
  contentType: z.string().nullish(),
  contentBytes: z.string().nullish(),
  isInline: z.boolean().nullish().transform(notNull),
  contentId: z.string().nullish(),
  size: z.number().nullish().transform(notNull),
  lastModifiedDateTime: z.string().nullish(),
}).passthrough();

/** A file attachment in a request body, validated (its @odata.type is checked by buildAttachment). */
export type FileAttachmentInput = Annotated<MicrosoftGraph.FileAttachment> & { '@odata.type': string };

/** A message in a request body, validated: a Graph message whose attachments are file attachments. */
export interface MessageInput extends MicrosoftGraph.Message {
  attachments?: FileAttachmentInput[] | null;
  singleValueExtendedProperties?: (MicrosoftGraph.SingleValueLegacyExtendedProperty & ExtProp)[] | null;
}

// Writable message properties (v1.0). Anything else is rejected as Graph does; read-only ones that
// clients tend to send (receivedDateTime, sentDateTime, isDraft, …) are accepted and ignored.
const messageSchema = z.object({
  '@odata.type': z.literal('#microsoft.graph.message').optional(),
  subject: z.string().nullish(),
  body: z.object({
    contentType: z.string().regex(/^(text|html)$/i, 'contentType is text or html').transform((v) => v.toLowerCase() as MicrosoftGraph.BodyType).nullish(),
    content: z.string().nullish(),
  }).strict().nullish(),
  from: recipient.nullish(),
  sender: recipient.nullish(),
  toRecipients: z.array(recipient).nullish(),
  ccRecipients: z.array(recipient).nullish(),
  bccRecipients: z.array(recipient).nullish(),
  replyTo: z.array(recipient).nullish(),
  isRead: z.boolean().nullish(),
  isReadReceiptRequested: z.boolean().nullish(),
  isDeliveryReceiptRequested: z.boolean().nullish(),
  importance: z.enum(['low', 'normal', 'high', 'Low', 'Normal', 'High']).transform((v) => v.toLowerCase() as MicrosoftGraph.Importance).nullish(),
  inferenceClassification: z.enum(['focused', 'other']).nullish(),
  categories: z.array(z.string()).nullish(),
  internetMessageId: z.string().nullish(),
  internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  flag: z.object({
    flagStatus: z.enum(['notFlagged', 'complete', 'flagged']).nullish(),
    startDateTime: dateTimeTimeZone.nullish(), dueDateTime: dateTimeTimeZone.nullish(), completedDateTime: dateTimeTimeZone.nullish(),
  }).strict().nullish(),
  singleValueExtendedProperties: z.array(extProp).nullish(),
  multiValueExtendedProperties: z.array(z.object({ id: z.string(), value: z.array(z.string()) }).strict()).nullish(),
  attachments: z.array(attachment).nullish(),
  // read-only, ignored (any value)
  receivedDateTime: z.any(), sentDateTime: z.any(), isDraft: z.any(), hasAttachments: z.any(),
  createdDateTime: z.any(), lastModifiedDateTime: z.any(), id: z.any(), bodyPreview: z.any(),
}).strict();

/** Validates the JSON of a message (create, sendMail's message) as Exchange does. Throws Graph's errors. */
export function parseMessage(input: unknown): MessageInput {
  const parsed = messageSchema.safeParse(input);
  if (!parsed.success) {
    const unknownKey = parsed.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknownKey && unknownKey.code === 'unrecognized_keys') {
      throw badRequest(`The property '${unknownKey.keys[0]}' does not exist on type 'Microsoft.OutlookServices.${unknownKey.path.length ? 'Item' : 'Message'}'. Make sure to only use property names that are defined by the type or mark the type as open type.`, 'RequestBodyRead');
    }
    const i = parsed.error.issues[0];
    throw badRequest(`Invalid message payload at '${i.path.join('.')}': ${i.message}.`, 'RequestBodyRead');
  }
  return parsed.data;
}

/** Builds the stored record of a message created in `folderId` from a parsed body. Throws Graph's errors. */
export function buildMessage(mb: MailboxRec, folderId: string, m: MessageInput): Omit<MessageRec, 'seq'> {
  const now = isoSeconds(new Date());

  const extProps: ExtProp[] = [];
  for (const p of m.singleValueExtendedProperties ?? []) {
    const pid = parsePropId(p.id);
    if (!pid) throw badRequest(`The extended property id '${p.id}' is not valid.`, 'ErrorInvalidProperty');
    checkPropValue(pid, p.id, p.value);
    const at = extProps.findIndex((x) => samePropId(x.id, p.id));
    if (at >= 0) throw badRequest(`The extended property '${p.id}' is given twice.`, 'ErrorInvalidProperty');
    extProps.push({ id: p.id, value: p.value });
  }
  const prop = (id: string) => extProps.find((x) => samePropId(x.id, id))?.value;
  const flags = prop(PR_MESSAGE_FLAGS) !== undefined ? Number(prop(PR_MESSAGE_FLAGS)) : undefined;
  const isDraft = flags === undefined ? true : (flags & MSGFLAG_UNSENT) !== 0;
  const isRead = m.isRead ?? (flags === undefined ? true : (flags & MSGFLAG_READ) !== 0);
  const delivery = prop(PR_MESSAGE_DELIVERY_TIME);
  const submit = prop(PR_CLIENT_SUBMIT_TIME);

  if (m.flag?.dueDateTime && !m.flag.startDateTime) {
    throw badRequest('The flag needs a startDateTime when it has a dueDateTime.', 'ErrorInvalidArgument');
  }

  const attachments = (m.attachments ?? []).map((a) => buildAttachment(a, now));
  const bodyContent = m.body?.content ?? '';
  const contentType = (m.body?.contentType ?? 'text').toLowerCase() as 'text' | 'html';
  const id = exchangeId('message');
  const data: MicrosoftGraph.Message = {
    id,
    createdDateTime: now,
    lastModifiedDateTime: now,
    changeKey: changeKey(),
    categories: m.categories ?? [],
    receivedDateTime: delivery ? isoSeconds(new Date(delivery)) : now,
    sentDateTime: submit ? isoSeconds(new Date(submit)) : now,
    hasAttachments: attachments.some((a) => !a.isInline),
    internetMessageId: m.internetMessageId ?? `<${id.slice(5, 29).replace(/[-_]/g, 'x')}@${mb.userPrincipalName.split('@')[1]}>`,
    subject: m.subject ?? '',
    bodyPreview: preview(bodyContent, contentType),
    importance: (m.importance?.toLowerCase() ?? 'normal') as MicrosoftGraph.Importance,
    parentFolderId: folderId,
    conversationId: exchangeId('folder'),
    conversationIndex: Buffer.from(now).toString('base64'),
    isDeliveryReceiptRequested: m.isDeliveryReceiptRequested ?? false,
    isReadReceiptRequested: m.isReadReceiptRequested ?? false,
    isRead,
    isDraft,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: m.inferenceClassification ?? 'focused',
    body: { contentType, content: bodyContent },
    sender: m.sender ?? m.from ?? null,
    from: m.from ?? null,
    toRecipients: m.toRecipients ?? [],
    ccRecipients: m.ccRecipients ?? [],
    bccRecipients: m.bccRecipients ?? [],
    replyTo: m.replyTo ?? [],
    flag: { flagStatus: m.flag?.flagStatus ?? 'notFlagged', ...stripNullish(m.flag ?? {}) } as MicrosoftGraph.FollowupFlag,
  };
  return { id, folderId, data, extProps, attachments };
}

function buildAttachment(a: FileAttachmentInput, now: string): AttachmentRec {
  const type = a['@odata.type'].toLowerCase();
  if (type !== '#microsoft.graph.fileattachment') {
    throw badRequest(`Attachments of type '${a['@odata.type']}' are not supported by the simulator; use #microsoft.graph.fileAttachment.`, 'ErrorInvalidRequest');
  }
  if (!a.name) throw badRequest('An attachment needs a name.', 'ErrorInvalidRequest');
  const b64 = (a.contentBytes ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw badRequest(`The contentBytes of attachment '${a.name}' are not valid base64.`, 'ErrorInvalidRequest');
  }
  const size = Buffer.byteLength(b64, 'base64');
  if (size > MAX_INLINE_ATTACHMENT_BYTES) {
    // Graph's documented practice: inline only under 3 MB, larger through an upload session.
    throw new GraphHttpError(413, 'RequestEntityTooLarge',
      `The attachment '${a.name}' is ${size} bytes; attachments over 3 MB must be uploaded with createUploadSession.`);
  }
  return {
    id: exchangeId('attachment'), name: a.name, contentType: a.contentType ?? 'application/octet-stream', size,
    isInline: a.isInline ?? false, contentId: a.contentId ?? null, lastModifiedDateTime: now, contentBytes: b64,
  };
}

const attachmentPost = attachment.extend({ id: z.any() }).strict();

/** A file attachment from the body of POST .../messages/{id}/attachments. Throws Graph's errors. */
export function buildFileAttachment(input: unknown): AttachmentRec {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('The attachment needs a JSON object body.', 'RequestBodyRead');
  if (typeof (input as Record<string, unknown>)['@odata.type'] !== 'string') {
    throw new GraphHttpError(422, 'UnprocessableType', "Cannot process input of abstract type 'Microsoft.OutlookServices.Attachment'");
  }
  const parsed = attachmentPost.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    if (i.code === 'unrecognized_keys') {
      throw badRequest(`The property '${i.keys[0]}' does not exist on type 'Microsoft.OutlookServices.FileAttachment'. Make sure to only use property names that are defined by the type or mark the type as open type.`, 'RequestBodyRead');
    }
    throw badRequest(`Invalid attachment payload at '${i.path.join('.')}': ${i.message}.`, 'RequestBodyRead');
  }
  const body: FileAttachmentInput = parsed.data;
  return buildAttachment(body, isoSeconds(new Date()));
}

/** Adds an attachment to a stored message, as Exchange does: a new change key and hasAttachments. */
export function attachToMessage(m: MessageRec, a: AttachmentRec): void {
  m.attachments.push(a);
  m.data = { ...m.data, hasAttachments: m.attachments.some((x) => !x.isInline), lastModifiedDateTime: isoSeconds(new Date()), changeKey: changeKey() };
}

/** Decoded bytes of the attachments a message carries (what counts against the upload budget). */
export const attachmentBytes = (atts: AttachmentRec[]): number => atts.reduce((n, a) => n + a.size, 0);

/** A file attachment as Graph returns it (with contentBytes unless told otherwise). */
export function serializeAttachment(a: AttachmentRec, withContent = true): Annotated<MicrosoftGraph.FileAttachment> {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    '@odata.mediaContentType': a.contentType,
    id: a.id, lastModifiedDateTime: a.lastModifiedDateTime, name: a.name, contentType: a.contentType,
    size: a.size, isInline: a.isInline, contentId: a.contentId, contentLocation: null,
    ...(withContent ? { contentBytes: a.contentBytes } : {}),
  };
}

/** Every property of a message as filters see it (including the extended properties). */
export function filterView(m: MessageRec): Record<string, unknown> {
  return { ...m.data, singleValueExtendedProperties: m.extProps, attachments: m.attachments };
}

export const MESSAGE_PROPERTIES: ReadonlySet<string> = new Set([
  'id', 'createdDateTime', 'lastModifiedDateTime', 'changeKey', 'categories', 'receivedDateTime', 'sentDateTime',
  'hasAttachments', 'internetMessageId', 'subject', 'bodyPreview', 'importance', 'parentFolderId', 'conversationId',
  'conversationIndex', 'isDeliveryReceiptRequested', 'isReadReceiptRequested', 'isRead', 'isDraft', 'webLink',
  'inferenceClassification', 'body', 'sender', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo',
  'flag', 'uniqueBody', 'internetMessageHeaders', 'singleValueExtendedProperties', 'attachments',
]);

export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function preview(content: string, type: 'text' | 'html'): string {
  const text = type === 'html'
    ? content.replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    : content;
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

function stripNullish<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
