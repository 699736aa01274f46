import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { ConversationView } from '#common/contract/messages.js';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { openAppPage, type AppPage } from './support/browser-session.js';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from './support/browser.js';

/**
 * Issue 13's browser test: two people chat in real Chromium against a real server (each in a browser
 * context of their own, Alice on a wide window and Bob at phone width). Bob goes offline, writes, and his
 * message goes when he is back; a picture arrives as a thumbnail; ticks turn to read.
 */
const available = await chromiumAvailable();

const alice = { e164: '+8613800138071', name: 'Alice Zhang' };
const bob = { e164: '+8613800138072', name: 'Bob Li' };

type Person = AppPage & { token: string };

describe.skipIf(!available)('chat between two people in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let a: Person;
  let b: Person;

  async function open(token: string, width: number): Promise<Person> {
    return { ...(await openAppPage(browser, server.url, token, { width, height: 780 })), token };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const messages = (page: Page) => page.getByRole('log').getByTestId('message');
  const messageWith = (page: Page, text: string): Locator => messages(page).filter({ hasText: text });
  /** A picture's decoded width (0 while it has not loaded). */
  const naturalWidth = (image: Locator): Promise<number> => image.evaluate((element: { naturalWidth?: number }) => element.naturalWidth ?? 0);
  const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

  async function write(page: Page, text: string): Promise<void> {
    await composer(page).fill(text);
    await composer(page).press('Enter');
  }

  async function conversationWith(person: Person): Promise<ConversationView> {
    const list = await server.api.withToken(person.token).route<ConversationView[]>(routes.conversations);
    const direct = list.body.find((conversation) => conversation.kind === 'direct');
    if (direct === undefined) throw new Error('no direct conversation yet');
    return direct;
  }

  async function storedTexts(person: Person): Promise<string[]> {
    const conversation = await conversationWith(person);
    const page = await server.api.withToken(person.token).route<{ messages: { body: { text?: string } }[] }>(routes.conversationMessages, { params: { id: conversation.id } });
    return page.body.messages.map((message) => message.body.text ?? '');
  }

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
    const aliceSession = await signIn(server.api, alice.e164, testDevice('Alice browser'));
    const bobSession = await signIn(server.api, bob.e164, testDevice('Bob phone'));
    a = await open(aliceSession.token, 1180);
    b = await open(bobSession.token, 390);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the two become contacts by importing their address books', async () => {
    await importAddressBook(a.page, vcard([{ name: bob.name, phones: [bob.e164] }]), 'alice.vcf');
    await importAddressBook(b.page, vcard([{ name: alice.name, phones: [alice.e164] }]), 'bob.vcf');
    for (const [person, other] of [
      [a, bob],
      [b, alice],
    ] as const) {
      await nav(person.page, 'Contacts').click();
      await contactRow(person.page, other.name).waitFor();
    }
  });

  it('Alice opens Bob from his card with "Message" and writes, with an emoji from the picker', async () => {
    await contactRow(a.page, bob.name).getByRole('button', { name: new RegExp(bob.name) }).click();
    const card = a.page.getByRole('dialog', { name: bob.name });
    await card.getByRole('button', { name: `Send ${bob.name} a message` }).click();
    await a.page.getByRole('heading', { name: bob.name, level: 2 }).waitFor();
    await composer(a.page).fill('Hello Bob ');
    await a.page.getByRole('button', { name: 'Emoji' }).click();
    await a.page.getByRole('dialog', { name: 'Emoji' }).getByRole('button', { name: '👋' }).click();
    await composer(a.page).press('Enter');
    const sent = messageWith(a.page, 'Hello Bob 👋');
    await sent.waitFor();
    // Stored on the server (one tick); Bob's page is open, so it reaches his device (two ticks).
    await expect.poll(() => sent.getAttribute('data-state')).toBe('delivered');
    expect(await storedTexts(a)).toEqual(['Hello Bob 👋']);
  });

  it('Bob sees the conversation with an unread count, opens it, and Alice sees it read', async () => {
    await expect.poll(() => nav(b.page, 'Chats').getAttribute('aria-label')).toBe('Chats, 1 unread message');
    expect(await b.page.title()).toMatch(/^\(1\) /);
    await nav(b.page, 'Chats').click();
    const row = b.page.getByRole('button', { name: `${alice.name}, 1 unread message` });
    expect(await row.textContent()).toContain('Hello Bob 👋');
    await screenshot(b.page, 'chat-list-390');
    await row.click();
    await messageWith(b.page, 'Hello Bob 👋').waitFor();
    // At phone width the conversation replaces the list; "Back" returns to it.
    expect(await b.page.getByRole('heading', { name: 'Chats', level: 1 }).isVisible()).toBe(false);
    await expect.poll(() => messageWith(a.page, 'Hello Bob 👋').getAttribute('data-state')).toBe('read');
    await expect.poll(() => b.page.title()).not.toMatch(/^\(\d+\) /);
  });

  it('Bob answers; Alice sees him typing first, then the answer, and he sees it read', async () => {
    await composer(b.page).fill('Hi Alice');
    await expect.poll(() => a.page.getByTestId('typing').textContent()).toBe(`${bob.name} is typing…`);
    await composer(b.page).press('Enter');
    await messageWith(a.page, 'Hi Alice').waitFor();
    await expect.poll(() => messageWith(b.page, 'Hi Alice').getAttribute('data-state')).toBe('read');
    await screenshot(a.page, 'chat-1180');
  });

  it('Bob goes offline, writes, and his message goes when he is back; what Alice sent meanwhile arrives', async () => {
    await b.context.setOffline(true);
    await b.page.getByTestId('offline-banner').waitFor();
    await write(b.page, 'Written on the train');
    const waiting = messageWith(b.page, 'Written on the train');
    await waiting.waitFor();
    expect(await waiting.getAttribute('data-state')).toBe('sending');
    await write(a.page, 'Call me when you land');
    await expect.poll(() => messageWith(a.page, 'Call me when you land').getAttribute('data-state')).not.toBe('sending');
    // Held on Bob's device while offline: the server has no such message yet.
    expect(await storedTexts(a)).not.toContain('Written on the train');
    await screenshot(b.page, 'chat-offline-390');

    await b.context.setOffline(false);
    await expect.poll(() => waiting.getAttribute('data-state'), { timeout: 20_000 }).toMatch(/^(sent|delivered|read)$/);
    await messageWith(a.page, 'Written on the train').waitFor();
    await messageWith(b.page, 'Call me when you land').waitFor({ timeout: 20_000 });
    // Once each, in the order the server stored them.
    expect((await storedTexts(a)).filter((text) => text === 'Written on the train')).toHaveLength(1);
    expect(await messages(a.page).filter({ hasText: 'Written on the train' }).count()).toBe(1);
    await expect.poll(() => messageWith(a.page, 'Call me when you land').getAttribute('data-state')).toBe('read');
  });

  it('Alice, away while Bob reads, sees the read ticks when she is back', async () => {
    // Bob is elsewhere in the app: what arrives now reaches his device but is not read yet.
    await nav(b.page, 'Contacts').click();
    await write(a.page, 'Back in five');
    const sent = messageWith(a.page, 'Back in five');
    await expect.poll(() => sent.getAttribute('data-state'), { timeout: 20_000 }).toBe('delivered');
    await a.context.setOffline(true);
    await a.page.getByTestId('offline-banner').waitFor({ timeout: 15_000 });

    await nav(b.page, 'Chats').click();
    const conversation = b.page.getByRole('button', { name: `${alice.name}, 1 unread message` });
    if (await conversation.isVisible()) await conversation.click();
    await messageWith(b.page, 'Back in five').waitFor();
    await expect.poll(() => b.page.title()).not.toMatch(/^\(\d+\) /);
    // Alice's device was away when Bob's read receipt went out.
    expect(await sent.getAttribute('data-state')).toBe('delivered');

    await a.context.setOffline(false);
    await a.page.getByTestId('offline-banner').waitFor({ state: 'hidden', timeout: 20_000 });
    await expect.poll(() => sent.getAttribute('data-state'), { timeout: 20_000 }).toBe('read');
  });

  it('Alice sends a picture; both see it as a thumbnail', async () => {
    const picture = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 220, g: 60, b: 40 } } }).png().toBuffer();
    await a.page.getByLabel('Attach a file or picture').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: picture });
    for (const person of [a, b]) {
      const thumbnail = messages(person.page).last().getByTestId('thumbnail');
      await thumbnail.waitFor({ timeout: 20_000 });
      await expect.poll(() => naturalWidth(thumbnail), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    // Bob's copy is the server's WebP thumbnail (at most 320 px wide), not the 640 px original.
    expect(await naturalWidth(messages(b.page).last().getByTestId('thumbnail'))).toBeLessThanOrEqual(320);
    await expect.poll(() => messages(a.page).last().getAttribute('data-state')).toBe('read');
    await screenshot(b.page, 'chat-picture-390');
  });

  it('finds a message in the local history', async () => {
    await a.page.getByRole('searchbox', { name: 'Search messages' }).fill('train');
    await a.page.getByText('1 message found on this device.').waitFor();
    await a.page.getByRole('list', { name: 'Search results' }).getByRole('button').first().click();
    await a.page.locator('.message-highlight').filter({ hasText: 'Written on the train' }).waitFor();
  });

  it('Alice starts a group with Bob; he gets it with her first message, in dark mode too', async () => {
    await a.page.getByRole('button', { name: 'New group' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Weekend trip');
    await dialog.getByRole('checkbox', { name: bob.name }).check();
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await a.page.getByRole('heading', { name: 'Weekend trip', level: 2 }).waitFor();
    expect(await a.page.getByTestId('typing').textContent()).toBe('2 members');
    await write(a.page, 'Who brings the tent?');
    await messageWith(a.page, 'Who brings the tent?').waitFor();
    await b.page.getByRole('button', { name: 'Back to conversations' }).click();
    const group = b.page.getByRole('button', { name: 'Weekend trip, 1 unread message' });
    await group.waitFor();
    expect(await group.textContent()).toContain(`${alice.name}: Who brings the tent?`);
    await b.page.emulateMedia({ colorScheme: 'dark' });
    await group.click();
    await messageWith(b.page, 'Who brings the tent?').waitFor();
    expect(await b.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expect.poll(() => messageWith(a.page, 'Who brings the tent?').getAttribute('data-state')).toBe('read');
    await screenshot(b.page, 'chat-group-390-dark');
    await b.page.emulateMedia({ colorScheme: 'light' });
    await b.page.getByRole('button', { name: 'Back to conversations' }).click();
    await b.page.getByRole('button', { name: new RegExp(`^${alice.name}`) }).click();
  });

  it('keeps the history on the device: reloaded offline, the conversation and its picture still show', async () => {
    await b.context.setOffline(true);
    await b.page.reload();
    await b.page.getByTestId('offline-banner').waitFor({ timeout: 15_000 });
    await nav(b.page, 'Chats').click();
    await b.page.getByRole('button', { name: new RegExp(alice.name) }).first().click();
    await messageWith(b.page, 'Call me when you land').waitFor();
    const thumbnail = messages(b.page).last().getByTestId('thumbnail');
    await expect.poll(() => naturalWidth(thumbnail)).toBeGreaterThan(0);
    await b.context.setOffline(false);
    await b.page.getByTestId('offline-banner').waitFor({ state: 'hidden', timeout: 20_000 });
  });

  it('broke no Content Security Policy rule and threw no page error', () => {
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });
});
