import { Router } from 'express';
import { postsRoutes } from '#common/contract/routes/posts.js';
import { ApiError } from '../../http/api-error.js';
import type { MountRoute } from '../../http/mount-route.js';

/** The contract of issue 16 mounted ahead of its implementation: every route answers 501 for now. */
export function postsRouter(mount: MountRoute): Router {
  const router = Router();
  for (const route of Object.values(postsRoutes)) {
    mount(router, route, () => {
      throw new ApiError(501, 'not_implemented', 'profiles and posts are being built');
    });
  }
  return router;
}
