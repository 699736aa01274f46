import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { runCli } from '../support/cli-process.js';
import { loginWithCli } from '../support/scenarios.js';
import { signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

const keyringUp = await keyringAvailable();

const me = '+8613800138021';
const lina = '+8613800138022';

/**
 * `switchboard identities` and `switchboard contacts show` as real processes, signed in through a real
 * gnome-keyring: I publish my handles; Lina publishes hers, and `contacts show` finds her by number and
 * by name (from a local address book) with the link each click would open.
 */
describe.skipIf(!keyringUp)('CLI network identities', () => {
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

  it('sets, lists and removes my own identities, refusing a malformed one with its fields', async () => {
    await loginWithCli(env, server.api, me);
    const set = await runCli(['identities', 'set', 'telegram', 'username=me_on_tg', 'visibleTo=contacts'], env);
    expect(set.code, set.stderr).toBe(0);
    const bad = await runCli(['identities', 'set', 'slack', 'team=T024BE7LD', 'id=nope'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"id" does not look like');
    expect(bad.stderr).toContain('U024BE7LH');
    expect((await runCli(['identities', 'set', 'nosuchnet', 'a=b'], env)).code).toBe(1);
    expect((await runCli(['identities', 'set', 'telegram', 'username'], env)).code).toBe(2);
    const listed = await runCli(['identities', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual({ telegram: { username: 'me_on_tg', visibleTo: 'contacts' } });
    expect((await runCli(['identities', 'remove', 'telegram'], env)).code).toBe(0);
    expect((await runCli(['identities', 'list'], env)).stdout).toContain('nothing published yet');
    const help = await runCli(['identities', 'set', '--help'], env);
    expect(help.stdout + help.stderr).toContain('field=value');
  });

  it('shows a contact\'s networks and the link each click opens, by number and by name', async () => {
    const linaSession = await signIn(server.api, lina, testDevice('Lina phone'));
    const linaApi = server.api.withToken(linaSession.token);
    await linaApi.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'me', phones: [me] }] } });
    await linaApi.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'lina_chen' } });
    await linaApi.route(routes.publishIdentity, { params: { pluginId: 'wechat' }, body: { wechatId: 'lina_chen88' } });
    await linaApi.route(routes.publishIdentity, { params: { pluginId: 'whatsapp' }, body: {} });
    const book = path.join(tempDir(), 'book.vcf');
    fs.writeFileSync(book, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lina Chen\r\nTEL;TYPE=CELL:${lina}\r\nEND:VCARD\r\n`);
    expect((await runCli(['contacts', 'import', book], env)).code).toBe(0);

    const byNumber = await runCli(['contacts', 'show', '138 0013 8022', '--json'], env);
    expect(byNumber.code, byNumber.stderr).toBe(0);
    const [shown] = JSON.parse(byNumber.stdout) as { phone: string; networks: { pluginId: string; chatLink?: string; webLink?: string; copies?: { value: string } }[] }[];
    expect(shown?.phone).toBe(lina);
    expect(shown?.networks.map((network) => network.pluginId).sort()).toEqual(['telegram', 'wechat', 'whatsapp']);
    const by = (id: string) => shown?.networks.find((network) => network.pluginId === id);
    expect(by('telegram')).toMatchObject({ chatLink: 'tg://resolve?domain=lina_chen', webLink: 'https://t.me/lina_chen' });
    expect(by('whatsapp')).toMatchObject({ chatLink: 'whatsapp://send?phone=8613800138022', webLink: 'https://wa.me/8613800138022' });
    expect(by('wechat')).toMatchObject({ webLink: 'https://web.wechat.com/', copies: { value: 'lina_chen88' } });

    const byName = await runCli(['contacts', 'show', 'lina', '--book', book], env);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toContain('Lina Chen (+8613800138022');
    expect(byName.stdout).toContain('browser: https://t.me/lina_chen');
    expect(byName.stdout).toContain('(copies wechatId lina_chen88)');
    const nobody = await runCli(['contacts', 'show', 'nobody'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('--book');
  });
});
