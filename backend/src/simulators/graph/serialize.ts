// Turning stored folders and messages into Graph JSON, honouring $select and $expand.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { badRequest } from './errors';
import { parsePropId } from './ext-props';
import { filterView, serializeAttachment } from './messages';
import type { Annotated } from './graph-json';
import { evaluate } from './odata-filter';
import { project, type ODataQuery } from './odata-query';
import type { FolderRec, MailboxRec, MessageRec } from './state';

export const FOLDER_PROPERTIES: ReadonlySet<string> = new Set([
  'id', 'displayName', 'parentFolderId', 'childFolderCount', 'unreadItemCount', 'totalItemCount', 'sizeInBytes', 'isHidden', 'wellKnownName',
]);

/** A mailFolder as Graph v1.0 returns it. */
export type MailFolderJson = MicrosoftGraph.MailFolder & {
  sizeInBytes: number; // returned (and selectable) in v1.0, missing from @microsoft/microsoft-graph-types
};

export function folderJson(mb: MailboxRec, f: FolderRec): MailFolderJson {
  const msgs = [...mb.messages.values()].filter((m) => m.folderId === f.id);
  return {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
    childFolderCount: [...mb.folders.values()].filter((c) => c.parentFolderId === f.id).length,
    unreadItemCount: msgs.filter((m) => !m.data.isRead).length,
    totalItemCount: msgs.length,
    sizeInBytes: msgs.reduce((n, m) => n + (m.data.body?.content?.length ?? 0) + m.attachments.reduce((k, a) => k + a.size, 0), 0),
    isHidden: f.isHidden,
  };
}

/** Graph compares extended property ids by meaning (hex and GUID case aside), other strings case-insensitively. */
export function graphStringEquals(a: string, b: string): boolean {
  const x = parsePropId(a); const y = parsePropId(b);
  return x && y ? x.key === y.key : a.toLowerCase() === b.toLowerCase();
}

/** A message as Graph returns it, honouring $select and $expand. */
export function messageJson(m: MessageRec, q?: Pick<ODataQuery, 'select' | 'expand'>): Annotated<MicrosoftGraph.Message> {
  const base: Annotated<MicrosoftGraph.Message> = { '@odata.etag': `W/"${m.data.changeKey}"`, ...m.data };
  const out: Annotated<MicrosoftGraph.Message> = project(base, q?.select);
  for (const ex of q?.expand ?? []) {
    if (ex.name === 'singleValueExtendedProperties') {
      const matches = m.extProps.filter((p) => !ex.filter || evaluate(ex.filter, { ...p }, { stringEquals: graphStringEquals }));
      if (matches.length) out.singleValueExtendedProperties = matches.map((p) => ({ id: p.id, value: p.value }));
    } else if (ex.name === 'attachments') {
      out.attachments = m.attachments.map((a) => project(serializeAttachment(a), ex.select));
    } else {
      throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${ex.name}' on type 'microsoft.graph.message'.`);
    }
  }
  return out;
}

export function matchesFilter(m: MessageRec, q: ODataQuery): boolean {
  return !q.filter || evaluate(q.filter, filterView(m), { stringEquals: graphStringEquals });
}
