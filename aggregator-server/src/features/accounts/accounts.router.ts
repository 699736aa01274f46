import { Router, type Request } from 'express';
import { accountsRoutes as routes } from '#common/contract/routes/accounts.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { AccountsService } from './accounts.service.js';

export type PublicBase = (req: Request) => string;

/** The desktop's side of binding: JSON, every route authenticated (the table says so). */
export function accountsRouter(mount: MountRoute, deps: { accounts: AccountsService; publicBase: PublicBase }): Router {
  const { accounts, publicBase } = deps;
  const router = Router();

  mount(router, routes.boundAccounts, ({ auth }) => accounts.list(auth.user.id));
  mount(router, routes.unbindAccount, async ({ auth, params }) => {
    await accounts.unbind(auth.user.id, params.plugin);
  });
  mount(router, routes.startOAuth, ({ auth, params, body, req }) => accounts.start(auth, params.plugin, body, publicBase(req)));
  mount(router, routes.redeemHandoff, ({ auth, params, body }) => accounts.redeem(auth, params.plugin, body.handoff));

  // Stateless towards the network: the server adds its client secret and remembers nothing. Signed-in
  // users only, so the server's client credentials are not an open proxy.
  // Refresh and revoke only for a network (and instance) this user has bound.
  mount(router, routes.refreshToken, ({ auth, params, body, req }) => accounts.refresh(auth, params.plugin, body.refreshToken, body.instance, publicBase(req)));
  mount(router, routes.revokeToken, ({ auth, params, body, req }) =>
    accounts.revoke(auth, params.plugin, body.token, body.tokenTypeHint, body.instance, publicBase(req)),
  );

  return router;
}
