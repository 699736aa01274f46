import { Router } from 'express';
import { identitiesRoutes as routes } from '#common/contract/routes/identities.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { IdentitiesService } from './identities.service.js';

export function identitiesRouter(mount: MountRoute, identities: IdentitiesService): Router {
  const router = Router();
  mount(router, routes.myIdentities, ({ auth }) => identities.mine(auth.user.id));
  mount(router, routes.publishIdentity, ({ auth, params, body }) => identities.publish(auth.user.id, params.pluginId, body));
  mount(router, routes.removeIdentity, ({ auth, params }) => identities.remove(auth.user.id, params.pluginId));
  return router;
}
