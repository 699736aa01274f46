import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  oauthTokens,
  type BoundAccountsResponse,
  type OAuthTokens,
  type RedeemHandoffResponse,
  type RevokeTokenResponse,
  type StartOAuthResponse,
} from '#common/contract/accounts.js';
import { routePath, routes } from '#common/contract/routes.js';
import { ApiError } from '../../http/api-error.js';
import { toIso, type Clock } from '../../platform/clock.js';
import { generateToken, hashToken } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import type { AuthContext } from '../identity/session.service.js';
import type { AccountsRepository, OAuthStateRecord } from './accounts.repository.js';
import { DatabaseStateStore } from './database-state-store.js';
import type { OAuthProviders, ProviderEndpoints } from './oauth-providers.js';
import { parseTokenAnswer, postToProvider, providerRefusal } from './provider-http.js';
import type { Sealer } from './sealing.js';
import { assertAllowedReturnTo } from './public-origin.js';

/** How long a binding attempt may take from start to callback: a person logs in at the provider. */
export const flowTtlMs = 10 * 60_000;
/** How long the tokens wait, sealed, for the desktop to redeem them. */
export const handoffTtlMs = 2 * 60_000;

const handoffPayload = oauthTokens.extend({ instance: z.string().optional() });
const handoffContext = (idHash: string) => `handoff:${idHash}`;

/** The public URL of the OAuth callback route for one plugin: the redirect URI registered with every provider. */
export function callbackUrl(publicBase: string, pluginId: string): string {
  return publicBase + routePath(routes.oauthCallback, { plugin: pluginId });
}

/**
 * Account binding (M19). The server runs the OAuth2 code flow with state and PKCE because it holds the
 * client secrets, passes the tokens to the desktop once through a sealed two-minute handoff that only
 * the same user and device can redeem, and keeps nothing but the list of bound networks.
 */
export class AccountsService {
  readonly stateStore: DatabaseStateStore;

  constructor(
    private readonly deps: {
      repo: AccountsRepository;
      providers: OAuthProviders;
      sealer: Sealer;
      clock: Clock;
      log: Logger;
    },
  ) {
    this.stateStore = new DatabaseStateStore(deps);
  }

  /** Account deletion: the networks the user bound and any binding in progress. */
  deleteUser(userId: string): Promise<void> {
    return this.deps.repo.deleteUser(userId);
  }

  async start(auth: AuthContext, pluginId: string, request: { instance?: string | undefined; returnTo: string }, publicBase: string): Promise<StartOAuthResponse> {
    const { repo, providers, clock } = this.deps;
    assertAllowedReturnTo(request.returnTo, publicBase);
    // Registering on a federated instance happens here, so its failures reach the desktop as JSON
    // rather than in a browser tab.
    await providers.resolve(pluginId, request.instance, callbackUrl(publicBase, pluginId), { register: true });
    const now = clock.now();
    await repo.purgeExpired(now);
    const ticket = generateToken();
    await repo.createState({
      id: randomUUID(),
      startHash: hashToken(ticket),
      userId: auth.user.id,
      deviceId: auth.session.deviceId,
      pluginId,
      instance: request.instance,
      returnTo: request.returnTo,
      now,
      expiresAt: now + flowTtlMs,
    });
    const authorizeUrl = `${publicBase}${routePath(routes.oauthAuthorize, { plugin: pluginId })}?start=${encodeURIComponent(ticket)}`;
    return { authorizeUrl, expiresIn: Math.round(flowTtlMs / 1000) };
  }

  /** The browser opened the one-time authorize URL: spend it and say where the provider is. */
  async openFlow(pluginId: string, startTicket: string, publicBase: string): Promise<{ flow: OAuthStateRecord; provider: ProviderEndpoints }> {
    const flow = await this.deps.repo.consumeStart(hashToken(startTicket), this.deps.clock.now());
    if (!flow || flow.pluginId !== pluginId) {
      throw new ApiError(400, 'invalid_state', 'this sign-in link was used already or has expired; start binding again from Switchboard');
    }
    const provider = await this.deps.providers.resolve(pluginId, flow.instance, callbackUrl(publicBase, pluginId), { register: false });
    return { flow, provider };
  }

  /** The provider sent the browser back: which attempt it belongs to, without using it up yet. */
  async flowForCallback(pluginId: string, state: unknown, publicBase: string): Promise<{ flow: OAuthStateRecord; provider: ProviderEndpoints }> {
    const flow = typeof state === 'string' && state.length <= 256 ? await this.deps.repo.peekState(hashToken(state), this.deps.clock.now()) : undefined;
    if (!flow || flow.pluginId !== pluginId) {
      throw new ApiError(400, 'invalid_state', 'the answer from the network does not belong to a binding in progress (unknown, used or expired state)');
    }
    const provider = await this.deps.providers.resolve(pluginId, flow.instance, callbackUrl(publicBase, pluginId), { register: false });
    return { flow, provider };
  }

