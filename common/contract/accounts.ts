import { z } from 'zod';
import { pluginIdSchema } from '../plugin-manifest/plugin-id.js';

/**
 * Account binding (M19) and the plugin catalogue. The server runs OAuth2 for the desktop because it holds
 * the client secrets, then hands the tokens over once and forgets them: it stores only which networks a
 * user has bound.
 */

/** A federated network's server, e.g. "mastodon.social" or "127.0.0.1:3000": a host with an optional port. */
export const instanceSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/, 'a server name such as "mastodon.social"');

/**
 * Where the browser goes once the provider answered: the app's deep link, a loopback listener of the
 * desktop (RFC 8252 section 7.3: http on 127.0.0.1 or [::1], any port), or a page of the server's own
 * public origin (the web client). The server checks the origin against its public address.
 */
export const returnToSchema = z
  .string()
  .max(512)
  .regex(
    /^(?:switchboard:\/\/[\w./-]*(?:\?[^\s#@]*)?|http:\/\/(?:127\.0\.0\.1|\[::1\]):\d{1,5}(?:\/[^\s#?@]*)?(?:\?[^\s#@]*)?|https?:\/\/[\w.-]+(?::\d{1,5})?(?:\/[^\s#?@]*)?(?:\?[^\s#@]*)?)$/,
    'switchboard://..., http://127.0.0.1:<port>/... or a page of this server',
  )
  // The pattern admits ports such as 99999 that no URL can hold; the callback would fail building the redirect.
  .refine((value) => Number(/^https?:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)/.exec(value)?.[1] ?? 1) <= 65_535, 'the port must be 1-65535');

export const defaultReturnTo = 'switchboard://oauth/done';

export const startOAuthRequest = z.object({
  instance: instanceSchema.optional(),
  returnTo: returnToSchema.default(defaultReturnTo),
});
export type StartOAuthRequest = z.input<typeof startOAuthRequest>;

export const startOAuthResponse = z.object({
  /** A one-time page on the Switchboard server that sends the browser on to the provider. */
  authorizeUrl: z.string(),
  expiresIn: z.number().int(),
});
export type StartOAuthResponse = z.infer<typeof startOAuthResponse>;

export const redeemHandoffRequest = z.object({ handoff: z.string().min(16).max(128) });

/** Tokens as a provider gave them, in the shape the desktop stores. */
export const oauthTokens = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  tokenType: z.string().min(1),
  scope: z.string().optional(),
  /** Epoch milliseconds. */
  expiresAt: z.number().int().optional(),
});
export type OAuthTokens = z.infer<typeof oauthTokens>;

export const redeemHandoffResponse = oauthTokens.extend({
  plugin: z.string(),
  instance: z.string().optional(),
  boundAt: z.number().int(),
});
export type RedeemHandoffResponse = z.infer<typeof redeemHandoffResponse>;

export const refreshTokenRequest = z.object({
  refreshToken: z.string().min(1).max(4096),
  instance: instanceSchema.optional(),
});

export const revokeTokenRequest = z.object({
  token: z.string().min(1).max(4096),
  tokenTypeHint: z.enum(['access_token', 'refresh_token']).optional(),
  instance: instanceSchema.optional(),
});

export const revokeTokenResponse = z.object({
  revoked: z.boolean(),
  /** Why nothing was revoked: the network has no revocation endpoint. */
  reason: z.literal('not_supported').optional(),
});
export type RevokeTokenResponse = z.infer<typeof revokeTokenResponse>;

/**
 * A network account bound to the user, wherever it is kept: an OAuth binding the server brokered
 * (`GET /v1/me/accounts`) or an account in the desktop's keychain (the bridge's `accounts.*`). Which
 * network and which account, never a secret.
 */
export const boundAccount = z.object({
  pluginId: pluginIdSchema,
  kind: z.enum(['oauth2', 'password']),
  /**
   * The user name of a password account; the instance (or `default`) of an OAuth account. Absent from
   * the server's list, which records only that the network is bound.
   */
  account: z.string().optional(),
  /** ISO time of binding; absent where it was not recorded (a password account in the keychain). */
  boundAt: z.string().optional(),
});
export type BoundAccount = z.infer<typeof boundAccount>;
export const boundAccountsResponse = z.object({ accounts: z.array(boundAccount) });
export type BoundAccountsResponse = z.infer<typeof boundAccountsResponse>;

export const catalogueEntry = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  /** Subresource-integrity form of the manifest file's exact bytes: "sha256-<base64>". */
  integrity: z.string().regex(/^sha256-[A-Za-z0-9+/]{43}=$/),
  /** Where the exact bytes are served, for clients that check the integrity. */
  manifestUrl: z.string(),
  /** Integrity of the icon's exact bytes, so a client can tell a swapped picture from the one listed. */
  iconIntegrity: z.string().regex(/^sha256-[A-Za-z0-9+/]{43}=$/).optional(),
  manifest: z.record(z.string(), z.unknown()),
});
export const catalogueResponse = z.object({ plugins: z.array(catalogueEntry) });
export type CatalogueResponse = z.infer<typeof catalogueResponse>;
