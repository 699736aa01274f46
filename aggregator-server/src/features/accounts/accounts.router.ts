import { Router, type Request } from 'express';
import {
  pluginIdParam,
  redeemHandoffRequest,
  refreshTokenRequest,
  revokeTokenRequest,
  startOAuthRequest,
} from '../../../../common/contract/accounts.js';
import { ApiError } from '../../http/api-error.js';
import { authOf, requireAuth } from '../../http/auth.js';
import { parseBody } from '../../http/validate.js';
import type { SessionService } from '../identity/session.service.js';
import type { AccountsService } from './accounts.service.js';

export type PublicBase = (req: Request) => string;

export function pluginOf(req: Request): string {
  const plugin = pluginIdParam.safeParse(req.params.plugin);
  if (!plugin.success) throw new ApiError(404, 'not_found', 'no such plugin');
  return plugin.data;
}

/** The desktop's side of binding: JSON, every route authenticated. */
export function accountsRouter(deps: { accounts: AccountsService; sessions: SessionService; publicBase: PublicBase }): Router {
  const { accounts, publicBase } = deps;
  const router = Router();
  const authed = requireAuth(deps.sessions);

  router.get('/v1/me/accounts', authed, async (_req, res) => {
    res.json(await accounts.list(authOf(res).user.id));
  });

  router.delete('/v1/me/accounts/:plugin', authed, async (req, res) => {
    await accounts.unbind(authOf(res).user.id, pluginOf(req));
    res.status(204).end();
  });

  router.post('/v1/me/accounts/:plugin/oauth/start', authed, async (req, res) => {
    const plugin = pluginOf(req);
    const body = parseBody(startOAuthRequest, req.body ?? {});
    res.status(201).json(await accounts.start(authOf(res), plugin, body, publicBase(req)));
  });

  router.post('/v1/me/accounts/:plugin/oauth/redeem', authed, async (req, res) => {
    const plugin = pluginOf(req);
    const body = parseBody(redeemHandoffRequest, req.body);
    res.json(await accounts.redeem(authOf(res), plugin, body.handoff));
  });

  // Stateless towards the network: the server adds its client secret and remembers nothing. Signed-in
  // users only, so the server's client credentials are not an open proxy.
  router.post('/v1/oauth/:plugin/refresh', authed, async (req, res) => {
    const plugin = pluginOf(req);
    const body = parseBody(refreshTokenRequest, req.body);
    res.json(await accounts.refresh(authOf(res), plugin, body.refreshToken, body.instance, publicBase(req)));
  });

  router.post('/v1/oauth/:plugin/revoke', authed, async (req, res) => {
    const plugin = pluginOf(req);
    const body = parseBody(revokeTokenRequest, req.body);
    res.json(await accounts.revoke(authOf(res), plugin, body.token, body.tokenTypeHint, body.instance, publicBase(req)));
  });

  return router;
}
