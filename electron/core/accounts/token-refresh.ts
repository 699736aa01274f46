import { PluginHostError, type PluginHost } from '../plugin-host/index.js';
import { credentialAccount, type OAuthCredential, type Vault } from '../vault/index.js';

export interface TokenRefreshOptions {
  vault: Vault;
  /** The network's plugin host, whose adapter may refresh tokens its own way (`refreshToken`). */
  host: PluginHost | undefined;
  /** The server's stateless RFC 6749 refresh (electron/core/accounts), for adapters without their own. */
  serverRefresh(pluginId: string, accountId: string): Promise<unknown>;
  now?: () => number;
}

/** A token this close to its expiry is refreshed before use. */
export const REFRESH_MARGIN_MS = 60_000;

export function expiresSoon(credential: OAuthCredential, now: number): boolean {
  return credential.expiresAt !== undefined && credential.expiresAt - REFRESH_MARGIN_MS <= now;
}

/**
 * Renews a bound OAuth account's tokens: through the plugin's adapter when it implements
 * `refreshToken` (networks whose refresh is not plain RFC 6749), else through the server. The new
 * tokens go straight to the keychain. Answers whether anything was renewed.
 */
export async function refreshBoundToken(options: TokenRefreshOptions, pluginId: string, accountId: string): Promise<boolean> {
  const account = credentialAccount(pluginId, accountId);
  const credential = await options.vault.getSecret(account);
  if (credential?.type !== 'oauth2' || credential.refreshToken === undefined) return false;
  if (options.host !== undefined) {
    try {
      const tokens = await options.host.refreshToken(credential.refreshToken, { accountId });
      const now = (options.now ?? Date.now)();
      const { expiresAt: _previousExpiry, ...kept } = credential;
      await options.vault.setSecret(account, {
        ...kept,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? credential.refreshToken,
        ...(tokens.scopes === undefined ? {} : { scope: tokens.scopes.join(' ') }),
        ...(tokens.expiresIn === undefined ? {} : { expiresAt: now + tokens.expiresIn * 1000 }),
      });
      return true;
    } catch (error) {
      if (!(error instanceof PluginHostError && error.code === 'not_implemented')) throw error;
    }
  }
  await options.serverRefresh(pluginId, accountId);
  return true;
}
