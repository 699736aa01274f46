import type { OpenLoggedInResult } from '#common/bridge/contract.js';
import type { PluginManifest } from '#common/plugin-manifest/index.js';
import { createPasswordBinding } from '../accounts/password.js';
import { LoginRecipeError, logIn } from '../login-recipe/index.js';
import type { PasswordCredential, Vault } from '../vault/index.js';
import { isNetworkPage, loginPartition, networkHostPatterns } from './policy.js';
import { WebContentsLoginPage, type WebContentsLike } from './web-contents-page.js';

export type LoginWindowErrorCode = 'unknown_plugin' | 'not_password_plugin' | 'not_bound';

export class LoginWindowError extends Error {
  override readonly name = 'LoginWindowError';
  constructor(
    readonly code: LoginWindowErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What Electron main is asked to build: a sandboxed window without preload in the account's own session. */
export interface LoginWindowSpec {
  pluginId: string;
  /** `persist:account:<plugin>:<account>`. */
  partition: string;
  title: string;
  /** Whether the window's top frame may go to `url` (a link, a form, a redirect). Everything else is refused. */
  allowsNavigation(url: string): boolean;
}

export interface OpenedLoginWindow {
  contents: WebContentsLike;
  focus(): void;
  onClosed(listener: () => void): void;
}

export interface LoginWindowsOptions {
  vault: Vault;
  findPlugin(pluginId: string): { id: string; manifest: PluginManifest } | undefined;
  createWindow(spec: LoginWindowSpec): Promise<OpenedLoginWindow>;
  /** Per recipe step. Shorter than the recipe's default: an account still signed in shows no form, and the person waits meanwhile. */
  stepTimeoutMs?: number;
  /** After submitting, how long to wait for the site to leave its login page before going to `then`. */
  settleTimeoutMs?: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One window per bound password account (M20: one click opens a network logged in). Opening reads the
 * credential from the keychain, loads the network's login page in the account's persistent session and
 * fills the form through the plugin's login recipe. A second open of the same account brings its window
 * forward instead of opening another.
 */
export class LoginWindows {
  private readonly openWindows = new Map<string, OpenedLoginWindow>();
  /** Partitions whose window is being created: a double click must not open two windows on one session. */
  private readonly opening = new Set<string>();
  private readonly passwords;

  constructor(private readonly options: LoginWindowsOptions) {
    this.passwords = createPasswordBinding(options.vault);
  }

  /** The bound password account of a network, if any (the keychain's item names only; values are not read). */
  async boundAccount(pluginId: string): Promise<string | undefined> {
    return (await this.passwords.usernames(pluginId))[0];
  }

  /**
   * Opens the network signed in. `then` is a page of the network's site to show once signed in (the
   * launcher's web link for a contact); it is ignored unless the window may navigate there.
   */
  async open(pluginId: string, options: { then?: string } = {}): Promise<OpenLoggedInResult> {
    const plugin = this.options.findPlugin(pluginId);
    if (plugin === undefined) throw new LoginWindowError('unknown_plugin', `no plugin "${pluginId}" is loaded`);
    const { manifest } = plugin;
    if (manifest.auth.type !== 'password') {
      throw new LoginWindowError('not_password_plugin', `${manifest.name} does not sign in with a password (auth.type is "${manifest.auth.type}")`);
    }
    const account = await this.boundAccount(pluginId);
    if (account === undefined) throw new LoginWindowError('not_bound', `no password account of ${manifest.name} is in the keychain; bind one first`);

    const hostPatterns = networkHostPatterns(manifest);
    const allowsNavigation = (url: string) => isNetworkPage(url, hostPatterns);
    const then = options.then !== undefined && allowsNavigation(options.then) ? options.then : undefined;
    const partition = loginPartition(pluginId, account);

    const existing = this.openWindows.get(partition);
    if (existing !== undefined && !existing.contents.isDestroyed()) {
      existing.focus();
      if (then !== undefined) await existing.contents.loadURL(then).catch(() => undefined);
      return { filled: false, code: 'already_open', message: `${manifest.name} is already open for ${account}` };
    }

    if (this.opening.has(partition)) return { filled: false, code: 'already_open', message: `${manifest.name} is opening for ${account}` };
    this.opening.add(partition);
    let window: OpenedLoginWindow;
    let credential: PasswordCredential;
    try {
      credential = await this.passwords.credential(pluginId, account);
      window = await this.options.createWindow({ pluginId, partition, title: `${manifest.name} — ${account}`, allowsNavigation });
    } finally {
      this.opening.delete(partition);
    }
    this.openWindows.set(partition, window);
    window.onClosed(() => {
      if (this.openWindows.get(partition) === window) this.openWindows.delete(partition);
    });

    const page = new WebContentsLoginPage(window.contents, { hostPatterns });
    let result: OpenLoggedInResult;
    try {
      await logIn(page, { manifest, credential, timeoutMs: this.options.stepTimeoutMs ?? 8000 });
      result = { filled: true };
    } catch (error) {
      if (!(error instanceof LoginRecipeError)) throw error;
      if (window.contents.isDestroyed()) return { filled: false, code: 'window_closed', message: 'the login window was closed before signing in finished' };
      result = { filled: false, code: error.code, message: error.message };
    }
    // A redirect away from the site is no place to continue to; otherwise show what the person came for.
    if (then !== undefined && result.code !== 'wrong_page' && !window.contents.isDestroyed()) {
      if (result.filled) await this.settleAfterSubmit(window.contents, manifest.auth.loginUrl);
      await window.contents.loadURL(then).catch(() => undefined);
    }
    return result;
  }

  /** Lets the submitted form finish (usually a post and a redirect): going elsewhere at once would abort the sign-in. */
  private async settleAfterSubmit(contents: WebContentsLike, loginUrl: string): Promise<void> {
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 15_000);
    while (Date.now() < deadline && !contents.isDestroyed()) {
      const left = contents.getURL() !== loginUrl;
      const loaded = left && (await contents.executeJavaScript('document.readyState').catch(() => undefined)) === 'complete';
      if (loaded) return;
      await delay(150);
    }
  }
}