  /** The person declined at the provider, or the provider failed: end the attempt and tell the desktop. */
  async abandon(state: string, flow: OAuthStateRecord, code: 'access_denied' | 'provider_error'): Promise<string> {
    await this.deps.repo.takeState(hashToken(state), this.deps.clock.now());
    return withParams(flow.returnTo, { plugin: flow.pluginId, error: code });
  }

  /** The code exchange succeeded: seal the tokens for the desktop; answers where the browser goes next. */
  async handOff(flow: OAuthStateRecord, tokens: OAuthTokens): Promise<string> {
    const now = this.deps.clock.now();
    const handoff = generateToken();
    const idHash = hashToken(handoff);
    const payload = JSON.stringify({ ...tokens, ...(flow.instance ? { instance: flow.instance } : {}) });
    await this.deps.repo.createHandoff({
      idHash,
      userId: flow.userId,
      deviceId: flow.deviceId,
      pluginId: flow.pluginId,
      sealedPayload: this.deps.sealer.seal(payload, handoffContext(idHash)),
      now,
      expiresAt: now + handoffTtlMs,
    });
    this.deps.log.info({ plugin: flow.pluginId, userId: flow.userId }, 'oauth binding ready for the desktop');
    return withParams(flow.returnTo, { plugin: flow.pluginId, handoff });
  }

  async redeem(auth: AuthContext, pluginId: string, handoff: string): Promise<RedeemHandoffResponse> {
    const { repo, sealer, clock } = this.deps;
    const now = clock.now();
    const idHash = hashToken(handoff);
    const taken = await repo.takeHandoff(idHash, { userId: auth.user.id, deviceId: auth.session.deviceId, pluginId }, now);
    // Sealed tokens nobody came for should not outlive their two minutes by much: sweep on every redeem too.
    await repo.purgeExpired(now);
    // One answer for unknown, used, expired and someone else's: none of them may learn which it was.
    const notFound = new ApiError(404, 'handoff_not_found', 'no such handoff for this account and device (used, expired or unknown); bind again');
    if (!taken) throw notFound;
    const payload = handoffPayload.safeParse(parseJson(sealer.open(taken.sealedPayload, handoffContext(idHash))));
    if (!payload.success) throw notFound;
    await repo.bind(auth.user.id, pluginId, payload.data.instance, now);
    return { ...payload.data, plugin: pluginId, boundAt: now };
  }

  /**
   * Stateless: the server adds its client credentials to the desktop's refresh token and keeps nothing.
   * Only for a network (and instance) the user has bound: the server's client secret is not lent out to
   * refresh tokens of other people's accounts or of instances the user never bound.
   */
  async refresh(auth: AuthContext, pluginId: string, refreshToken: string, instance: string | undefined, publicBase: string): Promise<OAuthTokens> {
    await this.assertBound(auth, pluginId, instance);
    const provider = await this.deps.providers.resolve(pluginId, instance, callbackUrl(publicBase, pluginId), { register: false });
    const answer = await postToProvider(
      provider.tokenUrl,
      { form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: provider.clientId, client_secret: provider.clientSecret } },
      provider.agentFor?.(provider.tokenUrl),
    );
    return parseTokenAnswer(answer, this.deps.clock.now(), 'refreshing the token');
  }

  /** RFC 7009, where the network has a revocation endpoint. */
  async revoke(auth: AuthContext, pluginId: string, token: string, tokenTypeHint: string | undefined, instance: string | undefined, publicBase: string): Promise<RevokeTokenResponse> {
    await this.assertBound(auth, pluginId, instance);
    const provider = await this.deps.providers.resolve(pluginId, instance, callbackUrl(publicBase, pluginId), { register: false });
    if (!provider.revocationUrl) return { revoked: false, reason: 'not_supported' };
    const answer = await postToProvider(
      provider.revocationUrl,
      { form: { token, ...(tokenTypeHint ? { token_type_hint: tokenTypeHint } : {}), client_id: provider.clientId, client_secret: provider.clientSecret } },
      provider.agentFor?.(provider.revocationUrl),
    );
    if (answer.status < 200 || answer.status >= 300) throw providerRefusal(answer, 'revoking the token');
    return { revoked: true };
  }

  private async assertBound(auth: AuthContext, pluginId: string, instance: string | undefined): Promise<void> {
    const binding = await this.deps.repo.binding(auth.user.id, pluginId);
    if (!binding || (binding.instance ?? undefined) !== instance) {
      throw new ApiError(403, 'not_bound', 'this account is not bound to that network (or instance) here; bind it first');
    }
  }

  async list(userId: string): Promise<BoundAccountsResponse> {
    const accounts = await this.deps.repo.boundAccounts(userId);
    return { accounts: accounts.map((account) => ({ pluginId: account.pluginId, kind: 'oauth2' as const, boundAt: toIso(account.boundAt) })) };
  }

  async unbind(userId: string, pluginId: string): Promise<boolean> {
    return this.deps.repo.unbind(userId, pluginId);
  }
}

export function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
