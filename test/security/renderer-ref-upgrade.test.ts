import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { signInBrowser } from '../renderer/support/browser-session.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, contactRow, launchChromium } from '../renderer/support/browser.js';

const available = await chromiumAvailable();

/**
 * Issue 10 item 2, the migration on the device: a browser whose IndexedDB holds a book from before (version 1,
 * `p1-` refs made from the numbers) opens the new web client. The person keeps their name and a random ref,
 * and the server's copy is replaced by the upload that follows.
 */
describe.skipIf(!available)('renewing legacy refs in the web client', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    await buildWebClient();
    server = await startTestServer({ limits: { sendsPerIpPerHour: 1000 } });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('gives a legacy person a random ref, keeps them, and uploads the renewed book', async () => {
    const me = await signIn(server.api, '+8613800138005');
    await signIn(server.api, '+8613900139005');
    const legacyRef = 'p1-5f0d0a1c2b3e4d6f';
    await server.api.withToken(me.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: legacyRef, phones: ['+8613900139005'] }] } });
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.url}/healthz`);
    await signInBrowser(context, server.url, me.token);
    const person = { ref: legacyRef, name: 'Old Friend', phones: [{ e164: '+8613900139005', raw: '+86 139 0013 9005' }], groupIds: [], isPrivate: false };
    // Browser code as text: this project's test typings have no DOM. What Dexie's version 1 of the local
    // database created (IndexedDB version 10), holding one person with a legacy ref.
    await page.evaluate(`(async () => {
      await new Promise((resolve, reject) => {
        const open = indexedDB.open('switchboard', 10);
        open.onupgradeneeded = () => {
          const db = open.result;
          db.createObjectStore('people', { keyPath: 'ref' }).createIndex('userId', 'userId');
          db.createObjectStore('groups', { keyPath: 'id' });
          db.createObjectStore('presence', { keyPath: 'userId' });
          db.createObjectStore('meta', { keyPath: 'key' });
        };
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['people', 'meta'], 'readwrite');
          tx.objectStore('people').put(${JSON.stringify(person)});
          tx.objectStore('meta').put({ key: 'ownerUserId', value: ${JSON.stringify(me.user.id)} });
          tx.objectStore('meta').put({ key: 'addressBookVersion', value: 1 });
          tx.oncomplete = () => { db.close(); resolve(); };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      });
    })()`);
    await page.goto(`${server.url}/`);
    await contactRow(page, 'Old Friend').waitFor();
    const refsOnServer = async () => (await server.storage.db.selectFrom('address_book_refs').select('ref').where('user_id', '=', me.user.id).execute()).map((row) => row.ref);
    await expect.poll(refsOnServer, { timeout: 10_000 }).toEqual([expect.stringMatching(/^r1-[0-9a-f]{32}$/)]);
    const localRefs = await page.evaluate<string[]>(`new Promise((resolve, reject) => {
      const open = indexedDB.open('switchboard');
      open.onsuccess = () => {
        const request = open.result.transaction('people').objectStore('people').getAllKeys();
        request.onsuccess = () => resolve(request.result.map(String));
        request.onerror = () => reject(request.error);
      };
    })`);
    expect(localRefs).toEqual(await refsOnServer());
    await context.close();
  });
});
