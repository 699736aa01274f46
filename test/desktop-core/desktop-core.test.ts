import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAddressBook } from '#common/address-book/index.js';
import { mergePeople } from '#common/address-book/merge-people.js';
import { accountsSyncResult, networkContact, type BridgeCallName } from '#common/bridge/index.js';
import { DesktopCore } from '#core/app/index.js';
import { DesktopState, trayTooltip } from '#core/bridge-host/index.js';
import { createUnavailableProbe } from '#core/launcher/index.js';
import type { PresenceLinkEvent } from '#core/presence/presence-link.js';
import { createVault, credentialAccount, sessionAccount, type Vault } from '#core/vault/index.js';
import { builtinPluginsDir } from '../e2e/support/desktop-page.js';
import { mastodonAccount, startMastodonApiStandIn, type MastodonApiStandIn } from '../plugin-host/mastodon-api-stand-in.js';
import { writePlugin } from '../plugin-host/plugin-folders.js';
import { CliProcess, runCli } from '../support/cli-process.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { PresenceClient } from '../support/sockets.js';
import { mutualContacts } from '../support/scenarios.js';
import { signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

const keyringUp = await keyringAvailable();
const alicePhone = '+8613800138041';
const bobPhone = '+8613900139042';
const mastodonToken = 'mastodon-access-token-desktop-core-0123';
/** The keychain service of the desktop app and the CLI alike, inside this test's private keyring. */
const SERVICE = 'switchboard';

/**
 * The desktop core composed as Electron main and `switchboard agent` compose it, in plain Node, on real
 * parts: the aggregator server, a private gnome-keyring, real plugin sandboxes, the real process watcher.
 * Mastodon is a labelled local STAND-IN of its REST API (test/plugin-host/mastodon-api-stand-in.ts).
 */
describe.skipIf(!keyringUp)('the desktop core, composed once', () => {
  let keyring: PrivateKeyring;
  let server: TestServer;
  let mastodon: MastodonApiStandIn;
  let vault: Vault;
  let core: DesktopCore;
  let configDir: string;
  let pluginsDir: string;
  let aliceDesktop: { token: string; user: { id: string } };
  let aliceWeb: PresenceClient;
  let bob: PresenceClient;
  const linkEvents: PresenceLinkEvent[] = [];
  const pushed: { channel: string; payload: unknown }[] = [];
  const log: string[] = [];

  const call = async (name: BridgeCallName, ...args: unknown[]) => {
    const bridge = core.bridge;
    if (bridge === undefined) throw new Error('no bridge');
    return bridge.handle(`switchboard:${name}`, args, { source: 'window-1', senderUrl: `${server.url}/`, isTopFrame: true });
  };
  const valueOf = async (name: BridgeCallName, ...args: unknown[]) => {
    const reply = await call(name, ...args);
    if (!reply.ok) throw new Error(`${name} failed: ${reply.error.code}: ${reply.error.message}`);
    return reply.value;
  };
  const latestOfAlice = () => bob.received.filter((event) => event.userId === aliceDesktop.user.id).at(-1);
  const nextReport = () =>
    new Promise<void>((resolve) => {
      const stop = core.onEvent((event) => {
        if (event.type === 'link' && (event.event.type === 'reported' || event.event.type === 'report_failed')) {
          stop();
          resolve();
        }
      });
    });

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '300' } });
    vault = createVault({ service: SERVICE });
    configDir = tempDir('switchboard-core-config-');
    const { alice, bob: bobSession } = await mutualContacts(server.api, alicePhone, bobPhone);
    aliceDesktop = await signIn(server.api, alicePhone, testDevice('Alice desktop'));
    aliceWeb = new PresenceClient(server.url, alice.token);
    bob = new PresenceClient(server.url, bobSession.token);
    await Promise.all([aliceWeb.connected(), bob.connected()]);

    mastodon = await startMastodonApiStandIn({
      token: mastodonToken,
      me: mastodonAccount('1', 'alice', 'Alice'),
      following: [
        mastodonAccount('101', 'bob', 'Bobby on Mastodon', { fields: [['Phone', `<a href="tel:${bobPhone}">${bobPhone}</a>`]] }),
        mastodonAccount('102', 'carol@social.example', 'Carol', { note: '<p>write to carol@example.net</p>' }),
      ],
    });
    // Account binding leaves the token in the keychain; the plugin gets it only through the host.
    await vault.setSecret(credentialAccount('mastodon', mastodon.instance), { type: 'oauth2', accessToken: mastodonToken, tokenType: 'Bearer', instance: mastodon.instance, boundAt: Date.now() });
    await vault.setSecret(sessionAccount(server.url), { token: aliceDesktop.token, userId: aliceDesktop.user.id });

    // A network whose adapter renews tokens its own way (not plain RFC 6749), and refuses a stale one.
    pluginsDir = tempDir('switchboard-core-plugins-');
    await writePlugin(
      pluginsDir,
      'renewchat',
      {
        'main.mjs': `export default {
          async importContacts(ctx) {
            const token = await ctx.accessToken();
            if (token === 'stale-token') throw Object.assign(new Error('token expired'), { code: 'unauthorized' });
            return [{ displayName: 'Renewed with ' + token, phones: [], identity: { handle: 'renewed' } }];
          },
          async refreshToken(ctx, refreshToken) { return { accessToken: 'fresh-from-' + refreshToken, expiresIn: 3600 }; },
        };\n`,
      },
      {
        auth: { type: 'oauth2', authorizationUrl: 'https://example.org/authorize', tokenUrl: 'https://example.org/token', scopes: ['contacts'], pkce: true },
        capabilities: ['presence', 'contacts-import', 'oauth2'],
      },
    );
    await vault.setSecret(credentialAccount('renewchat', 'default'), { type: 'oauth2', accessToken: 'stale-token', refreshToken: 'refresh-1', tokenType: 'Bearer', boundAt: Date.now() });

    core = await DesktopCore.create({
      serverUrl: server.url,
      builtinPluginsDir,
      extraPluginDirs: [pluginsDir],
      configDir,
      catalogueCacheDir: path.join(configDir, 'catalogue'),
      vault,
      platform: 'linux',
      log: { info: (line) => log.push(line), warn: (line) => log.push(line) },
      pluginsOnLoopback: true,
      watcher: { stopGraceMs: 300 },
      shell: {
        version: '0.1.0-test',
        trustedOrigins: [server.url],
        iconUrl: (id) => `${server.url}/icons/${id}`,
        // The OS's URL opener is outside the product; nothing in this test opens links.
        openExternal: async () => ({ ok: false, code: 'open_failed', message: 'no URL handler in this test' }),
        handlerProbe: createUnavailableProbe('no desktop environment in this test'),
      },
    });
    core.onEvent((event) => {
      if (event.type === 'link') linkEvents.push(event.event);
    });
    core.bridge?.onEvent((channel, payload) => pushed.push({ channel, payload }));
  }, 60_000);

  afterAll(async () => {
    await core?.stop();
    aliceWeb?.close();
    bob?.close();
    await mastodon?.close();
    await server?.close();
    await keyring?.stop();
    for (const dir of [configDir, pluginsDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts its realtime link from the session in the keychain and reports this machine as Alice\'s device', async () => {
    const firstReport = nextReport();
    expect(await core.start()).toBe(true);
    await firstReport;
    expect(core.signedIn()).toBe(true);
    expect(linkEvents.map((event) => event.type)).toEqual(expect.arrayContaining(['connected', 'reported']));
    expect(core.bridge).toBeDefined();
    expect(core.plugins().map((plugin) => plugin.id)).toEqual(expect.arrayContaining(['mastodon', 'slack', 'renewchat']));
  });

  it('leaves the status another device chose until a status is chosen on this machine', async () => {
    expect(await aliceWeb.set({ status: 'busy', text: 'from the web' })).toEqual({ ok: true });
    await bob.waitFor((event) => event.userId === aliceDesktop.user.id && event.status === 'busy');
    // A reconnect of the core reports apps only: the web client's choice stands.
    const reported = nextReport();
    core.connect({ token: aliceDesktop.token });
    await reported;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(latestOfAlice()).toMatchObject({ status: 'busy', text: 'from the web' });
    expect(await valueOf('status.get')).toEqual({ status: 'online', text: '' });
  });

  it('holds my status in one place: the Status screen (bridge) and the tray change the same value, and the link reports it', async () => {
    const saved = await valueOf('status.set', { status: 'away', text: 'lunch' });
    expect(saved).toEqual({ status: 'away', text: 'lunch', report: 'delivered' });
    await bob.waitFor((event) => event.userId === aliceDesktop.user.id && event.status === 'away' && event.text === 'lunch');

    // The tray: the core's value changes, the window hears of it, the server gets it.
    pushed.length = 0;
    await core.myStatus.set({ status: 'busy' });
    expect(await valueOf('status.get')).toEqual({ status: 'busy', text: 'lunch' });
    expect(pushed).toContainEqual({ channel: 'switchboard:status.changed', payload: { status: 'busy', text: 'lunch' } });
    await bob.waitFor((event) => event.userId === aliceDesktop.user.id && event.status === 'busy' && event.text === 'lunch');
    // Kept across a restart of the app.
    expect(new DesktopState(configDir).myStatus).toEqual({ status: 'busy', text: 'lunch', chosen: true });
  });

  it("shows the window's unread chat messages on the tray: the bridge call reaches the core, which tells the tray", async () => {
    const changes: string[] = [];
    const stop = core.onEvent((event) => changes.push(event.type));
    await valueOf('notifications.setUnreadCount', { count: 3 });
    expect(core.unreadMessages).toBe(3);
    expect(changes).toEqual(['changed']);
    expect(trayTooltip('online', true, [], core.unreadMessages)).toBe('Switchboard: Online (no networks open) · 3 unread messages');
    // The same count again changes nothing; a count that is no count is refused by the contract.
    await valueOf('notifications.setUnreadCount', { count: 3 });
    expect(changes).toEqual(['changed']);
    expect(await call('notifications.setUnreadCount', { count: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    await valueOf('notifications.setUnreadCount', { count: 0 });
    expect(trayTooltip('online', true, [], core.unreadMessages)).toBe('Switchboard: Online (no networks open)');
    stop();
  });

  it('re-sends the status chosen here after a reconnect, over what another device sent meanwhile', async () => {
    expect(await aliceWeb.set({ status: 'online', text: '' })).toEqual({ ok: true });
    await bob.waitFor((event) => event.userId === aliceDesktop.user.id && event.status === 'online' && event.text === '');
    core.connect({ token: aliceDesktop.token });
    const restored = await bob.next((event) => event.userId === aliceDesktop.user.id && event.status === 'busy', 10_000);
    expect(restored.text).toBe('lunch');
  });

  it('imports a bound account\'s contacts through the plugin host and gives the window people to merge, never a secret', async () => {
    const reply = await call('contacts.syncAccounts');
    expect(JSON.stringify(reply)).not.toContain(mastodonToken);
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    const result = accountsSyncResult.parse(reply.value);
    expect(result.failures).toEqual([]);
    expect(result.imported).toEqual(
      expect.arrayContaining([
        { pluginId: 'mastodon', accountId: mastodon.instance, contacts: 2, droppedPhones: 0 },
        // The stale token was refused, renewed by the adapter's own refreshToken, and the import retried.
        { pluginId: 'renewchat', accountId: 'default', contacts: 1, droppedPhones: 0 },
      ]),
    );
    expect(mastodon.requests.every((request) => request.authorised)).toBe(true);
    expect(await vault.getSecret(credentialAccount('renewchat', 'default'))).toMatchObject({ accessToken: 'fresh-from-refresh-1', refreshToken: 'refresh-1' });

    const kept = await valueOf('contacts.networkContacts');
    expect(networkContact.array().parse(kept)).toEqual(result.contacts);
    expect(result.contacts).toContainEqual({ pluginId: 'renewchat', accountId: 'default', displayName: 'Renewed with fresh-from-refresh-1', phones: [], identity: { handle: 'renewed' } });
    expect(fs.statSync(path.join(configDir, 'network-contacts.json')).mode & 0o777).toBe(0o600);

    // The Contacts screen merges them with the address book through the shared mergePeople.
    const book = parseAddressBook(new TextEncoder().encode(`BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Li\r\nTEL;TYPE=CELL:${bobPhone}\r\nEND:VCARD\r\n`)).entries;
    const people = mergePeople(book, result.contacts);
    expect(people.find((person) => person.name === 'Bob Li')).toMatchObject({
      joinedBy: ['phone'],
      networks: [{ pluginId: 'mastodon', accountId: mastodon.instance, identity: { handle: 'bob', server: 'mastodon.example', id: '101' } }],
    });
    expect(people.find((person) => person.name === 'Carol')).toMatchObject({ key: 'net:mastodon:carol@social.example', emails: ['carol@example.net'] });
  });

  it('looks up a number\'s identity through the bound accounts\' plugins', async () => {
    expect(await core.networkContacts.lookupIdentity(bobPhone)).toEqual({ pluginId: 'mastodon', accountId: mastodon.instance, identity: { handle: 'bob', server: 'mastodon.example', id: '101' } });
    expect(await core.networkContacts.lookupIdentity('+8613700137000')).toBeUndefined();
    // The same through the bridge, as My networks asks it ("Use … from my bound account").
    expect(await valueOf('contacts.lookupIdentity', { phone: bobPhone })).toEqual({ pluginId: 'mastodon', identity: { handle: 'bob', server: 'mastodon.example', id: '101' } });
    expect(await valueOf('contacts.lookupIdentity', { phone: '+8613700137000' })).toBeNull();
    expect((await call('contacts.lookupIdentity', { phone: 'not-a-number' })).ok).toBe(false);
  });

  it('keeps what a failing account gave last time and says why it failed', async () => {
    await vault.setSecret(credentialAccount('mastodon', mastodon.instance), { type: 'oauth2', accessToken: 'revoked-token', tokenType: 'Bearer', instance: mastodon.instance, boundAt: Date.now() });
    const result = accountsSyncResult.parse(await valueOf('contacts.syncAccounts'));
    expect(result.failures).toEqual([{ pluginId: 'mastodon', accountId: mastodon.instance, code: 'plugin_error', pluginCode: 'unauthorized', message: expect.stringContaining('bind the account again') }]);
    expect(result.contacts.filter((contact) => contact.pluginId === 'mastodon')).toHaveLength(2);
    await vault.setSecret(credentialAccount('mastodon', mastodon.instance), { type: 'oauth2', accessToken: mastodonToken, tokenType: 'Bearer', instance: mastodon.instance, boundAt: Date.now() });
  });

  it('does the same from the command line: switchboard contacts sync-accounts', async () => {
    const env = { ...keyring.env, SWITCHBOARD_CONFIG_DIR: tempDir('switchboard-cli-config-'), SWITCHBOARD_SERVER_URL: server.url, SWITCHBOARD_PLUGINS_LOOPBACK: '1' };
    const help = await runCli(['contacts', 'sync-accounts', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchboard contacts sync-accounts');
    expect(help.stdout).toContain('--book');

    const bookFile = path.join(env.SWITCHBOARD_CONFIG_DIR, 'book.vcf');
    fs.writeFileSync(bookFile, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Li\r\nTEL;TYPE=CELL:${bobPhone}\r\nEND:VCARD\r\n`);
    const run = await runCli(['contacts', 'sync-accounts', '--book', bookFile, '--json', '--plugins', pluginsDir], env);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { people: { name: string; networks: { pluginId: string }[] }[]; failures: unknown[] };
    expect(printed.failures).toEqual([]);
    expect(printed.people.find((person) => person.name === 'Bob Li')?.networks.map((network) => network.pluginId)).toEqual(['mastodon']);
    expect(printed.people.map((person) => person.name)).toEqual(expect.arrayContaining(['Bob Li', 'Carol', 'Renewed with fresh-from-refresh-1']));
    expect(fs.existsSync(path.join(env.SWITCHBOARD_CONFIG_DIR, 'network-contacts.json'))).toBe(true);
    fs.rmSync(env.SWITCHBOARD_CONFIG_DIR, { recursive: true, force: true });
  }, 60_000);

  it('runs the same import in `switchboard agent`, which keeps the people list fresh while it reports', async () => {
    const agentConfig = tempDir('switchboard-agent-config-');
    const agent = new CliProcess(['agent', '--plugins', pluginsDir], { ...keyring.env, SWITCHBOARD_CONFIG_DIR: agentConfig, SWITCHBOARD_SERVER_URL: server.url, SWITCHBOARD_PLUGINS_LOOPBACK: '1' });
    try {
      await agent.waitForOutput(new RegExp(`network contacts: mastodon ${mastodon.instance.replace(/[.:]/g, '\\$&')}: 2 contacts`));
      await agent.waitForOutput(/active: /);
      const stored = JSON.parse(fs.readFileSync(path.join(agentConfig, 'network-contacts.json'), 'utf8')) as { contacts: { displayName?: string }[] };
      expect(stored.contacts.map((contact) => contact.displayName)).toEqual(expect.arrayContaining(['Bobby on Mastodon', 'Carol']));
    } finally {
      expect(await agent.stop()).toBe(0);
      fs.rmSync(agentConfig, { recursive: true, force: true });
    }
  }, 60_000);

  it('stops every part: the link, the watcher and the plugin sandboxes', async () => {
    const hosts = ['mastodon', 'renewchat'].map((id) => core.pluginHosts.hostFor(id));
    expect(hosts.some((host) => host?.status().running === true)).toBe(true);
    await core.stop();
    expect(core.watcher.running).toBe(false);
    expect(hosts.every((host) => host?.status().running !== true)).toBe(true);
    expect(core.signedIn()).toBe(false);
    expect(core.pluginHosts.hostFor('mastodon')).toBeUndefined();
  });
});
