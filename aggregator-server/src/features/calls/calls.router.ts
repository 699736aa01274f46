import { Router } from 'express';
import { callsRoutes as routes } from '#common/contract/routes/calls.js';
import type { CallSettings } from '../../config.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { Clock } from '../../platform/clock.js';
import { iceServersFor } from './ice-servers.js';

export function callsRouter(mount: MountRoute, settings: CallSettings, clock: Clock): Router {
  const router = Router();
  mount(router, routes.callIceServers, ({ auth }) => iceServersFor(auth.user.id, settings, clock.now()));
  return router;
}
