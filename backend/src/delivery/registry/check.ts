// The check run when a destination is saved: for a mailbox, that Graph knows it (and our app may
// write to it) and that its folder path exists or can be created (it is created now, so the first
// letter does not pay for it); for a Teams channel, see teams/check.ts.
import type { Client } from '@microsoft/microsoft-graph-client';
import { ensureFolder, mailboxExists, type FolderCache } from '../mailbox';
import { checkTeamsDestination } from '../teams/check';
import { describeGraphError } from '../deliver';
import type { DestinationChecker } from './destinations';

export function graphDestinationChecker(graph: Client, folders: FolderCache, webhookOrigins: string[] = []): DestinationChecker {
  return async (t) => {
    if (t.kind === 'teams_channel') {
      if (!t.teamId || !t.channelId || !t.webhookUrl) return ['A Teams channel needs a team id, a channel id and the channel\'s Workflows webhook URL.'];
      return checkTeamsDestination(graph, { teamId: t.teamId, channelId: t.channelId, webhookUrl: t.webhookUrl, folderPath: t.folderPath || undefined }, webhookOrigins);
    }
    if (!t.mailbox) return ['A mailbox destination needs the mailbox address.'];
    try {
      if (!(await mailboxExists(graph, t.mailbox))) {
        return [`Microsoft Graph does not know the mailbox ${t.mailbox}, or Brevdue's app may not use it (check the address and the app's Exchange RBAC scope, docs/DEPLOYMENT.md).`];
      }
    } catch (e) {
      return [`Could not check the mailbox ${t.mailbox}: ${describeGraphError(e)}`];
    }
    try {
      await ensureFolder(graph, folders, { mailbox: t.mailbox, folderPath: t.folderPath });
    } catch (e) {
      return [`The folder path could not be created in ${t.mailbox}: ${describeGraphError(e)}`];
    }
    return [];
  };
}
