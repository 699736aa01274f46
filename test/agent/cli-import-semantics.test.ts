import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { runCli } from '../support/cli-process.js';
import { latestCode, startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const keyringUp = await keyringAvailable();

function card(name: string, ...phones: string[]): string {
  return `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\n${phones.map((phone) => `TEL:${phone}\r\n`).join('')}END:VCARD\r\n`;
}

/**
 * Issue 12 items 2 and 11 with real parts (a real server, a private gnome-keyring, `switchboard` as an OS
 * process): `contacts import` merges by default, `--replace` replaces only when confirmed, every import
 * can be undone, a book over the server's limits is refused before anything changes, and the CLI
 * remembers the server it signed in to.
 */
describe.skipIf(!keyringUp)('switchboard contacts import: merge, replace, undo', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const phone = '+8613800138000';
  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer();
    // No SWITCHBOARD_SERVER_URL: every command after the login must find the server on its own.
    const { SWITCHBOARD_SERVER_URL: _unused, ...rest } = keyring.env;
    env = { ...rest, SWITCHBOARD_CONFIG_DIR: tempDir('switchboard-config-') };
    dir = tempDir('switchboard-books-');
  });
  afterAll(async () => {
    await server?.close();
    await keyring?.stop();
  });

  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };
  const book = async () => {
    const rows = await server.storage.db.selectFrom('address_book_phones').select(['ref', 'phone_hash']).execute();
    const byRef = new Map<string, number>();
    for (const row of rows) byRef.set(row.ref, (byRef.get(row.ref) ?? 0) + 1);
    return byRef;
  };

  it('signs in with --server and remembers it for the next commands', async () => {
    const asked = await runCli(['login', '--server', server.url, '--phone', phone], env);
    expect(asked.code, asked.stderr).toBe(0);
    const signedIn = await runCli(['login', '--server', server.url, '--phone', phone, '--code', await latestCode(server.api, phone)], env);
    expect(signedIn.code, signedIn.stderr).toBe(0);
  });

  it('gives the dry run the same parse as the import: your own region for national numbers', async () => {
    const national = file('national.vcf', card('Local', '139 0013 9000') + card('Me', phone));
    const dry = await runCli(['contacts', 'import', national, '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const parsed = JSON.parse(dry.stdout) as { entries: { phones: { e164: string }[] }[]; rejected: { reason: string }[] };
    // My own number is never one of my contacts, in the preview as in the import.
    expect(parsed.rejected.map((rejected) => rejected.reason)).toEqual(['own_number']);
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.entries[0]?.phones[0]?.e164).toBe('+8613900139000');
    expect((await book()).size).toBe(0);
  });

  it('merges, undoes, refuses an unconfirmed replace, replaces when confirmed and undoes that too', async () => {
    const first = file('first.vcf', card('Anna', '+44 7911 123456') + card('Ben', '+44 7911 123457'));
    const second = file('second.vcf', card('Ben', '+44 7911 123457', '+44 7911 123460') + card('Cara', '+44 7911 123458'));

    const imported = await runCli(['contacts', 'import', first], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('2 entries added');
    const afterFirst = await book();
    expect(afterFirst.size).toBe(2);

    const merged = await runCli(['contacts', 'import', second], env);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toContain('1 entry added, 1 entry updated');
    const afterMerge = await book();
    expect(afterMerge.size).toBe(3);
    expect([...afterMerge.values()].sort()).toEqual([1, 1, 2]);

    const undone = await runCli(['contacts', 'undo'], env);
    expect(undone.code, undone.stderr).toBe(0);
    expect(await book()).toEqual(afterFirst);
    expect((await runCli(['contacts', 'undo'], env)).stderr).toContain('Nothing to undo');

    const unconfirmed = await runCli(['contacts', 'import', second, '--replace'], env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('nothing was changed');
    expect(await book()).toEqual(afterFirst);

    const replaced = await runCli(['contacts', 'import', second, '--replace', '--yes'], env);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain('1 entry removed');
    expect((await book()).size).toBe(2);

    expect((await runCli(['contacts', 'undo'], env)).code).toBe(0);
    expect(await book()).toEqual(afterFirst);
  });

  it('refuses a book over the server limit before anything changes, and the next import still works', async () => {
    const before = await book();
    const rows = Array.from({ length: 20_001 }, (_, index) => `Person ${index},+4479${String(11_000_000 + index)}`);
    const huge = file('huge.csv', `Name,Phone\n${rows.join('\n')}\n`);
    const refused = await runCli(['contacts', 'import', huge], env, 120_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/would have 20,0\d\d entries.*at most 20,000.*Split the file/s);
    expect(await book()).toEqual(before);
    const small = await runCli(['contacts', 'import', file('small.vcf', card('Dan', '+44 7911 123459'))], env);
    expect(small.code, small.stderr).toBe(0);
    expect((await book()).size).toBe(before.size + 1);
  }, 180_000);

  it('checks the keychain before it spends a code: no keychain, no SMS', async () => {
    const noKeychain = { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(dir, 'no-bus')}` };
    const other = '+8613700137000';
    const attempt = await runCli(['login', '--server', server.url, '--phone', other], noKeychain);
    expect(attempt.code).toBe(1);
    expect(await server.api.typed().call(routes.devSms, { query: { to: other } })).toEqual([]);
  });
});
