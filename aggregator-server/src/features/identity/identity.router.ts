import { Router } from 'express';
import { identityRoutes as routes } from '#common/contract/routes/identity.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { AccountService } from './account.service.js';
import type { SessionService } from './session.service.js';
import type { VerificationService } from './verification.service.js';

export function identityRouter(mount: MountRoute, deps: { verifications: VerificationService; sessions: SessionService; accounts: AccountService }): Router {
  const { verifications, sessions, accounts } = deps;
  const router = Router();

  mount(router, routes.startVerification, ({ body, ip }) => verifications.start(body, ip));
  mount(router, routes.checkCode, ({ params, body, ip }) => verifications.check(params.verificationId, body.code, ip));
  mount(router, routes.createSession, ({ body, ip }) => sessions.loginWithTicket(body.ticket, body.device, ip));
  mount(router, routes.passwordSession, ({ body, ip }) => sessions.loginWithPassword(body, ip));
  mount(router, routes.endSession, ({ auth }) => sessions.logout(auth));

  mount(router, routes.me, ({ auth }) => accounts.me(auth.user.id));
  mount(router, routes.setPassword, ({ auth, body }) => accounts.setPassword(auth, body));
  mount(router, routes.addPhone, ({ auth, body }) => accounts.addPhone(auth.user.id, body.ticket));
  mount(router, routes.changePhone, ({ auth, body }) => accounts.changePrimaryPhone(auth.user.id, body.ticket));
  mount(router, routes.removePhone, ({ auth, params }) => accounts.removePhone(auth.user.id, params.phone));
  mount(router, routes.devices, ({ auth }) => accounts.devices(auth));
  mount(router, routes.updateDevice, ({ auth, params, body }) => accounts.updateDevice(auth.user.id, params.deviceId, body));
  mount(router, routes.signOutDevice, ({ auth, params }) => accounts.signOutDevice(auth.user.id, params.deviceId));
  mount(router, routes.logins, ({ auth, query }) => accounts.logins(auth.user.id, query.limit));

  // Operators set user types (normal, paid, VIP); the table's `admin` auth hides the route without SWITCHBOARD_ADMIN_TOKEN.
  mount(router, routes.setUserType, ({ params, body }) => accounts.setUserType(params.userId, body.type));

  return router;
}
