import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesktopBridge } from '#common/bridge/index.js';
import { routePath, routes } from '#common/contract/routes.js';
import { APP_ORIGIN, BridgeHost, DesktopState } from '#core/bridge-host/index.js';
import { createUnavailableProbe, Launcher, UserGestureGate } from '#core/launcher/index.js';
import { LoginWindows } from '#core/login-window/index.js';
import { loadPlugins, type LoadedPlugin } from '#core/plugins/load.js';
import { createVault, sessionAccount, type Vault } from '#core/vault/index.js';
import { startBindingWorld, type BindingWorld } from '../accounts/setup.js';
import { cdpLoginWindow } from '../login-window/support/cdp-web-contents.js';
import { LOGIN_HOST, startLoginStandIn, type LoginStandIn } from '../support/login-stand-in.js';
import { writePlugin } from '../plugin-host/plugin-folders.js';
import { chromiumAvailable, launchChromium } from '../renderer/support/browser.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { browse } from '../support/oidc.js';
import { signIn, tempDir, testDevice } from '../support/test-server.js';
import { serveBridge, type ServedBridge } from './support/serve-bridge.js';

const available = (await chromiumAvailable()) && (await keyringAvailable());
const builtinDir = fileURLToPath(new URL('../../plugins/', import.meta.url));
const appOrigin = 'http://app.switchboard.test';
const password = 'hunter2 "quoted" </script> 🐎 ' + 'x'.repeat(20);

type PageGlobal = { switchboardBridge: DesktopBridge; results: unknown[] };

