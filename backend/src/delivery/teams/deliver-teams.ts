// Delivering a letter to a Teams channel: every document into the channel's files (Graph drive
// upload, see drive-upload.ts), then one Adaptive Card through the channel's Workflows webhook
// (webhook.ts) naming sender, subject, deadline and linking the files. An app cannot post channel
// messages through Graph (migration only), hence the webhook.
//
// The destination's folder comes from a cache (folder-cache.ts: trusted 10 minutes; Graph's 404 for it
// resolves it again within the attempt), so a letter costs no filesFolder lookup of its own.
//
// The webhook URL is checked first: a refused URL fails the delivery before any request is made.
// Retrying the whole delivery is safe for the files (deterministic names, conflictBehavior replace);
// the card may be posted twice if an earlier attempt's 202 was lost. The caller records the outcome
// (and that the card was posted, so a retry after that point does not post again).
import type { Client } from '@microsoft/microsoft-graph-client';
import type { LetterForMail } from '../render';
import { renderTeamsCard } from './card';
import { TeamsDeliveryError } from './errors';
import { resolveChannelFolder, uploadToFolder, type UploadOptions, type UploadedFile } from './drive-upload';
import { ChannelFolderCache, channelFolderCacheOf } from './folder-cache';
import { deliveryFileNames } from './names';
import { postCard, type PostCardOptions } from './webhook';
import { checkWebhookUrl } from './webhook-url';

export interface TeamsTarget { teamId: string; channelId: string; webhookUrl: string; folderPath?: string }
export interface TeamsDocument { filename: string; mimeType: string; content: Buffer }

export interface DeliverToTeamsOptions extends UploadOptions, Omit<PostCardOptions, 'fetch'> {
  /** For the webhook post and the upload fragments (default: global fetch). */
  fetch?: typeof fetch;
  /** Where the letter opens in Brevdue; becomes the card's "Vis i Brevdue". */
  letterUrl?: string;
  /** The destinations' folders (default: the Graph client's own, channelFolderCacheOf). */
  folders?: ChannelFolderCache;
}

export interface TeamsDeliveryResult {
  files: UploadedFile[];
  /** The folder the files went to. */
  folder: { name: string; webUrl: string };
  cardPosted: true;
  /** Power Automate's run id, when it said. */
  runId: string | null;
}

export async function deliverToTeams(graph: Client, target: TeamsTarget, letter: LetterForMail, docs: TeamsDocument[],
  deliveryId: string, opts: DeliverToTeamsOptions = {}): Promise<TeamsDeliveryResult> {
  const url = checkWebhookUrl(target.webhookUrl, opts.extraAllowedOrigins);
  if (!url.ok) throw new TeamsDeliveryError(`The Teams webhook URL was refused: ${url.reason}`, { retryable: false, code: 'WebhookUrlRefused' });
  if (docs.length === 0) throw new TeamsDeliveryError('The letter has no documents to put into the channel\'s files.', { retryable: false });

  const names = deliveryFileNames(deliveryId, letter.receivedAt, docs.map((d) => d.filename));
  const cache = opts.folders ?? channelFolderCacheOf(graph);
  const resolve = () => cache.resolve(target, () => resolveChannelFolder(graph, target));
  let folder = await resolve();
  const uploadAll = async () => {
    const files: UploadedFile[] = [];
    for (const [i, d] of docs.entries()) {
      files.push(await uploadToFolder(graph, folder, { filename: names[i], content: d.content, mimeType: d.mimeType }, opts));
    }
    return files;
  };
  let files: UploadedFile[];
  try {
    files = await uploadAll();
  } catch (e) {
    if (!isGone(e)) throw e;
    // Someone deleted the folder (or moved the library) since it was looked up: find or make it again
    // and upload every document there, the ones already sent to the old folder too (they went with it).
    cache.forget(target, folder.folderId);
    folder = await resolve();
    files = await uploadAll();
  }
  const card = renderTeamsCard(letter, files, { folderUrl: folder.webUrl, letterUrl: opts.letterUrl });
  const posted = await postCard(target.webhookUrl, card, { fetch: opts.fetch, timeoutMs: opts.timeoutMs, extraAllowedOrigins: opts.extraAllowedOrigins });
  return { files, folder: { name: folder.name, webUrl: folder.webUrl }, cardPosted: true, runId: posted.runId };
}

/** Graph's 404 for an upload into the folder: the folder (or its drive) is no longer there. */
function isGone(e: unknown): boolean {
  return e instanceof TeamsDeliveryError && e.statusCode === 404;
}
