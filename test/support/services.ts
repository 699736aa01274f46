import net from 'node:net';

/**
 * Tests that need an outside service (PostgreSQL, Redis, a keychain, a browser) ask here first.
 * On a laptop a missing service skips the test with a clear message; with SWITCHBOARD_REQUIRE_SERVICES=1
 * (set by .ci/run) a missing service is a failure, so CI never passes by skipping.
 */
export const servicesRequired = process.env.SWITCHBOARD_REQUIRE_SERVICES === '1';

export const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Returns true when the service is there. When it is not: throws under CI, otherwise warns and
 * returns false so the caller can `describe.skipIf(!available)`.
 */
export async function requireService(name: string, probe: () => Promise<boolean>): Promise<boolean> {
  const available = await probe().catch(() => false);
  if (available) return true;
  const message = `service missing: ${name}`;
  if (servicesRequired) throw new Error(`${message} (SWITCHBOARD_REQUIRE_SERVICES=1 forbids skipping)`);
  console.warn(`${message}, skipped`);
  return false;
}

export function postgresAvailable(): Promise<boolean> {
  const url = new URL(postgresUrl);
  return requireService('PostgreSQL at ' + url.host, () => tcpReachable(url.hostname, Number(url.port || 5432)));
}

export function redisAvailable(): Promise<boolean> {
  const url = new URL(redisUrl);
  return requireService('Redis at ' + url.host, () => tcpReachable(url.hostname, Number(url.port || 6379)));
}
