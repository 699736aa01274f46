import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../support/cli-process.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { MessageClient } from '../support/message-client.js';
import { loginWithCli } from '../support/scenarios.js';
import { signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

const keyringUp = await keyringAvailable();
const alicePhone = '+8613800138123';
const bobPhone = '+8613900139123';

/** `switchboard send` and `switchboard messages` as real processes, signed in through the OS keychain. */
describe.skipIf(!keyringUp || process.platform !== 'linux')('switchboard send and messages', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  let configDir: string;
  let bob: MessageClient;

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer();
    configDir = tempDir('switchboard-config-');
    env = { ...keyring.env, SWITCHBOARD_CONFIG_DIR: configDir, SWITCHBOARD_SERVER_URL: server.url };
    await loginWithCli(env, server.api, alicePhone);
    const bobSession = await signIn(server.api, bobPhone, testDevice('Bob'));
    bob = await new MessageClient(server.url, bobSession.token, { autoAck: true }).connected();
  });
  afterAll(async () => {
    bob?.close();
    await server?.close();
    await keyring?.stop();
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
  });

  it('sends by number, explains a refusal, lists and follows a conversation', async () => {
    const help = await runCli(['send', '--help'], env);
    expect(help.stdout + help.stderr).toContain('--to +E164 TEXT');
    expect((await runCli(['send', 'hi'], env)).code).toBe(2);

    const sent = await runCli(['send', '--to', bobPhone, 'hello', 'from', 'the', 'terminal'], env);
    expect(sent).toMatchObject({ code: 0, stdout: 'delivered\n' });
    await bob.until(() => bob.texts().includes('hello from the terminal'), 'the message from the CLI');

    const refused = await runCli(['send', '--to', '+8613700137123', 'anyone?'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('does not use Switchboard; add --sms');

    const follower = new CliProcess(['messages', '--with', bobPhone, '--follow'], env);
    try {
      await follower.waitForOutput(/\+8613800138123: hello from the terminal/);
      await bob.send({ phone: alicePhone }, 'answer from bob');
      await follower.waitForOutput(/\+8613900139123: answer from bob/);
    } finally {
      await follower.stop();
    }
    const listed = await runCli(['messages'], env);
    expect(listed.stdout).toContain(bobPhone);
    expect(listed.stdout).toContain('answer from bob');
  });
});
