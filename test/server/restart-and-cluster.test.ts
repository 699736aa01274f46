import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { postgresAvailable, postgresUrl, redisAvailable, redisUrl } from '../support/services.js';
import { createPostgresSchema, latestCode, signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

const pgUp = await postgresAvailable();
const redisUp = await redisAvailable();

describe('a restart keeps users, sessions and devices', () => {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });

  it('on SQLite', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir });
    const me = await signIn(first.api, '+8613800138000', testDevice('Laptop'));
    await first.close();
    const second = await startTestServer({ dataDir });
    servers.push(second);
    const api = second.api.withToken(me.token);
    expect((await api.route(routes.me)).body).toMatchObject({ id: me.user.id, phone: '+8613800138000' });
    expect((await api.route<{ name: string }[]>(routes.devices)).body.map((d) => d.name)).toEqual(['Laptop']);
    expect((await api.route<unknown[]>(routes.logins)).body).toHaveLength(1);
  });

  it.skipIf(!pgUp)('on PostgreSQL (DATABASE_URL)', async () => {
    const schema = await createPostgresSchema();
    try {
      const first = await startTestServer({ storage: schema.storage, env: { DATABASE_URL: postgresUrl } });
      expect(first.storage.kind).toBe('postgres');
      const me = await signIn(first.api, '+8613800138000', testDevice('Laptop'));
      await first.close();
      const second = await startTestServer({ storage: schema.storage, env: { DATABASE_URL: postgresUrl } });
      servers.push(second);
      const api = second.api.withToken(me.token);
      expect((await api.route(routes.me)).body).toMatchObject({ id: me.user.id });
      expect((await api.route<unknown[]>(routes.devices)).body).toHaveLength(1);
      await second.close();
      servers = [];
    } finally {
      await schema.drop();
    }
  });
});

function connectSocket(url: string, token: string): Socket<ServerToClientEvents, ClientToServerEvents> {
  return connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
}

function waitFor<T>(register: (resolve: (value: T) => void) => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('realtime sessions', () => {
  let servers: TestServer[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });

  it('refuses a socket without a valid token, with a code', async () => {
    const server = await startTestServer();
    servers.push(server);
    const socket = connectSocket(server.url, 'forged');
    sockets.push(socket);
    const error = await waitFor<Error & { data?: { code: string } }>((resolve) => socket.on('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
    expect(error.data?.code).toBe('unauthorized');
  });

  it('drops the sockets of a revoked device at once', async () => {
    const server = await startTestServer();
    servers.push(server);
    const laptop = await signIn(server.api, '+8613800138000', testDevice('Laptop'));
    const phone = await signIn(server.api, '+8613800138000', testDevice('Phone'));
    const socket = connectSocket(server.url, phone.token);
    sockets.push(socket);
    await waitFor<void>((resolve) => socket.on('connect', () => resolve()));
    const ended = waitFor<{ reason: string }>((resolve) => socket.on('session:ended', resolve));
    const dropped = waitFor<string>((resolve) => socket.on('disconnect', resolve));
    expect((await server.api.withToken(laptop.token).route(routes.signOutDevice, { params: { deviceId: phone.device.id } })).status).toBe(204);
    expect(await ended).toEqual({ reason: 'device_revoked' });
    expect(await dropped).toBe('io server disconnect');
  });

  describe.skipIf(!pgUp || !redisUp)('two nodes sharing PostgreSQL and Redis', () => {
    it('drops a socket held by the other node, and shares rate limits', async () => {
      const schema = await createPostgresSchema();
      try {
        // A key prefix of its own, so no other test or run shares these counters and rooms.
        const env = { DATABASE_URL: postgresUrl, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `sbtest:${process.pid}:${Date.now()}:` };
        const limits = { sendsPerIpPerHour: 3 };
        const nodeA = await startTestServer({ storage: schema.storage, env, limits });
        const nodeB = await startTestServer({ storage: schema.storage, env, limits });
        servers.push(nodeA, nodeB);

        const laptop = await signIn(nodeA.api, '+8613800138000', testDevice('Laptop'));
        const phone = await signIn(nodeA.api, '+8613900139000', testDevice('Phone'));
        expect(phone.user.id).not.toBe(laptop.user.id);
        const other = await signInVia(nodeA, nodeB, '+8613800138000');
        expect(other.user.id).toBe(laptop.user.id);

        const socket = connectSocket(nodeB.url, other.token);
        sockets.push(socket);
        await waitFor<void>((resolve) => socket.on('connect', () => resolve()));
        const dropped = waitFor<string>((resolve) => socket.on('disconnect', resolve));
        expect((await nodeA.api.withToken(laptop.token).route(routes.updateDevice, { params: { deviceId: other.device.id }, body: { blocked: true } })).status).toBe(204);
        expect(await dropped).toBe('io server disconnect');

        const overLimit = await nodeB.api.route(routes.startVerification, { body: { phone: '+8613700137000' } });
        expect(overLimit).toMatchObject({ status: 429, body: { error: { code: 'too_many_requests' } } });
      } finally {
        await schema.drop();
      }
    });
  });
});

/** Asks for the code on one node and completes the sign-in on the other: they share one database. */
async function signInVia(a: TestServer, b: TestServer, phone: string) {
  const device = testDevice('Tablet');
  const started = await b.api.route<{ verificationId: string; resendIn: number }>(routes.startVerification, { body: { phone } });
  if (started.status !== 201) throw new Error(JSON.stringify(started.body));
  const code = await latestCode(b.api, phone);
  const checked = await a.api.route<{ ticket: string }>(routes.checkCode, { params: { verificationId: started.body.verificationId }, body: { code } });
  const session = await b.api.route<{ token: string; user: { id: string } }>(routes.createSession, { body: { ticket: checked.body.ticket, device } });
  return { ...session.body, device };
}
