// Replies to Digital Post: list a letter's replies (everyone signed in), reply and retry (admins and
// operators). The reply arrives as multipart/form-data, read bounded (reply/multipart.ts).
import express, { type Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { readReplyForm } from '../reply/multipart';
import { createReply, listReplies, ngdpReplySender, retryReply, type ReplySender } from '../reply/send';
import { assertLetterInScope, requireRole, scope } from './roles';
import { h } from './handler';

const idParam = (what: string) => z.string().uuid(`must be a ${what} id (UUID)`);

/** Mounted at /api. `send` replaces the NgDP call in tests. */
export function replyRouter(ctx: AppContext, opts: { send?: ReplySender } = {}): Router {
  const r = express.Router();
  const operator = requireRole('admin', 'operator');
  const send = opts.send ?? ngdpReplySender(ctx);
  const actor = (req: express.Request) => ({ id: req.auth!.userId, name: req.auth!.displayName });

  r.get('/messages/:id/replies', h(async (req, res) => {
    const id = idParam('letter').parse(req.params.id);
    await assertLetterInScope(ctx.db, req, id);
    res.json({ items: await listReplies(ctx, scope(req).orgId, id) });
  }));

  r.post('/messages/:id/reply', operator, h(async (req, res) => {
    const id = idParam('letter').parse(req.params.id);
    await assertLetterInScope(ctx.db, req, id);
    const form = await readReplyForm(req);
    const { reply, created } = await createReply(ctx, scope(req).orgId, id, actor(req),
      { text: form.text, files: form.files, memoUuid: form.memoUuid }, { send });
    // 201 also when Digital Post refused it: the reply exists (status failed, with the reason) and can be retried.
    res.status(created ? 201 : 200).json(reply);
  }));

  r.post('/messages/:id/replies/:replyId/retry', operator, h(async (req, res) => {
    const id = idParam('letter').parse(req.params.id);
    await assertLetterInScope(ctx.db, req, id);
    res.json(await retryReply(ctx, scope(req).orgId, id, idParam('reply').parse(req.params.replyId), actor(req), { send }));
  }));
  return r;
}
