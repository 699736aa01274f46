import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '#server/db/database.js';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { KyselyInterworkingRepository } from '#server/features/interworking/interworking.kysely-repository.js';
import { KyselyMessagesRepository } from '#server/features/messages/messages.kysely-repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();
const alice = 'xmpp:alice@example.org';

describe.each(backends)('interworking repository on $name', (backend) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let repo: KyselyInterworkingRepository;
  let messages: KyselyMessagesRepository;
  let userId = '';

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    const opened = await backend.open();
    storage = opened.storage;
    dispose = opened.dispose;
    repo = new KyselyInterworkingRepository(storage.db);
    messages = new KyselyMessagesRepository(storage);
    const identity = new KyselyIdentityRepository(storage.db, (phone) => `h:${phone}`, storage.kind);
    userId = (await identity.createUser({ id: randomUUID(), phone: '+8613800138000', now: 1 })).id;
  });
  afterEach(async () => {
    await dispose?.();
  });

  const append = (conversationId: string, clientId: string, seqText: string) =>
    messages.appendMessage({ id: randomUUID(), conversationId, senderId: userId, clientId, body: { text: seqText }, route: 'delivered', sms: false, sentAt: 5 });

  it('keeps an allowlist per user, once per address, with the last presence heard', async () => {
    expect(await repo.allow(userId, alice, 'xmpp', 10)).toMatchObject({ created: true, contact: { address: alice, addedAt: 10, presence: undefined } });
    expect(await repo.allow(userId, alice, 'xmpp', 11)).toMatchObject({ created: false, contact: { addedAt: 10 } });
    expect(await repo.isAllowed(userId, alice)).toBe(true);
    expect(await repo.isAllowed(userId, 'xmpp:bob@example.org')).toBe(false);
    await repo.setPresence(userId, alice, { status: 'away', text: 'lunch', at: 12 });
    expect(await repo.contactsOf(userId)).toEqual([{ userId, address: alice, network: 'xmpp', addedAt: 10, presence: { status: 'away', text: 'lunch', at: 12 } }]);
    expect((await repo.allContacts(undefined, 10)).map((c) => c.address)).toEqual([alice]);
    expect(await repo.allContacts({ userId, address: alice }, 10)).toEqual([]);
    expect(await repo.disallow(userId, alice)).toBe(true);
    expect(await repo.disallow(userId, alice)).toBe(false);
    expect(await repo.isAllowed(userId, alice)).toBe(false);
  });

  it('makes one conversation of one member per address, even when asked twice at once', async () => {
    const [first, second] = await Promise.all([repo.conversationWith(randomUUID(), userId, alice, 'xmpp', 1), repo.conversationWith(randomUUID(), userId, alice, 'xmpp', 1)]);
    expect(first?.id).toBe(second?.id);
    const id = first?.id ?? '';
    expect(await messages.activeMembers(id)).toEqual([userId]);
    expect(await repo.conversation(id)).toEqual({ conversationId: id, userId, address: alice, network: 'xmpp', sentSeq: 0, deliveredSeq: 0, readSeq: 0, displayedSeq: 0 });
    expect((await repo.conversationOf(userId, alice))?.conversationId).toBe(id);
    expect(await repo.conversationOf(userId, 'xmpp:bob@example.org')).toBeUndefined();
  });

  it('finds what is still to go out, and the sent mark only moves forward', async () => {
    const { id } = await repo.conversationWith(randomUUID(), userId, alice, 'xmpp', 1);
    expect(await repo.unsent(10)).toEqual([]);
    await append(id, randomUUID(), 'one');
    await append(id, randomUUID(), 'two');
    expect(await repo.unsent(10)).toEqual([id]);
    await repo.advanceSent(id, 2);
    await repo.advanceSent(id, 1);
    expect((await repo.conversation(id))?.sentSeq).toBe(2);
    expect(await repo.unsent(10)).toEqual([]);
  });

  it('owes a receipt only once a device acknowledged the message, and only until it is sent', async () => {
    const { id } = await repo.conversationWith(randomUUID(), userId, alice, 'xmpp', 1);
    await append(id, `${alice}#a`, 'from alice');
    await append(id, `${alice}#b`, 'again from alice');
    const inbound = (seq: number) => ({ seq, stanzaId: `x${seq}`, replyTo: 'alice@example.org/phone', wantsReceipt: true, markable: false });
    await repo.recordInbound(id, inbound(1));
    await repo.recordInbound(id, inbound(1));
    await repo.recordInbound(id, inbound(2));
    expect(await repo.owedReceipts(id, 10)).toEqual([]);
    await repo.advanceDelivered(id, 1, false);
    expect(await repo.owedReceipts(id, 10)).toEqual([{ seq: 1, stanzaId: 'x1', replyTo: 'alice@example.org/phone' }]);
    expect(await repo.conversationsOwingReceipts(10)).toEqual([id]);
    await repo.markReceiptsSent(id, [1]);
    await repo.advanceDelivered(id, 2, false);
    await repo.advanceDelivered(id, 1, false);
    expect((await repo.owedReceipts(id, 10)).map((r) => r.seq)).toEqual([2]);
  });

  it('owes one displayed marker for the newest markable message read, which covers those before it', async () => {
    const { id } = await repo.conversationWith(randomUUID(), userId, alice, 'xmpp', 1);
    for (const seq of [1, 2, 3]) await append(id, `${alice}#${seq}`, `message ${seq}`);
    const inbound = (seq: number, markable: boolean) => ({ seq, stanzaId: `x${seq}`, replyTo: 'alice@example.org/phone', wantsReceipt: false, markable });
    await repo.recordInbound(id, inbound(1, true));
    await repo.recordInbound(id, inbound(2, true));
    await repo.recordInbound(id, inbound(3, false));
    // Delivered is not read; no receipt was asked for.
    await repo.advanceDelivered(id, 3, false);
    expect(await repo.owedReceipts(id, 10)).toEqual([]);
    expect(await repo.owedDisplayed(id)).toBeUndefined();
    expect(await repo.conversationsOwingReceipts(10)).toEqual([]);
    await repo.advanceDelivered(id, 3, true);
    expect(await repo.conversationsOwingReceipts(10)).toEqual([id]);
    expect(await repo.owedDisplayed(id)).toMatchObject({ seq: 2, stanzaId: 'x2' });
    await repo.markDisplayed(id, 2);
    expect(await repo.owedDisplayed(id)).toBeUndefined();
    expect(await repo.conversationsOwingReceipts(10)).toEqual([]);
  });

  it('gives the lease to one holder at a time until it runs out or is released', async () => {
    expect(await repo.holdLease('xmpp', 'node-a', 1000, 500)).toBe(true);
    expect(await repo.holdLease('xmpp', 'node-b', 1200, 500)).toBe(false);
    // Renewed by its holder, it lasts from the renewal.
    expect(await repo.holdLease('xmpp', 'node-a', 1400, 500)).toBe(true);
    expect(await repo.holdLease('xmpp', 'node-b', 1600, 500)).toBe(false);
    // Not renewed: it runs out and another node takes it.
    expect(await repo.holdLease('xmpp', 'node-b', 1901, 500)).toBe(true);
    expect(await repo.holdLease('xmpp', 'node-a', 1950, 500)).toBe(false);
    await repo.releaseLease('xmpp', 'node-a');
    expect(await repo.holdLease('xmpp', 'node-a', 1960, 500)).toBe(false);
    await repo.releaseLease('xmpp', 'node-b');
    expect(await repo.holdLease('xmpp', 'node-a', 1970, 500)).toBe(true);
  });

  it('forgets a deleted user: allowlist and conversations', async () => {
    await repo.allow(userId, alice, 'xmpp', 1);
    const { id } = await repo.conversationWith(randomUUID(), userId, alice, 'xmpp', 1);
    await messages.deleteDirectConversationsOf(userId);
    expect(await repo.conversation(id)).toBeUndefined();
    await repo.deleteUser(userId);
    expect(await repo.contactsOf(userId)).toEqual([]);
  });
});
