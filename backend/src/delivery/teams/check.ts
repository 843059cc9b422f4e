// The check run when an admin saves a Teams channel destination: the webhook URL is one Brevdue may
// post to, the folder path is allowed in SharePoint, and Graph finds the channel and its files
// folder (so our app may read it). Returns the problems, each coded with the form field to change
// (`params.field`) and an English sentence an admin can act on; empty when the destination is fine.
// It writes nothing: no folder is created and no card is posted (a test card would land in the
// channel for everyone to see).
import type { Client } from '@microsoft/microsoft-graph-client';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { Problem } from '../../../../shared/src/contracts';
import { call, enc } from '../mailbox';
import { channelFilesFolder } from './drive-upload';
import { TeamsDeliveryError } from './errors';
import { driveFolderSegments } from './names';
import { checkWebhookUrl } from './webhook-url';

export interface TeamsDestinationInput { teamId: string; channelId: string; webhookUrl: string; folderPath?: string }

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANNEL = /^19:[^\s/]+@thread\.[a-z0-9]+$/i;

/** The URL's host for the sentence (never the path: its sig parameter is the secret). */
function hostOf(url: string): string {
  try { return new URL(url).hostname; } catch { return ''; }
}

export async function checkTeamsDestination(graph: Client, input: TeamsDestinationInput, extraAllowedOrigins: string[] = []): Promise<Problem[]> {
  const problems: Problem[] = [];
  const url = checkWebhookUrl(input.webhookUrl, extraAllowedOrigins);
  if (!url.ok) {
    problems.push({ code: 'webhook_not_allowed', params: { field: 'webhookUrl', host: hostOf(input.webhookUrl), reason: url.reason }, message: `Webhook URL refused: ${url.reason}` });
  }
  try { driveFolderSegments(input.folderPath); } catch (e) {
    problems.push({ code: 'teams_folder_invalid', params: { field: 'folderPath', folder: input.folderPath ?? '', reason: (e as Error).message }, message: (e as Error).message });
  }

  const teamId = input.teamId.trim();
  const channelId = input.channelId.trim();
  const malformed = !GUID.test(teamId) || !CHANNEL.test(channelId);
  if (!GUID.test(teamId)) {
    problems.push({ code: 'team_id_invalid', params: { field: 'teamId' },
      message: `"${input.teamId}" is not a team id: it is a GUID such as 2f7c1b0e-5d4a-4a8e-9c3b-1e2d3f4a5b6c (in Teams, "Get link to team" shows it as groupId).` });
  }
  if (!CHANNEL.test(channelId)) {
    problems.push({ code: 'channel_id_invalid', params: { field: 'channelId' },
      message: `"${input.channelId}" is not a channel id: it looks like 19:…@thread.tacv2 (in Teams, "Get link to channel" shows it).` });
  }
  if (malformed) return problems;

  // The channel, then its files folder.
  let channel: MicrosoftGraph.Channel;
  try {
    channel = await call<MicrosoftGraph.Channel>(graph, `/teams/${enc(teamId)}/channels/${enc(channelId)}`, (r) => r.select('id,displayName').get());
  } catch (e) {
    problems.push(await channelProblem(graph, e, teamId, channelId));
    return problems;
  }
  const name = channel.displayName ?? channelId;
  try {
    await channelFilesFolder(graph, teamId, channelId);
  } catch (e) {
    const s = (e as TeamsDeliveryError).statusCode;
    const reason = (e as Error).message;
    problems.push(s === 403 || s === 401
      ? { code: 'teams_permission_missing', params: { permission: 'Files.ReadWrite.All', reason },
        message: `The files folder of channel "${name}" is not accessible to Brevdue's app: grant the application permission Files.ReadWrite.All or Sites.ReadWrite.All (admin consent). ${reason}` }
      : s === 404
        ? { code: 'channel_files_missing', params: { channel: name },
          message: `Channel "${name}" has no files folder yet: open the channel's Files tab in Teams once (this creates it), then save again.` }
        : { code: 'channel_unreachable', params: { channel: name, reason }, message: `The files folder of channel "${name}" could not be reached: ${reason}` });
  }
  return problems;
}

async function channelProblem(graph: Client, e: unknown, teamId: string, channelId: string): Promise<Problem> {
  const g = e as { statusCode?: number; code?: string; message?: string };
  const detail = g.statusCode ? `Microsoft Graph answered ${g.statusCode}${g.code ? ` ${g.code}` : ''}: ${g.message ?? ''}` : (g.message ?? String(e));
  if (g.statusCode === 404 || g.statusCode === 400) {
    const teamExists = await call<MicrosoftGraph.Team>(graph, `/teams/${enc(teamId)}`, (r) => r.select('id,displayName').get())
      .then((t) => t.displayName ?? teamId, () => null);
    return teamExists === null
      ? { code: 'team_not_found', params: { field: 'teamId', reason: detail },
        message: `Team ${teamId} was not found (or Brevdue's app cannot see it). Check the team id. (${detail})` }
      : { code: 'channel_not_found', params: { field: 'channelId', team: teamExists, reason: detail },
        message: `Channel ${channelId} was not found in team "${teamExists}". Check the channel id; private and shared channels are not supported. (${detail})` };
  }
  if (g.statusCode === 401 || g.statusCode === 403) {
    return { code: 'teams_permission_missing', params: { permission: 'Channel.ReadBasic.All', reason: detail },
      message: `Brevdue's app may not read this team's channels: grant the application permission Channel.ReadBasic.All (admin consent). (${detail})` };
  }
  return { code: 'graph_unavailable', params: { reason: detail }, message: `The channel could not be checked just now; try saving again. (${detail})` };
}
