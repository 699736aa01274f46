import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../support/cli-process.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { PresenceClient, appsOf } from '../support/sockets.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { loginWithCli, mutualContacts } from '../support/scenarios.js';
import { ownProcessTreeEnv } from '../support/own-processes.js';

const keyringUp = await keyringAvailable();
const alicePhone = '+8613800138000';
const bobPhone = '+8613900139000';

/** A network Switchboard has never heard of, added as a folder: manifest and icon, no code, no rebuild (M21). */
function writeFrobChatPlugin(pluginsDir: string): void {
  const dir = path.join(pluginsDir, 'frobchat');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="#7b2ff7"/></svg>');
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      id: 'frobchat',
      name: 'FrobChat',
      version: '0.3.0',
      engines: { switchboard: '^0.1.0' },
      processes: { linux: [{ name: 'frobchat' }], darwin: [{ name: 'FrobChat' }], win32: [{ name: 'FrobChat.exe' }] },
      launch: { web: [{ url: 'https://web.frobchat.example/u/{handle}', needs: ['handle'] }] },
      identity: [{ name: 'handle', label: { en: 'Username', 'zh-CN': '用户名' }, pattern: '[a-z]{2,20}', example: 'bob', sources: ['typed'] }],
      auth: { type: 'none' },
      capabilities: ['presence', 'web-fallback'],
      allowedHosts: ['web.frobchat.example'],
    }),
  );
}

/**
 * Drop-in plugins end to end on real processes: a new plugin folder, `switchboard agent --plugins DIR`
 * signed in through `switchboard login` with its session in a real gnome-keyring, and an executable
 * named like the made-up network's Linux process. Bob's socket sees the new network light up.
 */
describe.skipIf(!keyringUp || process.platform !== 'linux')('a drop-in plugin, end to end', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '500' } });
    const configDir = tempDir('switchboard-config-');
    cleanups.push(() => fs.rmSync(configDir, { recursive: true, force: true }));
    env = { ...keyring.env, ...ownProcessTreeEnv(), SWITCHBOARD_CONFIG_DIR: configDir, SWITCHBOARD_SERVER_URL: server.url };
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await server?.close();
    await keyring?.stop();
  });

  it('lights a network added as a folder, with no code change, when its process runs', async () => {
    await loginWithCli(env, server.api, alicePhone);

    // Alice and Bob have each other's numbers, so each sees the other's presence.
    const { alice, bob } = await mutualContacts(server.api, alicePhone, bobPhone);
    const bobSocket = new PresenceClient(server.url, bob.token);
    cleanups.push(() => bobSocket.close());
    await bobSocket.connected();

    const pluginsDir = tempDir('dropped-plugins-');
    cleanups.push(() => fs.rmSync(pluginsDir, { recursive: true, force: true }));
    writeFrobChatPlugin(pluginsDir);
    const validated = await runCli(['plugins', 'validate', path.join(pluginsDir, 'frobchat')], env);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);

    const agent = new CliProcess(['agent', '--plugins', pluginsDir], env);
    cleanups.push(() => agent.stop());
    await agent.waitForOutput(/active: /);
    expect(agent.output.join('')).not.toMatch(/plugin skipped/);
    const online = await bobSocket.waitFor((event) => event.userId === alice.user.id && event.status === 'online', 10_000);
    expect(appsOf(online)).not.toContain('frobchat');

    // A copy of `sleep` named like FrobChat's Linux executable.
    const bin = tempDir('fake-apps-');
    cleanups.push(() => fs.rmSync(bin, { recursive: true, force: true }));
    fs.copyFileSync('/bin/sleep', path.join(bin, 'frobchat'));
    fs.chmodSync(path.join(bin, 'frobchat'), 0o755);
    const frobchat: ChildProcess = spawn(path.join(bin, 'frobchat'), ['600'], { stdio: 'ignore' });
    cleanups.push(() => frobchat.kill('SIGKILL'));

    const lit = await bobSocket.next((event) => event.userId === alice.user.id && appsOf(event).includes('frobchat'), 15_000);
    expect(lit.status).toBe('online');
    expect(lit.apps.find((app) => app.plugin === 'frobchat')?.since).toEqual(expect.any(String));

    frobchat.kill('SIGTERM');
    await bobSocket.next((event) => event.userId === alice.user.id && !appsOf(event).includes('frobchat'), 15_000);
    expect(await agent.stop()).toBe(0);
  });
});
