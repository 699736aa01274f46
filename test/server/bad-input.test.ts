import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { pathParamNames } from '../../common/contract/route.js';
import { routeList, routes } from '../../common/contract/routes.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function junk(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return Math.floor(next() * 2 ** 40) * (next() < 0.5 ? -1 : 1);
    case 3: return '';
    case 4: return 'x'.repeat(Math.floor(next() * 5000));
    case 5: return ['+8613800138000', '13800138000', '\u0000', '<script>', '../../etc/passwd', '💥', '{"a":1}'][Math.floor(next() * 7)];
    case 6: return Array.from({ length: Math.floor(next() * 5) }, () => junk(next, depth + 1));
    default: {
      const keys = ['phone', 'region', 'code', 'ticket', 'device', 'password', 'entries', 'add', 'remove', 'baseVersion', 'ref', 'phones', 'activityVisibleTo', 'sharedApps', 'discoverable', 'blocked', 'type', 'apps', 'status', 'text', 'mode', 'users', 'to', 'state', 'instance', 'returnTo', 'handoff', '__proto__', 'constructor'];
      const object: Record<string, unknown> = {};
      for (let i = 0; i < 1 + Math.floor(next() * 4); i += 1) object[keys[Math.floor(next() * keys.length)] as string] = junk(next, depth + 1);
      return object;
    }
  }
}

/** A value for each path parameter: real enough to reach the handler, so the junk lands in query and body. */
const sampleParams: Record<string, string> = {
  verificationId: '00000000-0000-4000-8000-000000000000',
  deviceId: 'x',
  userId: 'not-a-user',
  phone: '+8613900139000',
  plugin: 'slack',
};

/** Every route of the table that takes input (byte answers are files, not JSON). */
const inputRoutes = routeList.filter((route) => (route.body || route.query || route.params) && route.response.kind !== 'bytes');

/** Junk as a query: each value of a junk object, as text (a query string carries nothing else). */
function junkQuery(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { junk: String(value) };
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, typeof entry === 'string' ? entry : JSON.stringify(entry) ?? '']));
}

/** Bad input anywhere gets a clear error with a machine-readable code and never crashes the server. */
describe('bad input', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ limits: { sendsPerIpPerHour: 100_000, checksPerIpPerHour: 100_000, passwordAttemptsPerIpPerHour: 100_000 } });
    token = (await signIn(server.api, '+8613800138000')).token;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers random JSON on every route with an error code, never an internal error', async () => {
    const next = random(Number(process.env.BAD_INPUT_SEED ?? 20261122));
    const failures: string[] = [];
    for (let round = 0; round < Number(process.env.BAD_INPUT_ROUNDS ?? 25); round += 1) {
      for (const route of inputRoutes) {
        const body = junk(next);
        const api = next() < 0.8 ? server.api.withToken(token) : server.api;
        const params = Object.fromEntries(pathParamNames(route.path).map((name) => [name, sampleParams[name] ?? 'x']));
        const answer = await api.route<{ error?: { code?: unknown; message?: unknown } }>(route, {
          params,
          ...(route.query ? { query: junkQuery(junk(next)) } : {}),
          ...(route.method === 'get' ? {} : { body }),
        });
        const pathname = `${route.method.toUpperCase()} ${route.path}`;
        // A deliberate 503 (e.g. oauth_not_configured) is an answer; a 500 means something unexpected broke.
        const ok = answer.status < 300 || (answer.status !== 500 && typeof answer.body?.error?.code === 'string' && typeof answer.body.error.message === 'string');
        if (!ok) failures.push(`${pathname} ${JSON.stringify(body).slice(0, 200)} -> ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await server.api.route(routes.health)).status).toBe(200);
  });

  it('answers random socket payloads with error codes and keeps the connection', async () => {
    const next = random(7);
    const socket: Socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      for (let i = 0; i < 60; i += 1) {
        const event = ['presence:set', 'presence:scope', 'typing'][i % 3] as string;
        const answer: unknown = await socket.timeout(5000).emitWithAck(event, junk(next));
        const ok = (answer as { ok?: unknown }).ok === true || typeof (answer as { error?: { code?: unknown } }).error?.code === 'string';
        expect(ok, `${event} -> ${JSON.stringify(answer)}`).toBe(true);
        // Stay under the per-socket event budget, which answers too_many_requests past 20 a second.
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      socket.emit('no-such-event', { x: 1 });
      socket.emit('presence:set', 'not an object');
      expect(await socket.timeout(5000).emitWithAck('presence:set', { apps: ['slack'] })).toEqual({ ok: true });
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
  });
});
