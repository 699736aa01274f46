import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { latestCode, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, launchChromium, screenshotDir } from './support/browser.js';

/** The Settings screen in real Chromium at phone and desktop widths (issue 12 item 10). */
const available = await chromiumAvailable();
const widths = [390, 1280] as const;

describe.skipIf(!available)('settings and devices in Chromium', () => {
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

  async function signUp(page: Page, national: string): Promise<void> {
    await page.goto(server.url + '/');
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(national);
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect.poll(() => latestCode(server.api, `+86${national}`).catch(() => ''), { timeout: 8000 }).toMatch(/^\d{6}$/);
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, `+86${national}`));
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  }

  for (const width of widths) {
    it(`at ${width} px: lists devices, signs one out, sets a password, exports, and deletes the account`, async () => {
      const national = width === 390 ? '13800138041' : '13800138042';
      const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 }, acceptDownloads: true });
      context.setDefaultTimeout(8000);
      const page = await context.newPage();
      await signUp(page, national);
      // The same person on a laptop (the CLI): a second device with a live session.
      const laptop = await signIn(server.api, `+86${national}`, testDevice('Work laptop'));

      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      const devices = page.getByTestId('device');
      await expect.poll(() => devices.count()).toBe(2);
      await expect.poll(() => devices.filter({ hasText: 'This device' }).count()).toBe(1);
      const other = devices.filter({ hasText: 'Work laptop' });
      expect(await other.textContent()).toMatch(/On linux · last seen/);
      // Nothing scrolls sideways, and the buttons are big enough for a finger.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      const signOutBox = await other.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect(signOutBox?.height).toBeGreaterThanOrEqual(44);
      fs.mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: path.join(screenshotDir, `settings-${width}.png`), fullPage: true });

      await other.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(async () => (await server.api.withToken(laptop.token).route(routes.me)).status).toBe(401);

      await page.getByLabel('New password (at least 8 characters)').fill('correct horse battery');
      expect(await page.getByLabel('Sign out my other devices').isChecked()).toBe(true);
      await page.getByRole('region', { name: 'Set a password' }).getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Change your password' }).waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'What the server keeps about me (JSON)' }).click()]);
      const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as { account: { phone: string; hasPassword: boolean }; devices: unknown[] };
      expect(exported.account).toMatchObject({ phone: `+86${national}`, hasPassword: true });
      expect(exported.devices).toHaveLength(2);

      await page.getByLabel('Your password', { exact: true }).fill('correct horse battery');
      await page.getByRole('button', { name: 'Delete my account for good' }).click();
      // Back at sign-in, signed out: the cookies are gone.
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor({ state: 'detached' });
      await page.getByRole('textbox', { name: 'Phone number', exact: true }).waitFor();
      expect((await context.cookies(server.url)).map((cookie) => cookie.name)).toEqual([]);
      // The number is free: a new sign-up creates a new account.
      const again = await signIn(server.api, `+86${national}`);
      expect(again.created).toBe(true);
      await context.close();
    });
  }

  it('in Chinese, the settings speak Chinese', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 900 } });
    context.setDefaultTimeout(8000);
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('combobox', { name: /语言|Language/ }).selectOption('en');
    await signUp(page, '13800138043');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('button', { name: '设置' }).click();
    await page.getByRole('heading', { name: '设备' }).waitFor();
    await page.getByText('本设备', { exact: true }).waitFor();
    await page.getByRole('heading', { name: '注销账号' }).waitFor();
    await context.close();
  });
});
