import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { latestCode, startTestServer, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, launchChromium } from './support/browser.js';

/**
 * The web client's lasting session in real Chromium (issue 12 item 1): a reload or a new tab stays signed
 * in, no script can read the session, sign-out clears it, and without "keep me signed in" it ends with
 * the browser.
 */
const available = await chromiumAvailable();

describe.skipIf(!available)('the web session in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signUp(context: BrowserContext, national: string, keepSignedIn: boolean): Promise<Page> {
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(national);
    const keep = page.getByLabel('Keep me signed in on this browser');
    expect(await keep.isChecked()).toBe(true);
    if (!keepSignedIn) await keep.uncheck();
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect.poll(() => latestCode(server.api, `+86${national}`).catch(() => ''), { timeout: 8000 }).toMatch(/^\d{6}$/);
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, `+86${national}`));
    await page.getByRole('button', { name: 'Skip' }).click();
    await contactsShown(page);
    return page;
  }

  const contactsShown = (page: Page) => page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  const signInShown = (page: Page) => page.getByRole('button', { name: 'Send code' }).waitFor();

  /** What survives a browser restart: persistent cookies and local storage; session cookies do not. */
  async function restart(context: BrowserContext): Promise<BrowserContext> {
    const state = await context.storageState();
    await context.close();
    return browser.newContext({ locale: 'en-US', storageState: { ...state, cookies: state.cookies.filter((cookie) => cookie.expires !== -1) } });
  }

  /** Everything page script can read: cookies it sees and both storages. */
  const scriptReadable = (page: Page) =>
    page.evaluate(`JSON.stringify({ cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } })`) as Promise<string>;

  it('stays signed in across reloads, new tabs and a restart, never shows the token to script, and signs out', async () => {
    let context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(8000);
    const page = await signUp(context, '13800138031', true);
    const cookies = await context.cookies(server.url);
    const session = cookies.find((cookie) => cookie.name === 'sb_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(session?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    if (!session) throw new Error('no session cookie');
    expect(await scriptReadable(page)).not.toContain(session.value);

    await page.reload();
    await contactsShown(page);
    const tab = await context.newPage();
    await tab.goto(server.url + '/');
    await contactsShown(tab);

    context = await restart(context);
    context.setDefaultTimeout(8000);
    const afterRestart = await context.newPage();
    await afterRestart.goto(server.url + '/');
    await contactsShown(afterRestart);

    await afterRestart.getByRole('button', { name: 'Sign out' }).click();
    await signInShown(afterRestart);
    expect((await context.cookies(server.url)).map((cookie) => cookie.name)).toEqual([]);
    await afterRestart.reload();
    await signInShown(afterRestart);
    // The session is over on the server too.
    expect((await server.api.withToken(session.value).route(routes.me)).status).toBe(401);
    await context.close();
  });

  it('without "keep me signed in" the session lasts across tabs but ends with the browser', async () => {
    let context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(8000);
    const page = await signUp(context, '13800138032', false);
    const session = (await context.cookies(server.url)).find((cookie) => cookie.name === 'sb_session');
    expect(session).toMatchObject({ httpOnly: true, expires: -1 });
    const tab = await context.newPage();
    await tab.goto(server.url + '/');
    await contactsShown(tab);
    await page.reload();
    await contactsShown(page);

    context = await restart(context);
    context.setDefaultTimeout(8000);
    const afterRestart = await context.newPage();
    await afterRestart.goto(server.url + '/');
    await signInShown(afterRestart);
    await context.close();
  });
});
