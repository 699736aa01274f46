import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { contrastRatio, type Rgb } from '#plugins/sdk/contrast.js';
import { mutualContacts } from '../support/scenarios.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { signInBrowser } from './support/browser-session.js';
import { buildWebClient, chromiumAvailable, launchChromium, screenshotDir } from './support/browser.js';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { routes } from '#common/contract/routes.js';
import { repoRoot } from '../support/cli-process.js';

const pluginsDir = path.join(repoRoot, 'plugins');

const available = await chromiumAvailable();

const alice = '+8613800138051';
const bob = '+8613800138052';
/** How the list shows a number: the international format. */
const bobShown = parsePhoneNumberWithError(bob).formatInternational();
const PLUGINS = ['discord', 'element', 'line', 'mastodon', 'qq', 'signal', 'slack', 'teams', 'telegram', 'thunderbird', 'viber', 'wechat', 'whatsapp', 'zoom'];

// The little of the DOM the functions below use inside the page (this file is typechecked for Node).
interface PageElement {
  parentElement: PageElement | null;
}
declare const document: { documentElement: PageElement };
declare function getComputedStyle(element: PageElement): { backgroundColor: string };

interface Measured {
  plugin: string;
  background: Rgb;
  mark: Rgb;
  contrast: number;
}

/** The colour painted behind an element: the first ancestor (itself excluded) with an opaque background. */
async function backgroundBehind(image: Locator): Promise<Rgb> {
  const css = await image.evaluate((element: PageElement) => {
    for (let node = element.parentElement; node !== null; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(colour)) return colour;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  });
  const channels = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  if (channels === null) throw new Error(`unexpected background ${css}`);
  return [Number(channels[1]), Number(channels[2]), Number(channels[3])];
}

/**
 * The mark's colour as Chromium painted it: the most frequent pixel colour of the icon's screenshot
 * that is not the background (anti-aliased edges are many colours, the mark's body is one). Decoded
 * in a blank page, which has no content security policy to refuse a data: image.
 */
async function paintedMark(decoder: Page, png: Buffer, background: Rgb): Promise<Rgb> {
  const histogram = await decoder.evaluate<Record<string, number>>(`(async () => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(png.toString('base64'))}), (char) => char.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const counts = {};
    for (let index = 0; index < data.length; index += 4) {
      const key = data[index] + ',' + data[index + 1] + ',' + data[index + 2];
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  })()`);
  const candidates = Object.entries(histogram)
    .map(([key, count]) => ({ colour: key.split(',').map(Number) as unknown as Rgb, count }))
    .filter(({ colour }) => contrastRatio(colour, background) > 1.15)
    .sort((a, b) => b.count - a.count);
  const top = candidates[0];
  if (top === undefined) throw new Error('the icon painted nothing but background');
  return top.colour;
}

const isGrey = ([r, g, b]: Rgb) => Math.max(r, g, b) - Math.min(r, g, b) <= 6;

