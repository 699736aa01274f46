import type { BrowserContext } from 'playwright-core';
import { csrfTokenFor } from '#server/http/session-cookie.js';

/**
 * Signs a browser context in as a web page holds a session: the HttpOnly session cookie and its CSRF
 * companion, as the server sets them at a cookie sign-in. The token may come from any sign-in (a test's
 * bearer sign-in included): the server accepts a session's token from either place.
 */
export async function signInBrowser(context: BrowserContext, serverUrl: string, token: string): Promise<void> {
  await context.addCookies([
    { name: 'sb_session', value: token, url: serverUrl, httpOnly: true, sameSite: 'Lax' },
    { name: 'sb_csrf', value: csrfTokenFor(token), url: serverUrl, httpOnly: false, sameSite: 'Lax' },
  ]);
}
