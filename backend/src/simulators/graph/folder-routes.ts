// Mail folders: GET/POST /users/{u}/mailFolders, GET/DELETE /mailFolders/{id}, POST .../permanentDelete,
// GET/POST .../childFolders.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { Request, Response, Router } from 'express';
import type { GraphCollection, GraphResponse } from './graph-json';
import { evaluate } from './odata-filter';
import { applyPaging, nextLink, parseQuery, project } from './odata-query';
import { contextUrl, q, sendJson } from './respond';
import { FOLDER_PROPERTIES, folderJson, graphStringEquals, type MailFolderJson } from './serialize';
import type { GraphRuntime } from './runtime';
import { validFolderName, type FolderRec, type MailboxRec } from './state';
import { badRequest } from './errors';

/** The body of a folder create, validated: Graph takes displayName and isHidden. */
type NewMailFolder = MicrosoftGraph.MailFolder & { displayName: string; isHidden: boolean };

function parseNewFolder(body: unknown): NewMailFolder {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('A folder needs a JSON body with displayName.', 'ErrorInvalidRequest');
  const raw = body as Record<string, unknown>;
  const extra = Object.keys(raw).find((k) => !['displayName', 'isHidden', '@odata.type'].includes(k));
  if (extra) throw badRequest(`The property '${extra}' does not exist on type 'Microsoft.OutlookServices.MailFolder'.`, 'RequestBodyRead');
  return { displayName: validFolderName(raw.displayName), isHidden: raw.isHidden === true };
}

export function folderRoutes(r: Router, rt: GraphRuntime): void {
  const mbOf = (res: Response) => res.locals.mailbox as MailboxRec;

  const list = (req: Request, res: Response, parent: FolderRec, ctx: string) => {
    const mb = mbOf(res);
    const query = parseQuery(req, 'mailFolder', FOLDER_PROPERTIES);
    const all = rt.state.children(mb, parent.id).map((f) => folderJson(mb, f))
      .filter((f) => !query.filter || evaluate(query.filter, { ...f }, { stringEquals: graphStringEquals }));
    const { page, more, top } = applyPaging(all, query, 10);
    sendJson(rt, res, 200, {
      '@odata.context': contextUrl(req, ctx),
      ...(query.count ? { '@odata.count': all.length } : {}),
      value: page.map((f) => project(f, query.select)),
      ...(more ? { '@odata.nextLink': nextLink(req, query, top) } : {}),
    } satisfies GraphCollection<Partial<MailFolderJson>>);
  };

  const create = (req: Request, res: Response, parent: FolderRec, ctx: string) => {
    const input = parseNewFolder(res.locals.body);
    const f = rt.state.createFolder(mbOf(res), parent, input.displayName, input.isHidden);
    sendJson(rt, res, 201, { '@odata.context': contextUrl(req, `${ctx}/$entity`), ...folderJson(mbOf(res), f) } satisfies GraphResponse<MailFolderJson>);
  };

  const user = (req: Request) => `users(${q(req.params.u)})`;
  const root = (res: Response) => rt.state.folder(mbOf(res), 'msgfolderroot');

  r.get('/mailFolders', (req, res) => list(req, res, root(res), `${user(req)}/mailFolders`));
  r.post('/mailFolders', (req, res) => create(req, res, root(res), `${user(req)}/mailFolders`));

  r.get('/mailFolders/:f', (req, res) => {
    const query = parseQuery(req, 'mailFolder', FOLDER_PROPERTIES);
    const f = rt.state.folder(mbOf(res), req.params.f);
    sendJson(rt, res, 200, { '@odata.context': contextUrl(req, `${user(req)}/mailFolders/$entity`), ...project(folderJson(mbOf(res), f), query.select) } satisfies GraphResponse<Partial<MailFolderJson>>);
  });

  // Deleting (as a person cleaning up in Outlook would): 204, the folder now under Deleted Items.
  r.delete('/mailFolders/:f', (req, res) => {
    rt.state.deleteFolder(mbOf(res), rt.state.folder(mbOf(res), req.params.f), false);
    res.status(204).end();
  });
  r.post('/mailFolders/:f/permanentDelete', (req, res) => {
    rt.state.deleteFolder(mbOf(res), rt.state.folder(mbOf(res), req.params.f), true);
    res.status(204).end();
  });

  r.get('/mailFolders/:f/childFolders', (req, res) => {
    const parent = rt.state.folder(mbOf(res), req.params.f);
    list(req, res, parent, `${user(req)}/mailFolders(${q(req.params.f)})/childFolders`);
  });
  r.post('/mailFolders/:f/childFolders', (req, res) => {
    const parent = rt.state.folder(mbOf(res), req.params.f);
    create(req, res, parent, `${user(req)}/mailFolders(${q(req.params.f)})/childFolders`);
  });
}
