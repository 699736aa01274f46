import { BridgeError, isBridgeErrorCode, type BindPasswordRequest, type BridgeFailure, type OpenLoggedInResult, type UnbindResult } from '#common/bridge/contract.js';
import type { BoundAccount } from '#common/contract/accounts.js';
import type { PluginManifest } from '#common/plugin-manifest/index.js';
import { accountIdFor, AccountsError, createAccounts, type AccountsApi, type HandoffReceiver } from '../accounts/index.js';
import { createPasswordBinding, PasswordBindingError } from '../accounts/password.js';
import type { ExternalOpener, UserGesture, UserGestureGate } from '../launcher/index.js';
import { LoginWindowError, type LoginWindows } from '../login-window/index.js';
import type { Vault } from '../vault/index.js';

export interface AccountCallsOptions {
  serverUrl: string;
  vault: Vault;
  findPlugin(pluginId: string): { id: string; manifest: PluginManifest } | undefined;
  gestures: UserGestureGate;
  /** Opens the system browser for OAuth binding; the same opener the launcher uses. */
  openExternal?: ExternalOpener;
  /** Where the OAuth handoff comes back: a loopback listener unless main supplies its own. */
  oauthReceiver?: () => Promise<HandoffReceiver>;
  loginWindows?: LoginWindows;
  /** The server client the core built for a session token. */
  accountsApi?: (token: string) => AccountsApi;
}

const CREDENTIAL_PREFIX = 'credential:';

/** `credential:<plugin>:<account>` into its parts; plugin ids never hold ':' (vault/secrets.ts). */
function splitCredentialName(name: string): { pluginId: string; account: string } | undefined {
  const rest = name.slice(CREDENTIAL_PREFIX.length);
  const colon = rest.indexOf(':');
  if (!name.startsWith(CREDENTIAL_PREFIX) || colon <= 0) return undefined;
  return { pluginId: rest.slice(0, colon), account: rest.slice(colon + 1) };
}

/**
 * Errors of electron/core/accounts and login-window as the bridge contract's failures. Their codes are
 * contract codes (desktop ones, or the server's during OAuth binding); an unforeseen code becomes
 * `host_failed` and keeps its name in the message for the log.
 */
export function accountErrorReply(error: unknown): BridgeFailure | undefined {
  if (error instanceof PasswordBindingError || error instanceof LoginWindowError) return { code: error.code, message: error.message };
  if (error instanceof AccountsError) {
    if (isBridgeErrorCode(error.code)) return { code: error.code, message: error.message };
    return { code: 'host_failed', message: `${error.code}: ${error.message}` };
  }
  return undefined;
}

/**
 * The bridge's `accounts.*` calls (M19, M20). Secrets only travel inwards: a password arrives once and
 * goes to the keychain, tokens come from the server's handoff straight into it, and no answer carries
 * either. Calls that open something (the system browser, a login window) need the person's click.
 */