describe.skipIf(!available)('network icons are readable lit and unlit, in the light and the dark theme', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let decoder: Page;
  let bobToken = '';
  let bobAgent: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;

  async function setBobApps(apps: string[]): Promise<void> {
    const answer = (await bobAgent?.timeout(5000).emitWithAck('presence:set', { apps })) as Ack;
    expect(answer).toEqual({ ok: true });
  }

  async function measure(container: Locator, selector: string): Promise<Map<string, Measured>> {
    const results = new Map<string, Measured>();
    for (const plugin of PLUGINS) {
      const image = container.locator(selector.replace('PLUGIN', plugin));
      const background = await backgroundBehind(image);
      const mark = await paintedMark(decoder, await image.screenshot(), background);
      results.set(plugin, { plugin, background, mark, contrast: contrastRatio(mark, background) });
    }
    return results;
  }

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
    const { alice: aliceSession, bob: bobSession } = await mutualContacts(server.api, alice, bob);
    bobToken = bobSession.token;
    // A row shows only the networks a person uses: Bob publishes every one (the manifests' own examples).
    for (const plugin of PLUGINS) {
      const manifest = JSON.parse(fs.readFileSync(path.join(pluginsDir, plugin, 'manifest.json'), 'utf8')) as { identity?: { name: string; example: string }[] };
      const body = Object.fromEntries((manifest.identity ?? []).map((field) => [field.name, field.example]));
      expect((await server.api.withToken(bobSession.token).route(routes.publishIdentity, { params: { pluginId: plugin }, body })).status).toBe(200);
    }
    bobAgent = io(server.url, { auth: { token: bobSession.token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      bobAgent?.once('connect', () => resolve());
      bobAgent?.once('connect_error', reject);
    });
    // Device scale 2: enough solid pixels inside thin strokes for the mark's own colour to dominate.
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1180, height: 700 }, colorScheme: 'light', deviceScaleFactor: 2 });
    context.setDefaultTimeout(10_000);
    // Alice is signed in in this browser, as after the SMS sign-in (the session is the browser's HttpOnly cookie).
    await signInBrowser(context, server.url, aliceSession.token);
    page = await context.newPage();
    decoder = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('grid').getByRole('row').filter({ hasText: bobShown }).waitFor();
  }, 120_000);

  afterAll(async () => {
    bobAgent?.disconnect();
    await browser?.close();
    await server?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme}: every icon in the contact row and the detail has 3:1 against its background, lit in colour and unlit in grey`, async () => {
      await page.emulateMedia({ colorScheme: theme });
      const row = page.getByRole('grid').getByRole('row').filter({ hasText: bobShown });
      const lit = new Map<string, Measured>();
      const unlit = new Map<string, Measured>();
      // Half the networks lit, then the other half: each icon is seen in both states.
      for (const half of [PLUGINS.slice(0, 7), PLUGINS.slice(7)]) {
        await setBobApps(half);
        await expect.poll(() => row.locator('button.network.lit').count(), { timeout: 10_000 }).toBe(half.length);
        await page.mouse.move(0, 0);
        const measured = await measure(row, 'button[data-plugin="PLUGIN"] img');
        for (const [plugin, result] of measured) (half.includes(plugin) ? lit : unlit).set(plugin, result);
      }
      fs.mkdirSync(screenshotDir, { recursive: true });
      await row.screenshot({ path: path.join(screenshotDir, `icons-row-${theme}.png`) });

      await row.getByRole('button', { name: new RegExp(bobShown.replace('+', '\\+')) }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      const inDetail = await measure(dialog, 'li[data-plugin="PLUGIN"] img');
      await page.screenshot({ path: path.join(screenshotDir, `icons-detail-${theme}.png`) });
      await page.keyboard.press('Escape');

      const report: string[] = [];
      for (const plugin of PLUGINS) {
        const on = lit.get(plugin);
        const off = unlit.get(plugin);
        if (on === undefined || off === undefined) throw new Error(`not measured: ${plugin}`);
        report.push(`${plugin} lit ${on.contrast.toFixed(2)} unlit ${off.contrast.toFixed(2)}`);
        expect(on.contrast, `${theme} lit ${plugin}`).toBeGreaterThanOrEqual(3);
        expect(off.contrast, `${theme} unlit ${plugin}`).toBeGreaterThanOrEqual(3);
        // Unlit is a grey silhouette, lit is the brand colour: different at a glance, not only by the ring.
        expect(isGrey(off.mark), `${theme} unlit ${plugin} is grey`).toBe(true);
        expect(isGrey(on.mark), `${theme} lit ${plugin} is coloured`).toBe(false);
      }
      // Bob is active on the second half now: the detail shows those lit and the first half unlit.
      for (const [plugin, result] of inDetail) {
        expect(result.contrast, `${theme} detail ${plugin}`).toBeGreaterThanOrEqual(3);
        expect(isGrey(result.mark), `${theme} detail ${plugin}`).toBe(!PLUGINS.slice(7).includes(plugin));
      }
      console.log(`[icon-contrast] ${theme}: ${report.join('; ')}`);
    });
  }

  it('in Chinese, a click on a network the contact published nothing for says whom to ask, in Chinese', async () => {
    // Bob stops sharing his Slack handle; he was active there a moment ago, so the icon stays on his row.
    expect((await server.api.withToken(bobToken).route(routes.removeIdentity, { params: { pluginId: 'slack' } })).status).toBe(204);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByLabel('Language').first().selectOption('zh-CN');
    const row = page.getByRole('grid').getByRole('row').filter({ hasText: bobShown });
    await expect.poll(() => row.locator('button[data-plugin="slack"]').getAttribute('title')).toContain('请向');
    await row.locator('button[data-plugin="slack"]').click();
    // The name is the number in its international format (with no-break spaces) for a contact without a name.
    await page.getByText(/^请向\+86\s138\s0013\s8052索取其 Slack 账号。$/).waitFor();
    await row.getByRole('button', { name: new RegExp(bobShown.replace('+', '\\+')) }).click();
    await page.getByRole('dialog').waitFor();
    await page.screenshot({ path: path.join(screenshotDir, 'icons-detail-dark-zh.png') });
    await page.keyboard.press('Escape');
    await page.getByLabel('语言').first().selectOption('en');
  });
});
