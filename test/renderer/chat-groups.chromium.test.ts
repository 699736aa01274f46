import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { ConversationView } from '#common/contract/messages.js';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { MessageClient } from '../support/message-client.js';
import { openAppPage, type AppPage } from './support/browser-session.js';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from './support/browser.js';

/**
 * Managing a group from the chat screen, in real Chromium against a real server: Alice (wide window)
 * starts a group with Bob (phone width) and Carol, renames it, adds Dan (a device on a socket), is refused
 * Erin (who blocked her), removes Carol, who then gets nothing new of it, and Bob leaves.
 */
const available = await chromiumAvailable();

const alice = { e164: '+8613800138081', name: 'Alice Zhang' };
const bob = { e164: '+8613800138082', name: 'Bob Li' };
const carol = { e164: '+8613800138083', name: 'Carol Wang' };
const dan = { e164: '+8613800138084', name: 'Dan Chen' };
const erin = { e164: '+8613800138085', name: 'Erin Wu' };

type Person = AppPage & { token: string; userId: string };

describe.skipIf(!available)('managing a group in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let a: Person;
  let b: Person;
  let c: Person;
  let danDevice: MessageClient;
  let erinToken = '';
  let groupId = '';

  async function open(phone: string, deviceName: string, width: number): Promise<Person> {
    const session = await signIn(server.api, phone, testDevice(deviceName));
    return { ...(await openAppPage(browser, server.url, session.token, { width, height: 780 })), token: session.token, userId: session.user.id };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const messageWith = (page: Page, text: string): Locator => page.getByRole('log').getByTestId('message').filter({ hasText: text });
  const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const groupRow = (page: Page, title: string) => page.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${title}`) });
  const info = (page: Page) => page.getByRole('dialog', { name: 'Group info' });
  const fitsWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

  async function write(page: Page, text: string): Promise<void> {
    await composer(page).fill(text);
    await composer(page).press('Enter');
    await messageWith(page, text).waitFor();
  }

  /** Fills the New group dialog and chooses Create group; the dialog, for what it says if it stays. */
  async function createGroup(page: Page, title: string, memberNames: string[]): Promise<Locator> {
    await page.getByRole('button', { name: 'New group' }).click();
    const dialog = page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill(title);
    for (const name of memberNames) await dialog.getByRole('checkbox', { name }).check();
    await dialog.getByRole('button', { name: 'Create group' }).click();
    return dialog;
  }

  async function openInfo(page: Page): Promise<Locator> {
    await page.getByRole('button', { name: 'Group info' }).click();
    const dialog = info(page);
    await dialog.waitFor();
    return dialog;
  }

  async function storedTexts(token: string): Promise<string[]> {
    const page = await server.api.withToken(token).route<{ messages: { body: { text?: string } }[] }>(routes.conversationMessages, { params: { id: groupId } });
    expect(page.status).toBe(200);
    return page.body.messages.map((message) => message.body.text ?? '');
  }

  async function listedGroup(token: string): Promise<ConversationView | undefined> {
    const list = await server.api.withToken(token).route<ConversationView[]>(routes.conversations);
    return list.body.find((conversation) => conversation.id === groupId);
  }

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
    a = await open(alice.e164, 'Alice browser', 1280);
    b = await open(bob.e164, 'Bob phone', 390);
    c = await open(carol.e164, 'Carol browser', 1280);
    const danSession = await signIn(server.api, dan.e164, testDevice('Dan phone'));
    danDevice = await new MessageClient(server.url, danSession.token, { autoAck: true }).connected();
    erinToken = (await signIn(server.api, erin.e164, testDevice('Erin phone'))).token;
  }, 120_000);

  afterAll(async () => {
    danDevice?.close();
    await browser?.close();
    await server?.close();
  });

  it('Alice creates a group of three; Bob and Carol get it with her first message', async () => {
    await importAddressBook(
      a.page,
      vcard([bob, carol, dan, erin].map((person) => ({ name: person.name, phones: [person.e164] }))),
      'alice.vcf',
    );
    await nav(a.page, 'Contacts').click();
    await contactRow(a.page, erin.name).waitFor();
    await nav(a.page, 'Chats').click();
    await createGroup(a.page, 'Weekend trip', [bob.name, carol.name]);
    await a.page.getByRole('heading', { name: 'Weekend trip', level: 2 }).waitFor();
    expect(await a.page.getByTestId('typing').textContent()).toBe('3 members');
    await write(a.page, 'Who brings the tent?');
    groupId = (await a.page.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /^Weekend trip/ }).getAttribute('data-conversation')) ?? '';
    expect(groupId).not.toBe('');

    for (const person of [b, c]) {
      await nav(person.page, 'Chats').click();
      await groupRow(person.page, 'Weekend trip').click();
      await messageWith(person.page, 'Who brings the tent?').waitFor();
    }
  });

  it('the group info dialog lists the members, and Escape closes it back to its button', async () => {
    const dialog = await openInfo(a.page);
    expect(await dialog.getByRole('heading', { name: '3 members' }).isVisible()).toBe(true);
    const rows = dialog.getByRole('listitem');
    expect(await rows.allTextContents()).toEqual(['You', bob.name, carol.name].map((name) => expect.stringContaining(name)));
    // Nobody removes themselves with "Remove": that is "Leave group".
    expect(await dialog.getByRole('button', { name: /^Remove / }).count()).toBe(2);
    await a.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await a.page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Group info');
  });

  it('Alice renames the group (an empty name is refused in words); Bob sees the new name live', async () => {
    const dialog = await openInfo(a.page);
    const name = dialog.getByLabel('Group name');
    await name.fill('   ');
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('A group needs a name. Type one, then choose Save.');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Trip to Guilin');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Name saved.' }).waitFor();
    await a.page.getByRole('heading', { name: 'Trip to Guilin', level: 2 }).waitFor();
    await groupRow(a.page, 'Trip to Guilin').waitFor();
    expect((await listedGroup(b.token))?.title).toBe('Trip to Guilin');
    await screenshot(a.page, 'chat-group-info-1280');
    await a.page.keyboard.press('Escape');

    // No reload: the server tells Bob's page the group changed (at phone width the group may still be open).
    await nav(b.page, 'Chats').click();
    const renamed = groupRow(b.page, 'Trip to Guilin');
    if (await renamed.isVisible()) await renamed.click();
    await b.page.getByRole('heading', { name: 'Trip to Guilin', level: 2 }).waitFor();
    await messageWith(b.page, 'Who brings the tent?').waitFor();
  });

  it('Alice adds Dan, whose device then gets the group\'s messages; Erin, who blocked her, is refused in words', async () => {
    const dialog = await openInfo(a.page);
    await dialog.getByRole('button', { name: 'Add members' }).click();
    // People already in the group are not offered.
    expect(await dialog.getByRole('checkbox', { name: bob.name }).count()).toBe(0);
    await dialog.getByRole('checkbox', { name: dan.name }).check();
    await dialog.getByRole('button', { name: 'Add 1 person' }).click();
    await dialog.getByRole('status').filter({ hasText: '1 person added.' }).waitFor();
    await dialog.getByRole('heading', { name: '4 members' }).waitFor();
    expect(await dialog.getByRole('listitem').filter({ hasText: dan.name }).count()).toBe(1);

    // Erin blocks Alice while Alice's page still offers her (as a page open before the block would).
    const blocked = await server.api.withToken(erinToken).route(routes.block, { params: { userId: a.userId } });
    expect(blocked.status).toBe(204);
    await dialog.getByRole('button', { name: 'Add members' }).click();
    await dialog.getByRole('checkbox', { name: erin.name }).check();
    await dialog.getByRole('button', { name: 'Add 1 person' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(`${erin.name} could not be added. Only your contacts can be added, and not when either of you has blocked the other.`);
    expect(await refusal.getAttribute('data-error-code')).toBe('not_a_contact');
    await dialog.getByRole('heading', { name: '4 members' }).waitFor();
    await a.page.keyboard.press('Escape');
    await a.page.getByTestId('typing').filter({ hasText: '4 members' }).waitFor();

    await write(a.page, 'Welcome Dan');
    await danDevice.until(() => danDevice.texts(groupId).includes('Welcome Dan'), 'Welcome Dan');
    await messageWith(b.page, 'Welcome Dan').waitFor();
  });

  it('Alice removes Carol after confirming; Bob and Dan get what follows, Carol nothing, and her history stays', async () => {
    const dialog = await openInfo(a.page);
    await dialog.getByRole('button', { name: `Remove ${carol.name}` }).click();
    const confirm = dialog.getByRole('group', { name: `Remove ${carol.name}` });
    expect(await confirm.textContent()).toContain(`Remove ${carol.name} from the group?`);
    // The safe answer has the focus.
    expect(await a.page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('heading', { name: '3 members' }).waitFor();
    expect(await dialog.getByRole('listitem').filter({ hasText: carol.name }).count()).toBe(0);
    await a.page.keyboard.press('Escape');

    await write(a.page, 'Only for the three of us');
    await messageWith(b.page, 'Only for the three of us').waitFor();
    await danDevice.until(() => danDevice.texts(groupId).includes('Only for the three of us'), 'the message after the removal');
    // Dan writes to Carol after he got the group's message: once his reaches her page, the group's would have too.
    const ping = await danDevice.send({ userId: c.userId }, 'Ping from Dan');
    if (!('ok' in ping) || ping.message === undefined) throw new Error('Dan could not write to Carol');
    await c.page.locator(`[data-conversation="${ping.message.conversationId}"]`).filter({ hasText: 'Ping from Dan' }).waitFor();
    await messageWith(c.page, 'Who brings the tent?').waitFor();
    expect(await messageWith(c.page, 'Only for the three of us').count()).toBe(0);
    // The new conversation made her list come again, without the group: the open group says she is out of it.
    await c.page.getByRole('status').filter({ hasText: 'You are no longer a member of this group.' }).waitFor();
    expect(await composer(c.page).count()).toBe(0);
    expect(await storedTexts(c.token)).not.toContain('Only for the three of us');
    expect(await storedTexts(c.token)).toContain('Welcome Dan');

    // After a reload the group is still there with its history, marked as no longer hers, with no composer.
    await c.page.emulateMedia({ colorScheme: 'dark' });
    await c.page.reload();
    await nav(c.page, 'Chats').click();
    // She heard of the rename live, while she was still in the group.
    await groupRow(c.page, 'Trip to Guilin').click();
    await messageWith(c.page, 'Welcome Dan').waitFor();
    await c.page.getByRole('status').filter({ hasText: 'You are no longer a member of this group.' }).waitFor();
    expect(await composer(c.page).count()).toBe(0);
    expect(await messageWith(c.page, 'Only for the three of us').count()).toBe(0);
    await screenshot(c.page, 'chat-group-removed-1280-dark');
  });

  it('Bob, at phone width in dark mode, leaves after confirming; he keeps the history, Alice sees two members', async () => {
    await b.page.emulateMedia({ colorScheme: 'dark' });
    const dialog = await openInfo(b.page);
    expect(await fitsWidth(b.page)).toBe(true);
    await screenshot(b.page, 'chat-group-info-390-dark');
    await dialog.getByRole('button', { name: 'Leave group' }).click();
    const confirm = dialog.getByRole('group', { name: 'Leave group' });
    expect(await confirm.textContent()).toContain('Leave “Trip to Guilin”?');
    await confirm.getByRole('button', { name: 'Leave', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await b.page.getByRole('status').filter({ hasText: 'You left this group.' }).waitFor();
    expect(await composer(b.page).count()).toBe(0);
    await messageWith(b.page, 'Only for the three of us').waitFor();
    expect(await b.page.getByTestId('typing').textContent()).toBe('You are not in this group any more');
    expect(await fitsWidth(b.page)).toBe(true);
    await screenshot(b.page, 'chat-group-left-390-dark');
    expect(await listedGroup(b.token)).toBeUndefined();

    // Alice's dialog asks for the list again when it opens.
    const aliceDialog = await openInfo(a.page);
    await aliceDialog.getByRole('heading', { name: '2 members' }).waitFor();
    expect(await aliceDialog.getByRole('listitem').allTextContents()).toEqual([expect.stringContaining('You'), expect.stringContaining(dan.name)]);
    await a.page.keyboard.press('Escape');
    await write(a.page, 'Just us now');
    await danDevice.until(() => danDevice.texts(groupId).includes('Just us now'), 'the message after Bob left');

    // Reloaded, Bob still has the group, left, with its history.
    await b.page.reload();
    await nav(b.page, 'Chats').click();
    await groupRow(b.page, 'Trip to Guilin').click();
    await messageWith(b.page, 'Who brings the tent?').waitFor();
    expect(await messageWith(b.page, 'Just us now').count()).toBe(0);
    await b.page.getByRole('status').filter({ hasText: 'You left this group.' }).waitFor();
  });

  it('Carol lets nobody add her to groups; Alice\'s next group leaves her out, saying so by name', async () => {
    await nav(c.page, 'Privacy').click();
    const choice = c.page.getByRole('group', { name: 'Who can add me to groups' });
    expect(await choice.getByRole('radio', { name: 'Everyone who can find me by my number' }).isChecked()).toBe(true);
    await choice.getByRole('radio', { name: 'Nobody' }).check();
    await c.page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect((await server.api.withToken(c.token).typed().call(routes.privacy, {})).groupAddsBy).toBe('nobody');

    await nav(a.page, 'Chats').click();
    const dialog = await createGroup(a.page, 'Dinner', [dan.name, carol.name]);
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      `${carol.name} does not let you add them to groups, so they are no longer selected. Create the group without them, or send them a message instead.`,
    );
    expect(await dialog.getByRole('checkbox', { name: carol.name }).isChecked()).toBe(false);
    expect(await dialog.getByRole('checkbox', { name: dan.name }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await a.page.getByRole('heading', { name: 'Dinner', level: 2 }).waitFor();
    expect(await a.page.getByTestId('typing').textContent()).toBe('2 members');
  });

  it('broke no Content Security Policy rule and threw no page error', () => {
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
    expect(c.problems).toEqual([]);
  });
});
