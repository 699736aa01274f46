import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireService } from '../../support/services.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const rendererConfig = fileURLToPath(new URL('../../../renderer/vite.config.ts', import.meta.url));
/**
 * Every run takes the screenshots; `npm run screenshots` (SWITCHBOARD_SCREENSHOTS=docs) writes them over
 * the README's copies in docs/screenshots, other runs into test-results/ so a test run leaves no diff.
 */
export const screenshotDir = fileURLToPath(
  new URL(process.env.SWITCHBOARD_SCREENSHOTS === 'docs' ? '../../../docs/screenshots/' : '../../../test-results/screenshots/', import.meta.url),
);

/** True when Chromium is installed; on a laptop a missing browser skips, under CI it fails. */
export function chromiumAvailable(): Promise<boolean> {
  return requireService(`Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`, async () => fs.existsSync(chromiumPath));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Builds renderer/dist once per run (about two seconds), the way `npm run build:web` does. */
export async function buildWebClient(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: rendererConfig, logLevel: 'warn' });
}

/** A vCard 3.0 file, one card per contact; a contact without phones tests the "no number" path. */
export function vcard(contacts: { name: string; phones: string[] }[]): Buffer {
  const cards = contacts.map((contact) =>
    ['BEGIN:VCARD', 'VERSION:3.0', `FN:${contact.name}`, ...contact.phones.map((phone) => `TEL;TYPE=CELL:${phone}`), 'END:VCARD'].join('\r\n'),
  );
  return Buffer.from(cards.join('\r\n') + '\r\n', 'utf8');
}

/** Imports an address book through the Import screen's file input and waits until it is uploaded. */
export async function importAddressBook(page: Page, file: Buffer, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Import' }).click();
  await page.getByLabel('Address book file (vCard, CSV, TXT, XLSX)').setInputFiles({ name, mimeType: 'text/vcard', buffer: file });
  await page.getByTestId('import-done').waitFor();
}

/** A contact's row in the contact list. */
export function contactRow(page: Page, name: string) {
  return page.getByRole('grid').getByRole('row').filter({ hasText: name });
}
