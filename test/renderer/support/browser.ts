import fs from 'node:fs';
import path from 'node:path';
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

/** `extraArgs`: e.g. the fake camera and microphone of the calls test. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', ...extraArgs],
  });
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const builtIndex = path.join(repoRoot, 'renderer/dist/index.html');
const buildLock = path.join(repoRoot, 'renderer/.build-lock');
/** What the web client is built from: a build newer than all of it is up to date. */
const buildInputs = ['renderer/src', 'renderer/index.html', 'renderer/vite.config.ts', 'common', 'plugins', 'package-lock.json'];

function newestMtime(target: string): number {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  // Test files run in parallel processes; two builds emptying renderer/dist at once would break both.
  for (let waited = 0; ; waited += 100) {
    try {
      fs.mkdirSync(buildLock);
      break;
    } catch {
      const stale = (fs.statSync(buildLock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) < Date.now() - 120_000;
      if (stale) fs.rmSync(buildLock, { recursive: true, force: true });
      else if (waited > 180_000) throw new Error(`another build holds ${buildLock}`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(buildLock, { recursive: true, force: true });
  }
}

/**
 * Builds renderer/dist the way `npm run build:web` does (a few seconds), unless a build newer than every
 * source file is there already: parallel test files then share one build instead of rebuilding under
 * each other's running servers.
 */
export async function buildWebClient(): Promise<void> {
  await withBuildLock(async () => {
    const built = fs.statSync(builtIndex, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const newestSource = Math.max(...buildInputs.map((input) => newestMtime(path.join(repoRoot, input))));
    if (built > newestSource) return;
    const { build } = await import('vite');
    await build({ configFile: rendererConfig, logLevel: 'warn' });
  });
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
