import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { coturnAvailable, Coturn } from '../support/coturn.js';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { signInBrowser } from './support/browser-session.js';
import { buildWebClient, chromiumAvailable, contactRow, launchChromium, screenshotDir } from './support/browser.js';

const available = (await chromiumAvailable()) && (await coturnAvailable());

/** Fake camera and microphone, and no permission prompt: the media flow is real, the devices are not. */
const fakeMedia = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

type Person = { token: string; user: { id: string }; phone: string; national: string; name: string };

/**
 * Calls in real Chromium through the real web client and server (M26): A calls B from B's contact
 * screen, B answers, both receive media; the same through a real coturn with relay-only ICE; a call
 * nobody answers leaves a missed-call message; someone who blocked me cannot be called; a block made while a
 * call rings ends it on both screens.
 */
describe.skipIf(!available)('calls in Chromium', () => {
  let direct: TestServer;
  let relayed: TestServer;
  let coturn: Coturn;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const setupTimes: { path: string; inviteToConnectedMs: number; answerToConnectedMs: number; calleeAnswerToConnectedMs: number }[] = [];
  let counter = 0;

  beforeAll(async () => {
    await buildWebClient();
    coturn = await Coturn.start();
    direct = await startTestServer({ env: { CALL_RING_SECONDS: '4' } });
    relayed = await startTestServer({ env: { TURN_URLS: coturn.url, TURN_SECRET: coturn.secret, CALL_RELAY_ONLY: '1' } });
    browser = await launchChromium(fakeMedia);
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await Promise.all([direct?.close(), relayed?.close()]);
    await coturn?.stop();
    if (setupTimes.length > 0) console.info(`call set-up times (invite to connected): ${JSON.stringify(setupTimes)}`);
  });

  async function person(server: TestServer, name: string): Promise<Person> {
    counter += 1;
    const national = `1370013${String(7100 + counter).padStart(4, '0')}`;
    const phone = `+86${national}`;
    return { ...(await signIn(server.api, phone, testDevice(name))), phone, national, name };
  }

  /** A browser "device" signed in as the person, past the one-time recovery key of a new account. */
  async function open(server: TestServer, who: Person): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1180, height: 760 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    await signInBrowser(context, server.url, who.token);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'warning') console.info(`${who.name}: ${message.text()}`);
    });
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'I wrote it down' }).click();
    return page;
  }

  /** Adds a contact by hand and opens their screen, once the server says they use Switchboard. */
  async function openContact(page: Page, other: Person): Promise<void> {
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill(other.name);
    await page.getByRole('dialog').getByLabel('Phone number', { exact: true }).fill(other.national);
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await contactRow(page, other.name).waitFor();
    await contactRow(page, other.name).click();
    await page.getByRole('dialog', { name: other.name }).getByRole('button', { name: `Voice call with ${other.name}` }).waitFor();
  }

  const callScreen = (page: Page) => page.getByTestId('call-screen');

  /** Inbound RTP bytes as the call-quality panel shows them. */
  async function bytesReceived(page: Page): Promise<number> {
    return Number(await page.getByTestId('call-stats').getAttribute('data-bytes-received'));
  }

  async function expectMediaFlowing(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Call quality' }).click();
    await expect.poll(() => bytesReceived(page), { timeout: 10_000 }).toBeGreaterThan(0);
    const first = await bytesReceived(page);
    await expect.poll(() => bytesReceived(page), { timeout: 10_000 }).toBeGreaterThan(first + 1000);
  }

  async function callAndAnswer(server: TestServer, label: string, media: 'Voice' | 'Video') {
    const alice = await person(server, `Alice ${label}`);
    const bob = await person(server, `Bob ${label}`);
    const alicePage = await open(server, alice);
    const bobPage = await open(server, bob);
    await openContact(alicePage, bob);
    await alicePage.getByRole('button', { name: `${media} call with ${bob.name}` }).click();
    await callScreen(alicePage).getByText('Calling…').waitFor();
    const ringing = callScreen(bobPage);
    await ringing.getByText(media === 'Video' ? 'Incoming video call' : 'Incoming voice call').waitFor();
    // Alice is not in Bob's book: her number says who calls.
    expect((await ringing.getByRole('heading').textContent())?.replace(/\D/g, '')).toBe(alice.phone.replace(/\D/g, ''));
    await ringing.getByRole('button', { name: 'Answer' }).click();
    await expect.poll(() => callScreen(alicePage).getAttribute('data-phase')).toBe('active');
    await expect.poll(() => callScreen(bobPage).getAttribute('data-phase')).toBe('active');
    setupTimes.push({
      path: label,
      inviteToConnectedMs: Number(await callScreen(alicePage).getAttribute('data-setup-ms')),
      answerToConnectedMs: Number(await callScreen(alicePage).getAttribute('data-answer-setup-ms')),
      calleeAnswerToConnectedMs: Number(await callScreen(bobPage).getAttribute('data-setup-ms')),
    });
    return { alice, bob, alicePage, bobPage };
  }

  it('A calls B from the contact screen, B answers, and both receive media; the hang-up is logged with its duration', async () => {
    const { alice, bob, alicePage, bobPage } = await callAndAnswer(direct, 'direct', 'Video');
    await Promise.all([expectMediaFlowing(alicePage), expectMediaFlowing(bobPage)]);
    expect(await callScreen(alicePage).getByTestId('call-stats').getAttribute('data-relayed')).toBe('false');
    // The network comes back (a new Wi-Fi): the caller restarts ICE, the callee answers, media keeps flowing.
    await alicePage.evaluate("window.dispatchEvent(new Event('online'))");
    await expect.poll(() => callScreen(alicePage).getAttribute('data-ice-restarts')).toBe('1');
    await expect.poll(() => callScreen(bobPage).getAttribute('data-ice-restarts')).toBe('1');
    const beforeRestart = await bytesReceived(bobPage);
    await expect.poll(() => bytesReceived(bobPage), { timeout: 10_000 }).toBeGreaterThan(beforeRestart + 1000);
    expect(await callScreen(alicePage).getAttribute('data-phase')).toBe('active');
    await callScreen(bobPage).getByText(/^0:\d\d$/).waitFor();
    fs.mkdirSync(screenshotDir, { recursive: true });
    await alicePage.screenshot({ path: path.join(screenshotDir, 'call-video-active.png') });
    await callScreen(alicePage).getByRole('button', { name: 'Mute' }).click();
    await callScreen(alicePage).getByRole('button', { name: 'Unmute' }).waitFor();
    await callScreen(alicePage).getByRole('button', { name: 'Turn camera off' }).click();
    await callScreen(alicePage).getByRole('button', { name: 'Hang up' }).click();
    await callScreen(bobPage).getByText('Call ended').waitFor();
    const conversations = await direct.api.withToken(bob.token).typed().call(routes.conversations, {});
    const withAlice = conversations.find((conversation) => conversation.members.some((member) => member.userId === alice.user.id));
    expect(withAlice?.lastMessage?.body).toMatchObject({ call: { media: 'video', outcome: 'answered' } });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('connects through a real coturn when every call must go through TURN', async () => {
    const { alicePage, bobPage } = await callAndAnswer(relayed, 'relay', 'Voice');
    await Promise.all([expectMediaFlowing(alicePage), expectMediaFlowing(bobPage)]);
    expect(await callScreen(alicePage).getByTestId('call-stats').getAttribute('data-relayed')).toBe('true');
    expect(await callScreen(bobPage).getByTestId('call-stats').getAttribute('data-relayed')).toBe('true');
    await callScreen(bobPage).getByRole('button', { name: 'Hang up' }).click();
    await callScreen(alicePage).getByText('Call ended').waitFor();
  }, 120_000);

  it('a call nobody answers ends after the ring time and leaves a missed-call message; a person who blocked me cannot be called', async () => {
    const alice = await person(direct, 'Alice unanswered');
    const bob = await person(direct, 'Bob away');
    const alicePage = await open(direct, alice);
    const bobPage = await open(direct, bob);
    await openContact(alicePage, bob);
    await alicePage.getByRole('button', { name: `Voice call with ${bob.name}` }).click();
    await callScreen(bobPage).getByText('Incoming voice call').waitFor();
    // At phone width the incoming call takes the whole screen, with nothing to scroll sideways.
    await bobPage.setViewportSize({ width: 360, height: 740 });
    const box = await callScreen(bobPage).boundingBox();
    expect(box).toMatchObject({ x: 0, width: 360 });
    expect(await bobPage.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    for (const button of ['Answer', 'Decline']) expect((await callScreen(bobPage).getByRole('button', { name: button }).boundingBox())?.height).toBeGreaterThanOrEqual(44);
    await callScreen(alicePage).getByText('No answer').waitFor({ timeout: 15_000 });
    await callScreen(bobPage).getByText('No answer').waitFor();
    const conversations = await direct.api.withToken(bob.token).typed().call(routes.conversations, {});
    const withAlice = conversations.find((conversation) => conversation.members.some((member) => member.userId === alice.user.id));
    expect(withAlice?.lastMessage).toMatchObject({ from: { userId: alice.user.id }, body: { call: { media: 'audio', outcome: 'missed' } } });
    await callScreen(alicePage).getByRole('button', { name: 'Close' }).click();
    await callScreen(bobPage).getByRole('button', { name: 'Close' }).click();

    await direct.api.withToken(bob.token).typed().call(routes.block, { params: { userId: alice.user.id } });
    await alicePage.getByRole('button', { name: `Voice call with ${bob.name}` }).click();
    await alicePage.getByText('You cannot call this person.', { exact: false }).waitFor();
    expect(await callScreen(bobPage).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('a block made while the call rings ends it on both screens, in words; the blocked caller only sees a decline', async () => {
    const alice = await person(direct, 'Alice blocked');
    const bob = await person(direct, 'Bob blocking');
    const alicePage = await open(direct, alice);
    const bobPage = await open(direct, bob);
    await openContact(alicePage, bob);
    await alicePage.getByRole('button', { name: `Voice call with ${bob.name}` }).click();
    await callScreen(bobPage).getByText('Incoming voice call').waitFor();
    await bobPage.setViewportSize({ width: 390, height: 740 });
    await direct.api.withToken(bob.token).typed().call(routes.block, { params: { userId: alice.user.id } });
    await callScreen(bobPage).getByText('Call ended: you blocked this person. To call again, unblock them on their contact page.').waitFor();
    // The longer words still fit a phone's width.
    expect(await bobPage.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    fs.mkdirSync(screenshotDir, { recursive: true });
    await bobPage.screenshot({ path: path.join(screenshotDir, 'call-ended-blocked-phone.png') });
    await callScreen(alicePage).getByText('Declined', { exact: true }).waitFor();
    expect(await callScreen(alicePage).getByText('blocked', { exact: false }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
