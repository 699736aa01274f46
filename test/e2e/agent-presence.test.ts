import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { CliProcess, runCli } from '../support/cli-process.js';
import { PresenceClient, appsOf } from '../support/sockets.js';
import { signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';
import { loginWithCli } from '../support/scenarios.js';
import { routes } from '#common/contract/routes.js';
import { ownProcessTreeEnv } from '../support/own-processes.js';

const keyringUp = await keyringAvailable();
const alicePhone = '+8613800138000';
const bobPhone = '+8613900139000';

/**
 * The whole chain with real parts: `switchboard login` puts Alice's session in a real gnome-keyring,
 * `switchboard contacts import` uploads her address book, `switchboard agent` watches real processes,
 * and Bob's socket sees an executable named like Slack start and stop on Alice's machine.
 */
describe.skipIf(!keyringUp)('agent to contact, end to end', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '500' } });
    env = { ...keyring.env, ...ownProcessTreeEnv(), SWITCHBOARD_CONFIG_DIR: tempDir('switchboard-config-'), SWITCHBOARD_SERVER_URL: server.url };
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await server?.close();
    await keyring?.stop();
  });

  it('lights Slack on Bob\'s side while a process named slack runs on Alice\'s machine', async () => {
    // Sign in from the command line: the first run sends the code, the second finishes with it.
    await loginWithCli(env, server.api, alicePhone);
    expect(await keyring.secretTool('search', '--all', 'service', 'switchboard')).toContain('session:');

    const book = path.join(tempDir(), 'friends.vcf');
    fs.writeFileSync(book, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nTEL;TYPE=CELL:139 0013 9000\r\nEND:VCARD\r\n`);
    const imported = await runCli(['contacts', 'import', book], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/1 entry added/);

    const bob = await signIn(server.api, bobPhone, testDevice('Bob'));
    await server.api.withToken(bob.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'alice', phones: [alicePhone] }] } });
    const bobSocket = new PresenceClient(server.url, bob.token);
    cleanups.push(() => bobSocket.close());
    await bobSocket.connected();

    const agent = new CliProcess(['agent'], env);
    cleanups.push(() => agent.stop());
    await agent.waitForOutput(/active: /);
    const alice = await bobSocket.waitFor((event) => event.userId !== bob.user.id && event.status === 'online');
    expect(appsOf(alice)).not.toContain('slack');

    // A copy of `sleep` named like Slack's Linux executable.
    const bin = tempDir('fake-apps-');
    fs.copyFileSync('/bin/sleep', path.join(bin, 'slack'));
    fs.chmodSync(path.join(bin, 'slack'), 0o755);
    const slack: ChildProcess = spawn(path.join(bin, 'slack'), ['600'], { stdio: 'ignore' });
    cleanups.push(() => slack.kill('SIGKILL'));
    const lit = await bobSocket.next((event) => event.userId === alice.userId && appsOf(event).includes('slack'), 10_000);
    expect(lit.status).toBe('online');

    slack.kill('SIGTERM');
    const unlit = await bobSocket.next((event) => event.userId === alice.userId && !appsOf(event).includes('slack'), 10_000);
    expect(unlit.status).toBe('online');

    expect(await agent.stop()).toBe(0);
    await bobSocket.next((event) => event.userId === alice.userId && event.status === 'offline', 10_000);
  });
});
