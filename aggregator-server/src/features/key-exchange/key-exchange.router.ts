import { Router } from 'express';
import { keyExchangeRoutes as routes } from '#common/contract/routes/key-exchange.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { AuthContext } from '../identity/session.service.js';
import type { KeyExchangeCaller, KeyExchangeService } from './key-exchange.service.js';

const callerOf = (auth: AuthContext): KeyExchangeCaller => ({ userId: auth.user.id, deviceId: auth.session.deviceId, sessionId: auth.session.id });

export function keyExchangeRouter(mount: MountRoute, keyExchange: KeyExchangeService): Router {
  const router = Router();
  mount(router, routes.publishDeviceKey, ({ auth, body }) => keyExchange.publish(callerOf(auth), body.publicKey));
  mount(router, routes.keyDevices, ({ auth }) => keyExchange.devices(callerOf(auth)));
  mount(router, routes.approveDevice, ({ auth, params, body }) => keyExchange.approve(callerOf(auth), params.deviceId, body));
  mount(router, routes.rejectDevice, ({ auth, params }) => keyExchange.reject(callerOf(auth), params.deviceId));
  mount(router, routes.deviceBookKey, ({ auth }) => keyExchange.bookKey(callerOf(auth)));
  mount(router, routes.saveRecovery, ({ auth, body }) => keyExchange.saveRecovery(callerOf(auth), body));
  mount(router, routes.recovery, ({ auth }) => keyExchange.recovery(callerOf(auth)));
  return router;
}
