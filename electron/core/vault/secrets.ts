import { z } from 'zod';
import { isPluginId } from '#common/plugin-manifest/plugin-id.js';

/**
 * What the vault may hold, by namespace. Every value is JSON checked against its namespace's schema
 * on the way in and on the way out, so a hand-edited or foreign keychain item never reaches callers.
 */

/** A Switchboard session on one server: `session:<server origin>`. */
export const sessionSecretSchema = z.object({
  token: z.string().min(1),
  userId: z.string().min(1).optional(),
  deviceId: z.string().min(1).optional(),
});
export type SessionSecret = z.infer<typeof sessionSecretSchema>;

export const oauthCredentialSchema = z.object({
  type: z.literal('oauth2'),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  tokenType: z.string().min(1).default('Bearer'),
  scope: z.string().optional(),
  /** Epoch milliseconds; absent when the network did not say. */
  expiresAt: z.number().int().optional(),
  /** The server of a federated network (Mastodon), as `host[:port]`. */
  instance: z.string().min(1).optional(),
  boundAt: z.number().int(),
});
export type OAuthCredential = z.infer<typeof oauthCredentialSchema>;

export const passwordCredentialSchema = z.object({
  type: z.literal('password'),
  username: z.string().min(1),
  password: z.string().min(1),
});
export type PasswordCredential = z.infer<typeof passwordCredentialSchema>;

/** A network account bound by the user: `credential:<pluginId>:<accountId>`. */
export const credentialSecretSchema = z.discriminatedUnion('type', [oauthCredentialSchema, passwordCredentialSchema]);
export type CredentialSecret = z.infer<typeof credentialSecretSchema>;

/** A value a plugin's code keeps through `ctx.secrets` (a cursor, a token of its own): `plugin-data:<pluginId>:<key>`. */
export const pluginDataSchema = z.object({ value: z.string() });
export type PluginData = z.infer<typeof pluginDataSchema>;

/**
 * The key a device without a local book (the CLI) derives address-book refs with, one per server:
 * `ref-key:<server origin>`. It never leaves the device, so the server cannot test numbers against refs.
 */
export const refKeySecretSchema = z.object({ key: z.string().regex(/^[0-9a-f]{64}$/) });
export type RefKeySecret = z.infer<typeof refKeySecretSchema>;

export type SessionAccount = `session:${string}`;
export type RefKeyAccount = `ref-key:${string}`;
export type CredentialAccount = `credential:${string}:${string}`;
export type PluginDataAccount = `plugin-data:${string}:${string}`;
export type VaultAccount = SessionAccount | CredentialAccount | PluginDataAccount | RefKeyAccount;

/** The value type of an account name, decided by its namespace. */
export type SecretFor<Account extends VaultAccount> = Account extends CredentialAccount
  ? CredentialSecret
  : Account extends PluginDataAccount
    ? PluginData
    : Account extends RefKeyAccount
      ? RefKeySecret
      : SessionSecret;

// Account ids become part of a keychain item name: printable, no spaces. They may hold ':' (an instance
// with a port); plugin ids never do, so the first two separators still split the name unambiguously.
const accountIdPattern = /^[A-Za-z0-9._@:\-[\]]{1,200}$/;

/** `session:<origin>`: one entry per server, whatever path or trailing slash the caller used. */
export function sessionAccount(serverUrl: string): SessionAccount {
  let origin: string;
  try {
    origin = new URL(serverUrl).origin;
  } catch {
    throw new RangeError(`not a server URL: ${JSON.stringify(serverUrl)}`);
  }
  if (origin === 'null') throw new RangeError(`not an http(s) server URL: ${JSON.stringify(serverUrl)}`);
  return `session:${origin}`;
}

/** `ref-key:<origin>`: the address-book ref key for one server. */
export function refKeyAccount(serverUrl: string): RefKeyAccount {
  return `ref-key:${sessionAccount(serverUrl).slice('session:'.length)}`;
}

export function credentialAccount(pluginId: string, accountId: string): CredentialAccount {
  if (!isPluginId(pluginId)) throw new RangeError(`not a plugin id: ${JSON.stringify(pluginId)}`);
  if (!accountIdPattern.test(accountId)) throw new RangeError(`not an account id: ${JSON.stringify(accountId)}`);
  return `credential:${pluginId}:${accountId}`;
}

// Keys a plugin chooses for its own secrets: short, printable, no separators that could forge another namespace.
const pluginDataKeyPattern = /^[A-Za-z0-9._-]{1,100}$/;

/** `plugin-data:<pluginId>:<key>`: the plugin id comes from the host, never from the plugin's own message. */
export function pluginDataAccount(pluginId: string, key: string): PluginDataAccount {
  if (!isPluginId(pluginId)) throw new RangeError(`not a plugin id: ${JSON.stringify(pluginId)}`);
  if (!pluginDataKeyPattern.test(key)) throw new RangeError(`not a plugin secret key (1-100 of A-Z a-z 0-9 . _ -): ${JSON.stringify(key)}`);
  return `plugin-data:${pluginId}:${key}`;
}

export function schemaFor(account: string): z.ZodType<SessionSecret> | z.ZodType<CredentialSecret> | z.ZodType<PluginData> | z.ZodType<RefKeySecret> | undefined {
  if (/^session:https?:\/\/[^\s]+$/.test(account)) return sessionSecretSchema;
  if (/^ref-key:https?:\/\/[^\s]+$/.test(account)) return refKeySecretSchema;
  const pluginData = /^plugin-data:([^:]+):(.+)$/.exec(account);
  if (pluginData) return isPluginId(pluginData[1]) && pluginDataKeyPattern.test(pluginData[2] ?? '') ? pluginDataSchema : undefined;
  const credential = /^credential:([^:]+):(.+)$/.exec(account);
  if (credential && isPluginId(credential[1]) && accountIdPattern.test(credential[2] ?? '')) return credentialSecretSchema;
  return undefined;
}
