import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '#server/db/database.js';
import { KyselyContactsRepository } from '#server/features/contacts/contacts.kysely-repository.js';
import { VersionConflictError } from '#server/features/contacts/contacts.repository.js';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { KyselyPrivacyRepository } from '#server/features/privacy/privacy.kysely-repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();
const hash = (phone: string) => `h:${phone}`;

describe.each(backends)('contacts and privacy repositories on $name', (backend) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let contacts: KyselyContactsRepository;
  let privacy: KyselyPrivacyRepository;
  let identity: KyselyIdentityRepository;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    const opened = await backend.open();
    storage = opened.storage;
    dispose = opened.dispose;
    contacts = new KyselyContactsRepository(storage.db, storage.kind);
    privacy = new KyselyPrivacyRepository(storage.db);
    identity = new KyselyIdentityRepository(storage.db, hash, storage.kind);
  });
  afterEach(async () => {
    await dispose?.();
  });

  async function user(phone: string) {
    return identity.createUser({ id: randomUUID(), phone, now: 1 });
  }
  const entry = (ref: string, ...phones: string[]) => ({ ref, phoneHashes: phones.map(hash), sealed: undefined });

  it('replaces a book, writing only what changed, and matches users by hashed number', async () => {
    const me = await user('+8613800138000');
    const bob = await user('+8613900139000');
    expect(await contacts.bookVersion(me.id)).toBe(0);
    expect(await contacts.replaceBook(me.id, [entry('b', '+8613900139000'), entry('x', '+8613600136000')], 10)).toBe(1);
    expect(await contacts.rawMatches(me.id)).toEqual([{ ref: 'b', userId: bob.id, phone: '+8613900139000' }]);
    expect(await contacts.replaceBook(me.id, [entry('b', '+8613900139000'), { ...entry('y', '+8613700137000'), sealed: 'opaque' }], 11)).toBe(2);
    expect(await contacts.snapshot(me.id)).toEqual({ version: 2, entries: [{ ref: 'b', sealed: undefined }, { ref: 'y', sealed: 'opaque' }] });
    expect(await contacts.unknownHashes(me.id, [hash('+8613900139000'), hash('+8613500135000')])).toEqual([hash('+8613500135000')]);
    expect(await contacts.replaceBook(me.id, [], 12)).toBe(3);
    expect(await contacts.rawMatches(me.id)).toEqual([]);
  });

  it('patches with a base version, refuses a stale one, and logs changes', async () => {
    const me = await user('+8613800138000');
    expect(await contacts.patchBook(me.id, 0, [entry('a', '+8613900139000')], [], 1)).toBe(1);
    await expect(contacts.patchBook(me.id, 0, [entry('b', '+8613700137000')], [], 2)).rejects.toBeInstanceOf(VersionConflictError);
    expect(await contacts.patchBook(me.id, 1, [entry('b', '+8613700137000')], ['a'], 3)).toBe(2);
    expect(await contacts.changesSince(me.id, 0)).toEqual({
      version: 2,
      complete: true,
      changes: [
        { version: 1, op: 'add', ref: 'a', sealed: undefined },
        { version: 2, op: 'remove', ref: 'a', sealed: undefined },
        { version: 2, op: 'add', ref: 'b', sealed: undefined },
      ],
    });
    await contacts.replaceBook(me.id, [entry('c', '+8613700137000')], 4);
    expect((await contacts.changesSince(me.id, 2)).complete).toBe(false);
    expect(await contacts.changesSince(me.id, 3)).toEqual({ version: 3, complete: true, changes: [] });
  });

  it('tells who has my number', async () => {
    const me = await user('+8613800138000');
    const bob = await user('+8613900139000');
    const carol = await user('+8613700137000');
    await contacts.replaceBook(bob.id, [entry('me', '+8613800138000')], 1);
    await contacts.replaceBook(carol.id, [entry('someone', '+8613600136000')], 1);
    expect(await contacts.whoHaveNumberOf(me.id, [bob.id, carol.id])).toEqual([bob.id]);
  });

  it('keeps privacy settings and the block and allow lists', async () => {
    const me = await user('+8613800138000');
    const bob = await user('+8613900139000');
    expect(await privacy.settings(me.id)).toEqual({ activityVisibleTo: 'contacts', sharedApps: 'all', discoverable: true, groupAddsBy: 'everyone' });
    await privacy.changeSettings(me.id, { activityVisibleTo: 'allowlist', sharedApps: ['slack'], discoverable: false, groupAddsBy: 'contacts' }, 5);
    expect(await privacy.settings(me.id)).toEqual({ activityVisibleTo: 'allowlist', sharedApps: ['slack'], discoverable: false, groupAddsBy: 'contacts' });
    // Devices changing different settings at the same moment each keep their change (no read, merge, write).
    for (let round = 0; round < 5; round += 1) {
      const changes = [{ groupAddsBy: 'nobody' as const }, { discoverable: true }, { sharedApps: 'all' as const }, { activityVisibleTo: 'nobody' as const }];
      await Promise.all(changes.map((change) => privacy.changeSettings(me.id, change, 7)));
      expect(await privacy.settings(me.id)).toEqual({ activityVisibleTo: 'nobody', sharedApps: 'all', discoverable: true, groupAddsBy: 'nobody' });
      await privacy.changeSettings(me.id, { activityVisibleTo: 'allowlist', sharedApps: ['slack'], discoverable: false, groupAddsBy: 'contacts' }, 5);
    }
    expect(await privacy.changeSettings(bob.id, { groupAddsBy: 'contacts' }, 8)).toEqual({ activityVisibleTo: 'contacts', sharedApps: 'all', discoverable: true, groupAddsBy: 'contacts' });
    await privacy.addToList('blocklist', me.id, bob.id, 6);
    await privacy.addToList('blocklist', me.id, bob.id, 7);
    await privacy.addToList('allowlist', bob.id, me.id, 8);
    expect(await privacy.list('blocklist', me.id)).toEqual([{ userId: bob.id, since: 6 }]);
    expect(await privacy.blockedByAmong(bob.id, [me.id])).toEqual([me.id]);
    expect([await privacy.blockBetween(me.id, bob.id), await privacy.blockBetween(bob.id, me.id)]).toEqual([true, true]);
    expect(await privacy.listedAmong('blocklist', me.id, [bob.id])).toEqual([bob.id]);
    expect(await privacy.whoListed('allowlist', me.id)).toEqual([bob.id]);
    expect(await privacy.removeFromList('blocklist', me.id, bob.id)).toBe(true);
    expect(await privacy.blockBetween(bob.id, me.id)).toBe(false);
    expect(await privacy.removeFromList('blocklist', me.id, bob.id)).toBe(false);
  });
});