export function createAccountCalls(options: AccountCallsOptions) {
  const passwords = createPasswordBinding(options.vault);

  const pluginOrFail = (pluginId: string) => {
    const plugin = options.findPlugin(pluginId);
    if (plugin === undefined) throw new BridgeError('unknown_plugin', `no plugin "${pluginId}" is loaded`);
    return plugin;
  };

  const gestureOrFail = (source: string): UserGesture => {
    const gesture = options.gestures.claim(source);
    if (gesture === undefined) throw new BridgeError('no_user_gesture', 'this opens only right after a click or key press in the app');
    return gesture;
  };

  const boundNames = async (pluginId: string) =>
    (await options.vault.list(`${CREDENTIAL_PREFIX}${pluginId}:`)).flatMap((name) => {
      const parts = splitCredentialName(name);
      return parts === undefined || parts.pluginId !== pluginId ? [] : [{ name, ...parts }];
    });

  /** The item's kind, read in main; an unreadable item still shows (and can be unbound) when the manifest says its kind. */
  const kindOf = async (name: `credential:${string}:${string}`, pluginId: string): Promise<BoundAccount['kind'] | undefined> => {
    try {
      return (await options.vault.getSecret(name))?.type;
    } catch {
      const auth = options.findPlugin(pluginId)?.manifest.auth.type;
      return auth === 'oauth2' || auth === 'password' ? auth : undefined;
    }
  };

  return {
    async list(): Promise<BoundAccount[]> {
      const accounts: BoundAccount[] = [];
      for (const name of await options.vault.list(CREDENTIAL_PREFIX)) {
        const parts = splitCredentialName(name);
        if (parts === undefined) continue;
        const kind = await kindOf(name as `credential:${string}:${string}`, parts.pluginId);
        if (kind !== undefined) accounts.push({ pluginId: parts.pluginId, account: parts.account, kind });
      }
      return accounts;
    },

    async bindPassword(request: BindPasswordRequest): Promise<BoundAccount> {
      const plugin = pluginOrFail(request.pluginId);
      const { account } = await passwords.bind(plugin, request.username, request.password);
      const username = account.slice(`${CREDENTIAL_PREFIX}${plugin.id}:`.length);
      // One password account per network: the login window opens "the" account. The new one is stored
      // first, so a failure here leaves the old one rather than none.
      for (const other of await passwords.usernames(plugin.id)) {
        if (other !== username) await passwords.unbind(plugin.id, other);
      }
      return { pluginId: plugin.id, account: username, kind: 'password' };
    },

    async bindOAuth(source: string, request: { pluginId: string; instance?: string }): Promise<BoundAccount> {
      const plugin = pluginOrFail(request.pluginId);
      if (plugin.manifest.auth.type !== 'oauth2') {
        throw new BridgeError('not_oauth_plugin', `${plugin.manifest.name} does not bind through OAuth (auth.type is "${plugin.manifest.auth.type}")`);
      }
      const openExternal = options.openExternal;
      if (openExternal === undefined) throw new BridgeError('unsupported', 'no system browser can be opened here');
      // Claimed now, while the click is fresh; redeemed when the browser opens, after the server answered.
      const gesture = gestureOrFail(source);
      const serverOrigin = new URL(options.serverUrl).origin;
      const accounts = createAccounts({
        serverUrl: options.serverUrl,
        vault: options.vault,
        ...(options.accountsApi === undefined ? {} : { accountsApi: options.accountsApi }),
        ...(options.oauthReceiver === undefined ? {} : { receiver: options.oauthReceiver }),
        openExternal: async (url) => {
          // The launcher's rules for what leaves the app: https only (or the server itself, which may be
          // plain http on loopback in development), and only on the strength of the person's click.
          const target = new URL(url);
          if (target.protocol !== 'https:' && target.origin !== serverOrigin) {
            throw new BridgeError('open_failed', `the server sent a sign-in page on ${target.protocol}, which is not opened`);
          }
          if (!options.gestures.redeem(gesture)) throw new BridgeError('no_user_gesture', 'the click that started binding was already used');
          const opened = await openExternal(target.href);
          if (!opened.ok) throw new BridgeError(opened.code, opened.message);
        },
      });
      const { account } = await accounts.bindOAuth(plugin.id, request.instance === undefined ? {} : { instance: request.instance });
      return { pluginId: plugin.id, account: account.slice(`${CREDENTIAL_PREFIX}${plugin.id}:`.length), kind: 'oauth2' };
    },

    async unbind(pluginId: string): Promise<UnbindResult> {
      const plugin = options.findPlugin(pluginId);
      const names = await boundNames(pluginId);
      let removed = 0;
      let revoked: boolean | null = null;
      const oauth = createAccounts({ serverUrl: options.serverUrl, vault: options.vault, openExternal: () => undefined, ...(options.accountsApi === undefined ? {} : { accountsApi: options.accountsApi }) });
      for (const { name, account } of names) {
        if ((await kindOf(name as `credential:${string}:${string}`, pluginId)) === 'oauth2') {
          // Revokes at the network while the token is known, deletes the item, tells the server.
          const outcome = await oauth.unbind(pluginId, account);
          revoked = (revoked ?? true) && outcome.revoked;
        } else {
          await options.vault.deleteSecret(name as `credential:${string}:${string}`);
        }
        removed += 1;
      }
      // Bound through the web client, an OAuth account is known to the server alone: forget it there too.
      if (names.length === 0 && plugin?.manifest.auth.type === 'oauth2') await oauth.unbind(pluginId, accountIdFor(undefined));
      return { removed, revoked };
    },

    async openLoggedIn(source: string, pluginId: string): Promise<OpenLoggedInResult> {
      const windows = options.loginWindows;
      if (windows === undefined) throw new BridgeError('unsupported', 'this host cannot open login windows');
      pluginOrFail(pluginId);
      const gesture = gestureOrFail(source);
      if (!options.gestures.redeem(gesture)) throw new BridgeError('no_user_gesture', 'the click was already used');
      return windows.open(pluginId);
    },
  };
}

export type AccountCalls = ReturnType<typeof createAccountCalls>;
