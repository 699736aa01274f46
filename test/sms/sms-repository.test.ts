import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '#server/db/database.js';
import { KyselySmsRepository } from '#server/features/sms/sms.kysely-repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();

/** The SMS repository, the same rules on SQLite and PostgreSQL, under parallel callers. */
describe.each(backends)('SMS repository on $name', (backend) => {
  let storage: Storage;
  let dispose: (() => Promise<void>) | undefined;
  let repo: KyselySmsRepository;

  beforeAll(async () => {
    if (!backend.available) return;
    const opened = await backend.open();
    storage = opened.storage;
    dispose = opened.dispose;
    repo = new KyselySmsRepository(storage.db);
  });
  afterAll(async () => {
    await dispose?.();
  });

  it.skipIf(!backend.available)('charges a daily cap atomically: 40 parallel charges of one against 7 pass exactly 7', async () => {
    const key = `sender:${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 40 }, () => repo.chargeDaily([{ key, limit: 7 }], 100, 1)));
    expect(results.filter(Boolean)).toHaveLength(7);
    // Another day starts from zero; an amount over the limit never passes.
    expect(await repo.chargeDaily([{ key, limit: 7 }], 101, 7)).toBe(true);
    expect(await repo.chargeDaily([{ key: `other:${randomUUID()}`, limit: 2 }], 100, 3)).toBe(false);
  });

  it.skipIf(!backend.available)('charges several counters all or none', async () => {
    const sender = `sender:${randomUUID()}`;
    const receiver = `receiver:${randomUUID()}`;
    expect(await repo.chargeDaily([{ key: receiver, limit: 2 }], 100, 2)).toBe(true);
    // The receiver is full: the sender's counter is not charged either.
    expect(await repo.chargeDaily([{ key: sender, limit: 3 }, { key: receiver, limit: 2 }], 100, 1)).toBe(false);
    expect(await repo.chargeDaily([{ key: sender, limit: 3 }], 100, 3)).toBe(true);
    // Parallel charges of two counters: each pair passes only when both had room.
    const a = `a:${randomUUID()}`;
    const b = `b:${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.chargeDaily(i % 2 === 0 ? [{ key: a, limit: 5 }, { key: b, limit: 3 }] : [{ key: a, limit: 5 }], 100, 1)));
    expect(results.filter(Boolean)).toHaveLength(5);
  });

  it.skipIf(!backend.available)('sees a key first once, even in parallel, and again only after the window', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => repo.firstSighting(key, 1_000_000, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repo.firstSighting(key, 1_059_999, 60_000)).toBe(false);
    expect(await repo.firstSighting(key, 1_120_000, 60_000)).toBe(true);
    await repo.forgetSighting(key);
    expect(await repo.firstSighting(key, 1_120_001, 60_000)).toBe(true);
    await repo.purgeBefore(2_000_000, 0);
    expect(await repo.firstSighting(key, 1_120_002, 60_000)).toBe(true);
  });

  it.skipIf(!backend.available)('keeps opt-outs and tells whether a STOP or START changed anything', async () => {
    const hash = randomUUID();
    expect(await repo.isOptedOut(hash)).toBe(false);
    expect(await repo.setOptedOut(hash, true, 1)).toBe(true);
    expect(await repo.setOptedOut(hash, true, 2)).toBe(false);
    expect(await repo.isOptedOut(hash)).toBe(true);
    expect(await repo.setOptedOut(hash, false, 3)).toBe(true);
    expect(await repo.setOptedOut(hash, false, 4)).toBe(false);
    expect(await repo.isOptedOut(hash)).toBe(false);
  });
});
