// Human-sized views of the simulated mailboxes for the control routes and `api.messages()`.
import type { GraphState, MailboxRec } from './state';

export interface MailboxSummary {
  id: string; userPrincipalName: string; displayName: string; kind: 'shared' | 'user';
  folders: string[]; messageCount: number;
}

export interface MessageSummary {
  id: string;
  folderPath: string;
  subject: string;
  isDraft: boolean;
  isRead: boolean;
  receivedDateTime: string;
  sentDateTime: string;
  from: string | null;
  categories: string[];
  attachments: { id: string; name: string; contentType: string; size: number }[];
  extendedProperties: { id: string; value: string }[];
}

export function mailboxSummary(state: GraphState, mb: MailboxRec): MailboxSummary {
  return {
    id: mb.id, userPrincipalName: mb.userPrincipalName, displayName: mb.displayName, kind: mb.kind,
    folders: [...mb.folders.values()].filter((f) => f.id !== mb.rootId).map((f) => state.folderPath(mb, f.id)).sort(),
    messageCount: mb.messages.size,
  };
}

export function messageSummaries(state: GraphState, mb: MailboxRec): MessageSummary[] {
  return state.messagesIn(mb).map((m) => ({
    id: m.id,
    folderPath: state.folderPath(mb, m.folderId),
    subject: m.data.subject ?? '',
    isDraft: m.data.isDraft ?? false,
    isRead: m.data.isRead ?? false,
    receivedDateTime: m.data.receivedDateTime ?? '',
    sentDateTime: m.data.sentDateTime ?? '',
    from: m.data.from?.emailAddress ? `${m.data.from.emailAddress.name ?? ''} <${m.data.from.emailAddress.address ?? ''}>`.trim() : null,
    categories: m.data.categories ?? [],
    attachments: m.attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.contentType, size: a.size })),
    extendedProperties: m.extProps.map((p) => ({ ...p })),
  }));
}
