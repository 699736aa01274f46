import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, PresenceSetPayload, ServerToClientEvents } from '#common/contract/socket-events.js';
import { routes } from '#common/contract/routes.js';
import { latestCode, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from './support/browser.js';

const available = await chromiumAvailable();

/** Full-width digits, as a Chinese input method types them. */
const fullWidth = (digits: string) => digits.replace(/[0-9]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) + 0xfee0));

const me = { national: '13800138000', e164: '+8613800138000' };
const book = [
  { name: '刘洋', phone: '+8613800138104' },
  { name: 'Konstantinos Alexander Papadopoulos-Worthington (Athens office, mobile)', phone: '+306912345678', user: { apps: ['whatsapp', 'telegram', 'signal'] } },
  { name: '张伟', phone: '+8613800138105' },
  { name: 'Bob Smith', phone: '+14155552671' },
  { name: '李娜', phone: '+8613800138106', user: { apps: ['wechat', 'qq'], status: 'online' } },
  { name: 'Alice Chen', phone: '+8613800138101', user: { apps: ['slack', 'teams'], status: 'busy', text: 'In a meeting' } },
  { name: '陈静', phone: '+8613900139107' },
] as const;

type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

async function connectAs(server: TestServer, token: string): Promise<RealtimeSocket> {
  const socket: RealtimeSocket = io(server.url, { auth: { token }, transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Boxes of the visible elements a selector matches, in CSS pixels. */
async function boxes(page: Page, selector: string): Promise<{ text: string; width: number; height: number; left: number; right: number }[]> {
  return page.$$eval(selector, (elements) =>
    elements
      .filter((element) => (element as unknown as { offsetParent: unknown }).offsetParent !== null)
      .map((element) => {
        const rect = element.getBoundingClientRect();
        return { text: (element.getAttribute('aria-label') ?? element.textContent ?? '').trim(), width: rect.width, height: rect.height, left: rect.left, right: rect.right };
      }),
  );
}

describe.skipIf(!available)('the web client from a phone (390 px) to a desktop (1280 px), in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const sockets: RealtimeSocket[] = [];
  const pageErrors: string[] = [];

  async function screenshot(name: string): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    // No focus ring from the last click in the pictures.
    await page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement !== document.body && !document.activeElement.matches("input") && document.activeElement.blur()');
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  async function expectNoHorizontalScroll(label: string): Promise<void> {
    const { scrollWidth, innerWidth } = (await page.evaluate('({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })')) as {
      scrollWidth: number;
      innerWidth: number;
    };
    expect(scrollWidth, `${label}: page wider than the window`).toBeLessThanOrEqual(innerWidth);
  }

  async function expectTapTargets(label: string, selectors: string[]): Promise<void> {
    for (const selector of selectors) {
      const found = await boxes(page, selector);
      expect(found.length, `${label}: ${selector} is missing`).toBeGreaterThan(0);
      for (const box of found) {
        expect(Math.min(box.width, box.height), `${label}: "${box.text}" (${selector}) is ${box.width}x${box.height}`).toBeGreaterThanOrEqual(44);
      }
    }
  }

  /** In every row with network icons, the name ends where the icon strip begins, and keeps some room. */
  async function expectNamesUncovered(label: string, minimumNameWidth: number): Promise<void> {
    const rows = await page.$$eval('.contact-row', (elements) =>
      elements.map((row) => {
        // The room the name has (its cell), not the width of the text in it.
        const name = row.querySelector('.contact-main')?.getBoundingClientRect();
        const strip = row.querySelector('.network-strip')?.getBoundingClientRect();
        return { text: row.querySelector('.person-name')?.textContent ?? '', name: name && { left: name.left, right: name.right, width: name.width }, strip: strip && { left: strip.left, right: strip.right } };
      }),
    );
    expect(rows.filter((row) => row.strip !== undefined).length, `${label}: no row with icons`).toBeGreaterThan(0);
    for (const row of rows) {
      if (row.name === undefined || row.strip === undefined) continue;
      expect(row.name.right, `${label}: icons over "${row.text}"`).toBeLessThanOrEqual(row.strip.left + 0.5);
      expect(row.name.width, `${label}: "${row.text}" squeezed`).toBeGreaterThanOrEqual(minimumNameWidth);
    }
  }

  async function listedNames(): Promise<string[]> {
    return page.$$eval('.contact-row', (rows) =>
      rows
        .map((row) => ({ index: Number(row.getAttribute('aria-rowindex')), name: row.querySelector('.person-name')?.textContent ?? '' }))
        .sort((a, b) => a.index - b.index)
        .map((row) => row.name),
    );
  }

  async function startCodeStep(target: Page, national: string): Promise<void> {
    await target.getByLabel('Country or region', { exact: true }).selectOption('CN');
    // Typed with a Chinese input method: full-width digits and a full-width space.
    await target.getByLabel('Phone number', { exact: true }).fill(`${fullWidth(national.slice(0, 3))}\u3000${fullWidth(national.slice(3))}`);
    await target.getByRole('button', { name: 'Send code' }).click();
    await target.getByRole('heading', { name: 'Enter the code' }).waitFor();
  }

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '300' } });
    // The users in the book have my number too, so each may see the other's presence.
    for (const entry of book) {
      if (!('user' in entry)) continue;
      const session = await signIn(server.api, entry.phone, testDevice(entry.name));
      await server.api.withToken(session.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'me', phones: [me.e164] }] } });
      const socket = await connectAs(server, session.token);
      sockets.push(socket);
      const payload: PresenceSetPayload = { apps: [...entry.user.apps], ...('status' in entry.user ? { status: entry.user.status } : {}), ...('text' in entry.user ? { text: entry.user.text } : {}) };
      expect((await socket.timeout(5000).emitWithAck('presence:set', payload)) as Ack).toEqual({ ok: true });
    }
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, colorScheme: 'light', deviceScaleFactor: 1 });
    context.setDefaultTimeout(8_000);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url + '/');
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await browser?.close();
    await server?.close();
  });

  it('signs in on a phone with full-width digits, one attempt per code entered (auto-submit and Enter)', async () => {
    await page.getByRole('heading', { name: 'Sign in with your phone number' }).waitFor();
    await expectNoHorizontalScroll('sign-in 390');
    const checks: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/v1\/auth\/verifications\/[^/]+\/check$/.test(request.url())) checks.push(request.postData() ?? '');
    });
    await startCodeStep(page, me.national);
    const code = await latestCode(server.api, me.e164);
    const wrong = code === '000000' ? '111111' : '000000';
    const codeField = page.getByLabel('Code', { exact: true });
    // The sixth digit submits; Enter right after must not spend a second attempt on the same code.
    await codeField.fill(fullWidth(wrong));
    await codeField.press('Enter');
    await page.getByText('4 tries left for this code.').waitFor();
    await page.getByRole('button', { name: 'Verify' }).click();
    expect(checks).toHaveLength(1);
    expect(await page.getByRole('alert').textContent()).toBe('That code is not right. Check the SMS and type the six digits again.');
    await screenshot('layout-390-light-en-sign-in');
    await codeField.fill(`${fullWidth(code.slice(0, 3))} ${fullWidth(code.slice(3))}`);
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    expect(checks).toHaveLength(2);
  });

  it('offers a new code, with the wait counted down, once the tries of a code are spent', async () => {
    const other = await context.browser()?.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    if (other === undefined) throw new Error('no browser');
    const second = await other.newPage();
    await second.goto(server.url + '/');
    await startCodeStep(second, '13800138999');
    const code = await latestCode(server.api, '+8613800138999');
    const field = second.getByLabel('Code', { exact: true });
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const wrong = String((Number(code) + attempt) % 1_000_000).padStart(6, '0');
      await field.fill(wrong);
      await second.getByText(attempt < 5 ? `${5 - attempt} ${5 - attempt === 1 ? 'try' : 'tries'} left for this code.` : 'No tries left for this code.', { exact: false }).waitFor();
    }
    expect(await field.isDisabled()).toBe(true);
    const resend = second.getByRole('button', { name: /^Send a new code/ });
    expect(await resend.textContent()).toMatch(/^Send a new code in (\d+ s|\d+:\d\d)$/);
    expect(await resend.getAttribute('class')).toContain('primary');
    expect(await second.getByRole('button', { name: 'Verify' }).count()).toBe(0);
    await other.close();
  });

  it('imports the book and shows it on a phone: no sideways scroll, 44 px targets, names clear of the icons, compact header', async () => {
    const file = vcard(book.map((entry) => ({ name: entry.name, phones: [entry.phone] })));
    await importAddressBook(page, file, 'contacts.vcf');
    expect(await page.getByTestId('import-done').textContent()).toContain('Imported 7 contacts from contacts.vcf (vcard, utf-8). 3 of them are on Switchboard.');
    await expectNoHorizontalScroll('import 390');
    await screenshot('layout-390-light-en-import');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
    await contactRow(page, '李娜').getByRole('button', { name: /^WeChat: active since/ }).waitFor({ timeout: 10_000 });
    await expectNoHorizontalScroll('contacts 390');
    await expectTapTargets('contacts 390', [
      'nav[aria-label="Main"] button',
      '.topbar-end button',
      '.topbar-end select',
      'input[type="search"]',
      '.groups-toggle',
      '.person-button',
      '.network',
    ]);
    await expectNamesUncovered('contacts 390', 150);
    const header = await page.locator('header.topbar').boundingBox();
    expect(header?.height ?? 999).toBeLessThanOrEqual(64);
    // Where a contact is active comes first, so the lit icons are the ones a phone shows.
    const firstIcon = contactRow(page, '李娜').locator('.network').first();
    expect(await firstIcon.getAttribute('class')).toContain('lit');
    await screenshot('layout-390-light-en-contacts');
  });

  it('reaches the groups on a phone through a drawer', async () => {
    await page.getByRole('button', { name: 'Groups' }).click();
    const drawer = page.getByRole('navigation', { name: 'Groups' });
    await drawer.getByRole('button', { name: 'On Switchboard' }).waitFor();
    await expectNoHorizontalScroll('groups drawer 390');
    await screenshot('layout-390-light-en-groups');
    await drawer.getByRole('button', { name: 'On Switchboard' }).click();
    expect(await drawer.isVisible()).toBe(false);
    await expect.poll(() => page.getByTestId('contact-count').textContent()).toBe('3 contacts');
    await page.getByRole('button', { name: 'Groups' }).click();
    await drawer.getByRole('button', { name: 'Everyone' }).click();
    await expect.poll(() => page.getByTestId('contact-count').textContent()).toBe('7 contacts');
  });

  it('sorts Chinese names by pinyin among the Latin ones, and finds them by pinyin and initials', async () => {
    await expect.poll(listedNames).toEqual(['Alice Chen', 'Bob Smith', '陈静', book[1].name, '李娜', '刘洋', '张伟']);
    const search = page.getByRole('searchbox', { name: 'Search by name or number' });
    await search.fill('ln');
    await expect.poll(listedNames).toEqual(['李娜']);
    await search.fill('lina');
    await expect.poll(listedNames).toEqual(['李娜']);
    await search.fill('li');
    expect(await listedNames()).toContain('李娜');
    await search.fill('zw');
    await expect.poll(listedNames).toEqual(['张伟']);
    // Numbers typed with full-width digits find the contact too.
    await search.fill(fullWidth('138106'));
    await expect.poll(listedNames).toEqual(['李娜']);
    await search.fill('');
  });

  it('opens a contact as a sheet that fits a phone', async () => {
    await contactRow(page, '李娜').getByRole('button', { name: /李娜/ }).click();
    const dialog = page.getByRole('dialog', { name: '李娜' });
    await dialog.waitFor();
    expect(await dialog.getByRole('link', { name: '+86 138 0013 8106' }).count()).toBe(1);
    const box = await page.locator('.dialog').boundingBox();
    expect(box?.width ?? 0).toBeLessThanOrEqual(390);
    await expectNoHorizontalScroll('detail 390');
    await screenshot('layout-390-light-en-detail');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('lays out a desktop window: groups beside the list, 44 px targets, no sideways scroll', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('navigation', { name: 'Groups' }).getByRole('button', { name: 'Everyone' }).waitFor();
    expect(await page.getByRole('button', { name: 'Groups' }).isVisible()).toBe(false);
    await expectNoHorizontalScroll('contacts 1280');
    await expectTapTargets('contacts 1280', ['nav[aria-label="Main"] button', '.topbar-end button', 'input[type="search"]', '.group-button', '.person-button', '.network']);
    await expectNamesUncovered('contacts 1280', 300);
  });

  it('takes the screenshots: 390 and 1280 px, light and dark, English and Chinese', async () => {
    for (const language of ['en', 'zh-CN'] as const) {
      await page.locator('.language-switch select').selectOption(language);
      await page.getByRole('heading', { name: language === 'en' ? 'Contacts' : '联系人', level: 1 }).waitFor();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const width of [390, 1280]) {
          await page.setViewportSize(width === 390 ? { width: 390, height: 844 } : { width: 1280, height: 800 });
          await expectNoHorizontalScroll(`${width} ${scheme} ${language}`);
          await screenshot(`layout-${width}-${scheme}-${language === 'en' ? 'en' : 'zh'}-contacts`);
        }
      }
    }
    // In Chinese, networks have their Chinese names where they have one.
    expect(await contactRow(page, '李娜').getByRole('button', { name: /^微信：/ }).count()).toBe(1);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByLabel('语言').selectOption('en');
  });

  it('says in words why a network cannot be bound here, and asks a Mastodon user for their server', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Bind Slack' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'This server has not set up signing in with Slack. You can bind it with a password where offered, or ask the administrator of this server to set it up.',
    );
    await page.getByRole('button', { name: 'Bind Mastodon' }).click();
    const server = page.getByLabel('Your Mastodon server');
    await server.waitFor();
    expect(await alert.textContent()).toBe('Type the server your Mastodon account is on, such as mastodon.social.');
    await expectNoHorizontalScroll('accounts 390');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await screenshot('layout-390-light-en-accounts');
    await server.fill('https://mastodon.invalid/');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => alert.getAttribute('data-error-code')).not.toBe('instance_required');
    // Whatever went wrong further on, it reads as words: no code, no variable.
    expect(await alert.textContent()).not.toMatch(/[a-z]+_[a-z_]+|[A-Z]{3,}_[A-Z_]+|error:/);
  });

  it('reloads with the server down: the cached app, its contacts and an offline banner; presence greys out; Privacy and Accounts keep their copy and recover', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    // Privacy and Accounts seen once online, so this device has their copy.
    await nav.getByRole('button', { name: 'Privacy' }).click();
    await page.getByRole('radio', { name: /My contacts/ }).waitFor();
    await expectNoHorizontalScroll('privacy 390');
    await screenshot('layout-390-light-en-privacy');
    await nav.getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Bind Slack' }).waitFor();
    expect(await page.evaluate('navigator.serviceWorker.ready.then((registration) => registration.active.state)')).toBe('activated');
    // The worker carries this build's file list (and so its version): a new build is a new worker.
    const worker = await (await page.request.get(server.url + '/sw.js')).text();
    const mainScript = /src="(\/assets\/index-[\w-]+\.js)"/.exec(await (await page.request.get(server.url + '/')).text())?.[1];
    expect(mainScript).toBeDefined();
    expect(worker).toContain(mainScript);
    expect(worker).not.toContain('__SWITCHBOARD_SHELL_MANIFEST__');

    const port = new URL(server.url).port;
    await server.close();
    await page.reload();
    await page.getByTestId('offline-banner').waitFor({ timeout: 15_000 });
    await nav.getByRole('button', { name: 'Contacts' }).click();
    await contactRow(page, '李娜').waitFor();
    expect(await page.locator('.contact-grid').getAttribute('class')).toContain('stale');
    expect(await contactRow(page, '李娜').locator('.person-sub').textContent()).toMatch(/^Last seen /);
    // The cache still says Li Na is on WeChat; offline that is not known to be true, so nothing is lit.
    expect(await page.locator('.contact-grid .network.lit').count()).toBe(0);
    // Every icon is drawn as the unlit grey silhouette, none in its brand colour.
    const filters = (await page.evaluate('[...document.querySelectorAll(".contact-grid .network img")].map((icon) => getComputedStyle(icon).filter)')) as string[];
    expect(filters.length).toBeGreaterThan(0);
    expect(filters).not.toContain('none');
    await screenshot('layout-390-light-en-offline');
    await nav.getByRole('button', { name: 'Privacy' }).click();
    await page.getByText('You are offline. This is what this device last knew').waitFor();
    expect(await page.getByRole('radio', { name: /My contacts/ }).isChecked()).toBe(true);
    await nav.getByRole('button', { name: 'Accounts' }).click();
    await page.getByText('You are offline. This is what this device last knew').waitFor();
    expect(await page.getByRole('button', { name: 'Bind Slack' }).isDisabled()).toBe(true);

    server = await startTestServer({ dataDir: server.dataDir, env: { PORT: port, PRESENCE_GRACE_MS: '300' } });
    await page.getByTestId('offline-banner').waitFor({ state: 'hidden', timeout: 20_000 });
    await page.getByText('You are offline. This is what this device last knew').waitFor({ state: 'hidden', timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Bind Slack' }).isEnabled()).toBe(true);
  }, 90_000);

  it('ran without a page error', () => {
    expect(pageErrors).toEqual([]);
  });
});
