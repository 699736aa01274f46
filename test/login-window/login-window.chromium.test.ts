import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordBinding, type PasswordBinding } from '#core/accounts/password.js';
import {
  isNetworkPage,
  loginPartition,
  LoginWindows,
  networkHostPatterns,
  PageActionError,
  WebContentsLoginPage,
  type LoginWindowSpec,
} from '#core/login-window/index.js';
import { createVault, type Vault } from '#core/vault/index.js';
import { writePlugin } from '../plugin-host/plugin-folders.js';
import { chromiumAvailable, launchChromium } from '../renderer/support/browser.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { tempDir } from '../support/test-server.js';
import { cdpLoginWindow, cdpWebContents } from './support/cdp-web-contents.js';
import { LOGIN_HOST, PHISHING_HOST, startLoginStandIn, type LoginStandIn } from '../support/login-stand-in.js';

const keyringUp = await keyringAvailable();
const chromiumUp = await chromiumAvailable();
// Quotes, a script end tag, a template hole and a line separator: anything that would break out of a
// string spliced into code. JSON encoding must carry it through verbatim.
const password = 'p"w\'`${x}</script>\\\u2028");document.title="owned";("🐎';

type FrobPlugin = Awaited<ReturnType<typeof writePlugin>>;

async function writeFrobchat(root: string, loginPath = '/login'): Promise<FrobPlugin> {
  return writePlugin(root, 'frobchat', {}, {
    main: undefined,
    capabilities: ['presence', 'web-login'],
    allowedHosts: [LOGIN_HOST],
    launch: { web: [{ url: `https://${LOGIN_HOST}/chat/{handle}`, needs: ['handle'] }] },
    identity: [{ name: 'handle', label: { en: 'Username', 'zh-CN': '用户名' }, pattern: '[a-z]{2,20}', example: 'bob', sources: ['typed'] }],
    auth: { type: 'password', loginUrl: `https://${LOGIN_HOST}${loginPath}`, recipe: { usernameSelector: '#user', passwordSelector: '#pass', submitSelector: '#go' } },
  });
}

