// Adding attachments to a message, the two ways Graph offers:
//   POST .../messages/{id}/attachments                       a fileAttachment with contentBytes (< 3 MB)
//   POST .../messages/{id}/attachments/createUploadSession   3–150 MB: an uploadUrl to PUT the bytes to
// (upload-routes.ts serves the uploadUrl). Attachment bytes count against the mailbox's upload budget.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { GraphHttpError, badRequest } from './errors';
import type { GraphResponse } from './graph-json';
import { attachToMessage, buildFileAttachment, serializeAttachment } from './messages';
import { contextUrl, q, sendJson, simRoot } from './respond';
import type { GraphRuntime } from './runtime';
import type { MailboxRec, MessageRec } from './state';
import type { AttachmentItemInput, UploadSession } from './upload-sessions';

/** Graph's documented range for upload sessions (smaller files go inline). */
export const MIN_SESSION_BYTES = 3 * 1024 * 1024;
export const MAX_SESSION_BYTES = 150 * 1024 * 1024;

const attachmentItem = z.object({
  attachmentType: z.string().nullish(),
  name: z.string().nullish(),
  size: z.number().nullish(),
  contentType: z.string().nullish(),
  isInline: z.boolean().nullish(),
  contentId: z.string().nullish(),
}).strict();

export function attachmentRoutes(r: Router, rt: GraphRuntime): void {
  const mbOf = (res: Response) => res.locals.mailbox as MailboxRec;
  const user = (req: Request) => `users(${q(req.params.u)})`;

  r.post('/messages/:m/attachments', (req, res) => {
    const mb = mbOf(res);
    const m = rt.state.message(mb, req.params.m);
    const a = buildFileAttachment(res.locals.body);
    refuseOnNonDraft(rt, m, 'Attachments can be added only to draft items.');
    rt.chargeUpload(mb.id, a.size);
    attachToMessage(m, a);
    sendJson(rt, res, 201, { '@odata.context': contextUrl(req, `${user(req)}/messages(${q(m.id)})/attachments/$entity`), ...serializeAttachment(a) } satisfies GraphResponse<MicrosoftGraph.FileAttachment>);
  });

  r.post(['/messages/:m/attachments/createUploadSession', '/messages/:m/attachments/microsoft.graph.createUploadSession'], (req, res) => {
    const mb = mbOf(res);
    const m = rt.state.message(mb, req.params.m);
    const { AttachmentItem: item } = parseCreateUploadSession(res.locals.body);
    refuseOnNonDraft(rt, m, 'Attachments can be added through an upload session only to draft items.');
    const s = rt.uploadSessions.create(mb.id, m.id, item);
    sendJson(rt, res, 201, {
      '@odata.context': `${simRoot(req)}/v1.0/$metadata#microsoft.graph.uploadSession`,
      uploadUrl: uploadUrl(simRoot(req), s),
      expirationDateTime: graphDateTime(s.expiresAt),
      nextExpectedRanges: ['0-'],
    } satisfies GraphResponse<MicrosoftGraph.UploadSession>);
  });
}

/** Where the bytes go: outside /v1.0, shaped like Outlook's AttachmentSessions URL, with its own token. */
export function uploadUrl(root: string, s: UploadSession): string {
  return `${root}/upload/api/v2.0/Users('${s.mailboxId}')/Messages('${s.messageId}')/AttachmentSessions('${s.id}')?authtoken=${s.token}`;
}

/** Graph's timestamps with seven fractional digits, e.g. 2019-09-25T01:09:30.7670000Z. */
export const graphDateTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '0000Z');

function refuseOnNonDraft(rt: GraphRuntime, m: MessageRec, message: string): void {
  if (rt.behaviour.refuseAttachmentSessionsOnNonDraft && !m.data.isDraft) throw badRequest(message, 'ErrorInvalidOperation');
}

/** The parameters of attachment: createUploadSession, validated. Throws Graph's errors. */
function parseCreateUploadSession(body: unknown): { AttachmentItem: AttachmentItemInput } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The createUploadSession action needs a JSON body with the parameter AttachmentItem.', 'RequestBodyRead');
  }
  const entries = Object.entries(body as Record<string, unknown>);
  const extra = entries.find(([k]) => k.toLowerCase() !== 'attachmentitem' && !k.startsWith('@'));
  if (extra) throw badRequest(`The parameter '${extra[0]}' in the request payload is not a valid parameter for the operation 'createUploadSession'.`, 'RequestBodyRead');
  const raw = entries.find(([k]) => k.toLowerCase() === 'attachmentitem')?.[1];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest("The parameter 'AttachmentItem' is required.", 'ErrorInvalidParameter');
  const p = attachmentItem.safeParse(raw);
  if (!p.success) {
    const i = p.error.issues[0];
    if (i.code === 'unrecognized_keys') {
      throw badRequest(`The property '${i.keys[0]}' does not exist on type 'Microsoft.OutlookServices.AttachmentItem'. Make sure to only use property names that are defined by the type or mark the type as open type.`, 'RequestBodyRead');
    }
    throw badRequest(`Invalid AttachmentItem at '${i.path.join('.')}': ${i.message}.`, 'RequestBodyRead');
  }
  const a = p.data;
  if (!a.attachmentType) throw badRequest("AttachmentItem.attachmentType is required (use 'file').", 'ErrorInvalidParameter');
  if (a.attachmentType.toLowerCase() !== 'file') {
    throw new GraphHttpError(405, 'ErrorAttachmentSessionIsSupportedOnlyForFileAttachments', 'Unsupported Attachment type specified. Only File attachments can be uploaded using an Upload Session.');
  }
  if (!a.name || !a.name.trim()) throw badRequest('AttachmentItem.name is required.', 'ErrorInvalidParameter');
  if (a.size === null || a.size === undefined || !Number.isInteger(a.size) || a.size < 0) throw badRequest('AttachmentItem.size is required: the file size in bytes.', 'ErrorInvalidParameter');
  if (a.size < MIN_SESSION_BYTES) {
    throw badRequest(`Attachment size ${a.size} is below the minimum of ${MIN_SESSION_BYTES} bytes for an upload session; attach smaller files with POST .../attachments.`, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
  }
  if (a.size > MAX_SESSION_BYTES) {
    throw badRequest(`The message exceeds the maximum supported size: attachments are at most ${MAX_SESSION_BYTES} bytes (150 MB), this one is ${a.size}.`, 'ErrorMessageSizeExceeded');
  }
  return { AttachmentItem: { attachmentType: 'file', name: a.name, size: a.size, contentType: a.contentType ?? null, isInline: a.isInline ?? false, contentId: a.contentId ?? null } };
}
