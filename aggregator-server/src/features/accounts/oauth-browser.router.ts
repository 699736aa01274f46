import type http from 'node:http';
import { Router, type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import { z } from 'zod';
import { ApiError } from '../../http/api-error.js';
import type { Logger } from '../../platform/logger.js';
import type { Clock } from '../../platform/clock.js';
import type { OAuthStateRecord } from './accounts.repository.js';
import { pluginOf, type PublicBase } from './accounts.router.js';
import { callbackUrl, withParams, type AccountsService } from './accounts.service.js';
import type { OAuthTokens } from '../../../../common/contract/accounts.js';
import type { FlowReference } from './database-state-store.js';
import type { ProviderEndpoints } from './oauth-providers.js';
import { tokensFromExchange } from './provider-http.js';

/** passport-oauth2 with the agent its code exchange connects through (node-oauth's setAgent). */
class GuardedOAuth2Strategy extends OAuth2Strategy {
  connectThrough(agent: http.Agent): void {
    this._oauth2.setAgent(agent);
  }
}

const startQuery = z.object({ start: z.string().min(16).max(128) });

/**
 * The browser's side of binding. `authorize` spends the one-time start ticket and sends the browser to
 * the provider with state and PKCE (S256); `callback` checks the state, exchanges the code (passport-oauth2
 * with the database state store) and sends the browser to the desktop's return address with a handoff id.
 * Errors a person sees in the browser are a small page; API clients get the usual JSON.
 */
export function oauthBrowserRouter(deps: { accounts: AccountsService; publicBase: PublicBase; clock: Clock; log: Logger }): Router {
  const { accounts, publicBase, clock, log } = deps;
  const authenticator = new passport.Passport();
  const router = Router();

  const strategyFor = (provider: ProviderEndpoints, base: string) => {
    const strategy = new GuardedOAuth2Strategy(
      {
        authorizationURL: provider.authorizationUrl,
        tokenURL: provider.tokenUrl,
        clientID: provider.clientId,
        clientSecret: provider.clientSecret,
        callbackURL: callbackUrl(base, provider.pluginId),
        scope: provider.scopes,
        pkce: true,
        state: true,
        store: accounts.stateStore.asPassportStore(),
        skipUserProfile: true,
      },
      (accessToken: string, refreshToken: string, results: unknown, _profile: unknown, verified: OAuth2Strategy.VerifyCallback) => {
        verified(null, tokensFromExchange(accessToken, refreshToken, results, clock.now()));
      },
    );
    // The code exchange with a user-named instance goes through the SSRF guard like every other call.
    const agent = provider.agentFor?.(provider.tokenUrl);
    if (agent) strategy.connectThrough(agent);
    return strategy;
  };

  router.get('/v1/oauth/:plugin/authorize', async (req, res, next) => {
    const plugin = pluginOf(req);
    const query = startQuery.safeParse(req.query);
    if (!query.success) throw new ApiError(400, 'invalid_state', 'this sign-in link is incomplete; start binding again from Switchboard');
    const base = publicBase(req);
    const { flow, provider } = await accounts.openFlow(plugin, query.data.start, base);
    const flowReference: FlowReference = { flowId: flow.id };
    // passport types `state` as a string, but passes it to the strategy untouched, and passport-oauth2
    // hands a non-string state to our store (a string would be sent to the provider as is, skipping it).
    const state = flowReference as unknown as string;
    // On success the strategy answers the redirect itself; the callback only sees failures.
    authenticator.authenticate(strategyFor(provider, base), { session: false, state }, (error: unknown) => {
      next(error instanceof Error ? error : new ApiError(500, 'internal_error', 'could not send the browser to the network'));
    })(req, res, next);
  });

  router.get('/v1/oauth/:plugin/callback', async (req, res, next) => {
    const plugin = pluginOf(req);
    const base = publicBase(req);
    const state = req.query.state;
    const { flow, provider } = await accounts.flowForCallback(plugin, state, base);
    if (typeof state !== 'string') throw new ApiError(400, 'invalid_state', 'no state');
    if (req.query.error !== undefined) {
      const code = req.query.error === 'access_denied' ? 'access_denied' : 'provider_error';
      log.info({ plugin, providerError: String(req.query.error).slice(0, 100) }, 'oauth binding declined at the provider');
      res.redirect(303, await accounts.abandon(state, flow, code));
      return;
    }
    authenticator.authenticate(strategyFor(provider, base), { session: false }, (error: unknown, tokens: OAuthTokens | false) => {
      finishCallback(flow, error, tokens, res, next).catch(next);
    })(req, res, next);
  });

  async function finishCallback(flow: OAuthStateRecord, error: unknown, tokens: OAuthTokens | false, res: Response, next: NextFunction): Promise<void> {
    if (error) {
      // The provider's reason only: its error object can carry the response body, never our secrets, but
      // there is no need to keep more than the code.
      const providerError = error instanceof OAuth2Strategy.TokenError ? error.code : error instanceof Error ? error.name : 'unknown';
      log.warn({ plugin: flow.pluginId, providerError }, 'oauth code exchange failed');
      res.redirect(303, withParams(flow.returnTo, { plugin: flow.pluginId, error: 'provider_error' }));
      return;
    }
    if (!tokens) {
      next(new ApiError(400, 'invalid_state', 'the answer from the network does not belong to a binding in progress (state used or missing its PKCE verifier)'));
      return;
    }
    res.redirect(303, await accounts.handOff(flow, tokens));
  }

  router.use(browserErrorPage);
  return router;
}

/** A person in a browser gets a readable page with the code; anything else falls through to JSON. */
const browserErrorPage: ErrorRequestHandler = (error: unknown, req: Request, res: Response, next: NextFunction) => {
  if (!(error instanceof ApiError) || req.accepts(['json', 'html']) !== 'html') {
    next(error);
    return;
  }
  res
    .status(error.status)
    .type('html')
    .send(
      `<!doctype html><meta charset="utf-8"><title>Switchboard</title>` +
        `<main data-error-code="${escapeHtml(error.code)}"><h1>Switchboard could not bind this account</h1>` +
        `<p>${escapeHtml(error.message)}</p><p><code>${escapeHtml(error.code)}</code></p></main>`,
    );
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
