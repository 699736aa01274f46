import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { latestCode, signIn, startTestServer, type TestServer } from '../support/test-server.js';
import fs from 'node:fs';
import path from 'node:path';
import { buildWebClient, chromiumAvailable, contactRow, importAddressBook, launchChromium, screenshotDir, vcard } from './support/browser.js';

const available = await chromiumAvailable();

const alice = { national: '13800138071', e164: '+8613800138071' };
// Neither signs up: only the names the user imported say who they are, and they must follow her devices.
const wang = { name: 'Wang Fang 王芳', e164: '+8613900139071' };
const carol = { name: 'Carol Nonuser', e164: '+8613700137071' };

describe.skipIf(!available)("the user's contact names follow her to her other browsers, end to end encrypted", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  async function openBrowser(): Promise<Page> {
    // A new context per "device": its own IndexedDB, so nothing is shared but the account.
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1180, height: 760 } });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url + '/');
    return page;
  }

  async function signInAlice(page: Page, isNew: boolean): Promise<void> {
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(alice.national);
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Development SMS outbox' }).textContent()).toMatch(/\d{6}/);
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, alice.e164));
    if (isNew) await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  }

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  let recoveryKey = '';
  let browserA: Page;
  let browserCPage: Page;

  it('browser A makes the book key, shows the recovery key once, and uploads the names sealed', async () => {
    browserA = await openBrowser();
    await signInAlice(browserA, true);
    const shown = browserA.getByTestId('recovery-key');
    await shown.waitFor();
    recoveryKey = (await shown.textContent()) ?? '';
    expect(recoveryKey).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    await browserA.getByRole('button', { name: 'I wrote it down' }).click();
    await shown.waitFor({ state: 'detached' });

    const uploads: string[] = [];
    browserA.on('request', (request) => {
      if (request.method() === 'PUT' && request.url().endsWith(routes.replaceAddressBook.path)) uploads.push(request.postData() ?? '');
    });
    await importAddressBook(browserA, vcard([{ name: wang.name, phones: [wang.e164] }, { name: carol.name, phones: [carol.e164] }]), 'alice.vcf');
    expect(uploads.length).toBeGreaterThan(0);
    const body = JSON.parse(uploads.at(-1) ?? '{}') as { entries: { ref: string; phones: string[]; sealed?: string }[] };
    expect(body.entries).toHaveLength(2);
    for (const entry of body.entries) expect(entry.sealed).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    for (const upload of uploads) for (const secret of ['Wang', '王芳', 'Carol']) expect(upload).not.toContain(secret);
    await browserA.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
    await contactRow(browserA, wang.name).waitFor();
  });

  it('browser B signs in, both show the same code, A approves, and B shows the names', async () => {
    const browserB = await openBrowser();
    await signInAlice(browserB, false);
    await browserB.getByRole('heading', { name: "Bring your contacts' names to this device" }).waitFor();
    const waitingCode = (await browserB.getByTestId('key-wait-code').textContent()) ?? '';
    expect(waitingCode).toMatch(/^\d{3} \d{3}$/);
    // Until approved, B knows no names.
    expect(await contactRow(browserB, wang.name).count()).toBe(0);

    const request = browserA.getByTestId('key-request');
    await request.waitFor();
    expect(await request.textContent()).toContain('A new device wants your contacts\' names');
    expect(await browserA.getByTestId('key-request-code').textContent()).toBe(waitingCode);
    fs.mkdirSync(screenshotDir, { recursive: true });
    await browserA.screenshot({ path: path.join(screenshotDir, 'names-approve-new-device.png') });
    await browserB.screenshot({ path: path.join(screenshotDir, 'names-bring-to-this-device.png') });
    await request.getByRole('button', { name: 'Approve' }).click();
    await request.waitFor({ state: 'detached' });

    await contactRow(browserB, wang.name).waitFor();
    await contactRow(browserB, carol.name).waitFor();
    await browserB.getByTestId('bring-names').waitFor({ state: 'detached' });
  });

  it('browser C restores the names with the recovery key alone', async () => {
    const browserC = await openBrowser();
    await signInAlice(browserC, false);
    await browserC.getByTestId('bring-names').waitFor();
    const field = browserC.getByLabel('Or type your recovery key');
    await field.fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH');
    await browserC.getByRole('button', { name: 'Restore names' }).click();
    await browserC.getByText('This recovery key does not open your names.').waitFor();
    await field.fill(recoveryKey.toLowerCase());
    await browserC.getByRole('button', { name: 'Restore names' }).click();
    await contactRow(browserC, wang.name).waitFor();
    await contactRow(browserC, carol.name).waitFor();
    browserCPage = browserC;
  });

  it('a browser signed out from another device forgets the key and asks for approval again', async () => {
    const browserC = browserCPage;
    // Another of Alice's sessions signs browser C out (as the Devices screen would).
    const other = await signIn(server.api, alice.e164);
    const otherApi = server.api.withToken(other.token);
    const devices = (await otherApi.route<{ deviceId: string; state: string; name: string }[]>(routes.keyDevices)).body;
    const approvedBrowsers = devices.filter((device) => device.state === 'approved');
    expect(approvedBrowsers).toHaveLength(3);
    const last = approvedBrowsers.at(-1)?.deviceId ?? '';
    expect((await otherApi.route(routes.signOutDevice, { params: { deviceId: last } })).status).toBe(204);
    await browserC.getByRole('button', { name: 'Send code' }).waitFor();
    await signInAlice(browserC, false);
    await browserC.getByTestId('bring-names').waitFor();
    expect(await browserC.getByTestId('recovery-key-notice').count()).toBe(0);
  });

  it('left no name in the server database and no page error', async () => {
    const tables = await server.storage.db.introspection.getTables();
    let dump = '';
    for (const table of tables) dump += JSON.stringify((await sql`SELECT * FROM ${sql.table(table.name)}`.execute(server.storage.db)).rows);
    // The sealed blobs are there (so the search below looks at the right data), but nothing readable.
    expect(tables.map((table) => table.name)).toContain('device_keys');
    expect(dump).toMatch(/"sealed":"[A-Za-z0-9_-]{40,}"/);
    for (const secret of ['Wang', '王芳', 'Carol', recoveryKey]) expect(dump).not.toContain(secret);
    expect(pageErrors).toEqual([]);
  });
});
