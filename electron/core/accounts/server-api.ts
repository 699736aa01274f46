import type { OAuthTokens, BoundAccountsResponse, RedeemHandoffResponse, RevokeTokenResponse, StartOAuthResponse } from '#common/contract/accounts.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient, type CallableRoute } from '#common/contract/http-client.js';
import type { RouteAnswer, RouteRequest } from '#common/contract/route.js';
import { routes } from '#common/contract/routes.js';

/**
 * Desktop-side codes (not_signed_in, network_error, invalid_response, timeout, no_refresh_token, not_bound)
 * or any code the server answered with (handoff_not_found, provider_error, ...: common/contract/errors.ts).
 */
export type AccountsErrorCode = string;

export class AccountsError extends Error {
  override readonly name = 'AccountsError';
  constructor(
    readonly code: AccountsErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The server's account-binding routes, as the desktop core calls them with its session token. */
export class AccountsApi {
  private readonly client: SwitchboardClient;

  constructor(serverUrl: string, token: string, fetchImpl?: typeof fetch) {
    this.client = new SwitchboardClient({ baseUrl: serverUrl, token: () => token, timeoutMs: 30_000, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  }

  start(plugin: string, body: { instance?: string; returnTo: string }): Promise<StartOAuthResponse> {
    return this.call(routes.startOAuth, { params: { plugin }, body });
  }
  redeem(plugin: string, handoff: string): Promise<RedeemHandoffResponse> {
    return this.call(routes.redeemHandoff, { params: { plugin }, body: { handoff } });
  }
  refresh(plugin: string, refreshToken: string, instance?: string): Promise<OAuthTokens> {
    return this.call(routes.refreshToken, { params: { plugin }, body: { refreshToken, ...(instance ? { instance } : {}) } });
  }
  revoke(plugin: string, token: string, tokenTypeHint: 'access_token' | 'refresh_token', instance?: string): Promise<RevokeTokenResponse> {
    return this.call(routes.revokeToken, { params: { plugin }, body: { token, tokenTypeHint, ...(instance ? { instance } : {}) } });
  }
  bound(): Promise<BoundAccountsResponse> {
    return this.call(routes.boundAccounts, {});
  }
  async forget(plugin: string): Promise<void> {
    await this.call(routes.unbindAccount, { params: { plugin } });
  }

  /** The shared client's failures in the accounts' own terms, which the bridge passes on to the UI. */
  private async call<R extends CallableRoute>(route: R, request: RouteRequest<R>): Promise<RouteAnswer<R>> {
    try {
      return await this.client.call(route, request);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      throw new AccountsError(error.offline ? 'network_error' : error.code, error.message, error.offline ? undefined : error.status);
    }
  }
}
