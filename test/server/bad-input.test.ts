import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { pathParamNames, type RouteDefinition } from '#common/contract/route.js';
import { routeList, routes } from '#common/contract/routes.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import { LogCapture, signIn, type TestServer } from '../support/test-server.js';

const backends = await serverBackends();

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
  // JSON rather than String(): an array may hold a prototype-less object, which has no text of its own.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { junk: typeof value === 'string' ? value : (JSON.stringify(value) ?? '') };
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, typeof entry === 'string' ? entry : JSON.stringify(entry) ?? '']));
}

const pathSegments = ['x', '%', '%ZZ', '%E0%A4%A', '%C0', '%00', 'a%00b', '%2500', '%F0%9F%92%A5', '..%2F..%2Fetc'];

/** A route's path with every parameter replaced by `segment` as it is, unencoded (the client would encode it). */
function rawPath(route: RouteDefinition, segment: string): string {
  return route.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, segment);
}

/** Malformed %-escapes and NUL characters in every place a request can carry them (issue 10, item 13). */
const hostileRequests: [string, string, unknown?][] = [
  ['PATCH', rawPath(routes.updateDevice, '%E0%A4%A'), { blocked: true }],
  ['DELETE', rawPath(routes.signOutDevice, '%ZZ')],
  ['DELETE', rawPath(routes.removePhone, '%')],
  ['PUT', rawPath(routes.block, '%C0')],
  ['GET', rawPath(routes.pluginManifest, '%E0%A4%A')],
  ['POST', rawPath(routes.checkCode, '%E0%A4%A'), { code: '123456' }],
  ['PATCH', rawPath(routes.updateDevice, '%00'), { blocked: true }],
  ['DELETE', rawPath(routes.signOutDevice, 'a%00b')],
  ['DELETE', rawPath(routes.removePhone, '%2B86%00')],
  ['GET', `${routes.devSms.path}?to=%2B86%00`],
  ['GET', `${routes.logins.path}?limit=1%00`],
  ['POST', routes.startVerification.path, { phone: '+8613800138000\u0000' }],
  ['POST', routes.createSession.path, { ticket: 'x', device: { id: 'dev\u0000ice', name: 'Laptop', platform: 'linux' } }],
  ['POST', routes.passwordSession.path, { phone: '+8613800138000', password: 'pass\u0000word', device: { id: 'd1', name: 'Lap\u0000top', platform: 'linux' } }],
  ['PUT', routes.setPassword.path, { password: 'correct horse \u0000battery' }],
  ['PATCH', routes.patchAddressBook.path, { baseVersion: 0, add: [{ ref: 'r\u0000', phones: ['+8613900139000'] }], remove: [] }],
  ['PUT', routes.replaceAddressBook.path, { entries: [{ ref: 'r1', phones: ['+86139\u000000139000'] }] }],
  ['PUT', routes.updatePrivacy.path, { discoverable: true, activityVisibleTo: 'contacts', sharedApps: ['sla\u0000ck'] }],
  ['POST', rawPath(routes.startOAuth, 'slack'), { returnTo: 'http://127.0.0.1:99999/done' }],
  ['POST', rawPath(routes.startOAuth, 'mastodon'), { instance: 'mastodon.social\u0000', returnTo: 'switchboard://oauth/done' }],
];

/** Bad input anywhere gets a clear error with a machine-readable code and never crashes the server. */
describe.each(backends)('bad input on $name', ({ name, available }) => {
  let server: TestServer;
  let token: string;
  const log = new LogCapture();
  beforeAll(async () => {
    if (!available) return;
    server = await startServerOn(name, { logDestination: log, limits: { sendsPerIpPerHour: 100_000, checksPerIpPerHour: 100_000, passwordAttemptsPerIpPerHour: 100_000 } });
    token = (await signIn(server.api, '+8613800138000')).token;
  });
  afterAll(async () => {
    await server?.close();
  });

  it.skipIf(!available)('answers malformed %-escapes and NUL characters with a 4xx and a code, and logs no internal error', async () => {
    const failures: string[] = [];
    for (const [method, pathname, body] of hostileRequests) {
      const answer = await server.api.withToken(token).request<{ error?: { code?: unknown } }>(method, pathname, body);
      const ok = answer.status >= 400 && answer.status < 500 && typeof answer.body?.error?.code === 'string';
      if (!ok) failures.push(`${method} ${pathname} ${JSON.stringify(body)} -> ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    expect(failures).toEqual([]);
    const malformed = await server.api.withToken(token).delete<{ error: { code: string } }>(rawPath(routes.signOutDevice, '%ZZ'));
    expect(malformed.body.error.code).toBe('invalid_request');
    const returnTo = await server.api.withToken(token).post<{ error: { code: string } }>(rawPath(routes.startOAuth, 'slack'), { returnTo: 'http://127.0.0.1:99999/done' });
    expect(returnTo).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(log.text()).not.toContain('unhandled error');
    expect((await server.api.route(routes.health)).status).toBe(200);
  });

  it.skipIf(!available)('answers random JSON on every route with an error code, never an internal error', async () => {
    const next = random(Number(process.env.BAD_INPUT_SEED ?? 20261122));
    const failures: string[] = [];
    for (let round = 0; round < Number(process.env.BAD_INPUT_ROUNDS ?? 25); round += 1) {
      for (const route of inputRoutes) {
        // Path parameters sometimes get seeded hostile segments, sent raw: malformed %-escapes and encoded NULs.
        const hostileSegment = pathParamNames(route.path).length > 0 && next() < 0.3 ? pathSegments[Math.floor(next() * pathSegments.length)] : undefined;
        const body = junk(next);
        const api = next() < 0.8 ? server.api.withToken(token) : server.api;
        const params = Object.fromEntries(pathParamNames(route.path).map((name) => [name, sampleParams[name] ?? 'x']));
        const answer =
          hostileSegment === undefined
            ? await api.route<{ error?: { code?: unknown; message?: unknown } }>(route, {
                params,
                ...(route.query ? { query: junkQuery(junk(next)) } : {}),
                ...(route.method === 'get' ? {} : { body }),
              })
            : await api.request<{ error?: { code?: unknown; message?: unknown } }>(route.method.toUpperCase(), rawPath(route, hostileSegment), route.method === 'get' ? undefined : body);
        const pathname = `${route.method.toUpperCase()} ${route.path}`;
        // A deliberate 503 (e.g. oauth_not_configured) is an answer; a 500 means something unexpected broke.
        const ok = answer.status < 300 || (answer.status !== 500 && typeof answer.body?.error?.code === 'string' && typeof answer.body.error.message === 'string');
        if (!ok) failures.push(`${pathname} ${JSON.stringify(body).slice(0, 200)} -> ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await server.api.route(routes.health)).status).toBe(200);
  });

  it.skipIf(!available)('answers random socket payloads with error codes and keeps the connection', async () => {
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
