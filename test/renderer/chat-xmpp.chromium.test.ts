import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { PrivateProsody, prosodyAvailable } from '../support/prosody.js';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { XmppPerson } from '../support/xmpp-person.js';
import { signInBrowser } from './support/browser-session.js';
import { buildWebClient, chromiumAvailable, launchChromium, screenshotDir } from './support/browser.js';

/**
 * Issue 17 on the web client: a Switchboard user at phone width allows an XMPP address in "XMPP contacts",
 * writes to it from the normal composer, a real XMPP client on a real Prosody (started here) receives it
 * and answers, and the answer shows in the conversation, named by the address with the XMPP mark. A
 * server without a bridge says so in the panel.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

const available = (await chromiumAvailable()) && (await prosodyAvailable());

const domain = 'xmpp.test';
const componentDomain = 'sb.xmpp.test';
const secret = `component-secret-ui-${process.pid}`;
const aliceJid = `alice@${domain}`;
const phone = '+8613800138091';
const linaJid = `8613800138091@${componentDomain}`;

async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!available)('XMPP contacts in Chromium, with a real Prosody', () => {
  let prosody: PrivateProsody;
  let server: TestServer;
  let plainServer: TestServer;
  let browser: Browser;
  let alice: XmppPerson;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  let token = '';

  async function open(target: TestServer, e164: string): Promise<Page> {
    ({ token } = await signIn(target.api, e164, testDevice('Lina phone')));
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    await signInBrowser(context, target.url, token);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(target.url + '/');
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Chats' }).click();
    return page;
  }

  beforeAll(async () => {
    await buildWebClient();
    prosody = await PrivateProsody.start({ domain, componentDomain, componentSecret: secret, users: ['alice'] });
    server = await startTestServer({
      env: { XMPP_COMPONENT_SERVICE: prosody.componentService, XMPP_COMPONENT_DOMAIN: componentDomain, XMPP_COMPONENT_SECRET: secret, XMPP_SWEEP_MS: '500' },
    });
    plainServer = await startTestServer();
    browser = await launchChromium();
    await until(() => server.services.interworking?.holding() === true, 'the component to be online');
    alice = await new XmppPerson(aliceJid, prosody.service).online();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await alice?.stop();
    await server?.close();
    await plainServer?.close();
    await prosody?.down();
  });

  it('allows alice, writes to her, and shows her answer', async () => {
    const page = await open(server, phone);
    await page.getByRole('button', { name: 'XMPP contacts' }).click();
    const panel = page.getByRole('dialog', { name: 'XMPP contacts' });
    const input = panel.getByRole('textbox', { name: 'XMPP address' });

    // Bad input is refused in words before anything is sent.
    await input.fill('alice');
    await panel.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('That is not an XMPP address');

    await input.fill('Alice@XMPP.test');
    await panel.getByRole('button', { name: 'Allow' }).click();
    const row = panel.locator('[data-address="xmpp:alice@xmpp.test"]');
    await row.waitFor();
    expect(await input.inputValue()).toBe('');
    // The bridge asks for her presence, her client approves, and the row shows her online (a live event).
    await expect.poll(() => row.getByTestId('xmpp-presence').textContent(), { timeout: 20_000 }).toBe('Online');
    await screenshot(page, 'chat-xmpp-contacts-phone-dark');

    await row.getByRole('button', { name: 'Message' }).click();
    await page.getByRole('heading', { name: 'alice@xmpp.test (XMPP)', level: 2 }).waitFor();
    await expect.poll(() => page.getByTestId('typing').textContent()).toBe('On XMPP: Online');
    // No calls to someone on another network.
    expect(await page.getByRole('button', { name: /call with/i }).count()).toBe(0);

    const composer = page.getByRole('textbox', { name: 'Message', exact: true });
    await composer.fill('Hello Alice, from Switchboard');
    await composer.press('Enter');
    const received = await alice.waitFor((stanza) => stanza.name === 'message' && stanza.getChildText('body') === 'Hello Alice, from Switchboard', 'the message from the web');
    expect(received.attrs.from).toMatch(new RegExp(`^${linaJid}`));
    // The draft became the stored conversation (the ack named it).
    await expect.poll(() => page.locator('[data-conversation^="draft:"]').count()).toBe(0);

    // Her chat state shows as typing, named by her address.
    await alice.typing(linaJid, 'composing');
    await expect.poll(() => page.getByTestId('typing').textContent()).toBe('alice@xmpp.test (XMPP) is typing…');
    await alice.say(linaJid, 'Hi Lina, Alice here');
    await page.getByRole('log').getByTestId('message').filter({ hasText: 'Hi Lina, Alice here' }).waitFor();
    await screenshot(page, 'chat-xmpp-conversation-phone-dark');

    // Back to the list: one conversation, named by the address with the network's mark.
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    const rows = page.getByRole('list', { name: 'Conversations' }).getByRole('button');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('alice@xmpp.test (XMPP)');

    // Removing her: the row goes, and the server no longer lists her.
    await page.getByRole('button', { name: 'XMPP contacts' }).click();
    await panel.getByRole('button', { name: 'Remove alice@xmpp.test' }).click();
    await panel.getByText('No XMPP addresses allowed yet.').waitFor();
    const listed = await server.api.withToken(token).route<unknown[]>(routes.myOutsideContacts);
    expect(listed.body).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);

  it('says in words that a server without a bridge has no XMPP, and changes nothing else', async () => {
    const page = await open(plainServer, '+8613800138092');
    await page.getByRole('button', { name: 'XMPP contacts' }).click();
    const panel = page.getByRole('dialog', { name: 'XMPP contacts' });
    await expect.poll(() => panel.getByTestId('xmpp-unavailable').textContent()).toContain('This server has no XMPP bridge');
    expect(await panel.getByRole('textbox', { name: 'XMPP address' }).count()).toBe(0);
    await screenshot(page, 'chat-xmpp-no-bridge-phone-dark');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Chats', level: 1 }).waitFor();
    expect(problems).toEqual([]);
  }, 60_000);
});
