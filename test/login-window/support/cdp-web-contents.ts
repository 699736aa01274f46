import type { CDPSession, Page } from 'playwright-core';
import type { OpenedLoginWindow, WebContentsLike } from '#core/login-window/index.js';

/**
 * Electron's `webContents` as far as a login window uses it, over the Chrome DevTools Protocol of a real
 * Chromium page: `loadURL` is `Page.navigate` until the load event, `executeJavaScript` is
 * `Runtime.evaluate` in the page's main world (as Electron runs it), `getURL` the committed URL.
 * Nothing of the page is simulated; only the Electron wrapper around the same protocol is.
 */
export async function cdpWebContents(page: Page, options: { loadTimeoutMs?: number } = {}): Promise<WebContentsLike & { session: CDPSession }> {
  const session = await page.context().newCDPSession(page);
  await session.send('Page.enable');
  const loadTimeoutMs = options.loadTimeoutMs ?? 10_000;
  return {
    session,
    async loadURL(url) {
      const loaded = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${url} did not load within ${loadTimeoutMs} ms`)), loadTimeoutMs);
        session.once('Page.loadEventFired', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      loaded.catch(() => undefined);
      const navigated = await session.send('Page.navigate', { url });
      if (navigated.errorText !== undefined && navigated.errorText !== '') {
        // Electron's loadURL rejects with the net error's name as `code` (e.g. ERR_ABORTED).
        throw Object.assign(new Error(`${navigated.errorText} loading ${url}`), { code: navigated.errorText.replace(/^net::/, '') });
      }
      await loaded;
    },
    getURL: () => page.url(),
    async executeJavaScript(code, userGesture = false) {
      const evaluated = await session.send('Runtime.evaluate', { expression: code, awaitPromise: true, returnByValue: true, userGesture });
      if (evaluated.exceptionDetails !== undefined) {
        throw new Error(evaluated.exceptionDetails.exception?.description ?? evaluated.exceptionDetails.text);
      }
      return evaluated.result.value as unknown;
    },
    isDestroyed: () => page.isClosed(),
  };
}

/** A login window as Electron main would hand it over, here a real Chromium page with its CDP contents. */
export async function cdpLoginWindow(page: Page): Promise<OpenedLoginWindow> {
  const contents = await cdpWebContents(page);
  return {
    contents,
    focus: () => void page.bringToFront(),
    onClosed: (listener) => page.once('close', () => listener()),
  };
}
