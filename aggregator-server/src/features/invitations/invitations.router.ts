import { Router } from 'express';
import { invitationRoutes as routes } from '#common/contract/routes/invitations.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { InvitationsService } from './invitations.service.js';

export function invitationsRouter(mount: MountRoute, invitations: InvitationsService): Router {
  const router = Router();
  mount(router, routes.createInvitation, ({ auth, body }) => invitations.invite(auth, body));
  return router;
}
