import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { latestCode, signIn, startTestServer, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from './support/browser.js';
import { routes } from '#common/contract/routes.js';
import { apiPrefix } from '#common/contract/route.js';

const available = await chromiumAvailable();

const alice = { national: '13800138001', e164: '+8613800138001', name: 'Alice Zhang' };
const bob = { national: '13800138002', e164: '+8613800138002', name: 'Bob Li' };
const carol = { e164: '+8613900139003', name: 'Carol (not a user)' };

interface Person {
  context: BrowserContext;
  page: Page;
  cspViolations: string[];
}

describe.skipIf(!available)('the web client in Chromium, against a real server', () => {
  let server: TestServer;
  let browser: Browser;
  let a: Person;
  let b: Person;
  let aliceAgent: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;

  async function openPerson(): Promise<Person> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1180, height: 760 }, colorScheme: 'light' });
    // Fail a step in seconds rather than at the test timeout, so the message names the missing element.
    context.setDefaultTimeout(8_000);
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
    await page.goto(server.url + '/');
    return { context, page, cspViolations };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  async function signUp(person: Person, who: { national: string; e164: string }, captureAs?: string): Promise<void> {
    const { page } = person;
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(who.national);
    await page.getByRole('button', { name: 'Send code' }).click();
    const banner = page.getByRole('status', { name: 'Development SMS outbox' });
    await expect.poll(() => banner.textContent()).toMatch(/The code for \+86\d+ is \d{6}/);
    const code = await latestCode(server.api, who.e164);
    expect(await banner.textContent()).toContain(code);
    if (captureAs !== undefined) await screenshot(page, captureAs);
    // Typing the sixth digit submits, as autofill of a one-time code would.
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  }

  const importBook = importAddressBook;
  const rowOf = contactRow;

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
    a = await openPerson();
    b = await openPerson();
  }, 120_000);

  afterAll(async () => {
    aliceAgent?.disconnect();
    await browser?.close();
    await server?.close();
  });

  it('is served at / with a strict CSP, and unknown page paths fall back to the app', async () => {
    const response = await a.page.request.get(server.url + '/contacts/some/deep/link', { headers: { accept: 'text/html' } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await response.text()).toContain('<div id="root">');
    const api = await a.page.request.get(`${server.url}${apiPrefix}/no-such-endpoint`, { headers: { accept: 'text/html' } });
    expect(api.status()).toBe(404);
    expect((await api.json()) as unknown).toMatchObject({ error: { code: 'not_found' } });
  });

  it('signs two people up through the UI, reading the code from the development outbox', async () => {
    await signUp(a, alice, 'onboarding');
    await signUp(b, bob);
    await expect.poll(() => a.page.getByRole('heading', { name: 'No contacts yet' }).isVisible()).toBe(true);
  });

  it('imports address books locally, shows what was skipped and why, and uploads numbers only', async () => {
    const uploads: string[] = [];
    a.page.on('request', (request) => {
      if (request.url().endsWith(routes.replaceAddressBook.path) && request.method() === 'PUT') uploads.push(request.postData() ?? '');
    });
    const aliceBook = vcard([
      { name: bob.name, phones: [bob.e164] },
      { name: carol.name, phones: [carol.e164] },
      { name: 'Nobody Reachable', phones: [] },
      { name: 'Broken Number', phones: ['+86 123'] },
    ]);
    const workers: string[] = [];
    a.page.on('worker', (worker) => workers.push(worker.url()));
    await importBook(a.page, aliceBook, 'alice.vcf');
    // Parsed off the main thread, by the worker vite bundled.
    expect(workers.some((url) => /address-book\.worker-[\w-]+\.js$/.test(url))).toBe(true);
    const done = await a.page.getByTestId('import-done').textContent();
    expect(done).toContain('Imported 2 contacts from alice.vcf (vcard, utf-8). 1 of them is on Switchboard.');
    const rejected = a.page.getByTestId('rejected-list');
    await expect.poll(() => rejected.locator('li[data-reason="no_number"]').count()).toBe(1);
    expect(await rejected.locator('li[data-reason="invalid_number"]').textContent()).toContain('not a number that exists');
    await screenshot(a.page, 'import');
    expect(uploads).toHaveLength(1);
    const body = JSON.parse(uploads[0] ?? '{}') as { entries: { ref: string; phones: string[] }[] };
    expect(body.entries.map((entry) => entry.phones).flat().sort()).toEqual([bob.e164, carol.e164].sort());
    expect(uploads[0]).not.toContain(bob.name);
    expect(uploads[0]).not.toContain('Carol');

    await importBook(b.page, vcard([{ name: alice.name, phones: [alice.e164] }]), 'bob.vcf');
  });

  it('shows each other in the contact lists, each row with only the networks that person uses', async () => {
    for (const [person, other] of [
      [a, bob],
      [b, alice],
    ] as const) {
      await person.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
      const row = rowOf(person.page, other.name);
      await row.waitFor();
      // Nothing published and never seen active: no icon at all (the detail lists every network).
      expect(await row.locator('button[data-plugin]').count()).toBe(0);
    }
    // Each publishes some networks (through the API); the rows follow live, from the identities event.
    const aliceApi = server.api.withToken((await signIn(server.api, alice.e164)).token);
    const bobApi = server.api.withToken((await signIn(server.api, bob.e164)).token);
    expect((await aliceApi.route(routes.publishIdentity, { params: { pluginId: 'whatsapp' }, body: {} })).status).toBe(200);
    expect((await aliceApi.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'alice_zhang' } })).status).toBe(200);
    expect((await bobApi.route(routes.publishIdentity, { params: { pluginId: 'slack' }, body: { team: 'T024BE7LD', id: 'U024BE7LH' } })).status).toBe(200);
    expect((await bobApi.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'bob_li_sb' } })).status).toBe(200);
    const bobRow = rowOf(a.page, bob.name);
    await expect.poll(() => bobRow.getByRole('button', { name: /: not active$/ }).count()).toBe(2);
    expect(await bobRow.getByRole('button', { name: 'Slack: not active' }).count()).toBe(1);
    const aliceRow = rowOf(b.page, alice.name);
    await expect.poll(() => aliceRow.locator('button[data-plugin]').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-plugin')).sort())).toEqual(['telegram', 'whatsapp']);
    expect(await rowOf(a.page, carol.name).textContent()).toContain('Not on Switchboard');
  });

  it("lights Bob's Slack icon for Alice live when she opens Slack, and unlights it when she closes it", async () => {
    const session = await signIn(server.api, alice.e164);
    aliceAgent = io(server.url, { auth: { token: session.token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      aliceAgent?.once('connect', () => resolve());
      aliceAgent?.once('connect_error', reject);
    });
    const send = (apps: string[]) => aliceAgent?.timeout(5000).emitWithAck('presence:set', { apps }) as Promise<Ack>;

    expect(await send(['slack'])).toEqual({ ok: true });
    const row = rowOf(b.page, alice.name);
    const slack = row.getByRole('button', { name: /^Slack: active since \d{2}:\d{2}$/ });
    await slack.waitFor({ timeout: 10_000 });
    // Alice has published no Slack handle: the icon says so before anyone clicks.
    expect(await slack.getAttribute('title')).toMatch(/^Active on Slack since \d{2}:\d{2} · Ask Alice Zhang for their Slack handle\.$/);
    expect(await row.locator('button[data-plugin="whatsapp"]').getAttribute('title')).toBe('WhatsApp');
    expect(await slack.getAttribute('class')).toContain('lit');
    expect(await row.getByRole('button', { name: 'Telegram: not active' }).count()).toBe(1);
    // Lit first: the active network leads the strip.
    expect(await row.locator('button[data-plugin]').first().getAttribute('data-plugin')).toBe('slack');
    await screenshot(b.page, 'contacts');

    expect(await send([])).toEqual({ ok: true });
    // Active a moment ago: Slack stays on the row, unlit, after the published ones' order.
    await row.getByRole('button', { name: 'Slack: not active' }).waitFor({ timeout: 10_000 });
  });

  it('opens a contact with their networks and numbers; Escape closes it and focus returns', async () => {
    const nameButton = rowOf(b.page, alice.name).getByRole('button', { name: new RegExp(alice.name) });
    await nameButton.click();
    const dialog = b.page.getByRole('dialog', { name: alice.name });
    await dialog.waitFor();
    // Shown in the international format, dialled as E.164.
    const number = dialog.getByRole('link', { name: '+86 138 0013 8001' });
    expect(await number.getAttribute('href')).toBe(`tel:${alice.e164}`);
    expect(await dialog.getByRole('button', { name: 'Open WhatsApp' }).count()).toBe(1);
    await screenshot(b.page, 'contact-detail');

    // On the web, one click opens the network's https link in a new tab (answered locally: no internet here).
    await b.context.route('https://wa.me/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: 'WhatsApp' }));
    const popup = b.context.waitForEvent('page');
    await dialog.getByRole('button', { name: 'Open WhatsApp' }).click();
    const opened = await popup;
    expect(opened.url()).toContain('wa.me/8613800138001');
    await opened.close();
    await b.page.getByText(`Opened ${alice.name} on WhatsApp in a new tab.`).waitFor();

    expect(await dialog.locator('li[data-plugin="slack"]').textContent()).toContain('no handle shared');
    expect(await dialog.locator('li[data-plugin="whatsapp"]').textContent()).not.toContain('no handle shared');
    // Alice published nothing for Slack or WeChat: the click says whom to ask, in words, and opens nothing.
    const pages = b.context.pages().length;
    for (const network of ['Slack', 'WeChat']) {
      await dialog.getByRole('button', { name: `Open ${network}` }).click();
      await b.page.getByText(`Ask ${alice.name} for their ${network} handle.`).waitFor();
    }
    expect(await b.page.getByText(/error|missing_identity|no_template/i).count()).toBe(0);
    expect(b.context.pages()).toHaveLength(pages);

    await b.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await b.page.evaluate('document.activeElement?.textContent ?? ""')).toContain(alice.name);
  });

  it('blocks and unblocks a contact from their detail', async () => {
    await rowOf(a.page, bob.name).getByRole('button', { name: new RegExp(bob.name) }).click();
    const dialog = a.page.getByRole('dialog', { name: bob.name });
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    await dialog.getByRole('button', { name: 'Unblock' }).waitFor();
    const token = (await signIn(server.api, alice.e164)).token;
    const blocked = await server.api.withToken(token).route<{ userId: string }[]>(routes.blocklist);
    expect(blocked.body).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Unblock' }).click();
    await dialog.getByRole('button', { name: 'Block', exact: true }).waitFor();
    expect((await server.api.withToken(token).route<unknown[]>(routes.blocklist)).body).toHaveLength(0);
    await a.page.keyboard.press('Escape');
  });

  it('moves through the list with the keyboard alone', async () => {
    const page = a.page;
    await page.getByRole('searchbox', { name: 'Search by name or number' }).focus();
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate('document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent || ""') as Promise<string>;
    expect(await focused()).toContain(bob.name);
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toMatch(/^[A-Za-z]+: not active$/);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toContain(carol.name);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: bob.name }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await focused()).toContain(bob.name);
  });

  it('sets my status and text from the UI and the contact sees it', async () => {
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'My status' }).click();
    await b.page.getByRole('radio', { name: 'Busy' }).check();
    await b.page.getByLabel('Status text or mood').fill('In a meeting');
    await b.page.getByRole('button', { name: 'Save' }).click();
    await b.page.getByText('Saved.').waitFor();
    await screenshot(b.page, 'status');
    await expect.poll(() => rowOf(a.page, bob.name).textContent(), { timeout: 10_000 }).toContain('Busy · In a meeting');
  });

  it('shows the privacy settings and saves a change', async () => {
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Privacy' }).click();
    await b.page.getByRole('radio', { name: /Only people on my allowlist/ }).check();
    await b.page.getByText('Saved.').waitFor();
    await screenshot(b.page, 'privacy');
    const token = (await signIn(server.api, bob.e164)).token;
    const settings = await server.api.withToken(token).route<{ activityVisibleTo: string }>(routes.privacy);
    expect(settings.body.activityVisibleTo).toBe('allowlist');
  });

  it('switches to Simplified Chinese and back, accessible names included', async () => {
    // Bob shares with his allowlist only now, so Alice's row of him is empty: Bob's row of Alice has icons.
    expect(await rowOf(a.page, bob.name).locator('button[data-plugin]').count()).toBe(0);
    const page = b.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
    await page.getByLabel('Language').first().selectOption('zh-CN');
    await page.getByRole('heading', { name: '联系人', level: 1 }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    expect(await rowOf(page, alice.name).getByRole('button', { name: 'Slack：未活跃' }).count()).toBe(1);
    await page.getByLabel('语言').first().selectOption('en');
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  });

  it('starts from the local copy: after a reload the list is there at once', async () => {
    await a.page.reload();
    await rowOf(a.page, bob.name).waitFor();
    expect(await rowOf(a.page, carol.name).count()).toBe(1);
  });

  it('keeps working offline from the local copy, opening apps included, and catches up when back', async () => {
    await a.context.route('https://wa.me/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: 'WhatsApp' }));
    await a.context.setOffline(true);
    await a.page.getByText('Offline: showing what this device last knew.').waitFor();
    await rowOf(a.page, bob.name).getByRole('button', { name: new RegExp(bob.name) }).click();
    const popup = a.context.waitForEvent('page');
    await a.page.getByRole('dialog', { name: bob.name }).getByRole('button', { name: 'Open WhatsApp' }).click();
    await (await popup).close();
    await a.page.getByText(`Opened ${bob.name} on WhatsApp in a new tab.`).waitFor();
    await a.page.keyboard.press('Escape');
    await a.context.setOffline(false);
    await a.page.getByText('Offline: showing what this device last knew.').waitFor({ state: 'hidden', timeout: 15_000 });
  });

  it('says clearly why a file cannot be imported', async () => {
    await a.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Import' }).click();
    await a.page
      .getByLabel('Address book file (vCard, CSV, TXT, XLSX)')
      .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) });
    const alert = a.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-error-code')).toMatch(/^(unsupported_format|unrecognised_format)$/);
    // In words with the next step; the code stays out of the text.
    expect(await alert.textContent()).toMatch(/vCard/);
    expect(await alert.textContent()).not.toMatch(/unsupported_format|unrecognised_format|error:/);
  });

  it('ran without a single CSP violation or page error', () => {
    expect([...a.cspViolations, ...b.cspViolations]).toEqual([]);
  });
});
