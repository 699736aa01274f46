import { Router } from 'express';
import { postsRoutes as routes } from '#common/contract/routes/posts.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { ProfileService } from './profile.service.js';

export function profileRouter(mount: MountRoute, profiles: ProfileService): Router {
  const router = Router();
  mount(router, routes.myProfile, ({ auth }) => profiles.mine(auth.user.id));
  mount(router, routes.updateMyProfile, ({ auth, body }) => profiles.update(auth.user.id, body));
  mount(router, routes.userProfile, ({ auth, params }) => profiles.viewFor(auth.user.id, params.userId));
  return router;
}
