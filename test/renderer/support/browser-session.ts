import type { Browser, BrowserContext, Page } from 'playwright-core';
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

/** A signed-in page of the web client, open at Contacts, with every CSP refusal and page error it met. */
export type AppPage = { context: BrowserContext; page: Page; problems: string[] };

export async function openAppPage(browser: Browser, serverUrl: string, token: string, viewport: { width: number; height: number }): Promise<AppPage> {
  const context = await browser.newContext({ locale: 'en-US', viewport, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  await signInBrowser(context, serverUrl, token);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(serverUrl + '/');
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  return { context, page, problems };
}
