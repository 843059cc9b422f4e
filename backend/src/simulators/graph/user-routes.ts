// GET /users/{id | userPrincipalName}
import type { Router } from 'express';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { GraphResponse } from './graph-json';
import { parseQuery, project } from './odata-query';
import { contextUrl, sendJson } from './respond';
import type { GraphRuntime } from './runtime';
import type { MailboxRec } from './state';

const USER_PROPERTIES: ReadonlySet<string> = new Set(['id', 'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail',
  'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'accountEnabled', 'userType']);

export function userRoutes(r: Router, rt: GraphRuntime): void {
  r.get('/', (req, res) => {
    const query = parseQuery(req, 'user', USER_PROPERTIES);
    const mb = res.locals.mailbox as MailboxRec;
    const u: MicrosoftGraph.User = {
      id: mb.id, businessPhones: [], displayName: mb.displayName, givenName: null, jobTitle: null,
      mail: mb.userPrincipalName, mobilePhone: null, officeLocation: null, preferredLanguage: null, surname: null,
      userPrincipalName: mb.userPrincipalName,
    };
    const extra: MicrosoftGraph.User = { accountEnabled: mb.kind === 'user', userType: 'Member' }; // only on $select
    const body = query.select ? project({ ...u, ...extra }, query.select) : u;
    sendJson(rt, res, 200, { '@odata.context': contextUrl(req, query.select ? `users(${query.select.join(',')})/$entity` : 'users/$entity'), ...body } satisfies GraphResponse<MicrosoftGraph.User>);
  });
}
