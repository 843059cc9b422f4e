// The check run when a destination is saved: for a mailbox, that Graph knows it (and our app may
// write to it) and that its folder path exists or can be created (it is created now, so the first
// letter does not pay for it); for a Teams channel, see teams/check.ts. Each problem is coded
// (CheckProblem) so the task pane can say it in the admin's language and at the field to change.
import type { Client } from '@microsoft/microsoft-graph-client';
import { ensureFolder, folderSegments, mailboxExists, type FolderCache } from '../mailbox';
import { checkTeamsDestination } from '../teams/check';
import { describeGraphError } from '../deliver';
import type { CheckProblem, DestinationChecker } from './destinations';

/**
 * Graph did not answer usefully just now (throttled, 5xx, timeout, no connection): nothing about the
 * destination is known to be wrong, and saving again later may pass.
 */
export function graphUnavailable(e: unknown): boolean {
  const s = (e as { statusCode?: number }).statusCode;
  return typeof s !== 'number' || s <= 0 || s === 408 || s === 429 || s >= 500;
}

const graphUnavailableProblem = (e: unknown, what: string): CheckProblem => {
  const reason = describeGraphError(e);
  return { code: 'graph_unavailable', params: { reason }, message: `Microsoft Graph could not be asked about ${what} just now; try saving again in a moment. (${reason})` };
};

export function graphDestinationChecker(graph: Client, folders: FolderCache, webhookOrigins: string[] = []): DestinationChecker {
  return async (t) => {
    if (t.kind === 'teams_channel') {
      const missing = (['teamId', 'channelId', 'webhookUrl'] as const).filter((f) => !t[f]);
      if (missing.length) {
        return missing.map((field) => ({ code: 'field_missing', params: { field },
          message: 'A Teams channel needs a team id, a channel id and the channel\'s Workflows webhook URL.' }));
      }
      return checkTeamsDestination(graph, { teamId: t.teamId!, channelId: t.channelId!, webhookUrl: t.webhookUrl!, folderPath: t.folderPath || undefined }, webhookOrigins);
    }
    const mailbox = t.mailbox;
    if (!mailbox) return [{ code: 'field_missing', params: { field: 'mailbox' }, message: 'A mailbox destination needs the mailbox address.' }];
    try {
      if (!(await mailboxExists(graph, mailbox))) {
        return [{
          code: 'mailbox_not_found', params: { field: 'mailbox', mailbox },
          message: `Microsoft Graph does not know the mailbox ${mailbox}, or Brevdue's app may not use it (check the address and the app's Exchange RBAC scope, docs/DEPLOYMENT.md).`,
        }];
      }
    } catch (e) {
      if (graphUnavailable(e)) return [graphUnavailableProblem(e, `the mailbox ${mailbox}`)];
      // 401/403 (the app's Exchange RBAC scope leaves this mailbox out) and other refusals.
      const reason = describeGraphError(e);
      return [{ code: 'mailbox_access_denied', params: { field: 'mailbox', mailbox, reason }, message: `Could not check the mailbox ${mailbox}: ${reason}` }];
    }
    const folderProblem = (reason: string): CheckProblem[] => [{
      code: 'folder_not_creatable', params: { field: 'folderPath', mailbox, folder: t.folderPath, reason },
      message: `The folder path could not be created in ${mailbox}: ${reason}`,
    }];
    // A name Exchange cannot take is said before Graph is asked, so an error without a status below is Graph's connection.
    try { folderSegments(t.folderPath); } catch (e) { return folderProblem((e as Error).message); }
    try {
      await ensureFolder(graph, folders, { mailbox, folderPath: t.folderPath });
    } catch (e) {
      if (graphUnavailable(e)) return [graphUnavailableProblem(e, `the folders of ${mailbox}`)];
      return folderProblem(describeGraphError(e));
    }
    return [];
  };
}
