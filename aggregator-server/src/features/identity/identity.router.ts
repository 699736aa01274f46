import { Router, type Request, type Response } from 'express';
import { identityRoutes as routes } from '#common/contract/routes/identity.js';
import type { MountRoute } from '../../http/mount-route.js';
import { clearSessionCookies, isSecureRequest, setSessionCookies } from '../../http/session-cookie.js';
import type { AccountService } from './account.service.js';
import type { OpenedSession, SessionCarrier, SessionService } from './session.service.js';
import type { VerificationService } from './verification.service.js';

export function identityRouter(
  mount: MountRoute,
  deps: { verifications: VerificationService; sessions: SessionService; accounts: AccountService; publicUrl: string | undefined },
): Router {
  const { verifications, sessions, accounts, publicUrl } = deps;
  const router = Router();

  /** A cookie session's token goes into the HttpOnly cookie, never into the answer a script reads. */
  const answer = (opened: OpenedSession, req: Request, res: Response) => {
    const { session, token } = opened;
    if (session.webCookie !== null && session.idleTtlMs !== null) {
      setSessionCookies(res, token, { kind: session.webCookie, maxAgeMs: session.idleTtlMs, secure: isSecureRequest(req, publicUrl) });
    }
    return opened.answer;
  };
  const carrierOf = (body: { session: 'bearer' | 'cookie'; keepSignedIn: boolean }): SessionCarrier =>
    body.session === 'cookie' ? { kind: 'cookie', keepSignedIn: body.keepSignedIn } : { kind: 'bearer' };

  mount(router, routes.startVerification, ({ body, ip }) => verifications.start(body, ip));
  mount(router, routes.checkCode, ({ params, body, ip }) => verifications.check(params.verificationId, body.code, ip));
  mount(router, routes.createSession, async ({ body, ip, req, res }) => answer(await sessions.loginWithTicket(body.ticket, body.device, ip, carrierOf(body)), req, res));
  mount(router, routes.passwordSession, async ({ body, ip, req, res }) => answer(await sessions.loginWithPassword(body, ip, carrierOf(body)), req, res));
  mount(router, routes.endSession, async ({ auth, req, res }) => {
    await sessions.logout(auth);
    clearSessionCookies(res, isSecureRequest(req, publicUrl));
  });

  mount(router, routes.delegateSession, ({ auth }) => sessions.delegate(auth));
  mount(router, routes.me, ({ auth }) => accounts.me(auth.user.id));
  mount(router, routes.deleteAccount, async ({ auth, body, ip, req, res }) => {
    await accounts.deleteAccount(auth, body, ip);
    clearSessionCookies(res, isSecureRequest(req, publicUrl));
  });
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
