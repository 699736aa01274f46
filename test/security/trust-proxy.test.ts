import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#server/config.js';
import { routes } from '#common/contract/routes.js';
import { ApiClient, startTestServer, type TestServer } from '../support/test-server.js';
import { startReverseProxy } from '../support/reverse-proxy.js';

/**
 * Issue 10 item 3. Attack: behind one reverse proxy, a client writes its own X-Forwarded-For with a new
 * made-up address on every request, hoping the server believes the left-most entry and so gives it a
 * fresh per-address allowance each time. On the old code (TRUST_PROXY=1 meant "trust everything") every
 * one of the 8 requests was let through.
 */
describe('TRUST_PROXY against forged X-Forwarded-For', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startReverseProxy>>;

  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '1' }, limits: { sendsPerIpPerHour: 3 } });
    proxy = await startReverseProxy(server.url);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('holds one client to one per-address allowance whatever it writes in X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const forged = new ApiClient(proxy.url, { 'x-forwarded-for': `203.0.113.${attempt + 1}` });
      const answer = await forged.route(routes.startVerification, { body: { phone: `+861380013${String(8000 + attempt)}` } });
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.slice(3).every((status) => status === 429)).toBe(true);
  });

  it('accepts a hop count or a list of proxy addresses, and refuses anything else', () => {
    const base = { SWITCHBOARD_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ ...base, TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
  });
});
