import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { runCli } from '../support/cli-process.js';
import { loginWithCli } from '../support/scenarios.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const keyringUp = await keyringAvailable();

/**
 * Issue 10 item 2 for the CLI, with real parts: `switchboard contacts import` twice through a real
 * gnome-keyring. The refs the server stores stay the same across imports: they are keyed by a key kept in
 * the keychain, not derived from the numbers alone.
 */
describe.skipIf(!keyringUp)('CLI address-book refs', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer();
    env = { ...keyring.env, SWITCHBOARD_CONFIG_DIR: tempDir('switchboard-config-'), SWITCHBOARD_SERVER_URL: server.url };
  });
  afterAll(async () => {
    await server?.close();
    await keyring?.stop();
  });

  it('keeps the same refs across imports, keyed by a key kept in the keychain', async () => {
    await loginWithCli(env, server.api, '+8613800138000');
    const book = path.join(tempDir(), 'friends.vcf');
    fs.writeFileSync(book, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nTEL;TYPE=CELL:139 0013 9000\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol\r\nTEL:137 0013 7000\r\nEND:VCARD\r\n');
    const refsOnServer = async () => (await server.storage.db.selectFrom('address_book_refs').select('ref').orderBy('ref').execute()).map((row) => row.ref);
    expect((await runCli(['contacts', 'import', book], env)).code).toBe(0);
    const first = await refsOnServer();
    expect((await runCli(['contacts', 'import', book], env)).code).toBe(0);
    expect(await refsOnServer()).toEqual(first);
    for (const ref of first) expect(ref).toMatch(/^k1-[0-9a-f]{32}$/);
    expect(await keyring.secretTool('search', '--all', 'service', 'switchboard')).toContain('ref-key:');
  });
});
