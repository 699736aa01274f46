import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageClient } from '../support/message-client.js';
import { PrivateRedis, redisServerInstalled } from '../support/private-redis.js';
import { ServerProcess } from '../support/server-process.js';
import { postgresAvailable } from '../support/services.js';
import { sleep } from '../support/sockets.js';
import { ApiClient, createPostgresSchema, signIn, testDevice } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const redisBinary = redisServerInstalled();

type Person = { userId: string; token: string; phone: string };

/**
 * Two server processes on PostgreSQL and a private Redis: one is killed with SIGKILL under load, then
 * Redis itself is killed and restarted. Every message whose send was acknowledged must reach every
 * device of its receiver, each shown once.
 */
describe.skipIf(!pgUp || !redisBinary)('messages through a crashed node and a Redis restart', () => {
  const nodes: ServerProcess[] = [];
  const clients: MessageClient[] = [];
  let redis: PrivateRedis | undefined;
  let dropSchema: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(nodes.map((node) => node.kill()));
    await redis?.down();
    await dropSchema?.();
  });

  it('delivers every acknowledged message exactly once to every device', { timeout: 120_000 }, async () => {
    redis = await PrivateRedis.start();
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    const env = {
      DATABASE_URL: schema.databaseUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `sbfault:${process.pid}:`,
      SWITCHBOARD_SECRET: 'fault-test-secret-that-is-long-enough-012345',
      MESSAGE_CATCHUP_MS: '2000',
      MESSAGES_PER_SENDER_PER_MINUTE: '100000',
    };
    const nodeA = await ServerProcess.start(env);
    const nodeB = await ServerProcess.start(env);
    nodes.push(nodeA, nodeB);
    const api = new ApiClient(nodeB.url);
    const person = async (phone: string, name: string): Promise<Person> => {
      const session = await signIn(api, phone, testDevice(name));
      return { userId: session.user.id, token: session.token, phone };
    };
    const senders = [await person('+8613800138301', 's1'), await person('+8613800138302', 's2'), await person('+8613800138303', 's3')];
    const receivers = [await person('+8613900139301', 'r1'), await person('+8613900139302', 'r2')];
    const r1Second = await signIn(api, receivers[0]!.phone, testDevice('r1 second'));

    const device = async (url: string, token: string) => {
      const client = new MessageClient(url, token, { autoAck: true });
      clients.push(client);
      return client.connected();
    };
    // Receivers' devices on both nodes; r1 has one on each.
    const r1OnA = await device(nodeA.url, receivers[0]!.token);
    const r1OnB = await device(nodeB.url, r1Second.token);
    const r2OnA = await device(nodeA.url, receivers[1]!.token);
    const senderDevices = [await device(nodeA.url, senders[0]!.token), await device(nodeB.url, senders[1]!.token), await device(nodeA.url, senders[2]!.token)];
    const devicesOf = new Map<string, MessageClient[]>([
      [receivers[0]!.userId, [r1OnA, r1OnB]],
      [receivers[1]!.userId, [r2OnA]],
    ]);

    const acknowledged = new Map<string, string>(); // message id -> receiver user id
    const liveUrl = nodeB.url;
    let running = true;
    let refusedWhileDown = 0;
    const sendLoop = async (index: number) => {
      const client = senderDevices[index]!;
      for (let n = 0; running; n += 1) {
        const receiver = receivers[n % receivers.length]!;
        const clientId = randomUUID();
        // Retried with the same clientId until acknowledged: a retry must never make a second message.
        for (;;) {
          try {
            if (!client.socket.connected) await client.reconnect(liveUrl);
            const answer = await client.send({ phone: receiver.phone }, `${index}-${n}`, { clientId });
            if ('ok' in answer && answer.message) {
              acknowledged.set(answer.message.id, receiver.userId);
              break;
            }
            refusedWhileDown += 1;
          } catch {
            // No answer (the node died, or the ack timed out): the message may or may not be stored.
          }
          await sleep(50);
        }
      }
    };
    const loops = senderDevices.map((_, index) => sendLoop(index));
    /** Load is counted in acknowledged messages, not seconds: a busy machine sends fewer per second. */
    const acknowledgedMore = async (count: number) => {
      const target = acknowledged.size + count;
      for (let waited = 0; acknowledged.size < target; waited += 50) {
        if (waited > 60_000) throw new Error(`only ${acknowledged.size} of ${target} sends acknowledged`);
        await sleep(50);
      }
    };

    // Redis dies and returns empty while both nodes carry load; then node A is killed.
    await acknowledgedMore(30);
    const beforeRedisDown = acknowledged.size;
    await redis.down();
    await sleep(800);
    const whileRedisDown = acknowledged.size - beforeRedisDown;
    await redis.up();
    await acknowledgedMore(20);
    // The Redis restart alone loses nothing: before any device reconnects, everything acknowledged so far
    // (notices sent into the outage included) reaches every device on the connection it already has.
    const acrossRedisRestart = new Map(acknowledged);
    for (const [userId, devices] of devicesOf) {
      const expected = [...acrossRedisRestart].filter(([, to]) => to === userId).map(([id]) => id);
      for (const client of devices) {
        await client.until(() => expected.every((id) => client.messages.some((m) => m.id === id)), `the ${expected.length} messages acknowledged across the Redis restart`, 20_000);
      }
    }
    await acknowledgedMore(10);
    await nodeA.kill('SIGKILL');
    await sleep(200);
    // As a real client does, the devices of the dead node try again until the other node takes them.
    for (const client of [r1OnA, r2OnA]) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await client.reconnect(nodeB.url);
          break;
        } catch (error) {
          if (attempt === 50) throw new Error(`node B took no connection (exit ${nodeB.child.exitCode}): ${nodeB.output.join('').slice(-1500)}`, { cause: error });
          await sleep(100);
        }
      }
    }
    await acknowledgedMore(20);
    running = false;
    await Promise.all(loops);

    expect(acknowledged.size).toBeGreaterThan(50);
    for (const [userId, devices] of devicesOf) {
      const expected = [...acknowledged].filter(([, to]) => to === userId).map(([id]) => id);
      for (const client of devices) {
        await client.until(() => expected.every((id) => client.messages.some((m) => m.id === id)), `all ${expected.length} acknowledged messages`, 30_000);
        const ids = client.messages.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        // Nothing arrived that was not sent: per conversation, seqs run 1..n without a gap.
        const byConversation = new Map<string, number[]>();
        for (const message of client.messages) byConversation.set(message.conversationId, [...(byConversation.get(message.conversationId) ?? []), message.seq]);
        for (const seqs of byConversation.values()) expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1).sort((a, b) => a - b));
      }
    }
    // One message per clientId: the texts are unique per sender and attempt.
    for (const client of [...devicesOf.values()].flat()) {
      const texts = client.texts();
      expect(new Set(texts).size).toBe(texts.length);
    }
    console.info(`fault test: ${acknowledged.size} acknowledged (${whileRedisDown} while Redis was down), ${refusedWhileDown} refused while Redis was down, repeats seen by devices: ${[...devicesOf.values()].flat().map((c) => c.repeats).join(', ')}`);
  });
});
