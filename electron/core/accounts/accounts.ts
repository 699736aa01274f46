import type { RevokeTokenResponse } from '#common/contract/accounts.js';
import { credentialAccount, sessionAccount, type CredentialAccount, type OAuthCredential, type Vault } from '../vault/index.js';
import { startLoopbackReceiver, type HandoffReceiver } from './loopback.js';
import { AccountsApi, AccountsError } from './server-api.js';

export type AccountsDeps = {
  serverUrl: string;
  vault: Vault;
  /** Opens the system browser (Electron's shell.openExternal; `xdg-open` headless). */
  openExternal(url: string): Promise<void> | void;
  /** Where the handoff arrives: a loopback listener by default; Electron may pass its deep-link receiver. */
  receiver?: () => Promise<HandoffReceiver>;
  fetch?: typeof fetch;
  /** The server client for a session token; the desktop core builds its clients in one place (electron/core/app/server-clients.ts). */
  accountsApi?: (token: string) => AccountsApi;
};

export type BoundCredential = { account: CredentialAccount; credential: OAuthCredential };

/** A network account's id in the vault: its instance for federated networks, else one account per network. */
export function accountIdFor(instance: string | undefined): string {
  return instance ?? 'default';
}

/**
 * Binding third-party accounts from the desktop (M19). Tokens travel from the server's handoff straight
 * into the OS keychain; nothing here writes them anywhere else.
 */
export function createAccounts(deps: AccountsDeps) {
  const api = async () => {
    const session = await deps.vault.getSecret(sessionAccount(deps.serverUrl));
    if (!session) throw new AccountsError('not_signed_in', `not signed in to ${deps.serverUrl}: run switchboard login first`);
    return deps.accountsApi?.(session.token) ?? new AccountsApi(deps.serverUrl, session.token, deps.fetch);
  };

  async function oauthCredential(pluginId: string, accountId: string): Promise<{ account: CredentialAccount; credential: OAuthCredential | undefined }> {
    const account = credentialAccount(pluginId, accountId);
    const stored = await deps.vault.getSecret(account);
    return { account, credential: stored?.type === 'oauth2' ? stored : undefined };
  }

  return {
    /** start → system browser → provider → handoff → redeem → keychain. */
    async bindOAuth(pluginId: string, options: { instance?: string } = {}): Promise<BoundCredential> {
      const instance = options.instance?.trim().toLowerCase();
      // Named before anything happens, so a name the vault refuses cannot strand redeemed tokens.
      const account = credentialAccount(pluginId, accountIdFor(instance));
      const server = await api();
      const receiver = await (deps.receiver ?? startLoopbackReceiver)();
      try {
        const { authorizeUrl } = await server.start(pluginId, { ...(instance ? { instance } : {}), returnTo: receiver.returnTo });
        await deps.openExternal(authorizeUrl);
        const handoff = await receiver.wait();
        const tokens = await server.redeem(pluginId, handoff);
        const credential: OAuthCredential = {
          type: 'oauth2',
          accessToken: tokens.accessToken,
          tokenType: tokens.tokenType,
          boundAt: tokens.boundAt,
          ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
          ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
          ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
          ...(tokens.instance ? { instance: tokens.instance } : {}),
        };
        await deps.vault.setSecret(account, credential);
        return { account, credential };
      } finally {
        await receiver.close();
      }
    },

    /** New tokens through the server's stateless refresh; a refresh token the provider did not rotate is kept. */
    async refresh(pluginId: string, accountId = 'default'): Promise<BoundCredential> {
      const { account, credential } = await oauthCredential(pluginId, accountId);
      if (!credential) throw new AccountsError('not_bound', `${account} is not in the keychain`);
      if (!credential.refreshToken) throw new AccountsError('no_refresh_token', `${pluginId} gave no refresh token; bind again when the token expires`);
      const tokens = await (await api()).refresh(pluginId, credential.refreshToken, credential.instance);
      const { expiresAt: _previousExpiry, scope: _previousScope, ...kept } = credential;
      const renewed: OAuthCredential = {
        ...kept,
        accessToken: tokens.accessToken,
        tokenType: tokens.tokenType,
        refreshToken: tokens.refreshToken ?? credential.refreshToken,
        ...(tokens.scope !== undefined ? { scope: tokens.scope } : credential.scope !== undefined ? { scope: credential.scope } : {}),
        ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
      };
      await deps.vault.setSecret(account, renewed);
      return { account, credential: renewed };
    },

    /**
     * Revokes at the network where it allows (while the token is still known), deletes the keychain item,
     * then tells the server. A failed revocation does not keep the credential: the user asked to forget it.
     */
    async unbind(pluginId: string, accountId = 'default'): Promise<{ revoked: boolean; reason?: string }> {
      const server = await api();
      const { account, credential } = await oauthCredential(pluginId, accountId);
      let result: { revoked: boolean; reason?: string } = { revoked: false, reason: 'no_credential' };
      if (credential) {
        try {
          const answers: RevokeTokenResponse[] = [];
          if (credential.refreshToken) answers.push(await server.revoke(pluginId, credential.refreshToken, 'refresh_token', credential.instance));
          answers.push(await server.revoke(pluginId, credential.accessToken, 'access_token', credential.instance));
          result = answers.every((answer) => answer.revoked) ? { revoked: true } : { revoked: false, reason: answers.find((answer) => answer.reason)?.reason ?? 'not_supported' };
        } catch (error) {
          result = { revoked: false, reason: error instanceof AccountsError ? error.code : 'network_error' };
        }
      }
      await deps.vault.deleteSecret(account);
      await server.forget(pluginId);
      return result;
    },

    async bound(): Promise<string[]> {
      return (await (await api()).bound()).accounts.map((account) => account.pluginId);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
