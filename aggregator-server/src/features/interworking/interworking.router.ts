import { Router } from 'express';
import { interworkingRoutes as routes } from '#common/contract/routes/interworking.js';
import { ApiError } from '../../http/api-error.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { InterworkingService } from './interworking.service.js';

/** The allowlist of outside addresses; answers 503 `unavailable` on a server without an XMPP bridge. */
export function interworkingRouter(mount: MountRoute, interworking: InterworkingService | undefined): Router {
  const router = Router();
  const service = (): InterworkingService => {
    if (!interworking) throw new ApiError(503, 'unavailable', 'this server does not reach other networks');
    return interworking;
  };
  mount(router, routes.myOutsideContacts, ({ auth }) => service().contacts(auth.user.id));
  mount(router, routes.allowOutsideContact, ({ auth, params }) => service().allow(auth.user.id, params.address));
  mount(router, routes.removeOutsideContact, ({ auth, params }) => service().remove(auth.user.id, params.address));
  return router;
}
