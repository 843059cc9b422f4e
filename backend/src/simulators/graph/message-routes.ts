// Messages: create (JSON) in a folder, list/filter/sort, get, attachments, move, delete.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { Request, Response, Router } from 'express';
import { badRequest, itemNotFound } from './errors';
import type { Annotated, GraphCollection, GraphResponse } from './graph-json';
import { MESSAGE_PROPERTIES, attachmentBytes, buildMessage, isoSeconds, parseMessage, serializeAttachment } from './messages';
import { changeKey } from './ids';
import { filterProperties } from './odata-filter';
import { applyPaging, nextLink, parseQuery, project, type ODataQuery } from './odata-query';
import { contextUrl, q, sendEmpty, sendJson } from './respond';
import { matchesFilter, messageJson } from './serialize';
import type { GraphRuntime } from './runtime';
import type { FolderRec, MailboxRec } from './state';

export function messageRoutes(r: Router, rt: GraphRuntime): void {
  const mbOf = (res: Response) => res.locals.mailbox as MailboxRec;
  const user = (req: Request) => `users(${q(req.params.u)})`;

  const list = (req: Request, res: Response, folder: FolderRec | undefined, ctx: string) => {
    const query = parseQuery(req, 'message', MESSAGE_PROPERTIES);
    checkSortable(query);
    const rows = rt.state.messagesIn(mbOf(res), folder?.id).filter((m) => matchesFilter(m, query));
    // Graph lists newest first unless told otherwise.
    const ordered = query.orderby.length ? rows : [...rows].sort((a, b) =>
      (b.data.receivedDateTime ?? '').localeCompare(a.data.receivedDateTime ?? '') || b.seq - a.seq);
    const { page, more, top } = applyPaging(ordered, query, 10, (m) => m.data as Record<string, unknown>);
    sendJson(rt, res, 200, {
      '@odata.context': contextUrl(req, ctx),
      ...(query.count ? { '@odata.count': rows.length } : {}),
      value: page.map((m) => messageJson(m, query)),
      ...(more ? { '@odata.nextLink': nextLink(req, query, top) } : {}),
    } satisfies GraphCollection<Annotated<MicrosoftGraph.Message>>);
  };

  const create = (req: Request, res: Response, folder: FolderRec, ctx: string) => {
    const mb = mbOf(res);
    const built = buildMessage(mb, folder.id, parseMessage(res.locals.body ?? {}));
    rt.chargeUpload(mb.id, attachmentBytes(built.attachments));
    const rec = rt.state.addMessage(mb, built);
    sendJson(rt, res, 201, { '@odata.context': contextUrl(req, `${ctx}/$entity`), ...messageJson(rec) } satisfies GraphResponse<MicrosoftGraph.Message>);
  };

  r.get('/messages', (req, res) => list(req, res, undefined, `${user(req)}/messages`));
  r.post('/messages', (req, res) => create(req, res, rt.state.folder(mbOf(res), 'drafts'), `${user(req)}/messages`));

  r.get('/mailFolders/:f/messages', (req, res) => {
    const f = rt.state.folder(mbOf(res), req.params.f);
    list(req, res, f, `${user(req)}/mailFolders(${q(req.params.f)})/messages`);
  });
  r.post('/mailFolders/:f/messages', (req, res) => {
    const f = rt.state.folder(mbOf(res), req.params.f);
    create(req, res, f, `${user(req)}/mailFolders(${q(req.params.f)})/messages`);
  });

  const getOne = (req: Request, res: Response) => {
    const query = parseQuery(req, 'message', MESSAGE_PROPERTIES);
    const m = rt.state.message(mbOf(res), req.params.m);
    if (req.params.f && m.folderId !== rt.state.folder(mbOf(res), req.params.f).id) throw itemNotFound();
    sendJson(rt, res, 200, { '@odata.context': contextUrl(req, `${user(req)}/messages/$entity`), ...messageJson(m, query) } satisfies GraphResponse<MicrosoftGraph.Message>);
  };
  r.get('/messages/:m', getOne);
  r.get('/mailFolders/:f/messages/:m', getOne);

  r.get('/messages/:m/attachments', (req, res) => {
    const query = parseQuery(req, 'attachment', ATTACHMENT_PROPERTIES);
    const m = rt.state.message(mbOf(res), req.params.m);
    const { page, more, top } = applyPaging(m.attachments.map((a) => serializeAttachment(a)), query, 1000);
    sendJson(rt, res, 200, {
      '@odata.context': contextUrl(req, `${user(req)}/messages(${q(m.id)})/attachments`),
      value: page.map((a) => project(a, query.select)),
      ...(more ? { '@odata.nextLink': nextLink(req, query, top) } : {}),
    } satisfies GraphCollection<Annotated<MicrosoftGraph.FileAttachment>>);
  });

  r.get('/messages/:m/attachments/:a', (req, res) => {
    const query = parseQuery(req, 'attachment', ATTACHMENT_PROPERTIES);
    const m = rt.state.message(mbOf(res), req.params.m);
    const a = m.attachments.find((x) => x.id === req.params.a);
    if (!a) throw itemNotFound();
    sendJson(rt, res, 200, {
      '@odata.context': contextUrl(req, `${user(req)}/messages(${q(m.id)})/attachments/$entity`),
      ...project(serializeAttachment(a), query.select),
    } satisfies GraphResponse<MicrosoftGraph.FileAttachment>);
  });

  r.post('/messages/:m/move', (req, res) => {
    const mb = mbOf(res);
    const m = rt.state.message(mb, req.params.m);
    const dest = (res.locals.body as { destinationId?: unknown } | undefined)?.destinationId;
    if (typeof dest !== 'string' || !dest) throw badRequest('The destinationId parameter is required.', 'ErrorInvalidParameter');
    const move: { destinationId: string } = { destinationId: dest }; // the move action's parameter (no Graph type for it)
    const f = rt.state.folder(mb, move.destinationId);
    // With immutable ids (always here) a move within the mailbox keeps the id.
    m.folderId = f.id;
    m.data = { ...m.data, parentFolderId: f.id, lastModifiedDateTime: isoSeconds(new Date()), changeKey: changeKey() };
    sendJson(rt, res, 201, { '@odata.context': contextUrl(req, `${user(req)}/messages/$entity`), ...messageJson(m) } satisfies GraphResponse<MicrosoftGraph.Message>);
  });

  // DELETE moves the message to Deleted Items (the id stays: immutable ids); deleting it there
  // removes it for good (Exchange keeps it in Recoverable Items, out of Graph's mailFolders).
  const remove = (req: Request, res: Response) => {
    const mb = mbOf(res);
    const m = rt.state.message(mb, req.params.m);
    if (req.params.f && m.folderId !== rt.state.folder(mb, req.params.f).id) throw itemNotFound();
    const deleted = rt.state.folder(mb, 'deleteditems');
    if (m.folderId === deleted.id) rt.state.removeMessage(mb, m.id);
    else {
      m.folderId = deleted.id;
      m.data = { ...m.data, parentFolderId: deleted.id, lastModifiedDateTime: isoSeconds(new Date()), changeKey: changeKey() };
    }
    sendEmpty(rt, res, 204);
  };
  r.delete('/messages/:m', remove);
  r.delete('/mailFolders/:f/messages/:m', remove);
}

const ATTACHMENT_PROPERTIES: ReadonlySet<string> = new Set(['id', 'lastModifiedDateTime', 'name', 'contentType', 'size', 'isInline', 'contentId', 'contentLocation', 'contentBytes']);

/**
 * Exchange's rule for $filter with $orderby on messages: every sorted property must also be
 * filtered on, in the same order, before any other filtered property. Otherwise Graph answers
 * 400 InefficientFilter.
 */
function checkSortable(query: ODataQuery): void {
  if (!query.filter || query.orderby.length === 0) return;
  const filtered = [...new Set(filterProperties(query.filter))];
  const sorted = query.orderby.map((o) => o.prop);
  if (!sorted.every((p, i) => filtered[i] === p)) {
    throw badRequest('The restriction or sort order is too complex for this operation.', 'InefficientFilter');
  }
}
