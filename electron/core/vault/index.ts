export { createVault, keychainUnavailableMessage, VaultError, type Vault, type VaultErrorCode, type VaultOptions } from './vault.js';
export {
  credentialAccount,
  credentialSecretSchema,
  oauthCredentialSchema,
  passwordCredentialSchema,
  sessionAccount,
  sessionSecretSchema,
  type CredentialAccount,
  type CredentialSecret,
  type OAuthCredential,
  type PasswordCredential,
  type SecretFor,
  type SessionAccount,
  type SessionSecret,
  type VaultAccount,
} from './secrets.js';
