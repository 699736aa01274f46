import { hostAllowed, type PluginManifest } from '#common/plugin-manifest/index.js';
import type { PasswordCredential } from '../vault/index.js';

/**
 * The little of a browser page the recipe needs. Playwright's `Page` has exactly these methods; Electron
 * main wraps a BrowserWindow's webContents (loadURL, getURL, executeJavaScript) into the same shape.
 */
export interface LoginPage {
  goto(url: string): Promise<unknown>;
  url(): string;
  waitForSelector(selector: string, options?: { timeout?: number; state?: 'visible' }): Promise<unknown>;
  fill(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
}

export type LoginRecipeErrorCode =
  | 'not_password_plugin'
  /** The page is not on the network's own https host (a redirect elsewhere): nothing was filled. */
  | 'wrong_page'
  /** A selector from the recipe matched nothing in time: the network changed its login page. */
  | 'field_missing'
  /** The page refused an action (navigation failed, element disabled, page closed). */
  | 'page_failed';

export class LoginRecipeError extends Error {
  override readonly name = 'LoginRecipeError';
  constructor(
    readonly code: LoginRecipeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type LoginStep = 'navigated' | 'username_filled' | 'password_filled' | 'submitted';

export interface LoginOptions {
  manifest: PluginManifest;
  credential: PasswordCredential;
  /** Per step. Default 15 s. */
  timeoutMs?: number;
  /** Progress without values, for logs and the UI. */
  onStep?(step: LoginStep, detail: string): void;
}

/** Browser errors may quote what was typed; they are passed on only with the credential blanked out. */
function scrub(error: unknown, credential: PasswordCredential): string {
  const text = error instanceof Error ? error.message : String(error);
  return [credential.password, credential.username].reduce((out, secret) => out.split(secret).join('[redacted]'), text).split('\n')[0] ?? '';
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return JSON.stringify(url.slice(0, 100));
  }
}

/** https on a host the manifest names (its login page's host or an allowedHosts pattern). */
function onNetworkHost(pageUrl: string, manifest: PluginManifest, loginUrl: string): boolean {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return false;
  }
  if (page.protocol !== 'https:') return false;
  const loginHost = new URL(loginUrl).hostname;
  return page.hostname === loginHost || hostAllowed(page.hostname, manifest.allowedHosts.filter((pattern) => pattern !== '{instance}'));
}

/**
 * M20, one click opens a network logged in: opens the manifest's login page, fills the stored user name
 * and password into the recipe's fields and submits. Before typing anything it checks that the page is
 * still on the network's own https host, so a redirect cannot collect the password.
 */
export async function logIn(page: LoginPage, options: LoginOptions): Promise<void> {
  const { manifest, credential } = options;
  const auth = manifest.auth;
  if (auth.type !== 'password') throw new LoginRecipeError('not_password_plugin', `${manifest.id} has no login recipe (auth.type is "${auth.type}")`);
  const timeout = options.timeoutMs ?? 15_000;
  const step = async (action: () => Promise<unknown>, failure: LoginRecipeErrorCode, what: string) => {
    try {
      await action();
    } catch (error) {
      throw new LoginRecipeError(failure, `${manifest.id}: ${what}: ${scrub(error, credential)}`);
    }
  };

  await step(() => page.goto(auth.loginUrl), 'page_failed', `cannot open ${auth.loginUrl}`);
  options.onStep?.('navigated', auth.loginUrl);
  const { usernameSelector, passwordSelector, submitSelector } = auth.recipe;
  await step(() => page.waitForSelector(usernameSelector, { timeout, state: 'visible' }), 'field_missing', `no user name field "${usernameSelector}"`);
  // Checked after the page settled: the login page may have redirected meanwhile.
  if (!onNetworkHost(page.url(), manifest, auth.loginUrl)) {
    throw new LoginRecipeError('wrong_page', `${manifest.id}: the login page went to ${originOf(page.url())}, which is not the network's; nothing was filled`);
  }
  await step(() => page.fill(usernameSelector, credential.username), 'page_failed', `cannot fill "${usernameSelector}"`);
  options.onStep?.('username_filled', usernameSelector);
  await step(() => page.waitForSelector(passwordSelector, { timeout, state: 'visible' }), 'field_missing', `no password field "${passwordSelector}"`);
  await step(() => page.fill(passwordSelector, credential.password), 'page_failed', `cannot fill "${passwordSelector}"`);
  options.onStep?.('password_filled', passwordSelector);
  await step(() => page.waitForSelector(submitSelector, { timeout, state: 'visible' }), 'field_missing', `no submit button "${submitSelector}"`);
  await step(() => page.click(submitSelector), 'page_failed', `cannot click "${submitSelector}"`);
  options.onStep?.('submitted', submitSelector);
}
