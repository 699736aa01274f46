import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../support/cli-process.js';
import { ownProcessTreeEnv } from '../support/own-processes.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { appsOf, PresenceClient } from '../support/sockets.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { AppLikeProcesses } from '../watcher/real-processes.js';
import { copyOfBuiltinPlugins, editManifest } from './support.js';
import { loginWithCli, mutualContacts } from '../support/scenarios.js';

const keyringUp = await keyringAvailable();
const alicePhone = '+8613800138000';
const bobPhone = '+8613900139000';

/**
 * The promise end to end: the server's catalogue says Slack's Linux executable is now called
 * `slack-nightly`; `switchboard agent`, built with a Slack plugin that only knows `slack`, syncs at start
 * and reports Slack to Bob when a program of that new name runs. No app update, no local plugin folder.
 */
describe.skipIf(!keyringUp || process.platform !== 'linux')('switchboard agent and the server catalogue', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  let configDir: string;
  let apps: AppLikeProcesses;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    const catalogueDir = copyOfBuiltinPlugins();
    cleanups.push(() => fs.rmSync(catalogueDir, { recursive: true, force: true }));
    editManifest(catalogueDir, 'slack', (manifest) => ({
      ...manifest,
      version: '9.0.0',
      processes: { linux: [{ name: 'slack-nightly' }], darwin: [{ name: 'Slack' }], win32: [{ name: 'slack.exe' }] },
    }));
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '500', PLUGINS_DIR: catalogueDir } });
    configDir = tempDir('switchboard-config-');
    cleanups.push(() => fs.rmSync(configDir, { recursive: true, force: true }));
    env = { ...keyring.env, ...ownProcessTreeEnv(), SWITCHBOARD_CONFIG_DIR: configDir, SWITCHBOARD_SERVER_URL: server.url };
    apps = new AppLikeProcesses();
    cleanups.push(() => apps.dispose());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await server?.close();
    await keyring?.stop();
  });

  it('syncs at start and lights Slack for a process only the catalogue\'s matcher knows', async () => {
    await loginWithCli(env, server.api, alicePhone);

    const { alice, bob } = await mutualContacts(server.api, alicePhone, bobPhone);
    const bobSocket = new PresenceClient(server.url, bob.token);
    cleanups.push(() => bobSocket.close());
    await bobSocket.connected();

    const agent = new CliProcess(['agent'], env);
    cleanups.push(() => agent.stop());
    await agent.waitForOutput(/catalogue synced: \d+ networks \(from the server: slack 9\.0\.0\)/);
    await agent.waitForOutput(/active: /);
    expect(agent.output.join('')).not.toMatch(/catalogue: (integrity_mismatch|manifest_invalid|cache_)/);
    expect(JSON.parse(fs.readFileSync(path.join(configDir, 'catalogue', 'slack.json'), 'utf8'))).toMatchObject({ id: 'slack' });

    apps.start('slack-nightly');
    const lit = await bobSocket.next((event) => event.userId === alice.user.id && appsOf(event).includes('slack'), 15_000);
    expect(lit.status).toBe('online');
    expect(await agent.stop()).toBe(0);
  });
});
