// Teams through Graph, the read side an app with Channel.ReadBasic.All and Files.ReadWrite.All uses:
//   GET /teams/{teamId}                                   the team
//   GET /teams/{teamId}/channels                          its channels
//   GET /teams/{teamId}/channels/{channelId}              a channel
//   GET /teams/{teamId}/channels/{channelId}/filesFolder  the channel's folder in the team's document library
// A malformed team id (not a GUID) or channel id (not 19:…@thread.tacv2) is 400 BadRequest, an
// unknown one 404 NotFound. Posting channel messages is not here: Graph allows it to apps only for
// migration, which is why Brevdue announces letters through a Workflows webhook instead.
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { Router, type Request, type Response } from 'express';
import { GraphHttpError, graphErrorHandler } from './errors';
import { driveItemJson, drivePipeline } from './drive-routes';
import type { GraphCollection, GraphResponse } from './graph-json';
import { contextUrl, q, sendJson } from './respond';
import type { GraphRuntime } from './runtime';
import { SIM_TENANT_ID, teamsOf, type ChannelRec, type TeamRec } from './teams-state';

function channelJson(t: TeamRec, c: ChannelRec): MicrosoftGraph.Channel {
  return {
    id: c.id,
    createdDateTime: c.createdDateTime,
    displayName: c.displayName,
    description: c.description,
    isFavoriteByDefault: null,
    email: '',
    tenantId: SIM_TENANT_ID,
    webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(c.id)}/${encodeURIComponent(c.displayName)}?groupId=${t.id}&tenantId=${SIM_TENANT_ID}`,
    membershipType: c.membershipType,
  };
}

/** A team as Graph v1.0 returns it (isMembershipLimitedToOwners is beta only). */
function teamJson(t: TeamRec): MicrosoftGraph.Team {
  const general = [...t.channels.values()].find((c) => c.displayName === 'General');
  return {
    id: t.id, createdDateTime: t.createdDateTime, displayName: t.displayName, description: t.description,
    internalId: general?.id ?? null, classification: null, specialization: 'none', visibility: 'private',
    webUrl: general ? `https://teams.microsoft.com/l/team/${encodeURIComponent(general.id)}/conversations?groupId=${t.id}&tenantId=${SIM_TENANT_ID}` : null,
    isArchived: false, tenantId: SIM_TENANT_ID,
  };
}

/** Routes below /v1.0/teams (mount there). */
export function teamsRouter(rt: GraphRuntime): Router {
  const state = teamsOf(rt);
  const r = Router();
  r.use(...drivePipeline(rt));

  const seg = (req: Request) => req.path.split('/').filter(Boolean).map((s) => {
    try { return decodeURIComponent(s); } catch { throw new GraphHttpError(400, 'BadRequest', `Invalid URL encoding in '${s}'.`); }
  });

  r.get(/.*/, (req: Request, res: Response) => {
    const [teamId, sub, channelId, leaf, ...more] = seg(req);
    if (!teamId) throw new GraphHttpError(405, 'BadRequest', 'Listing all teams needs GET /groups with a filter; not simulated.');
    const t = state.team(teamId);
    const tctx = `teams(${q(t.id)})`;
    if (sub === undefined) return sendJson(rt, res, 200, { '@odata.context': contextUrl(req, 'teams/$entity'), ...teamJson(t) } satisfies GraphResponse<MicrosoftGraph.Team>);
    if (sub !== 'channels') throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${sub}'.`);
    if (channelId === undefined) {
      const all = [...t.channels.values()].map((c) => channelJson(t, c));
      return sendJson(rt, res, 200, { '@odata.context': contextUrl(req, `${tctx}/channels`), '@odata.count': all.length, value: all } satisfies GraphCollection<MicrosoftGraph.Channel>);
    }
    const c = state.channel(t, channelId);
    if (leaf === undefined) return sendJson(rt, res, 200, { '@odata.context': contextUrl(req, `${tctx}/channels/$entity`), ...channelJson(t, c) } satisfies GraphResponse<MicrosoftGraph.Channel>);
    if (leaf !== 'filesFolder' || more.length) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${leaf}'.`);
    const drive = state.drive(t.driveId);
    const folder = drive.items.get(c.folderId);
    if (!folder) throw new GraphHttpError(404, 'NotFound', 'The channel\'s files folder does not exist.');
    const full = driveItemJson(req, state, drive, folder);
    // As Graph answers filesFolder: the parent reference names the drive only.
    return sendJson(rt, res, 200, {
      '@odata.context': contextUrl(req, `${tctx}/channels(${q(c.id)})/filesFolder/$entity`),
      ...full, parentReference: { driveId: drive.id, driveType: 'documentLibrary' },
    } satisfies GraphResponse<MicrosoftGraph.DriveItem>);
  });
  r.use((req, _res, next) => next(new GraphHttpError(405, 'BadRequest', `The simulator serves only GET for /teams (got ${req.method}).`)));
  r.use(graphErrorHandler);
  return r;
}
