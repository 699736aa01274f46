import { Router } from 'express';
import { messagesRoutes as routes } from '../../../../common/contract/routes/messages.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { MessagesService } from './messages.service.js';

export function messagesRouter(mount: MountRoute, messages: MessagesService): Router {
  const router = Router();
  mount(router, routes.conversations, ({ auth }) => messages.conversations(auth.user.id));
  mount(router, routes.conversationMessages, ({ auth, params, query }) => messages.history(auth.user.id, params.id, query.before, query.limit));
  mount(router, routes.createGroup, ({ auth, body }) => messages.createGroup(auth.user.id, body.title, body.members));
  mount(router, routes.renameGroup, ({ auth, params, body }) => messages.renameGroup(auth.user.id, params.id, body.title));
  mount(router, routes.addGroupMember, ({ auth, params }) => messages.addMember(auth.user.id, params.id, params.userId));
  mount(router, routes.removeGroupMember, ({ auth, params }) => messages.removeMember(auth.user.id, params.id, params.userId));
  return router;
}
