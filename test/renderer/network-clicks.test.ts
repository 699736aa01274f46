import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { routes } from '#common/contract/routes.js';
import { latestCode, signIn, startTestServer, type ApiClient, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from './support/browser.js';

const available = await chromiumAvailable();

const alice = { national: '13800138011', e164: '+8613800138011', name: 'Alice Zhang' };
const bob = { e164: '+8613800138012', digits: '8613800138012', name: 'Bob Li' };

/**
 * The 14 built-in networks: what Bob publishes, and what Alice's click in a browser reaches. Links are
 * written out here (not computed with the launcher) so that a template change shows up as a failure.
 */
const networks: { id: string; name: string; publish: Record<string, string>; opens: string; copies?: string }[] = [
  { id: 'slack', name: 'Slack', publish: { team: 'T024BE7LD', id: 'U024BE7LH' }, opens: 'https://app.slack.com/client/T024BE7LD/U024BE7LH' },
  { id: 'discord', name: 'Discord', publish: { id: '80351110224678912' }, opens: 'https://discord.com/users/80351110224678912' },
  { id: 'element', name: 'Element', publish: { userId: '@bob:matrix.org' }, opens: 'https://matrix.to/#/@bob:matrix.org' },
  { id: 'line', name: 'LINE', publish: { lineId: 'bob.li' }, opens: 'https://line.me/R/ti/p/~bob.li' },
  { id: 'mastodon', name: 'Mastodon', publish: { account: '@bob@mastodon.social' }, opens: 'https://mastodon.social/@bob@mastodon.social' },
  { id: 'qq', name: 'QQ', publish: { number: '10001' }, opens: 'https://im.qq.com/', copies: '10001' },
  { id: 'signal', name: 'Signal', publish: {}, opens: `https://signal.me/#p/${bob.e164}` },
  { id: 'teams', name: 'Microsoft Teams', publish: { email: 'bob@contoso.com' }, opens: 'https://teams.microsoft.com/l/chat/0/0?users=bob%40contoso.com' },
  { id: 'telegram', name: 'Telegram', publish: { username: 'bob_li_sb' }, opens: 'https://t.me/bob_li_sb' },
  { id: 'thunderbird', name: 'Thunderbird', publish: { email: 'bob@example.org' }, opens: 'mailto:bob@example.org' },
  { id: 'viber', name: 'Viber', publish: {}, opens: 'https://www.viber.com/', copies: bob.e164 },
  { id: 'wechat', name: 'WeChat', publish: { wechatId: 'bob_li_88' }, opens: 'https://web.wechat.com/', copies: 'bob_li_88' },
  { id: 'whatsapp', name: 'WhatsApp', publish: {}, opens: `https://wa.me/${bob.digits}` },
  { id: 'zoom', name: 'Zoom', publish: { email: 'bob@example.org' }, opens: 'https://app.zoom.us/wc/home', copies: 'bob@example.org' },
];

/** Records what the page would open instead of opening it: window.open and mailto: link clicks (page script). */
const recordOpens = `
  const opened = [];
  Object.defineProperty(window, '__opened', { value: opened });
  window.open = (url) => { opened.push(String(url)); return null; };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.href.startsWith('mailto:')) opened.push(this.href);
    else click.call(this);
  };
`;

describe.skipIf(!available)('one click per network, in Chromium against a real server', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bobApi: ApiClient;
  let bobToken: string;
  let bobSocket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;

  const opened = () => page.evaluate('[...(window.__opened ?? [])]') as Promise<string[]>;

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer({ limits: { sendsPerIpPerHour: 1000, checksPerIpPerHour: 1000 } });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 760 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    context.setDefaultTimeout(8_000);
    await context.addInitScript({ content: recordOpens });
    page = await context.newPage();
    await page.goto(server.url + '/');

    // Bob uses Switchboard through the API and has Alice's number; Alice signs up in the page.
    const bobSession = await signIn(server.api, bob.e164);
    bobToken = bobSession.token;
    bobApi = server.api.withToken(bobToken);
    await bobApi.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'alice', phones: [alice.e164] }] } });
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(alice.national);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByRole('status', { name: 'Development SMS outbox' }).getByText(/\d{6}/).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, alice.e164));
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await importAddressBook(page, vcard([{ name: bob.name, phones: [bob.e164] }]), 'alice.vcf');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
    await contactRow(page, bob.name).waitFor();
  }, 180_000);

  afterAll(async () => {
    bobSocket?.disconnect();
    await browser?.close();
    await server?.close();
  });

  it('shows no icon for networks Bob does not use, and says whom to ask where he published nothing', async () => {
    expect(await contactRow(page, bob.name).locator('button[data-plugin]').count()).toBe(0);
  });

  it.each(networks)('$name: Bob publishes, Alice sees the icon, and the click reaches him', async (network) => {
    const published = await bobApi.route(routes.publishIdentity, { params: { pluginId: network.id }, body: network.publish });
    expect(published.status).toBe(200);
    const icon = contactRow(page, bob.name).locator(`button[data-plugin="${network.id}"]`);
    // Arrives live (the identities event), without a reload.
    await icon.waitFor();
    expect(await icon.locator('img').getAttribute('src')).toBeTruthy();
    expect(await icon.getAttribute('title')).not.toContain('Ask');
    await page.evaluate("navigator.clipboard.writeText('(nothing yet)')");
    const before = (await opened()).length;
    await icon.click();
    await expect.poll(async () => (await opened()).slice(before)).toEqual([network.opens]);
    if (network.copies !== undefined) {
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(network.copies);
      await page.getByText(new RegExp(`^Copied ${bob.name}'s .+ — paste it in ${network.name}'s search\\.$`)).first().waitFor();
    } else expect(await page.evaluate('navigator.clipboard.readText()')).toBe('(nothing yet)');
    expect(await page.getByText(/missing_identity|no_template|error/i).count()).toBe(0);
  });

  it('takes Bob\'s icon off Alice\'s row when he stops sharing it, live', async () => {
    expect((await bobApi.route(routes.removeIdentity, { params: { pluginId: 'zoom' } })).status).toBe(204);
    await contactRow(page, bob.name).locator('button[data-plugin="zoom"]').waitFor({ state: 'detached' });
    expect(await contactRow(page, bob.name).locator('button[data-plugin]').count()).toBe(networks.length - 1);
  });

  it('lets Alice publish her own Telegram handle in My networks, at phone width, refusing a malformed one in words', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
    const form = page.getByRole('form', { name: 'Your Telegram handle' });
    await form.getByLabel('Username').fill('no');
    await form.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Username on Telegram should look like lina_chen.').waitFor();
    const aliceApi = server.api.withToken((await signIn(server.api, alice.e164)).token);
    expect((await aliceApi.route(routes.myIdentities)).body).toEqual({});
    await form.getByLabel('Username').fill('alice_zhang');
    await form.getByLabel('Who sees it').selectOption('contacts');
    await form.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Your Telegram handle is published.').waitFor();
    expect((await aliceApi.route(routes.myIdentities)).body).toEqual({ telegram: { username: 'alice_zhang', visibleTo: 'contacts' } });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    fs.mkdirSync(screenshotDir, { recursive: true });
    await form.screenshot({ path: path.join(screenshotDir, 'my-networks-phone.png') });
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
  });

  it('takes screenshots of a contact row and its detail, light and dark, English and Chinese', async () => {
    // A typical person: three networks published, active on one of them now.
    for (const network of networks) {
      if (['telegram', 'wechat', 'whatsapp', 'zoom'].includes(network.id)) continue;
      expect((await bobApi.route(routes.removeIdentity, { params: { pluginId: network.id } })).status).toBe(204);
    }
    bobSocket = io(server.url, { auth: { token: bobToken }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      bobSocket?.once('connect', () => resolve());
      bobSocket?.once('connect_error', reject);
    });
    expect(await bobSocket.timeout(5000).emitWithAck('presence:set', { apps: ['telegram'] })).toEqual({ ok: true });
    await page.reload();
    const strip = contactRow(page, bob.name).locator('button[data-plugin]');
    await expect.poll(() => strip.evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-plugin')))).toEqual(['telegram', 'wechat', 'whatsapp']);
    expect(await strip.first().getAttribute('class')).toContain('lit');
    fs.mkdirSync(screenshotDir, { recursive: true });
    for (const language of ['en', 'zh-CN'] as const) {
      if (language === 'zh-CN') {
        await page.getByLabel('Language').first().selectOption('zh-CN');
        await page.getByRole('heading', { name: '联系人', level: 1 }).waitFor();
      }
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        const suffix = `${scheme}-${language === 'en' ? 'en' : 'zh'}`;
        const row = contactRow(page, bob.name);
        await row.screenshot({ path: path.join(screenshotDir, `contact-row-${suffix}.png`) });
        await row.getByRole('button', { name: new RegExp(bob.name) }).click();
        const dialog = page.getByRole('dialog', { name: bob.name });
        await dialog.waitFor();
        await dialog.screenshot({ path: path.join(screenshotDir, `contact-detail-${suffix}.png`) });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
      }
    }
    expect(fs.existsSync(path.join(screenshotDir, 'contact-detail-dark-zh.png'))).toBe(true);
  });
});
