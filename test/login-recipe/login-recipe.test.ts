import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordBinding, type PasswordBinding } from '#core/accounts/password.js';
import { LoginRecipeError, logIn, type LoginStep } from '#core/login-recipe/index.js';
import { createVault, type Vault } from '#core/vault/index.js';
import { writePlugin } from '../plugin-host/plugin-folders.js';
import { chromiumAvailable, launchChromium } from '../renderer/support/browser.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { tempDir } from '../support/test-server.js';
import { LOGIN_HOST, PHISHING_HOST, startLoginStandIn, type LoginStandIn } from '../support/login-stand-in.js';

const keyringUp = await keyringAvailable();
const chromiumUp = await chromiumAvailable();
const password = 'correct horse battery staple 🐎';

describe.skipIf(!keyringUp || !chromiumUp)('password binding and the login recipe in real Chromium', () => {
  let keyring: PrivateKeyring;
  let vault: Vault;
  let binding: PasswordBinding;
  let browser: Browser;
  let page: Page;
  let standIn: LoginStandIn;
  let plugin: Awaited<ReturnType<typeof writePlugin>>;
  const root = tempDir('login-recipe-');
  const logged: string[] = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((name) => [name, console[name]] as const);

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    vault = createVault({ service: `switchboard-login-test-${process.pid}` });
    binding = createPasswordBinding(vault);
    standIn = await startLoginStandIn();
    plugin = await writePlugin(root, 'frobchat', {}, {
      main: undefined,
      capabilities: ['presence', 'web-login'],
      allowedHosts: [LOGIN_HOST],
      launch: { open: [{ url: `https://${LOGIN_HOST}/` }] },
      auth: { type: 'password', loginUrl: `https://${LOGIN_HOST}/login`, recipe: { usernameSelector: '#user', passwordSelector: '#pass', submitSelector: '#go' } },
    });
    browser = await launchChromium();
    // Everything else is refused, so nothing can reach the real internet by accident.
    const context = await browser.newContext();
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      // The network's login page moved to a look-alike host: the recipe must notice before typing.
      if (url.host === PHISHING_HOST) return route.fulfill({ response: await route.fetch({ url: `${standIn.origin}/login` }) });
      if (url.host !== LOGIN_HOST) return route.abort();
      const response = await route.fetch({ url: standIn.origin + url.pathname + url.search });
      return route.fulfill({ response });
    });
    page = await context.newPage();
    // Every console line of this process during the tests, to show the password never reaches one.
    for (const name of consoleMethods) console[name] = (...parts: unknown[]) => logged.push(parts.map(String).join(' '));
  });
  afterAll(async () => {
    for (const [name, original] of originals) console[name] = original;
    await browser?.close();
    await standIn?.close();
    await keyring?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('binds by user name and password into the keychain only, fills the login form from there and submits it', async () => {
    const { account } = await binding.bind(plugin, '  alice@frob  ', password);
    expect(account).toBe('credential:frobchat:alice@frob');
    expect(await keyring.secretTool('search', '--all', 'service', vault.service)).toContain('credential:frobchat:alice@frob');
    expect(await binding.usernames('frobchat')).toEqual(['alice@frob']);

    const steps: string[] = [];
    const credential = await binding.credential('frobchat', 'alice@frob');
    await logIn(page, { manifest: plugin.manifest, credential, onStep: (step: LoginStep, detail) => steps.push(`${step} ${detail}`) });
    await page.waitForSelector('#inbox');

    expect(standIn.posts).toEqual([{ username: 'alice@frob', password }]);
    expect(steps).toEqual([`navigated https://${LOGIN_HOST}/login`, 'username_filled #user', 'password_filled #pass', 'submitted #go']);
    expect([...steps, ...logged].join('\n')).not.toContain(password);
  });

  it('fills nothing into a page that is not the network\'s, and keeps the password out of every error', async () => {
    const credential = await binding.credential('frobchat', 'alice@frob');
    const before = standIn.posts.length;
    const moved = { ...plugin.manifest, auth: { ...plugin.manifest.auth, loginUrl: `https://${LOGIN_HOST}/moved` } };
    const redirected = await logIn(page, { manifest: moved, credential }).catch((error: unknown) => error);
    expect(redirected, String(redirected)).toMatchObject({ code: 'wrong_page' });
    expect(new URL(page.url()).host).toBe(PHISHING_HOST);
    expect(await page.inputValue('#user')).toBe('');
    expect(await page.inputValue('#pass')).toBe('');

    const changedPage = { ...plugin.manifest, auth: { type: 'password' as const, loginUrl: `https://${LOGIN_HOST}/login`, recipe: { usernameSelector: '#user', passwordSelector: '#new-password-field', submitSelector: '#go' } } };
    const failure = await logIn(page, { manifest: changedPage, credential, timeoutMs: 500 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LoginRecipeError);
    expect(failure).toMatchObject({ code: 'field_missing' });
    expect(String((failure as Error).message)).not.toContain(password);
    expect(standIn.posts.length).toBe(before);
    expect(logged.join('\n')).not.toContain(password);
  });

  it('refuses bad input with codes and unbinding deletes the keychain item', async () => {
    const oauthPlugin = { ...plugin, manifest: { ...plugin.manifest, auth: { type: 'none' as const } } };
    await expect(binding.bind(oauthPlugin, 'alice', 'x')).rejects.toMatchObject({ code: 'not_password_plugin' });
    await expect(binding.bind(plugin, 'has space', 'x')).rejects.toMatchObject({ code: 'invalid_username' });
    await expect(binding.bind(plugin, 'bob', '')).rejects.toMatchObject({ code: 'invalid_password' });
    await expect(binding.credential('frobchat', 'nobody')).rejects.toMatchObject({ code: 'not_bound' });

    expect(await binding.unbind('frobchat', 'alice@frob')).toBe(true);
    expect(await binding.unbind('frobchat', 'alice@frob')).toBe(false);
    await expect(binding.credential('frobchat', 'alice@frob')).rejects.toMatchObject({ code: 'not_bound' });
    expect(await keyring.secretTool('search', '--all', 'service', vault.service)).not.toContain(password);
  });
});