describe('the login window policy', () => {
  it('navigates and fills only on the network\'s https hosts', async () => {
    const root = tempDir('login-policy-');
    try {
      const plugin = await writeFrobchat(root);
      const hosts = networkHostPatterns(plugin.manifest);
      expect(hosts).toEqual([LOGIN_HOST]);
      expect(isNetworkPage(`https://${LOGIN_HOST}/login`, hosts)).toBe(true);
      expect(isNetworkPage(`http://${LOGIN_HOST}/login`, hosts)).toBe(false);
      expect(isNetworkPage(`https://${PHISHING_HOST}/login`, hosts)).toBe(false);
      expect(isNetworkPage(`https://${LOGIN_HOST}@${PHISHING_HOST}/login`, hosts)).toBe(false);
      expect(isNetworkPage(`https://user:pw@${LOGIN_HOST}/`, hosts)).toBe(false);
      expect(isNetworkPage('javascript:alert(1)', hosts)).toBe(false);
      expect(isNetworkPage('not a url', hosts)).toBe(false);
      expect(isNetworkPage('https://a.frob.example/', ['*.frob.example'])).toBe(true);
      expect(isNetworkPage('https://frob.example.evil/', ['*.frob.example'])).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('names one persistent session per bound account, from the keychain item\'s checked parts', () => {
    expect(loginPartition('frobchat', 'alice@frob')).toBe('persist:account:frobchat:alice@frob');
    expect(() => loginPartition('frobchat', '../../etc')).toThrow(/account id/);
    expect(() => loginPartition('Frob/Chat', 'alice')).toThrow(/plugin id/);
  });
});

describe.skipIf(!keyringUp || !chromiumUp)('a login window driven through webContents-style calls in real Chromium', () => {
  let keyring: PrivateKeyring;
  let vault: Vault;
  let binding: PasswordBinding;
  let browser: Browser;
  let standIn: LoginStandIn;
  let plugin: FrobPlugin;
  const root = tempDir('login-window-');
  const logged: string[] = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((name) => [name, console[name]] as const);
  const contexts: BrowserContext[] = [];

  /** A fresh context per window: what Electron's separate session partition gives each account. */
  async function newWindowPage(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    await standIn.routeInto(context);
    return context.newPage();
  }

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    vault = createVault({ service: `switchboard-login-window-test-${process.pid}` });
    binding = createPasswordBinding(vault);
    standIn = await startLoginStandIn();
    plugin = await writeFrobchat(root);
    browser = await launchChromium();
    for (const name of consoleMethods) console[name] = (...parts: unknown[]) => logged.push(parts.map(String).join(' '));
  });
  afterAll(async () => {
    for (const [name, original] of originals) console[name] = original;
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await standIn?.close();
    await keyring?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('fills the stand-in login page through the adapter: the stand-in receives exactly the stored credentials', async () => {
    await binding.bind(plugin, 'alice@frob', password);
    const specs: LoginWindowSpec[] = [];
    const pages: Page[] = [];
    const windows = new LoginWindows({
      vault,
      findPlugin: (id) => (id === plugin.id ? plugin : undefined),
      createWindow: async (spec) => {
        specs.push(spec);
        const page = await newWindowPage();
        pages.push(page);
        return cdpLoginWindow(page);
      },
    });

    const result = await windows.open('frobchat');
    expect(result).toEqual({ filled: true });
    await pages[0]?.waitForSelector('#inbox');
    expect(standIn.posts).toEqual([{ username: 'alice@frob', password }]);
    expect(await pages[0]?.title()).toBe('Inbox');
    expect(specs).toHaveLength(1);
    expect(specs[0]).toMatchObject({ pluginId: 'frobchat', partition: 'persist:account:frobchat:alice@frob', title: 'frobchat — alice@frob' });
    expect(specs[0]?.allowsNavigation(`https://${LOGIN_HOST}/inbox`)).toBe(true);
    expect(specs[0]?.allowsNavigation(`https://${PHISHING_HOST}/login`)).toBe(false);

    // The same account again: its window comes forward, nothing is typed twice.
    expect(await windows.open('frobchat')).toMatchObject({ filled: false, code: 'already_open' });
    expect(specs).toHaveLength(1);
    await pages[0]?.close();
    expect(logged.join('\n')).not.toContain(password);
  });

  it('goes on to the page the person asked for once signed in (the launcher path)', async () => {
    const before = standIn.posts.length;
    const pages: Page[] = [];
    const windows = new LoginWindows({
      vault,
      findPlugin: (id) => (id === plugin.id ? plugin : undefined),
      createWindow: async () => {
        const page = await newWindowPage();
        pages.push(page);
        return cdpLoginWindow(page);
      },
    });
    expect(await windows.open('frobchat', { then: `https://${LOGIN_HOST}/chat/bob` })).toEqual({ filled: true });
    expect(standIn.posts.length).toBe(before + 1);
    expect(pages[0]?.url()).toBe(`https://${LOGIN_HOST}/chat/bob`);
    expect(await pages[0]?.textContent('#chat')).toBe('bob');
    await pages[0]?.close();
  });

  it('stops the fill when the login page redirects to a foreign host', async () => {
    const movedRoot = tempDir('login-window-moved-');
    const moved = await writeFrobchat(movedRoot, '/moved');
    const before = standIn.posts.length;
    let page: Page | undefined;
    const windows = new LoginWindows({
      vault,
      findPlugin: (id) => (id === moved.id ? moved : undefined),
      stepTimeoutMs: 3000,
      createWindow: async () => {
        page = await newWindowPage();
        return cdpLoginWindow(page);
      },
    });
    const result = await windows.open('frobchat', { then: `https://${LOGIN_HOST}/chat/bob` });
    expect(result).toMatchObject({ filled: false, code: 'wrong_page' });
    expect(result.message).not.toContain(password);
    if (page === undefined) throw new Error('no window was opened');
    // The look-alike shows the same form; nothing reached it, and the window did not go on to the chat.
    expect(new URL(page.url()).host).toBe(PHISHING_HOST);
    expect(await page.inputValue('#user')).toBe('');
    expect(await page.inputValue('#pass')).toBe('');
    expect(standIn.posts.length).toBe(before);
    fs.rmSync(movedRoot, { recursive: true, force: true });
  });

  it('the adapter itself refuses to type into, click in or navigate to anything but the network\'s site', async () => {
    const page = await newWindowPage();
    const contents = await cdpWebContents(page);
    const adapter = new WebContentsLoginPage(contents, { hostPatterns: networkHostPatterns(plugin.manifest), pollIntervalMs: 50 });

    await expect(adapter.goto(`https://${PHISHING_HOST}/login`)).rejects.toMatchObject({ code: 'navigation_refused' });
    await expect(adapter.goto(`http://${LOGIN_HOST}/login`)).rejects.toMatchObject({ code: 'navigation_refused' });

    // Reached by the page itself (a script redirect): the form is there, but the host is not the network's.
    await adapter.goto(`https://${LOGIN_HOST}/moved`);
    await adapter.waitForSelector('#user', { timeout: 5000 });
    expect(new URL(adapter.url()).host).toBe(PHISHING_HOST);
    const refused = await adapter.fill('#pass', password).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PageActionError);
    expect(refused).toMatchObject({ code: 'wrong_page' });
    expect(String((refused as Error).message)).not.toContain(password);
    await expect(adapter.click('#go')).rejects.toMatchObject({ code: 'wrong_page' });
    expect(await page.inputValue('#pass')).toBe('');

    // On the network's page: a missing selector times out, a non-field is refused, an odd value goes in verbatim.
    await adapter.goto(`https://${LOGIN_HOST}/login`);
    await expect(adapter.waitForSelector('#nothing', { timeout: 300 })).rejects.toMatchObject({ code: 'timeout' });
    await expect(adapter.waitForSelector('##', { timeout: 300 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(adapter.fill('form', 'x')).rejects.toMatchObject({ code: 'not_a_field' });
    await adapter.fill('#pass', password);
    expect(await page.inputValue('#pass')).toBe(password);
    expect(await page.title()).toBe('FrobChat');
    await page.close();
    expect(contents.isDestroyed()).toBe(true);
    await expect(adapter.fill('#pass', 'x')).rejects.toMatchObject({ code: 'page_closed' });
  });

  it('refuses networks without a password account, before any window opens', async () => {
    let opened = 0;
    const none = { id: 'telegram', manifest: { ...plugin.manifest, id: 'telegram', auth: { type: 'none' as const } } };
    const windows = new LoginWindows({
      vault,
      findPlugin: (id) => (id === 'telegram' ? none : id === 'frobchat' ? plugin : undefined),
      createWindow: async () => {
        opened += 1;
        return cdpLoginWindow(await newWindowPage());
      },
    });
    await expect(windows.open('nope')).rejects.toMatchObject({ code: 'unknown_plugin' });
    await expect(windows.open('telegram')).rejects.toMatchObject({ code: 'not_password_plugin' });
    await binding.unbind('frobchat', 'alice@frob');
    await expect(windows.open('frobchat')).rejects.toMatchObject({ code: 'not_bound' });
    expect(opened).toBe(0);
    expect(logged.join('\n')).not.toContain(password);
  });
});
