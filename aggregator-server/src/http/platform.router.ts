import { Router } from 'express';
import { openApiDocument } from '#common/contract/openapi.js';
import { platformRoutes as routes } from '#common/contract/routes/platform.js';
import type { MountRoute } from './mount-route.js';

const apiVersion = '1';

/** Liveness and the API's own description, built once from the route table. */
export function platformRouter(mount: MountRoute): Router {
  const router = Router();
  const document = openApiDocument(apiVersion);
  mount(router, routes.health, () => ({ ok: true as const }));
  mount(router, routes.openApi, () => ({ ...document }));
  return router;
}
