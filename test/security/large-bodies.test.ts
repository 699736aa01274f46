import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteDefinition } from '#common/contract/routes.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Sends the headers and the first part of a body, then waits: a server that authenticates before reading
 * answers at once; one that reads first waits for a body that never comes.
 */
function answerBeforeBodyEnds(url: string, route: RouteDefinition, headers: Record<string, string>, declaredBytes: number, timeoutMs = 3000): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(target.port), target.hostname);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no answer');
    }, timeoutMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(answer.split('\r\n')[0] ?? '');
      }
    });
    socket.on('error', () => undefined);
    const head = [`${route.method.toUpperCase()} ${route.path} HTTP/1.1`, `host: ${target.host}`, 'content-type: application/json', `content-length: ${declaredBytes}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${head.join('\r\n')}\r\n\r\n{"entries":[`);
  });
}

/** The longest the event loop was blocked while `task` ran, in milliseconds. */
async function longestBlock(task: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  await task();
  histogram.disable();
  return Math.round(histogram.max / 1e6);
}

function book(entries: number, phonesEach: number) {
  return {
    entries: Array.from({ length: entries }, (_, i) => ({
      ref: `r1-${String(i).padStart(30, '0')}`,
      phones: Array.from({ length: phonesEach }, (_, j) => `+86139${String(i * phonesEach + j).padStart(8, '0')}`),
    })),
  };
}

/** Issue 10 item 5, performed over real HTTP against a server in this process (so its event loop is measured). */
describe('large bodies', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ limits: { sendsPerIpPerHour: 10_000 } });
    token = (await signIn(server.api, '+8613800138000')).token;
  });
  afterAll(async () => server.close());

  it('answers 401 to an unauthenticated 16 MB upload without reading it', async () => {
    // On the old code the server read (and parsed) the whole body first: no answer while it was still coming.
    expect(await answerBeforeBodyEnds(server.url, routes.replaceAddressBook, {}, 16 * 1024 * 1024 - 1)).toMatch(/^HTTP\/1\.1 401/);
    expect(await answerBeforeBodyEnds(server.url, routes.replaceAddressBook, { authorization: 'Bearer forged' }, 16 * 1024 * 1024 - 1)).toMatch(/^HTTP\/1\.1 401/);
  });

  it('refuses compressed bodies with 415 and a code, signed in or not', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ entries: [], padding: ' '.repeat(12 * 1024 * 1024) })));
    expect(bomb.length).toBeLessThan(64 * 1024);
    for (const [route, auth] of [
      [routes.replaceAddressBook, { authorization: `Bearer ${token}` }],
      [routes.startVerification, {}],
    ] as const) {
      const path = route.path;
      const answer = await fetch(server.url + path, {
        method: route.method.toUpperCase(),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...auth },
        body: bomb,
      });
      // On the old code the 50 KB body was inflated to 12 MB and parsed.
      expect([path, answer.status, await answer.json()]).toEqual([path, 415, { error: expect.objectContaining({ code: 'unsupported_media_type' }) }]);
    }
  });

  it('charges refused uploads too: repeating large refused uploads runs into the daily budget', async () => {
    const user = await signIn(server.api, '+8613800138001');
    server.config.contactLimits.uploadBytesPerUserPerDay = 40 * 1024 * 1024;
    try {
      const junk = `{"entries": [${'"x",'.repeat(3 * 1024 * 1024)}"x"]}`; // ~12 MB, refused as invalid
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const answer = await fetch(server.url + routes.replaceAddressBook.path, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body: junk });
        statuses.push(answer.status);
        await answer.arrayBuffer().catch(() => undefined);
      }
      // On the old code every attempt was read, parsed and refused with 400, for free.
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
    } finally {
      server.config.contactLimits.uploadBytesPerUserPerDay = 64 * 1024 * 1024;
    }
  });

  it('measures the event loop: the largest accepted and the largest refused upload', async () => {
    const largest = JSON.stringify(book(20_000, 3));
    const user = await signIn(server.api, '+8613800138002');
    server.config.contactLimits.newNumbersPerIpPerDay = 1_000_000;
    let status = 0;
    const accepted = await longestBlock(async () => {
      const answer = await fetch(server.url + routes.replaceAddressBook.path, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body: largest });
      status = answer.status;
      await answer.arrayBuffer();
    });
    expect(status).toBe(200);
    const tooLarge = `{"entries": [${'"x",'.repeat(4 * 1024 * 1024)}"x"]}`;
    const refused = await longestBlock(async () => {
      const answer = await fetch(server.url + routes.replaceAddressBook.path, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, body: tooLarge });
      status = answer.status;
      await answer.arrayBuffer().catch(() => undefined);
    });
    expect(status).toBe(413);
    console.log(`event loop, longest block: largest accepted upload (${(largest.length / 1e6).toFixed(1)} MB, 20,000 entries x 3 numbers) ${accepted} ms; refused ${(tooLarge.length / 1e6).toFixed(1)} MB upload ${refused} ms`);
    expect(accepted).toBeLessThan(800);
    expect(refused).toBeLessThan(200);
  });
});
