import type { PluginManifest } from '#common/plugin-manifest/index.js';
import { credentialAccount, type CredentialAccount, type PasswordCredential, type Vault } from '../vault/index.js';

export type PasswordBindingErrorCode =
  /** The plugin's manifest does not say `auth.type: "password"`. */
  | 'not_password_plugin'
  /** Empty, too long, or characters a keychain item name cannot carry. */
  | 'invalid_username'
  | 'invalid_password'
  /** Nothing is stored for that plugin and user name. */
  | 'not_bound';

export class PasswordBindingError extends Error {
  override readonly name = 'PasswordBindingError';
  constructor(
    readonly code: PasswordBindingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_PASSWORD_LENGTH = 1024;

function accountFor(pluginId: string, username: string): CredentialAccount {
  try {
    return credentialAccount(pluginId, username);
  } catch {
    // The message names the rule, never the value: a user name typed into the password field is a password.
    throw new PasswordBindingError('invalid_username', 'the user name must be 1-200 characters of letters, digits and . _ @ : - [ ]');
  }
}

/**
 * Binding a network by user name and password (manifest `auth.type: "password"`, M19). The pair goes
 * straight into the OS keychain as `credential:<plugin>:<username>` and nowhere else: not the server,
 * not a file, not a log line. The login recipe reads it back when the person opens the network.
 */
export function createPasswordBinding(vault: Vault) {
  return {
    async bind(plugin: { id: string; manifest: PluginManifest }, username: string, password: string): Promise<{ account: CredentialAccount }> {
      if (plugin.manifest.auth.type !== 'password') {
        throw new PasswordBindingError('not_password_plugin', `${plugin.id} does not sign in with a password (auth.type is "${plugin.manifest.auth.type}")`);
      }
      const name = username.trim();
      const account = accountFor(plugin.id, name);
      if (password === '' || password.length > MAX_PASSWORD_LENGTH) {
        throw new PasswordBindingError('invalid_password', `the password must be 1-${MAX_PASSWORD_LENGTH} characters`);
      }
      await vault.setSecret(account, { type: 'password', username: name, password });
      return { account };
    },

    /** The stored pair, or `not_bound`. */
    async credential(pluginId: string, username: string): Promise<PasswordCredential> {
      const account = accountFor(pluginId, username.trim());
      const stored = await vault.getSecret(account);
      if (stored?.type !== 'password') throw new PasswordBindingError('not_bound', `no password is stored for ${account}`);
      return stored;
    },

    /** User names bound for a plugin, from the keychain's item names (values are not read). */
    async usernames(pluginId: string): Promise<string[]> {
      const prefix = `credential:${pluginId}:`;
      return (await vault.list(prefix)).map((account) => account.slice(prefix.length));
    },

    /** `true` when something was deleted. Only the keychain held it, so this forgets it everywhere. */
    async unbind(pluginId: string, username: string): Promise<boolean> {
      return vault.deleteSecret(accountFor(pluginId, username.trim()));
    },
  };
}

export type PasswordBinding = ReturnType<typeof createPasswordBinding>;
