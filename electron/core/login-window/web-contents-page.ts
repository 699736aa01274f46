import type { LoginPage } from '../login-recipe/index.js';
import { isNetworkPage } from './policy.js';

/**
 * The part of Electron's `WebContents` a login window needs. Electron's own object fits as it is; tests
 * back it with a Chrome DevTools Protocol session on a real Chromium page.
 */
export interface WebContentsLike {
  /** Resolves when the page finished loading; rejects (Electron: `code` `ERR_ABORTED`) when another navigation took over. */
  loadURL(url: string): Promise<void>;
  getURL(): string;
  /** Runs `code` as a script in the page's main world and answers its (awaited) value. */
  executeJavaScript(code: string, userGesture?: boolean): Promise<unknown>;
  isDestroyed(): boolean;
}

export type PageActionFailure = 'wrong_page' | 'not_found' | 'not_a_field' | 'disabled';

/** Thrown by the adapter; the message names the selector and the reason, never a value. */
export class PageActionError extends Error {
  override readonly name = 'PageActionError';
  constructor(
    readonly code: PageActionFailure | 'timeout' | 'navigation_refused' | 'page_closed',
    message: string,
  ) {
    super(message);
  }
}

/*
 * The page-side halves, as plain script text: a function's own source would carry whatever helpers the
 * TypeScript transform added, which do not exist in the page. Each takes one JSON argument, appended as
 * a JSON literal: values are never spliced into code, so no user name or password can end a string and
 * start a statement.
 *
 * Every script checks again, inside the page, that it runs on the network's https host: the URL main
 * read a moment ago may be stale if the page navigated in between, but the document the script runs in
 * cannot change while it runs.
 */
const ON_NETWORK_HOST = `
  const onNetworkHost = (patterns) => location.protocol === 'https:' && patterns.some((pattern) => {
    const host = location.hostname.toLowerCase();
    const lower = pattern.toLowerCase();
    return lower.startsWith('*.') ? host.endsWith(lower.slice(1)) : host === lower;
  });`;

const IS_VISIBLE_SCRIPT = `(({ selector }) => {
  const element = document.querySelector(selector);
  if (element === null || !element.isConnected) return false;
  const style = getComputedStyle(element);
  if (style.visibility === 'hidden' || style.display === 'none') return false;
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
})`;

const FILL_SCRIPT = `(({ selector, value, hostPatterns }) => {
  ${ON_NETWORK_HOST}
  if (!onNetworkHost(hostPatterns)) return 'wrong_page';
  const element = document.querySelector(selector);
  if (element === null) return 'not_found';
  const prototype = element instanceof HTMLInputElement ? HTMLInputElement.prototype : element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : undefined;
  if (prototype === undefined) return 'not_a_field';
  if (element.disabled || element.readOnly) return 'disabled';
  element.focus();
  // The prototype's setter, not the element's own property: frameworks such as React track the value
  // through it and would otherwise overwrite what we typed with their stale state.
  Object.getOwnPropertyDescriptor(prototype, 'value').set.call(element, value);
  element.dispatchEvent(new Event('input', { bubbles: true }));
  element.dispatchEvent(new Event('change', { bubbles: true }));
  return 'ok';
})`;

const CLICK_SCRIPT = `(({ selector, hostPatterns }) => {
  ${ON_NETWORK_HOST}
  if (!onNetworkHost(hostPatterns)) return 'wrong_page';
  const element = document.querySelector(selector);
  if (element === null) return 'not_found';
  if (!(element instanceof HTMLElement)) return 'not_a_field';
  if (element.disabled) return 'disabled';
  element.click();
  return 'ok';
})`;

