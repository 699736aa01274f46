import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Router, type Response } from 'express';
import { messagesRoutes as routes } from '#common/contract/routes/messages.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { MessagesService } from './messages.service.js';
import type { AttachmentsService } from './attachments.service.js';

export function messagesRouter(mount: MountRoute, messages: MessagesService, attachments: AttachmentsService): Router {
  const router = Router();
  mount(router, routes.conversations, ({ auth }) => messages.conversations(auth.user.id));
  mount(router, routes.conversationMessages, ({ auth, params, query }) => messages.history(auth.user.id, params.id, query.before, query.limit));
  mount(router, routes.createGroup, ({ auth, body }) => messages.createGroup(auth.user.id, body.title, body.members));
  mount(router, routes.renameGroup, ({ auth, params, body }) => messages.renameGroup(auth.user.id, params.id, body.title));
  mount(router, routes.addGroupMember, ({ auth, params }) => messages.addMember(auth.user.id, params.id, params.userId));
  mount(router, routes.removeGroupMember, ({ auth, params }) => messages.removeMember(auth.user.id, params.id, params.userId));
  // The route requires a session, checked by the mounter before a single byte of the body is read.
  mount(router, routes.uploadAttachment, ({ auth, req }) => {
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const fileName = req.get('x-file-name');
    return attachments.upload(auth.user.id, req, Number.isFinite(length) ? length : undefined, fileName ? decodeURIComponent(fileName) : undefined);
  });
  mount(router, routes.attachment, async ({ auth, params, res }) => {
    const { record, file } = await attachments.open(auth.user.id, params.id);
    await sendFile(res, file, record.contentType, record.size);
  });
  mount(router, routes.attachmentThumbnail, async ({ auth, params, res }) => {
    const file = await attachments.thumbnail(auth.user.id, params.id);
    await sendFile(res, file, 'image/webp', fs.statSync(file).size);
  });
  return router;
}

/** Served as a download that a browser will neither sniff nor run. */
async function sendFile(res: Response, file: string, contentType: string, size: number): Promise<void> {
  res.status(200).set({
    'content-type': contentType,
    'content-length': String(size),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=86400',
  });
  await pipeline(fs.createReadStream(file), res);
}