describe.skipIf(!available)('account calls of the desktop bridge, served to real Chromium with a real keychain', () => {
  let keyring: PrivateKeyring;
  let world: BindingWorld;
  let standIn: LoginStandIn;
  let browser: Browser;
  let context: BrowserContext;
  let served: ServedBridge;
  let host: BridgeHost;
  let vault: Vault;
  let plugins: LoadedPlugin[];
  const loginPages: Page[] = [];
  const opened: string[] = [];
  const loginProblems: string[] = [];
  const seenByPage: unknown[] = [];
  const scratch = tempDir('switchboard-bridge-accounts-');
  const logged: string[] = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((name) => [name, console[name]] as const);

  /** Calls the page's bridge; answers the value or the error message, and keeps it to prove no secret came back. */
  async function inPage<Result>(page: Page, source: string): Promise<Result | { error: { code: unknown; message: string } }> {
    const answer = await page.evaluate(async (code) => {
      const bridge = (globalThis as unknown as PageGlobal).switchboardBridge;
      const run = new Function('bridge', `return (${code})(bridge);`) as (b: DesktopBridge) => Promise<unknown>;
      try {
        return await run(bridge);
      } catch (error) {
        return { error: { code: (error as { code?: unknown }).code, message: (error as Error).message } };
      }
    }, source);
    seenByPage.push(answer);
    return answer as Result | { error: { code: unknown; message: string } };
  }

  /** The page's buttons run one bridge call each on a real click and keep the answer. */
  async function click(page: Page, id: string): Promise<unknown> {
    const before = await page.evaluate(() => (globalThis as unknown as PageGlobal).results.length);
    await served.userClick(page, `#${id}`);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageGlobal).results.length), { timeout: 20_000 }).toBe(before + 1);
    const answer = await page.evaluate(() => (globalThis as unknown as PageGlobal).results.at(-1));
    seenByPage.push(answer);
    return answer;
  }

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    world = await startBindingWorld();
    standIn = await startLoginStandIn();
    const frobchat = await writePlugin(scratch, 'frobchat', {}, {
      main: undefined,
      capabilities: ['presence', 'web-login'],
      allowedHosts: [LOGIN_HOST],
      launch: { web: [{ url: `https://${LOGIN_HOST}/chat/{handle}`, needs: ['handle'] }] },
      identity: [{ name: 'handle', label: { en: 'Username', 'zh-CN': '用户名' }, pattern: '[a-z]{2,20}', example: 'bob', sources: ['typed'] }],
      auth: { type: 'password', loginUrl: `https://${LOGIN_HOST}/login`, recipe: { usernameSelector: '#user', passwordSelector: '#pass', submitSelector: '#go' } },
    });
    plugins = [...(await loadPlugins({ builtinDir })).plugins, { ...frobchat, builtin: false }];
    vault = createVault({ service: `switchboard-bridge-accounts-${process.pid}` });
    const me = await signIn(world.server.api, '+8613800138011', testDevice('Desktop'));
    await vault.setSecret(sessionAccount(world.server.url), { token: me.token, userId: me.user.id });

    browser = await launchChromium();
    const gestures = new UserGestureGate();
    const manifests = plugins.map((plugin) => plugin.manifest);
    host = new BridgeHost({
      version: '0.1.0-test',
      platform: 'linux',
      serverUrl: world.server.url,
      trustedOrigins: [appOrigin],
      vault,
      state: new DesktopState(path.join(scratch, 'config')),
      plugins,
      iconUrl: (id) => `${APP_ORIGIN}/plugins/${id}/icon`,
      launcher: new Launcher({
        findPlugin: (id) => manifests.find((manifest) => manifest.id === id),
        probe: createUnavailableProbe('no desktop apps in this test'),
        openExternal: async (url) => {
          opened.push(url);
          return { ok: true };
        },
        gestures,
      }),
      gestures,
      // The system browser, as far as OAuth needs one: follows the provider's pages to the end.
      openExternal: async (url) => {
        opened.push(url);
        const page = await browse(url);
        return page.status === 200 ? { ok: true } : { ok: false, code: 'open_failed', message: `ended on ${page.status}` };
      },
      // Each login window is a page of its own browser context: Electron gives each account its own session.
      loginWindows: new LoginWindows({
        vault,
        findPlugin: (id) => plugins.find((plugin) => plugin.id === id),
        stepTimeoutMs: 5000,
        createWindow: async () => {
          const windowContext = await browser.newContext();
          await standIn.routeInto(windowContext);
          const page = await windowContext.newPage();
          loginPages.push(page);
          return cdpLoginWindow(page);
        },
      }),
      onLoginProblem: (pluginId, problem) => loginProblems.push(`${pluginId}: ${problem.code}`),
    });

    context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    served = await serveBridge(context, host, gestures);
    await context.route(`${appOrigin}/**`, (route) => {
      if (new URL(route.request().url()).pathname === '/app.js') {
        return route.fulfill({
          contentType: 'text/javascript',
          body: `window.results = [];
const bridge = window.switchboardBridge;
const keep = (promise) => promise.then((value) => window.results.push(value), (error) => window.results.push({ error: { code: error.code, message: error.message } }));
document.getElementById('open').addEventListener('click', () => keep(bridge.accounts.openLoggedIn({ pluginId: 'frobchat' })));
document.getElementById('launch').addEventListener('click', () => keep(bridge.launcher.open({ pluginId: 'frobchat', identity: { handle: 'bob' } })));
document.getElementById('oauth').addEventListener('click', () => keep(bridge.accounts.bindOAuth({ pluginId: 'slack' })));`,
        });
      }
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>accounts</title><button id="open">Open</button><button id="launch">Bob</button><button id="oauth">Slack</button><script src="/app.js"></script>',
      });
    });
    for (const name of consoleMethods) console[name] = (...parts: unknown[]) => logged.push(parts.map(String).join(' '));
  }, 120_000);

  afterAll(async () => {
    for (const [name, original] of originals) console[name] = original;
    served?.stop();
    host?.close();
    await browser?.close();
    await standIn?.close();
    await world?.close();
    await keyring?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  async function appPage(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${appOrigin}/index.html`);
    return page;
  }

  it('says the desktop binds accounts itself', async () => {
    const page = await appPage();
    expect(await inPage(page, '(bridge) => bridge.app.info().then((info) => info.capabilities.accountBinding)')).toBe(true);
    await page.close();
  });

  it('bindPassword stores the pair in the keychain only; list shows the account, never the password', async () => {
    const page = await appPage();
    const bound = await page.evaluate(
      ([secret]) => (globalThis as unknown as PageGlobal).switchboardBridge.accounts.bindPassword({ pluginId: 'frobchat', username: ' alice@frob ', password: secret ?? '' }),
      [password],
    );
    seenByPage.push(bound);
    expect(bound).toEqual({ pluginId: 'frobchat', account: 'alice@frob', kind: 'password' });

    const inKeychain = await keyring.secretTool('search', '--all', 'service', vault.service);
    expect(inKeychain).toContain('credential:frobchat:alice@frob');
    // secret-tool prints the stored value too: the password is there, in the keychain.
    expect(inKeychain).toContain(JSON.stringify(password).slice(1, -1));
    expect(await vault.getSecret('credential:frobchat:alice@frob')).toEqual({ type: 'password', username: 'alice@frob', password });

    expect(await inPage(page, '(bridge) => bridge.accounts.list()')).toEqual([{ pluginId: 'frobchat', account: 'alice@frob', kind: 'password' }]);

    // A second user name replaces the first: the login window opens "the" account of a network.
    await inPage(page, `(bridge) => bridge.accounts.bindPassword({ pluginId: 'frobchat', username: 'carol', password: 'another-secret' })`);
    expect(await inPage(page, '(bridge) => bridge.accounts.list()')).toEqual([{ pluginId: 'frobchat', account: 'carol', kind: 'password' }]);
    await page.evaluate(
      ([secret]) => (globalThis as unknown as PageGlobal).switchboardBridge.accounts.bindPassword({ pluginId: 'frobchat', username: 'alice@frob', password: secret ?? '' }),
      [password],
    );
    expect(await vault.list('credential:frobchat:')).toEqual(['credential:frobchat:alice@frob']);
    await page.close();
  });

  it('refuses bad binding input with codes, and no message quotes the password', async () => {
    const page = await appPage();
    const attempts = [
      [`{ pluginId: 'slack', username: 'alice', password: ${JSON.stringify(password)} }`, /^not_password_plugin: /],
      [`{ pluginId: 'nope', username: 'alice', password: ${JSON.stringify(password)} }`, /^unknown_plugin: /],
      [`{ pluginId: 'frobchat', username: 'alice smith/..', password: ${JSON.stringify(password)} }`, /^invalid_username: /],
      [`{ pluginId: 'frobchat', username: 'alice', password: '' }`, /^invalid_arguments: /],
      [`{ pluginId: 'frobchat', username: 'alice', password: ${JSON.stringify(password)}.repeat(40) }`, /^invalid_arguments: /],
      [`{ pluginId: '../frobchat', username: 'alice', password: ${JSON.stringify(password)} }`, /^invalid_arguments: /],
    ] as const;
    for (const [request, code] of attempts) {
      const answer = await inPage(page, `(bridge) => bridge.accounts.bindPassword(${request})`);
      expect(answer, request).toMatchObject({ error: { code } });
      expect(JSON.stringify(answer)).not.toContain('hunter2');
    }
    expect(await vault.list('credential:frobchat:')).toEqual(['credential:frobchat:alice@frob']);
    await page.close();
  });

  it('openLoggedIn needs a click, then fills the stand-in login page in the account\'s window', async () => {
    const page = await appPage();
    expect(await inPage(page, `(bridge) => bridge.accounts.openLoggedIn({ pluginId: 'frobchat' })`)).toMatchObject({ error: { code: 'no_user_gesture' } });
    expect(loginPages).toHaveLength(0);

    expect(await click(page, 'open')).toEqual({ filled: true });
    expect(standIn.posts).toEqual([{ username: 'alice@frob', password }]);
    expect(loginPages).toHaveLength(1);
    await loginPages[0]?.waitForSelector('#inbox');
    expect(await inPage(page, `(bridge) => bridge.accounts.openLoggedIn({ pluginId: 'slack' })`)).toMatchObject({ error: { code: 'no_user_gesture' } });
    await loginPages[0]?.close();
    await page.close();
  });

  it('a contact\'s password network used through its web site opens signed in at the chat, not in the system browser', async () => {
    const page = await appPage();
    const before = standIn.posts.length;
    expect(await click(page, 'launch')).toEqual({ ok: true, kind: 'web', url: `https://${LOGIN_HOST}/chat/bob`, reaches: 'contact' });
    await expect.poll(() => loginPages[1]?.url(), { timeout: 15_000 }).toBe(`https://${LOGIN_HOST}/chat/bob`);
    expect(standIn.posts.length).toBe(before + 1);
    expect(opened.filter((url) => url.includes(LOGIN_HOST))).toEqual([]);
    expect(loginProblems).toEqual([]);
    await loginPages[1]?.close();
    await page.close();
  });

  it('binds Slack by OAuth through the system browser after a click; tokens stay in the keychain', async () => {
    const page = await appPage();
    expect(await inPage(page, `(bridge) => bridge.accounts.bindOAuth({ pluginId: 'slack' })`)).toMatchObject({ error: { code: 'no_user_gesture' } });
    expect(await inPage(page, `(bridge) => bridge.accounts.bindOAuth({ pluginId: 'frobchat' })`)).toMatchObject({ error: { code: 'not_oauth_plugin' } });
    expect(opened).toEqual([]);

    expect(await click(page, 'oauth')).toEqual({ pluginId: 'slack', account: 'default', kind: 'oauth2' });
    expect(opened).toEqual([expect.stringMatching(new RegExp(`^${world.server.url}${routePath(routes.oauthAuthorize, { plugin: 'slack' })}\\?start=`))]);
    const credential = await vault.getSecret('credential:slack:default');
    expect(credential?.type).toBe('oauth2');
    const accessToken = credential?.type === 'oauth2' ? credential.accessToken : '';
    expect(accessToken.length).toBeGreaterThan(10);
    expect(await inPage(page, '(bridge) => bridge.accounts.list()')).toEqual([
      { pluginId: 'frobchat', account: 'alice@frob', kind: 'password' },
      { pluginId: 'slack', account: 'default', kind: 'oauth2' },
    ]);

    expect(await inPage(page, `(bridge) => bridge.accounts.unbind({ pluginId: 'slack' })`)).toEqual({ removed: 1, revoked: true });
    expect(await vault.getSecret('credential:slack:default')).toBeUndefined();
    expect(await world.oauth.isActive(accessToken)).toBe(false);
    expect(JSON.stringify(seenByPage)).not.toContain(accessToken);
    await page.close();
  });

  it('unbind deletes the password from the keychain; nothing secret ever reached the page or a log', async () => {
    const page = await appPage();
    expect(await inPage(page, `(bridge) => bridge.accounts.unbind({ pluginId: 'frobchat' })`)).toEqual({ removed: 1, revoked: null });
    expect(await keyring.secretTool('search', '--all', 'service', vault.service)).not.toContain('credential:frobchat:');
    expect(await inPage(page, '(bridge) => bridge.accounts.list()')).toEqual([]);
    expect(await inPage(page, `(bridge) => bridge.accounts.unbind({ pluginId: 'frobchat' })`)).toEqual({ removed: 0, revoked: null });
    await served.userClick(page, '#open');
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageGlobal).results.at(-1))).toMatchObject({ error: { code: 'not_bound' } });

    expect(JSON.stringify(seenByPage)).not.toContain('hunter2');
    expect(JSON.stringify(served.calls)).not.toContain('hunter2');
    expect(logged.join('\n')).not.toContain('hunter2');
    expect(world.logs.text()).not.toContain('hunter2');
    for (const file of fs.readdirSync(scratch, { recursive: true, encoding: 'utf8' })) {
      const full = path.join(scratch, file);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full, 'utf8'), file).not.toContain('hunter2');
    }
    await page.close();
  });
});
