import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable, redisAvailable, redisUrl } from '../support/services.js';
import { ApiClient, createPostgresSchema, signIn, testDevice } from '../support/test-server.js';
import { ServerProcess } from '../support/server-process.js';
import { PresenceClient, appsOf } from '../support/sockets.js';
import { routes } from '#common/contract/routes.js';

const pgUp = await postgresAvailable();
const redisUp = await redisAvailable();

/** Two server processes sharing PostgreSQL and Redis: presence crosses nodes; a killed node's users go offline. */
describe.skipIf(!pgUp || !redisUp)('presence across two nodes', () => {
  const nodes: ServerProcess[] = [];
  const clients: PresenceClient[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(nodes.map((node) => node.kill()));
    await dropSchema?.();
  });

  it('merges a user connected on two nodes, and takes a dead node\'s users offline', async () => {
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    const env = {
      DATABASE_URL: schema.databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `sbtest:${process.pid}:${Date.now()}:`,
      SWITCHBOARD_SECRET: 'cluster-test-secret-that-is-long-enough-0123',
      PRESENCE_GRACE_MS: '1000',
    };
    const nodeA = await ServerProcess.start(env);
    const nodeB = await ServerProcess.start(env);
    nodes.push(nodeA, nodeB);
    const apiA = new ApiClient(nodeA.url);
    const apiB = new ApiClient(nodeB.url);

    const alice = await signIn(apiA, '+8613800138000', testDevice('Alice laptop'));
    const aliceDesktop = await signIn(apiA, '+8613800138000', testDevice('Alice desktop'));
    const bob = await signIn(apiB, '+8613900139000', testDevice('Bob'));
    await apiA.withToken(alice.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'b', phones: ['+8613900139000'] }] } });
    await apiB.withToken(bob.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'a', phones: ['+8613800138000'] }] } });

    const bobSocket = new PresenceClient(nodeB.url, bob.token);
    const aliceOnA = new PresenceClient(nodeA.url, alice.token);
    const aliceOnB = new PresenceClient(nodeB.url, aliceDesktop.token);
    clients.push(bobSocket, aliceOnA, aliceOnB);
    await Promise.all(clients.map((client) => client.connected()));

    await aliceOnA.set({ apps: ['slack'] });
    await aliceOnB.set({ apps: ['telegram'] });
    const merged = await bobSocket.waitFor((e) => e.userId === alice.user.id && appsOf(e).join() === 'slack,telegram');
    expect(merged.status).toBe('online');

    // Node A dies without a goodbye: its connection expires after the grace period and node B sweeps it.
    await nodeA.kill('SIGKILL');
    const withoutA = await bobSocket.next((e) => e.userId === alice.user.id && appsOf(e).join() === 'telegram', 10_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nnode B said: ${nodeB.output.join('')}`);
    });
    expect(withoutA.status).toBe('online');
    aliceOnB.close();
    const offline = await bobSocket.next((e) => e.userId === alice.user.id && e.status === 'offline', 10_000);
    expect(offline.apps).toEqual([]);
  });
});
