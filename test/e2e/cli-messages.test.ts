import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '#common/contract/messages.js';
import type { RealtimeSocket } from '#server/realtime/realtime-gateway.js';
import { CliProcess, runCli } from '../support/cli-process.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { MessageClient } from '../support/message-client.js';
import { sleep } from '../support/sockets.js';
import { loginWithCli } from '../support/scenarios.js';
import { signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

const keyringUp = await keyringAvailable();
const alicePhone = '+8613800138123';
const bobPhone = '+8613900139123';
/** What a person must never read: a machine code (snake_case), an environment variable, a placeholder. */
const machineWords = /\b[a-z]+_[a-z_]+\b|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|[{}]/;
/** Each CLI run is a new Node process compiling TypeScript: slow on a busy machine, so generous limits. */
const cliTestTimeout = 240_000;

/** `switchboard send` and `switchboard messages` as real processes, signed in through the OS keychain. */
describe.skipIf(!keyringUp || process.platform !== 'linux')('switchboard send and messages', () => {
  let server: TestServer;
  let keyring: PrivateKeyring;
  let env: NodeJS.ProcessEnv;
  let configDir: string;
  let bob: MessageClient;
  let bobId: string;

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    server = await startTestServer();
    configDir = tempDir('switchboard-config-');
    env = { ...keyring.env, SWITCHBOARD_CONFIG_DIR: configDir, SWITCHBOARD_SERVER_URL: server.url };
    await loginWithCli(env, server.api, alicePhone);
    const bobSession = await signIn(server.api, bobPhone, testDevice('Bob'));
    bobId = bobSession.user.id;
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
    expect(refused.stderr).not.toMatch(machineWords);

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
  }, cliTestTimeout);

  /** The CLI's own socket on the server (its only connection; Bob's is the test's). */
  async function cliSocket(): Promise<RealtimeSocket> {
    for (let tries = 0; tries < 600; tries += 1) {
      const found = [...server.io.sockets.sockets.values()].find((socket) => socket.data.userId !== bobId);
      if (found) return found;
      await sleep(100);
    }
    throw new Error('the CLI never connected');
  }

  it('prints JSON, never acknowledges past a lost message, and gets it after a reconnect', async () => {
    const listed = await runCli(['messages', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const conversations = JSON.parse(listed.stdout) as { id: string; lastMessage: ChatMessage }[];
    expect(conversations).toHaveLength(1);
    const conversationId = conversations[0]!.id;
    const lastSeq = conversations[0]!.lastMessage.seq;

    const follower = new CliProcess(['messages', '--with', bobPhone, '--follow', '--json'], env);
    try {
      await follower.waitForOutput(/"text":"answer from bob"/, 120_000);
      // A fault between the server and this device: the next message never reaches it (as when a
      // notice between nodes is lost); the one after it does.
      const socket = await cliSocket();
      const aliceId = socket.data.userId;
      const emit = socket.emit.bind(socket);
      socket.emit = ((event: string, ...args: unknown[]) => {
        const message = args[0] as { seq?: number } | undefined;
        if (event === 'message' && message?.seq === lastSeq + 1) return true;
        return emit(event as 'message', ...(args as [ChatMessage]));
      }) as typeof socket.emit;
      await bob.send({ phone: alicePhone }, 'lost on the way');
      await bob.send({ phone: alicePhone }, 'after the gap');
      await follower.waitForOutput(/"text":"after the gap"/);
      expect(follower.output.join('')).not.toContain('lost on the way');
      // Time for a wrong acknowledgement to land: without it this test could pass with one.
      await sleep(1500);
      const cursor = await server.storage.db
        .selectFrom('message_cursors')
        .select('delivered_seq')
        .where('user_id', '=', aliceId)
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      expect(Number(cursor?.delivered_seq ?? 0)).toBeLessThanOrEqual(lastSeq);

      // The server closes the connection; the CLI comes back by itself and is sent what it lacks.
      socket.disconnect(true);
      await follower.waitForOutput(/"text":"lost on the way"/, 120_000);
      await bob.until(() => bob.receipts.some((receipt) => receipt.state === 'delivered' && receipt.by === aliceId && receipt.upTo === lastSeq + 2), 'the delivered receipt past the gap');
      const printed = follower.output
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as ChatMessage).body);
      const texts = printed.map((body) => ('text' in body ? body.text : ''));
      // Each message once, although the one after the gap came twice.
      expect(texts.filter((text) => text === 'after the gap')).toHaveLength(1);
      expect(texts.filter((text) => text === 'lost on the way')).toHaveLength(1);
      expect(follower.output.join('')).toContain('reconnecting');
    } finally {
      await follower.stop();
    }

    // Failures in words: nobody signed in to that server.
    const elsewhere = await runCli(['messages', '--server', 'http://127.0.0.1:9'], env);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('You are not signed in to http://127.0.0.1:9. Sign in first');
    expect(elsewhere.stderr).not.toMatch(machineWords);
  }, cliTestTimeout);
});
