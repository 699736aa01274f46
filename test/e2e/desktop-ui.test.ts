import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialAccount, sessionAccount } from '#core/vault/index.js';
import { mastodonAccount, startMastodonApiStandIn, type MastodonApiStandIn } from '../plugin-host/mastodon-api-stand-in.js';
import { serveBridge, type ServedBridge } from '../bridge-host/support/serve-bridge.js';
import { createXdgSandbox, xdgUtilsAvailable, type XdgSandbox } from '../launcher/support/xdg-sandbox.js';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from '../renderer/support/browser.js';
import { CliProcess, runCli } from '../support/cli-process.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { latestCode, signIn, startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';
import { Cleanups, markWhenLabelled, serveDesktopIcons, startDesktopMachine, startFakeApp, type DesktopMachine, type FakeApp } from './support/desktop-page.js';

const available = (await chromiumAvailable()) && (await keyringAvailable()) && (await xdgUtilsAvailable());

const alice = { national: '13800138021', e164: '+8613800138021', name: 'Alice Zhang' };
const bob = { national: '13900139022', e164: '+8613900139022', name: 'Bob Li' };
/**
 * WhatsApp: its Linux client runs as `whatsapp-for-linux` (longer than the 15 characters of comm), and
 * its chat link is built from the phone number. No other test starts a process of that name, so
 * test files running side by side, each with a watcher that sees the whole machine, stay apart.
 */
const network = {
  pluginId: 'whatsapp',
  name: 'WhatsApp',
  process: 'whatsapp-for-linux',
  scheme: 'whatsapp',
  desktopId: 'com.github.eneshecan.WhatsAppForLinux.desktop',
  expectedLink: `whatsapp://send?phone=${alice.e164.slice(1)}`,
};
/** The product's promise: a contact sees an app start within 3 seconds. */
const LIGHT_GOAL_MS = 3000;

