import type http from 'node:http';
import { Router, type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import { accountsRoutes as routes } from '#common/contract/routes/accounts.js';
import { ApiError } from '../../http/api-error.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { Logger } from '../../platform/logger.js';
import type { Clock } from '../../platform/clock.js';
import type { OAuthStateRecord } from './accounts.repository.js';
import type { PublicBase } from './accounts.router.js';
import { callbackUrl, withParams, type AccountsService } from './accounts.service.js';
import type { OAuthTokens } from '#common/contract/accounts.js';
import type { ProviderEndpoints } from './oauth-providers.js';
import { tokensFromExchange } from './provider-http.js';

type PkceParameters = { codeChallenge?: string; codeVerifier?: () => string | undefined };

/**
 * passport-oauth2's strategy with PKCE (S256) added through its public hooks for extra authorization and
 * token parameters, one instance per request. Its built-in PKCE needs a store form that
 * @types/passport-oauth2 does not describe; this way the state store is the typed one.
 */
class PkceOAuth2Strategy extends OAuth2Strategy {
  constructor(
    private readonly pkce: PkceParameters,
    options: OAuth2Strategy.StrategyOptions,
    verify: OAuth2Strategy.VerifyFunction,
  ) {
    super(options, verify);
  }

  override authorizationParams(options: unknown): object {
    const challenge = this.pkce.codeChallenge;
    return { ...super.authorizationParams(options), ...(challenge === undefined ? {} : { code_challenge: challenge, code_challenge_method: 'S256' }) };
  }

  override tokenParams(options: unknown): object {
    const verifier = this.pkce.codeVerifier?.();
    return { ...super.tokenParams(options), ...(verifier === undefined ? {} : { code_verifier: verifier }) };
  }

  /** The agent its code exchange connects through (node-oauth's setAgent): the SSRF guard's checked address. */
  connectThrough(agent: http.Agent): void {
    this._oauth2.setAgent(agent);
  }
}

/**
 * The browser's side of binding. `authorize` spends the one-time start ticket and sends the browser to
 * the provider with state and PKCE (S256); `callback` checks the state, exchanges the code (passport-oauth2
 * with the database state store) and sends the browser to the desktop's return address with a handoff id.
 * Errors a person sees in the browser are a small page; API clients get the usual JSON.
 */
export function oauthBrowserRouter(mount: MountRoute, deps: { accounts: AccountsService; publicBase: PublicBase; clock: Clock; log: Logger }): Router {
  const { accounts, publicBase, clock, log } = deps;
  const authenticator = new passport.Passport();
  const router = Router();

  const strategyFor = (provider: ProviderEndpoints, base: string, pkce: PkceParameters) => {
    const strategy = new PkceOAuth2Strategy(
      pkce,
      {
        authorizationURL: provider.authorizationUrl,
        tokenURL: provider.tokenUrl,
        clientID: provider.clientId,
        clientSecret: provider.clientSecret,
        callbackURL: callbackUrl(base, provider.pluginId),
        scope: provider.scopes,
        state: true,
        store: accounts.stateStore,
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

  mount(router, routes.oauthAuthorize, async ({ params, query, req, res }) => {
    const base = publicBase(req);
    const { flow, provider } = await accounts.openFlow(params.plugin, query.start, base);
    const { codeChallenge } = accounts.stateStore.beginFlow(req, flow.id);
    // On success the strategy answers the redirect itself; the callback only sees failures.
    await new Promise<void>((resolve, reject) => {
      res.once('finish', () => resolve());
      authenticator.authenticate(strategyFor(provider, base, { codeChallenge }), { session: false }, (error: unknown) => {
        reject(error instanceof Error ? error : new ApiError(500, 'internal_error', 'could not send the browser to the network'));
      })(req, res, reject);
    });
  });

  mount(router, routes.oauthCallback, async ({ params, query, req, res }) => {
    const { plugin } = params;
    const base = publicBase(req);
    const { state } = query;
    const { flow, provider } = await accounts.flowForCallback(plugin, state, base);
    if (state === undefined) throw new ApiError(400, 'invalid_state', 'no state');
    if (query.error !== undefined) {
      const code = query.error === 'access_denied' ? 'access_denied' : 'provider_error';
      log.info({ plugin, providerError: query.error.slice(0, 100) }, 'oauth binding declined at the provider');
      res.redirect(303, await accounts.abandon(state, flow, code));
      return;
    }
    const pkce = { codeVerifier: () => accounts.stateStore.verifierFor(req) };
    await new Promise<void>((resolve, reject) => {
      authenticator.authenticate(strategyFor(provider, base, pkce), { session: false }, (error: unknown, tokens: OAuthTokens | false) => {
        finishCallback(flow, error, tokens, res).then(resolve, reject);
      })(req, res, reject);
    });
  });

  async function finishCallback(flow: OAuthStateRecord, error: unknown, tokens: OAuthTokens | false, res: Response): Promise<void> {
    if (error) {
      // The provider's reason only: its error object can carry the response body, never our secrets, but
      // there is no need to keep more than the code.
      const providerError = error instanceof OAuth2Strategy.TokenError ? error.code : error instanceof Error ? error.name : 'unknown';
      log.warn({ plugin: flow.pluginId, providerError }, 'oauth code exchange failed');
      res.redirect(303, withParams(flow.returnTo, { plugin: flow.pluginId, error: 'provider_error' }));
      return;
    }
    if (!tokens) {
      throw new ApiError(400, 'invalid_state', 'the answer from the network does not belong to a binding in progress (state used or missing its PKCE verifier)');
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
