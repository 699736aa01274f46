import { Router } from 'express';
import { messagesRoutes as routes } from '#common/contract/routes/messages.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { Logger } from '../../platform/logger.js';
import type { MessagesService } from './messages.service.js';
import type { GroupsService } from './groups.service.js';
import type { AttachmentsService } from './attachments.service.js';
import { contentDisposition, notModified, requestedRange, setFileHeaders, streamFile } from './attachment-download.js';

export function messagesRouter(mount: MountRoute, messages: MessagesService, groups: GroupsService, attachments: AttachmentsService, log: Logger): Router {
  const router = Router();
  mount(router, routes.conversations, ({ auth }) => messages.conversations(auth.user.id));
  mount(router, routes.conversationMessages, ({ auth, params, query }) => messages.history(auth.user.id, params.id, query.before, query.limit));
  mount(router, routes.createGroup, ({ auth, body }) => groups.createGroup(auth.user.id, body.title, body.members));
  mount(router, routes.renameGroup, ({ auth, params, body }) => groups.renameGroup(auth.user.id, params.id, body.title));
  mount(router, routes.addGroupMember, ({ auth, params }) => groups.addMember(auth.user.id, params.id, params.userId));
  mount(router, routes.removeGroupMember, ({ auth, params }) => groups.removeMember(auth.user.id, params.id, params.userId));
  // The route requires a session, checked by the mounter before a single byte of the body is read.
  mount(router, routes.uploadAttachment, ({ auth, req }) => {
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const fileName = req.get('x-file-name');
    return attachments.upload(auth.user.id, req, Number.isFinite(length) ? length : undefined, fileName ? decodeURIComponent(fileName) : undefined);
  });
  // Files never change under their id: the SHA-256 is their tag, and a picture the browser has is not sent again.
  mount(router, routes.attachment, async ({ auth, params, req, res }) => {
    const record = await attachments.open(auth.user.id, params.id);
    const etag = `"${record.sha256}"`;
    if (notModified(req, etag)) {
      setFileHeaders(res, record.contentType, etag);
      res.status(304).end();
      return;
    }
    const range = requestedRange(req, etag, record.size);
    if (range === 'unsatisfiable') {
      res.status(416).set('content-range', `bytes */${record.size}`).end();
      return;
    }
    // Opened before any header is set: a file missing from the store is still a plain JSON 404.
    const body = await attachments.read(record, range);
    setFileHeaders(res, record.contentType, etag);
    res.set({ 'accept-ranges': 'bytes', 'content-disposition': contentDisposition(record.fileName) });
    if (range) res.status(206).set({ 'content-range': `bytes ${range.start}-${range.end}/${record.size}`, 'content-length': String(range.end - range.start + 1) });
    else res.status(200).set('content-length', String(record.size));
    await streamFile(res, body, log);
  });
  mount(router, routes.attachmentThumbnail, async ({ auth, params, req, res }) => {
    const preview = await attachments.thumbnail(auth.user.id, params.id);
    if (notModified(req, preview.etag)) {
      setFileHeaders(res, 'image/webp', preview.etag);
      res.status(304).end();
      return;
    }
    // Read before any header is set: a preview not made yet is a plain 404 answer.
    const { body, size } = await preview.read();
    setFileHeaders(res, 'image/webp', preview.etag);
    res.status(200).set('content-length', String(size));
    await streamFile(res, body, log);
  });
  return router;
}
