import { z } from 'zod';
import {
  boundAccountsResponse,
  oauthTokens,
  redeemHandoffResponse,
  revokeTokenResponse,
  startOAuthResponse,
  type BoundAccountsResponse,
  type OAuthTokens,
  type RedeemHandoffResponse,
  type RevokeTokenResponse,
  type StartOAuthResponse,
} from '../../../common/contract/accounts.js';

/**
 * Desktop-side codes (not_signed_in, network_error, invalid_response, timeout, no_refresh_token, not_bound)
 * or any code the server answered with (contract errors.ts: handoff_not_found, provider_error, ...).
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

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The server's account-binding endpoints, as the desktop core calls them with its session token. */
export class AccountsApi {
  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  start(pluginId: string, body: { instance?: string; returnTo: string }): Promise<StartOAuthResponse> {
    return this.call('POST', `/v1/me/accounts/${pluginId}/oauth/start`, body, startOAuthResponse);
  }
  redeem(pluginId: string, handoff: string): Promise<RedeemHandoffResponse> {
    return this.call('POST', `/v1/me/accounts/${pluginId}/oauth/redeem`, { handoff }, redeemHandoffResponse);
  }
  refresh(pluginId: string, refreshToken: string, instance?: string): Promise<OAuthTokens> {
    return this.call('POST', `/v1/oauth/${pluginId}/refresh`, { refreshToken, ...(instance ? { instance } : {}) }, oauthTokens);
  }
  revoke(pluginId: string, token: string, tokenTypeHint: 'access_token' | 'refresh_token', instance?: string): Promise<RevokeTokenResponse> {
    return this.call('POST', `/v1/oauth/${pluginId}/revoke`, { token, tokenTypeHint, ...(instance ? { instance } : {}) }, revokeTokenResponse);
  }
  bound(): Promise<BoundAccountsResponse> {
    return this.call('GET', '/v1/me/accounts', undefined, boundAccountsResponse);
  }
  async forget(pluginId: string): Promise<void> {
    await this.call('DELETE', `/v1/me/accounts/${pluginId}`, undefined, z.undefined());
  }

  private async call<T>(method: string, pathname: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(pathname, this.serverUrl), {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new AccountsError('network_error', `cannot reach ${this.serverUrl}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new AccountsError('invalid_response', `${method} ${pathname} answered ${response.status} with something that is not JSON`, response.status);
    }
    if (!response.ok) {
      const failure = errorBody.safeParse(json);
      if (failure.success) throw new AccountsError(failure.data.error.code, failure.data.error.message, response.status);
      throw new AccountsError('invalid_response', `${method} ${pathname} answered ${response.status}`, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new AccountsError('invalid_response', `${method} ${pathname} answered in an unexpected shape`, response.status);
    return parsed.data;
  }
}
