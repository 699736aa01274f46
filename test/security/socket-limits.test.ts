import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSocket } from '../support/sockets.js';
import { sleep } from '../support/sockets.js';
import { ManualClock, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';

function open(url: string, token: string): ClientSocket {
  return connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
}

/** Resolves to 'connected' or the refusal code. */
function outcome(socket: ClientSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve((error as Error & { data?: { code?: string } }).data?.code ?? error.message));
  });
}

/** Issue 10 item 11, performed over real socket.io on loopback. */
describe('socket caps and the shared event allowance', () => {
  let server: TestServer | undefined;
  const sockets: ClientSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await server?.close();
  });

  it('caps the sockets of one user, even when they all arrive at once', async () => {
    server = await startTestServer({ env: { SOCKETS_PER_USER: '3' } });
    const me = await signIn(server.api, '+8613800138000');
    const burst = Array.from({ length: 12 }, () => open(server!.url, me.token));
    sockets.push(...burst);
    await Promise.all(burst.map(outcome));
    await sleep(500);
    // On the old code all 12 stayed connected.
    expect(burst.filter((socket) => socket.connected).length).toBeLessThanOrEqual(3);
    for (const socket of burst) socket.disconnect();
    await sleep(200);
    const sequential: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const socket = open(server.url, me.token);
      sockets.push(socket);
      sequential.push(await outcome(socket));
    }
    expect(sequential).toEqual(['connected', 'connected', 'connected', 'too_many_connections', 'too_many_connections']);
  });

  it('caps the sockets of one address across accounts', async () => {
    server = await startTestServer({ env: { SOCKETS_PER_ADDRESS: '4' }, limits: { sendsPerIpPerHour: 1000 } });
    const results: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const user = await signIn(server.api, `+861380013800${i}`, testDevice(`user ${i}`));
      for (let j = 0; j < 2; j += 1) {
        const socket = open(server.url, user.token);
        sockets.push(socket);
        results.push(await outcome(socket));
      }
    }
    expect(results.filter((result) => result === 'connected')).toHaveLength(4);
    expect(results.slice(4)).toEqual(['too_many_connections', 'too_many_connections']);
  });

  it('rate-limits handshakes per address', async () => {
    server = await startTestServer();
    server.config.realtimeLimits.handshakesPerAddressPerMinute = 5;
    const results: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      // Not even a valid token is needed to make the server work on a handshake.
      const socket = open(server.url, 'not-a-token');
      sockets.push(socket);
      results.push(await outcome(socket));
      socket.disconnect();
    }
    // On the old code every handshake was authenticated: 8 x unauthorized.
    expect(results).toEqual([...Array(5).fill('unauthorized'), ...Array(3).fill('too_many_requests')]);
  });

  it('counts events per user, across their sockets and for unknown events too', async () => {
    // A clock that stands still keeps every event in one 10-second window.
    server = await startTestServer({ clock: new ManualClock(Date.now()) });
    server.config.realtimeLimits.eventsPerUserPer10s = 30;
    const me = await signIn(server.api, '+8613800138000');
    const mine = [open(server.url, me.token), open(server.url, me.token), open(server.url, me.token)];
    sockets.push(...mine);
    await Promise.all(mine.map(outcome));
    // 25 unknown events, then 20 known ones from each of three sockets.
    for (let i = 0; i < 25; i += 1) mine[0]!.emit('no-such-event' as 'typing', { to: '00000000-0000-4000-8000-000000000000', state: 'typing' }, () => undefined);
    await sleep(300);
    const answers = await Promise.all(
      mine.flatMap((socket) => Array.from({ length: 20 }, () => socket.timeout(5000).emitWithAck('presence:set', { text: 'x' }).catch(() => ({ error: { code: 'timeout' } })))),
    );
    const accepted = answers.filter((answer) => 'ok' in answer).length;
    // On the old code each socket had its own 20 a second and unknown events cost nothing: all 60 accepted.
    expect(accepted).toBeLessThanOrEqual(5);
    expect(answers.filter((answer) => 'error' in answer && answer.error.code === 'too_many_requests').length).toBeGreaterThan(0);
  });
});
