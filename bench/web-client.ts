import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { signIn, startTestServer } from '#test/support/test-server.js';
import { buildWebClient, chromiumPath } from '#test/renderer/support/browser.js';

const cachedContacts = 5_000;
const browserArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/**
 * Writes contacts straight into the client's IndexedDB (the schema of renderer/src/db/local-db.ts),
 * as a previous session would have left them. A string, because it runs in the page, not in Node.
 */
function prefillScript(count: number, userId: string): string {
  return `(async () => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('switchboard');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction(['people'], 'readwrite');
    const people = tx.objectStore('people');
    for (let i = 0; i < ${count}; i += 1) {
      const n = String(i).padStart(5, '0');
      const e164 = '+86139' + String(10000000 + i);
      people.put({
        ref: 'bench-' + n,
        name: 'Contact ' + n,
        phones: [{ e164, raw: e164, type: 'mobile' }],
        groupIds: [],
        isPrivate: false,
        // One in ten is a user, so those rows carry a full set of network icons.
        userId: i % 10 === 0 ? ${JSON.stringify(userId)} : undefined,
      });
    }
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    db.close();
  })()`;
}

/** The tab's session, as sessionStorage holds it across reloads of the same tab. */
function sessionScript(session: { token: string; userId: string; phone: string }): string {
  return `sessionStorage.setItem('switchboard.session', ${JSON.stringify(JSON.stringify(session))});`;
}

function listRendered(page: Page, count: number): Promise<unknown> {
  return page.waitForSelector(`[role="grid"][aria-rowcount="${count}"] [role="row"]`, { timeout: 60_000 });
}

async function heapMetrics(context: BrowserContext, page: Page): Promise<{ usedMiB: number; totalMiB: number }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => metrics.find((metric) => metric.name === name)?.value ?? 0;
  return { usedMiB: round(value('JSHeapUsedSize') / 2 ** 20), totalMiB: round(value('JSHeapTotalSize') / 2 ** 20) };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Cold start of the web client: a fresh browser process and context on a profile whose IndexedDB
 * already holds 5,000 contacts, from navigation to the first rows of the list on screen.
 */
export async function benchWebClient(): Promise<Record<string, string | number>> {
  if (!fs.existsSync(chromiumPath)) return { 'web-client.skipped': `no Chromium at ${chromiumPath}` };
  await buildWebClient();
  const server = await startTestServer();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-profile-'));
  try {
    const signedIn = await signIn(server.api, '+8613800138000');
    const session = { token: signedIn.token, userId: signedIn.user.id, phone: signedIn.user.phone };
    const launch = async () => {
      const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: browserArgs, viewport: { width: 1180, height: 800 } });
      await context.addInitScript({ content: sessionScript(session) });
      return context;
    };

    // Seed: let the app create its database, fill it, and close the browser so it is all on disk.
    const seeding = await launch();
    const seedPage = seeding.pages()[0] ?? (await seeding.newPage());
    await seedPage.goto(server.url + '/');
    await seedPage.waitForSelector('text=No contacts yet.', { timeout: 30_000 });
    await seedPage.evaluate(prefillScript(cachedContacts, session.userId));
    await seeding.close();

    const launchStarted = performance.now();
    const context = await launch();
    const page = context.pages()[0] ?? (await context.newPage());
    const launchMs = performance.now() - launchStarted;
    const navigationStarted = performance.now();
    await page.goto(server.url + '/');
    await listRendered(page, cachedContacts);
    const coldMs = performance.now() - navigationStarted;
    const renderedRows = await page.locator('[role="row"]').count();
    const heap = await heapMetrics(context, page);

    const scrollStarted = performance.now();
    await page.evaluate('(() => { const grid = document.querySelector(\'[role="grid"]\'); grid.scrollTop = grid.scrollHeight; })()');
    await page.waitForSelector('[role="row"][aria-rowindex="5000"]');
    const scrollMs = performance.now() - scrollStarted;

    const reloadStarted = performance.now();
    await page.reload();
    await listRendered(page, cachedContacts);
    const warmMs = performance.now() - reloadStarted;
    await context.close();

    return {
      'web-client.cached_contacts': cachedContacts,
      'web-client.browser_launch_ms': Math.round(launchMs),
      'web-client.cold_start_to_list_ms': Math.round(coldMs),
      'web-client.reload_to_list_ms': Math.round(warmMs),
      'web-client.scroll_to_end_ms': Math.round(scrollMs),
      'web-client.rows_in_dom': renderedRows,
      'web-client.js_heap_used_mib': heap.usedMiB,
      'web-client.js_heap_total_mib': heap.totalMiB,
    };
  } finally {
    await server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchWebClient();
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(38)} ${value}`);
}
