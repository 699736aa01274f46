import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { PhoneInUseError, type IdentityRepository, type VerificationRecord } from '#server/features/identity/identity.repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();

describe.each(backends)('identity repository on $name', (backend) => {
  let repo: IdentityRepository;
  let dispose: () => Promise<void>;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    const opened = await backend.open();
    repo = new KyselyIdentityRepository(opened.storage.db, (phone) => `hash:${phone}`, opened.storage.kind);
    dispose = opened.dispose;
  });
  afterEach(async () => {
    await dispose?.();
  });

  function verification(overrides: Partial<VerificationRecord> = {}): VerificationRecord {
    return {
      id: randomUUID(),
      phone: '+8613800138000',
      codeHash: 'hash-1',
      createdAt: 1_000,
      expiresAt: 601_000,
      sends: 1,
      lastSentAt: 1_000,
      checksUsed: 0,
      consumedAt: null,
      requesterHash: 'requester-a',
      ...overrides,
    };
  }

  it('finds the newest open verification and ignores expired or used ones', async () => {
    await repo.createVerification(verification({ id: randomUUID(), createdAt: 1, expiresAt: 500 }));
    const used = verification({ createdAt: 2 });
    await repo.createVerification(used);
    await repo.consumeVerification(used.id, 3);
    const open = verification({ createdAt: 4 });
    await repo.createVerification(open);
    expect((await repo.findOpenVerification('+8613800138000', 'requester-a', 600))?.id).toBe(open.id);
    expect(await repo.findOpenVerification('+8613800138000', 'requester-b', 600)).toBeUndefined();
    expect(await repo.findOpenVerification('+8613800138000', 'requester-a', 601_001)).toBeUndefined();
    expect(await repo.findOpenVerification('+8613900139000', 'requester-a', 600)).toBeUndefined();
  });

  it('reserves checks atomically up to the budget and consumes a verification once', async () => {
    const v = verification();
    await repo.createVerification(v);
    const reserved = await Promise.all(Array.from({ length: 8 }, () => repo.reserveCheck(v.id, 10, 5)));
    expect(reserved.filter((entry) => entry !== undefined).map((entry) => entry?.checksUsed).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await repo.consumeVerification(v.id, 10)).toBe(true);
    expect(await repo.consumeVerification(v.id, 11)).toBe(false);
    expect(await repo.reserveCheck(v.id, 12, 50)).toBeUndefined();
    expect(await repo.findVerification(v.id)).toMatchObject({ checksUsed: 5, consumedAt: 10 });
  });

  it('records a resend with a new code hash, expiry and a fresh budget of checks', async () => {
    const v = verification({ checksUsed: 5 });
    await repo.createVerification(v);
    await repo.recordResend(v.id, 'hash-2', 40_000, 640_000);
    expect(await repo.findVerification(v.id)).toMatchObject({ codeHash: 'hash-2', sends: 2, lastSentAt: 40_000, expiresAt: 640_000, checksUsed: 0 });
  });

  it('swaps a password attempt counter only from the count it read', async () => {
    expect(await repo.swapPasswordAttempts('k', undefined, 1, 5)).toBe(true);
    expect(await repo.swapPasswordAttempts('k', undefined, 1, 5)).toBe(false);
    const swaps = await Promise.all([repo.swapPasswordAttempts('k', 1, 2, 6), repo.swapPasswordAttempts('k', 1, 2, 6)]);
    expect(swaps.sort()).toEqual([false, true]);
    expect(await repo.getPasswordAttempts('k')).toEqual({ attempts: 2, lastAttemptAt: 6 });
    await repo.clearPasswordAttempts(['k']);
    expect(await repo.getPasswordAttempts('k')).toBeUndefined();
  });

  it('redeems a ticket once and only before it expires', async () => {
    await repo.createTicket('t1', '+8613800138000', 100);
    await repo.createTicket('t2', '+8613800138000', 100);
    expect(await repo.consumeTicket('t1', 50)).toBe('+8613800138000');
    expect(await repo.consumeTicket('t1', 51)).toBeUndefined();
    expect(await repo.consumeTicket('t2', 100)).toBeUndefined();
    expect(await repo.consumeTicket('unknown', 1)).toBeUndefined();
  });

  it('creates a user with a primary number and refuses a number twice', async () => {
    const user = await repo.createUser({ id: randomUUID(), phone: '+8613800138000', now: 7 });
    expect(await repo.findUserByPhone('+8613800138000')).toEqual(user);
    expect(await repo.findUserById(user.id)).toMatchObject({ phone: '+8613800138000', type: 'normal', passwordHash: null });
    await expect(repo.createUser({ id: randomUUID(), phone: '+8613800138000', now: 8 })).rejects.toBeInstanceOf(PhoneInUseError);
  });

  it('binds several numbers and moves the primary while keeping the user id', async () => {
    const user = await repo.createUser({ id: randomUUID(), phone: '+8613800138000', now: 1 });
    const other = await repo.createUser({ id: randomUUID(), phone: '+8613900139000', now: 1 });
    await repo.addPhone(user.id, '+8613700137000', 2);
    await expect(repo.addPhone(user.id, '+8613900139000', 3)).rejects.toBeInstanceOf(PhoneInUseError);
    expect((await repo.listPhones(user.id)).map((p) => [p.phone, p.primary])).toEqual([
      ['+8613800138000', true],
      ['+8613700137000', false],
    ]);
    await repo.replacePrimaryPhone(user.id, '+8613600136000', 4);
    expect((await repo.findUserByPhone('+8613600136000'))?.id).toBe(user.id);
    expect(await repo.findUserByPhone('+8613800138000')).toBeUndefined();
    await expect(repo.replacePrimaryPhone(user.id, other.phone, 5)).rejects.toBeInstanceOf(PhoneInUseError);
    await repo.replacePrimaryPhone(user.id, '+8613700137000', 6);
    expect((await repo.listPhones(user.id)).map((p) => [p.phone, p.primary])).toEqual([['+8613700137000', true]]);
    expect(await repo.removePhone(user.id, '+8613700137000')).toBe(false);
  });

  it('stores a password hash and a user type', async () => {
    const user = await repo.createUser({ id: randomUUID(), phone: '+8613800138000', now: 1 });
    await repo.setPasswordHash(user.id, 'scrypt$x', 2);
    expect(await repo.setUserType(user.id, 'vip', 3)).toBe(true);
    expect(await repo.setUserType(randomUUID(), 'vip', 3)).toBe(false);
    expect(await repo.findUserById(user.id)).toMatchObject({ passwordHash: 'scrypt$x', type: 'vip' });
  });

  it('keeps devices, sessions and the login log', async () => {
    const user = await repo.createUser({ id: randomUUID(), phone: '+8613800138000', now: 1 });
    const device = await repo.upsertDevice(user.id, { id: 'd1', name: 'Laptop', platform: 'linux' }, 10, true);
    expect(device).toMatchObject({ blocked: false, flagged: true, firstSeenAt: 10, lastSeenAt: 10 });
    expect(await repo.upsertDevice(user.id, { id: 'd1', name: 'Laptop 2', platform: 'linux' }, 20, false)).toMatchObject({ name: 'Laptop 2', firstSeenAt: 10, lastSeenAt: 20 });
    await repo.addLogin({ id: 'l1', userId: user.id, deviceId: 'd1', deviceName: 'Laptop', platform: 'linux', ip: '127.0.0.1', method: 'sms_code', loginAt: 20, logoutAt: null });
    await repo.createSession({ id: 's1', tokenHash: 'th1', userId: user.id, deviceId: 'd1', loginId: 'l1', createdAt: 20, expiresAt: 1000, revokedAt: null, idleTtlMs: null, webCookie: null });
    await repo.createSession({ id: 's2', tokenHash: 'th2', userId: user.id, deviceId: 'd1', loginId: 'l1', createdAt: 21, expiresAt: 1000, revokedAt: null, idleTtlMs: null, webCookie: null });
    expect(await repo.signedInDeviceIds(user.id, 30)).toEqual(['d1']);
    expect((await repo.findSessionByTokenHash('th1'))?.id).toBe('s1');
    expect((await repo.revokeSession('s1', 40))?.revokedAt).toBe(40);
    expect(await repo.revokeSession('s1', 41)).toBeUndefined();
    expect((await repo.revokeDeviceSessions(user.id, 'd1', 50)).map((s) => s.id)).toEqual(['s2']);
    expect(await repo.signedInDeviceIds(user.id, 51)).toEqual([]);
    await repo.closeLogins(['l1'], 50);
    expect(await repo.listLogins(user.id, 10)).toEqual([
      { id: 'l1', userId: user.id, deviceId: 'd1', deviceName: 'Laptop', platform: 'linux', ip: '127.0.0.1', method: 'sms_code', loginAt: 20, logoutAt: 50 },
    ]);
    expect(await repo.setDeviceBlocked(user.id, 'd1', true, 60)).toBe(true);
    expect(await repo.findDevice(user.id, 'd1')).toMatchObject({ blocked: true, blockedAt: 60, flagged: true });
    expect(await repo.lastDeviceBlockAt(user.id)).toBe(60);
    expect(await repo.setDeviceTrusted(user.id, 'd1')).toBe(true);
    expect((await repo.findDevice(user.id, 'd1'))?.flagged).toBe(false);
    expect((await repo.listDevices(user.id)).length).toBe(1);
    expect(await repo.deleteDevice(user.id, 'd1')).toBe(true);
    expect(await repo.findDevice(user.id, 'd1')).toBeUndefined();
  });
});
