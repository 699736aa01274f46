import { Router } from 'express';
import { platformRoutes as routes } from '../../../../common/contract/routes/platform.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { OutboxGateway } from './outbox-gateway.js';

/** The outbox as a phone would show it. Mounted only with the outbox provider. */
export function devSmsRouter(mount: MountRoute, outbox: OutboxGateway): Router {
  const router = Router();
  mount(router, routes.devSms, ({ query }) => {
    // An unencoded "+" in a query string arrives as a space; accept both spellings of E.164.
    const recipient = query.to === undefined ? undefined : query.to.trim().replace(/^(?=\d)/, '+');
    return outbox.list(recipient);
  });
  return router;
}