function call(script: string, argument: Record<string, unknown>): string {
  return `${script}(${JSON.stringify(argument)})`;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Electron rejects `loadURL` with this when the page moved on by itself (a script redirect) before loading. */
function isAbortedLoad(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'ERR_ABORTED';
}

export interface WebContentsLoginPageOptions {
  /** The network's host patterns (policy.ts): the only pages this adapter navigates to, fills or clicks in. */
  hostPatterns: readonly string[];
  /** How often `waitForSelector` looks again. */
  pollIntervalMs?: number;
}

/**
 * The login recipe's page interface (electron/core/login-recipe) over a web contents: what Playwright's
 * `Page` does for the recipe in tests, done with `loadURL` and small scripts. It refuses to act on any
 * page that is not the network's own, independently of the recipe's own check.
 */
export class WebContentsLoginPage implements LoginPage {
  private readonly pollIntervalMs: number;

  constructor(
    private readonly contents: WebContentsLike,
    private readonly options: WebContentsLoginPageOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  async goto(url: string): Promise<void> {
    if (!isNetworkPage(url, this.options.hostPatterns)) {
      throw new PageActionError('navigation_refused', `${originOf(url)} is not this network's https site`);
    }
    this.assertOpen();
    try {
      await this.contents.loadURL(url);
    } catch (error) {
      // The page went on to another one by itself; where it ended up is checked before anything is typed.
      if (!isAbortedLoad(error)) throw error;
    }
  }

  url(): string {
    return this.contents.isDestroyed() ? '' : this.contents.getURL();
  }

  async waitForSelector(selector: string, options: { timeout?: number; state?: 'visible' } = {}): Promise<void> {
    const timeout = options.timeout ?? 15_000;
    const deadline = Date.now() + timeout;
    for (;;) {
      this.assertOpen();
      let visible = false;
      try {
        visible = (await this.contents.executeJavaScript(call(IS_VISIBLE_SCRIPT, { selector }))) === true;
      } catch (error) {
        // A script that runs while the page navigates fails; a selector that is not CSS fails every time.
        if (error instanceof Error && /SyntaxError|not a valid selector/i.test(error.message)) throw new PageActionError('not_found', `"${selector}" is not a CSS selector`);
      }
      if (visible) return;
      if (Date.now() >= deadline) throw new PageActionError('timeout', `"${selector}" did not appear within ${timeout} ms`);
      await delay(this.pollIntervalMs);
    }
  }

  async fill(selector: string, value: string): Promise<void> {
    this.assertOnNetworkHost();
    const outcome = await this.contents.executeJavaScript(call(FILL_SCRIPT, { selector, value, hostPatterns: this.options.hostPatterns }));
    this.check(outcome, selector, 'fill');
  }

  async click(selector: string): Promise<void> {
    this.assertOnNetworkHost();
    // userGesture: the site sees a click as a person's, as it would from the recipe in Playwright.
    const outcome = await this.contents.executeJavaScript(call(CLICK_SCRIPT, { selector, hostPatterns: this.options.hostPatterns }), true);
    this.check(outcome, selector, 'click');
  }

  private assertOpen(): void {
    if (this.contents.isDestroyed()) throw new PageActionError('page_closed', 'the login window was closed');
  }

  private assertOnNetworkHost(): void {
    this.assertOpen();
    const current = this.contents.getURL();
    if (!isNetworkPage(current, this.options.hostPatterns)) throw new PageActionError('wrong_page', `the page is on ${originOf(current)}, not the network's site`);
  }

  private check(outcome: unknown, selector: string, action: 'fill' | 'click'): void {
    if (outcome === 'ok') return;
    const reason: PageActionFailure = outcome === 'wrong_page' || outcome === 'not_found' || outcome === 'not_a_field' || outcome === 'disabled' ? outcome : 'not_found';
    const said: Record<PageActionFailure, string> = {
      wrong_page: 'the page is no longer on the network\'s site',
      not_found: 'nothing matches it',
      not_a_field: action === 'fill' ? 'it is not a text field' : 'it is not an element',
      disabled: 'it is disabled',
    };
    throw new PageActionError(reason, `cannot ${action} "${selector}": ${said[reason]}`);
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return JSON.stringify(url.slice(0, 100));
  }
}
