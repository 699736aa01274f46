import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { latestCode, startTestServer, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, contactRow, launchChromium, vcard } from './support/browser.js';

const available = await chromiumAvailable();
const alice = { national: '13800138011', e164: '+8613800138011' };

/**
 * Issue 12 item 2 in Chromium against a real server: an import merges, a replace is confirmed first,
 * every import can be undone (the server's book follows), a broken vCard keeps its neighbours, and a book
 * over the server's limit is refused before anything changes, without poisoning the next import.
 */
describe.skipIf(!available)('import semantics in the web client', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const serverRefs = async () => (await server.storage.db.selectFrom('address_book_refs').select('ref').execute()).length;
  const rows = () => page.getByRole('grid').getByRole('row').count();
  const openImport = () => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Import' }).click();
  const openContacts = () => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Contacts' }).click();
  async function importFile(buffer: Buffer, name: string, mimeType = 'text/vcard'): Promise<void> {
    await openImport();
    await page.getByLabel('Address book file (vCard, CSV, TXT, XLSX)').setInputFiles({ name, mimeType, buffer });
  }

  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer();
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1180, height: 760 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill(alice.national);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByRole('status', { name: 'Development SMS outbox' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, alice.e164));
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('merges, keeps the neighbours of a broken card, and undoes an import', async () => {
    const first = vcard([{ name: 'Bob Li', phones: ['+8613800138012'] }, { name: 'Carol Wu', phones: ['13900139013'] }, { name: 'Me Myself', phones: [alice.e164] }]);
    await importFile(first, 'first.vcf');
    // The user's own region (CN) reads the national number; my own number is never one of my contacts.
    await expect.poll(() => page.getByTestId('import-done').textContent()).toContain('Imported 2 contacts');
    expect(await page.getByTestId('rejected-list').locator('li[data-reason="own_number"]').textContent()).toContain('your own number');
    await expect.poll(serverRefs).toBe(2);

    const broken = Buffer.from(
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dan Broken\r\nTEL:+8613700137014\r\n' +
        'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eve Whole\r\nTEL:+8613700137015\r\nEND:VCARD\r\n' +
        'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Fay Last\r\nTEL:+8613700137016\r\nEND:VCARD\r\n',
    );
    await importFile(broken, 'broken.vcf');
    await expect.poll(() => page.getByTestId('import-done').textContent()).toContain('Imported 3 contacts');
    await expect.poll(serverRefs).toBe(5);
    await openContacts();
    for (const name of ['Bob Li', 'Carol Wu', 'Dan Broken', 'Eve Whole', 'Fay Last']) await contactRow(page, name).waitFor();

    await openImport();
    await page.getByTestId('import-undo').click();
    await page.getByText('The import was undone').waitFor();
    await expect.poll(serverRefs).toBe(2);
    await openContacts();
    await expect.poll(rows).toBe(2);
  }, 120_000);

  it('replaces only after a confirmation, and the replace can be undone', async () => {
    await openImport();
    await page.getByTestId('import-mode-replace').check();
    const zed = { name: 'zed.vcf', mimeType: 'text/vcard', buffer: vcard([{ name: 'Zed Only', phones: ['+8613600136017'] }]) };
    const refused = page.waitForEvent('dialog');
    await page.getByLabel('Address book file (vCard, CSV, TXT, XLSX)').setInputFiles(zed);
    const question = await refused;
    expect(question.message()).toContain('Contacts that are not in the file will be removed');
    await question.dismiss();
    await expect.poll(serverRefs).toBe(2);

    const confirmed = page.waitForEvent('dialog');
    await page.getByLabel('Address book file (vCard, CSV, TXT, XLSX)').setInputFiles(zed);
    await (await confirmed).accept();
    await page.getByText('Your address book was replaced by this file.').waitFor();
    await expect.poll(serverRefs).toBe(1);

    await page.getByTestId('import-undo').click();
    await page.getByText('The import was undone').waitFor();
    await expect.poll(serverRefs).toBe(2);
    await page.getByLabel('Add to my contacts (update the ones already here)').check();
  }, 120_000);

  it('refuses a book over the limit before changing anything, and the next import still works', async () => {
    const lines = Array.from({ length: 20_001 }, (_, index) => `Person ${index},+8615${String(100_000_000 + index)}`);
    await importFile(Buffer.from(`Name,Phone\n${lines.join('\n')}\n`), 'huge.csv', 'text/csv');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toContain('Split the file');
    expect(await serverRefs()).toBe(2);
    await openContacts();
    await expect.poll(rows).toBe(2);

    await importFile(vcard([{ name: 'Gus Small', phones: ['+8613500135018'] }]), 'small.vcf');
    await expect.poll(() => page.getByTestId('import-done').textContent()).toContain('Imported 1 contact ');
    await expect.poll(serverRefs).toBe(3);
  }, 180_000);

  it('adds, edits and deletes a contact by hand, merges a duplicate number, and undoes from the toast', async () => {
    await openContacts();
    const before = await serverRefs();
    const toast = page.locator('.toast');

    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Hana Manual');
    await page.getByRole('dialog').getByLabel('Phone number', { exact: true }).fill('139 0013 9020');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await contactRow(page, 'Hana Manual').waitFor();
    await expect.poll(serverRefs).toBe(before + 1);

    // My own number is refused, with what to do.
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Me');
    await page.getByRole('dialog').getByLabel('Phone number', { exact: true }).fill(alice.national);
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText('This is your own number.').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();

    await contactRow(page, 'Hana Manual').click();
    // Not on Switchboard: invite by SMS, in my language, with my number.
    await page.getByRole('button', { name: 'Invite by SMS' }).click();
    await page.getByRole('button', { name: 'Invitation sent' }).waitFor();
    const invitation = await server.api.typed().call(routes.devSms, { query: { to: '+8613900139020' } });
    expect(invitation[0]?.body).toContain(`${alice.e164} invites you to Switchboard`);
    // Uploads are held from here until the delete's toast is there: the screen and the toast may not wait
    // for the network, not even while the edit before is still being uploaded.
    let releaseUpload: () => void = () => undefined;
    const uploadHeld = new Promise<void>((resolve) => (releaseUpload = resolve));
    await page.route('**/v1/me/address-book', async (route) => {
      if (route.request().method() === 'PUT') await uploadHeld;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Hana Edited');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await contactRow(page, 'Hana Edited').waitFor();

    // Delete, then Undo from the toast: the contact and its upload come back. The edit's toast, and its
    // Undo back to "Hana Manual", goes as the delete starts; the delete's toast comes as soon as the
    // contact leaves the screen, before either upload.
    await page.getByRole('button', { name: 'Delete contact' }).click();
    const deleted = toast.filter({ hasText: 'Deleted Hana Edited.' });
    // The pointer resting on the toast keeps it, however long the server takes (a loaded machine took 10 s).
    await deleted.getByRole('button', { name: 'Undo' }).hover();
    expect(await contactRow(page, 'Hana Edited').count()).toBe(0);
    expect(await serverRefs()).toBe(before + 1);
    releaseUpload();
    await expect.poll(serverRefs).toBe(before);
    await page.unroute('**/v1/me/address-book');
    await deleted.getByRole('button', { name: 'Undo' }).click();
    await contactRow(page, 'Hana Edited').waitFor();
    await expect.poll(serverRefs).toBe(before + 1);

    // A second entry with the same number is the same person: adding it merges.
    await page.keyboard.press('Escape').catch(() => undefined);
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Hana Twin');
    await page.getByRole('dialog').getByLabel('Phone number', { exact: true }).fill('+86 139 0013 9020');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await contactRow(page, 'Hana Twin').waitFor();
    await expect.poll(() => contactRow(page, 'Hana Edited').count()).toBe(0);
    await expect.poll(serverRefs).toBe(before + 1);
  }, 120_000);
});
