import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import pino from 'pino';
import { resolveServerSecret } from '#server/platform/secret.js';
import { routes } from '#common/contract/routes.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import { redisAvailable, redisUrl } from '../support/services.js';
import { ManualClock, signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

/** What a stolen disk or a Redis dump would show (issue 10, item 14). */
const backends = await serverBackends();
const redisUp = await redisAvailable();
const dayMs = 24 * 60 * 60_000;

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('files at rest', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('keeps the SQLite database, its -wal and -shm files 0600 in a 0700 DATA_DIR, even when they were wider', async () => {
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    const database = path.join(dataDir, 'switchboard.sqlite');
    fs.writeFileSync(database, '');
    fs.chmodSync(database, 0o644);
    server = await startTestServer({ dataDir });
    await signIn(server.api, '+8613800138000');
    expect(modeOf(dataDir).toString(8)).toBe('700');
    for (const file of [database, `${database}-wal`, `${database}-shm`]) {
      expect(fs.existsSync(file), file).toBe(true);
      expect(modeOf(file).toString(8), file).toBe('600');
    }
  });

  it('keeps the generated server secret 0600 in a 0700 directory, and narrows an old wider one', () => {
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    const log = pino({ level: 'silent' });
    const secret = resolveServerSecret(undefined, dataDir, false, log);
    const file = path.join(dataDir, 'server-secret');
    expect(modeOf(file).toString(8)).toBe('600');
    expect(modeOf(dataDir).toString(8)).toBe('700');
    fs.chmodSync(file, 0o644);
    expect(resolveServerSecret(undefined, dataDir, false, log)).toBe(secret);
    expect(modeOf(file).toString(8)).toBe('600');
  });
});

describe.each(backends)('retention on $name', ({ name, available }) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.skipIf(!available)('purges verifications, tickets, ended sessions and old login-log entries on schedule', async () => {
    const clock = new ManualClock();
    server = await startServerOn(name, { clock });
    const db = server.storage.db;
    const count = async (table: 'verifications' | 'tickets' | 'sessions' | 'login_log') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    const gone = await signIn(server.api, '+8613800138000', testDevice('Old laptop'));
    expect((await server.api.withToken(gone.token).route(routes.endSession)).status).toBe(204);
    clock.advance(11 * 60_000);
    const live = await signIn(server.api, '+8613800138000', testDevice('Laptop'));
    expect(await count('verifications')).toBe(2);
    expect(await count('tickets')).toBe(2);

    // A day after the codes expired they go; the ended session stays for 30 days, the log for 180.
    clock.advance(dayMs + 11 * 60_000);
    expect(await server.services.retentionPurge.runOnce()).toMatchObject({ verifications: 2, tickets: 2, sessions: 0, logins: 0 });
    clock.advance(30 * dayMs);
    expect(await server.services.retentionPurge.runOnce()).toMatchObject({ sessions: 1, logins: 0 });
    expect(await count('sessions')).toBe(1);
    expect((await server.api.withToken(live.token).route(routes.me)).status).toBe(200);

    // The live session expires at 90 days and goes 30 days later; the log keeps logins for 180 days.
    clock.advance(150 * dayMs);
    expect(await server.services.retentionPurge.runOnce()).toMatchObject({ sessions: 1, logins: 2 });
    expect(await count('sessions')).toBe(0);
    expect(await count('login_log')).toBe(0);
  });
});

describe.skipIf(!redisUp)('rate-limit keys in Redis', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hold a keyed hash of numbers and addresses, never the plain values', async () => {
    const prefix = `sbtest${process.pid}${Date.now()}:`;
    server = await startTestServer({ env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } });
    await signIn(server.api, '+8613800138000');
    await server.api.route(routes.passwordSession, { body: { phone: '+8613900139000', password: 'guess-123', device: testDevice() } });
    const redis = createClient({ url: redisUrl });
    await redis.connect();
    try {
      const keys = await redis.keys(`${prefix}rl:*`);
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const key of keys) {
        expect(key).not.toMatch(/8613800138000|8613900139000|127\.0\.0\.1/);
      }
      if (keys.length > 0) await redis.del(keys);
    } finally {
      await redis.quit();
    }
  });
});
