import { Router } from 'express';
import { privacyRoutes as routes } from '#common/contract/routes/privacy.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { PrivacyService } from './privacy.service.js';

export function privacyRouter(mount: MountRoute, privacy: PrivacyService): Router {
  const router = Router();
  mount(router, routes.privacy, ({ auth }) => privacy.settings(auth.user.id));
  mount(router, routes.updatePrivacy, ({ auth, body }) => privacy.update(auth.user.id, body));

  mount(router, routes.blocklist, ({ auth }) => privacy.list('blocklist', auth.user.id));
  mount(router, routes.block, ({ auth, params }) => privacy.addToList('blocklist', auth.user.id, params.userId));
  mount(router, routes.unblock, ({ auth, params }) => privacy.removeFromList('blocklist', auth.user.id, params.userId));

  mount(router, routes.allowlist, ({ auth }) => privacy.list('allowlist', auth.user.id));
  mount(router, routes.allow, ({ auth, params }) => privacy.addToList('allowlist', auth.user.id, params.userId));
  mount(router, routes.disallow, ({ auth, params }) => privacy.removeFromList('allowlist', auth.user.id, params.userId));
  return router;
}