interface Person {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/**
 * The whole product on real parts. Alice uses the web client in one Chromium context; Bob uses the
 * desktop UI in another: the built renderer on a `window.switchboardDesktop` served by a real bridge
 * host in this process (vault on a private gnome-keyring, launcher on real xdg-mime and xdg-open with a
 * recording handler for the app's links). Alice's second device is `switchboard agent`, a real process signed in
 * with `switchboard login`, watching a real process named like WhatsApp's.
 */
describe.skipIf(!available)('the desktop UI, end to end on real processes', () => {
  const cleanups = new Cleanups();
  let keyring: PrivateKeyring;
  let sandbox: XdgSandbox;
  let server: TestServer;
  let desktop: DesktopMachine;
  let browser: Browser;
  let served: ServedBridge;
  let a: Person;
  let b: Person;
  let agentEnv: NodeJS.ProcessEnv;
  let fakeApp: FakeApp | undefined;
  let mastodon: MastodonApiStandIn;
  const mastodonToken = 'bobs-mastodon-token-0123456789';

  async function openPerson(setUp?: (context: BrowserContext) => Promise<void>): Promise<Person> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1180, height: 760 }, colorScheme: 'light' });
    context.setDefaultTimeout(8_000);
    await setUp?.(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(server.url + '/');
    return { context, page, problems };
  }

  async function signUp(person: Person, who: { national: string; e164: string }): Promise<void> {
    const { page } = person;
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(who.national);
    await page.getByRole('button', { name: 'Send code' }).click();
    // The person reads the SMS: here, the development outbox at /v1/dev/sms.
    await expect.poll(() => latestCode(server.api, who.e164).catch(() => ''), { timeout: 8000 }).toMatch(/^\d{6}$/);
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, who.e164));
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  }

  const importBook = importAddressBook;
  const rowOf = contactRow;

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    cleanups.add('gnome-keyring', () => keyring.stop());
    sandbox = createXdgSandbox();
    cleanups.add('xdg sandbox', () => sandbox.remove());
    // The app's package registers itself for its links; here a recording handler does.
    await sandbox.registerHandler(network.scheme, network.desktopId);
    // Rebuilds only when a source is newer than the build: a stale build would test yesterday's renderer.
    await buildWebClient();
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '500' } });
    cleanups.add('server', () => server.close());
    // Bob follows Alice and Dana on Mastodon: a labelled local STAND-IN of Mastodon's REST API.
    mastodon = await startMastodonApiStandIn({
      token: mastodonToken,
      me: mastodonAccount('1', 'bob', 'Bob'),
      following: [
        mastodonAccount('201', 'alice', 'Alice on Mastodon', { fields: [['Phone', `<a href="tel:${alice.e164}">${alice.e164}</a>`]] }),
        mastodonAccount('202', 'dana@social.example', 'Dana Wu'),
      ],
    });
    cleanups.add('mastodon stand-in', () => mastodon.close());
    desktop = await startDesktopMachine({ serverUrl: server.url, sandbox, vaultService: `switchboard-desktop-e2e-${process.pid}`, pluginsOnLoopback: true });
    cleanups.add('bridge host', () => desktop.close());
    const configDir = tempDir('switchboard-agent-config-');
    cleanups.add('agent config', () => fs.rmSync(configDir, { recursive: true, force: true }));
    agentEnv = { ...keyring.env, SWITCHBOARD_CONFIG_DIR: configDir, SWITCHBOARD_SERVER_URL: server.url };

    browser = await launchChromium();
    cleanups.add('chromium', () => browser.close());
    a = await openPerson();
    b = await openPerson(async (context) => {
      served = await serveBridge(context, desktop.host, desktop.gestures);
      cleanups.add('bridge binding', () => served.stop());
      await serveDesktopIcons(context, server.url, desktop.plugins);
    });
  }, 120_000);

  afterAll(async () => {
    await cleanups.runAll();
  }, 60_000);

  it('signs both people up through the UI; the desktop keeps its session in the keychain', async () => {
    await signUp(a, alice);
    await signUp(b, bob);
    const stored = await desktop.vault.getSecret(sessionAccount(server.url));
    expect(stored?.token).toMatch(/.{20,}/);
    // Bob's page is the desktop UI: it asked the bridge host, not the browser, who it is and which networks exist.
    const answered = served.calls.filter((call) => call.ok).map((call) => call.channel);
    expect(answered).toEqual(expect.arrayContaining(['switchboard:app.info', 'switchboard:plugins.list', 'switchboard:session.signIn']));
    // The core signed in itself: the window never held the session's token, so it never handed one in.
    expect(served.calls.filter((call) => call.channel === 'switchboard:session.set')).toEqual([]);
    // The session token stays in the core and the keychain: no bridge reply or event ever carried it.
    expect(served.replies.length).toBeGreaterThan(0);
    expect(served.replies.some((reply) => reply.includes(stored?.token ?? 'no token'))).toBe(false);
  });

  it('imports both address books through the file input, and each sees the other', async () => {
    await importBook(a.page, vcard([{ name: bob.name, phones: [bob.e164] }]), 'alice.vcf');
    expect(await a.page.getByTestId('import-done').textContent()).toContain('1 of them is on Switchboard');
    await importBook(b.page, vcard([{ name: alice.name, phones: [alice.e164] }]), 'bob.vcf');
    expect(await b.page.getByTestId('import-done').textContent()).toContain('1 of them is on Switchboard');

    // A row shows only the networks a person uses: each says they use WhatsApp (reached by number).
    for (const who of [alice, bob]) {
      const token = (await signIn(server.api, who.e164)).token;
      expect((await server.api.withToken(token).route(routes.publishIdentity, { params: { pluginId: network.pluginId }, body: {} })).status).toBe(200);
    }
    for (const [person, other] of [
      [a, bob],
      [b, alice],
    ] as const) {
      await person.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
      const row = rowOf(person.page, other.name);
      await row.waitFor();
      await expect.poll(() => row.getByRole('button', { name: `${network.name}: not active` }).count()).toBe(1);
    }
    // The desktop page draws the icons the bridge host named, from the plugin folders.
    const icon = rowOf(b.page, alice.name).locator(`button[data-plugin="${network.pluginId}"] img`);
    await expect.poll(() => icon.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  });

  it("signs Alice's agent in as another device of hers, from the command line", async () => {
    const asked = await runCli(['login', '--phone', alice.e164], agentEnv);
    expect(asked.code, asked.stderr).toBe(0);
    const signedIn = await runCli(['login', '--phone', alice.e164, '--code', await latestCode(server.api, alice.e164)], agentEnv);
    expect(signedIn.code, signedIn.stderr).toBe(0);
    // The same account Alice created in the browser, not a new one.
    expect(signedIn.stdout).toContain(`Signed in as ${alice.e164} on`);
    expect(signedIn.stdout).not.toContain('new account');

    const agent = new CliProcess(['agent'], agentEnv);
    const killOnExit = () => agent.child.kill('SIGKILL');
    process.once('exit', killOnExit);
    cleanups.add('agent', async () => {
      const exited = agent.stop();
      const timer = setTimeout(() => agent.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', killOnExit);
    });
    // Its first report; other test files may have their own fake apps running, so only the first line counts.
    await agent.waitForOutput(/active: /);
    expect(agent.output.join('')).not.toContain(network.pluginId);
  });

  it(`lights ${network.name} on Alice's card for Bob within ${LIGHT_GOAL_MS} ms of the app starting`, async () => {
    const row = rowOf(b.page, alice.name);
    expect(await row.getByRole('button', { name: `${network.name}: not active` }).count()).toBe(1);
    const lit = await markWhenLabelled(b.page, { key: 'lit', rowText: alice.name, pluginId: network.pluginId, labelPrefix: `${network.name}: active since ` });

    fakeApp = await startFakeApp(network.process);
    const app = fakeApp;
    cleanups.add('fake app', () => app.stop());
    const litAt = await lit(15_000);
    const seenAt = Date.now();
    // What assistive technology reads: the accessible name Playwright computes.
    expect(await row.getByRole('button', { name: new RegExp(`^${network.name}: active since \\d{2}:\\d{2}$`) }).count()).toBe(1);
    expect(await row.locator(`button[data-plugin="${network.pluginId}"]`).getAttribute('class')).toContain('lit');

    const lightMs = litAt - app.startedAt;
    console.log(`[desktop-ui] ${network.name} lit on Bob's card ${lightMs} ms after the process started (seen by the test after ${seenAt - app.startedAt} ms)`);
    expect(lightMs).toBeGreaterThan(0);
    expect(lightMs).toBeLessThan(LIGHT_GOAL_MS);

    fs.mkdirSync(screenshotDir, { recursive: true });
    await b.page.screenshot({ path: path.join(screenshotDir, 'desktop-contact-lit.png') });
  });

  it(`opens ${network.name} at a chat with Alice's number when Bob clicks the icon, and from her detail`, async () => {
    const icon = `[role="grid"] [role="row"]:has-text("${alice.name}") button[data-plugin="${network.pluginId}"]`;
    await served.userClick(b.page, icon);
    // xdg-open ran the handler registered for whatsapp: in the sandbox, which recorded the link it was given.
    expect(await sandbox.waitForOpened(1)).toEqual([network.expectedLink]);
    await b.page.getByText(`Opened a chat with ${alice.name} on ${network.name}.`).waitFor();
    expect(served.calls.filter((call) => call.channel === 'switchboard:launcher.open')).toEqual([{ channel: 'switchboard:launcher.open', ok: true }]);

    await rowOf(b.page, alice.name).getByRole('button', { name: new RegExp(alice.name) }).click();
    const dialog = b.page.getByRole('dialog', { name: alice.name });
    await dialog.waitFor();
    expect(await dialog.getByLabel(new RegExp(`^${network.name}: active since `)).count()).toBe(1);
    await served.userClick(b.page, `[role="dialog"] button[aria-label="Open ${network.name}"]`);
    expect(await sandbox.waitForOpened(2)).toEqual([network.expectedLink, network.expectedLink]);
    await b.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('unlights the icon when the app ends', async () => {
    const app = fakeApp;
    if (app === undefined) throw new Error('the fake app never started');
    const unlit = await markWhenLabelled(b.page, { key: 'unlit', rowText: alice.name, pluginId: network.pluginId, labelPrefix: `${network.name}: not active` });
    const endedAt = await app.stop();
    const unlitAt = await unlit(15_000);
    expect(await rowOf(b.page, alice.name).getByRole('button', { name: `${network.name}: not active` }).count()).toBe(1);
    console.log(`[desktop-ui] ${network.name} unlit on Bob's card ${unlitAt - endedAt} ms after the process ended`);
    expect(unlitAt).toBeGreaterThanOrEqual(endedAt);
  });

  it("keeps Bob's status in the desktop core: the Status screen and the tray change one value, and Alice sees it", async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'My status' }).click();
    await page.getByRole('radio', { name: 'Busy' }).check();
    await page.getByLabel('Status text or mood').fill('in a meeting');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // Delivered by the core's own link: the page's socket sends no status on the desktop.
    await page.getByText('Saved.').waitFor();
    expect(desktop.core.myStatus.get()).toEqual({ status: 'busy', text: 'in a meeting' });
    const bobOnAlicesList = rowOf(a.page, bob.name);
    await expect.poll(() => bobOnAlicesList.textContent(), { timeout: 8000 }).toContain('Busy · in a meeting');

    // The tray's choice reaches the open Status screen and Alice, and nothing sends the old value back.
    await desktop.core.myStatus.set({ status: 'away' });
    await expect.poll(() => page.getByRole('radio', { name: 'Away' }).isChecked()).toBe(true);
    await expect.poll(() => bobOnAlicesList.textContent(), { timeout: 8000 }).toContain('Away · in a meeting');
    // A reload of the window reconnects its socket; the status stays the core's.
    await page.reload();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await bobOnAlicesList.textContent()).toContain('Away · in a meeting');
  });

  it("merges the contacts of Bob's bound Mastodon account into his Contacts screen, through the desktop core's plugin host", async () => {
    // What binding Mastodon in the Accounts screen leaves behind: the token in the keychain, nowhere else.
    await desktop.vault.setSecret(credentialAccount('mastodon', mastodon.instance), { type: 'oauth2', accessToken: mastodonToken, tokenType: 'Bearer', instance: mastodon.instance, boundAt: Date.now() });
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
    expect(await rowOf(page, 'Dana Wu').count()).toBe(0);
    await page.getByRole('button', { name: 'Import from bound accounts' }).click();
    await page.getByText('Imported 2 contacts from your accounts.').waitFor();

    // Dana is known only to Mastodon: a person of her own, reachable there.
    const dana = rowOf(page, 'Dana Wu');
    await dana.waitFor();
    expect(await dana.getByText('On Mastodon').count()).toBe(1);
    expect(await dana.locator('button[data-plugin]').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-plugin')))).toEqual(['mastodon']);
    // Alice's Mastodon account publishes her number: it joins the Alice of the address book, no second row.
    expect(await rowOf(page, alice.name).count()).toBe(1);
    expect(await rowOf(page, 'Alice on Mastodon').count()).toBe(0);
    expect(served.calls.filter((call) => call.channel === 'switchboard:contacts.syncAccounts')).toEqual([{ channel: 'switchboard:contacts.syncAccounts', ok: true }]);
    expect(mastodon.requests.every((request) => request.authorised)).toBe(true);

    // Kept by the core: a reload shows them again without importing.
    await page.reload();
    await rowOf(page, 'Dana Wu').waitFor();
    await rowOf(page, 'Dana Wu').getByRole('button', { name: /Dana Wu/ }).click();
    await page.getByRole('dialog', { name: 'Dana Wu' }).waitFor();
    await page.keyboard.press('Escape');
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'desktop-network-contacts.png') });
  });

  it('ran without a page error or CSP violation on either side', () => {
    expect([...a.problems, ...b.problems]).toEqual([]);
  });

  it("never handed Bob's session token to his desktop page, through the whole walk", async () => {
    const stored = await desktop.vault.getSecret(sessionAccount(server.url));
    expect(stored?.token).toMatch(/.{20,}/);
    expect(served.replies.some((reply) => reply.includes(stored?.token ?? 'no token'))).toBe(false);
  });
});
