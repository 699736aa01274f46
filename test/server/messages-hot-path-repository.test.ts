import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '#server/db/database.js';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { KyselyMessagesRepository } from '#server/features/messages/messages.kysely-repository.js';
import type { DirectAppend } from '#server/features/messages/messages.repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();

/**
 * The send and acknowledgement statements, on both databases: on SQLite they share one commit per turn
 * of the event loop (group commit), so these run many at once to put several in one batch.
 */
describe.each(backends)('the message hot path on $name', (backend) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let messages: KyselyMessagesRepository;
  let identity: KyselyIdentityRepository;
  let phones = 0;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    const opened = await backend.open();
    storage = opened.storage;
    dispose = opened.dispose;
    messages = new KyselyMessagesRepository(storage);
    identity = new KyselyIdentityRepository(storage.db, (phone) => `h:${phone}`, storage.kind);
  });
  afterEach(async () => {
    await dispose?.();
  });

  const user = async () => {
    const phone = `+861390013${String(7000 + ++phones)}`;
    return { id: (await identity.createUser({ id: randomUUID(), phone, now: 1 })).id, phone };
  };
  const pair = async () => {
    const [a, b] = [await user(), await user()];
    const conversation = await messages.findOrCreateDirect(randomUUID(), [a.id, b.id], 1);
    return { a, b, conversationId: conversation.id };
  };
  const append = (from: { id: string }, to: { id: string; phone?: string }, conversationId: string, clientId = randomUUID()): DirectAppend => ({
    message: { id: randomUUID(), conversationId, senderId: from.id, clientId, body: { text: 'hi' }, route: 'delivered', sms: false, sentAt: 5 },
    receiverId: to.id,
    ...(to.phone ? { receiverPhone: to.phone } : {}),
  });

  it('makes one direct conversation of two people, however many first messages race for it', async () => {
    const [a, b] = [await user(), await user()];
    const made = await Promise.all(Array.from({ length: 12 }, (_, n) => messages.findOrCreateDirect(randomUUID(), n % 2 === 0 ? [a.id, b.id] : [b.id, a.id], 1)));
    expect(new Set(made.map((conversation) => conversation.id)).size).toBe(1);
    expect(made[0]).toMatchObject({ kind: 'direct', title: null, lastSeq: 0 });
    expect((await messages.activeMembers(made[0]!.id)).sort()).toEqual([a.id, b.id].sort());
    expect(await messages.conversationsOf(a.id)).toHaveLength(1);
  });

  it('numbers many sends at once without a gap, and a repeated clientId among them stores nothing', async () => {
    const { a, b, conversationId } = await pair();
    const repeated = randomUUID();
    const first = await messages.appendDirect(append(a, b, conversationId, repeated));
    expect(first).toMatchObject({ kind: 'stored', message: { seq: 1 }, senderPhone: a.phone });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, n) => (n === 30 ? append(a, b, conversationId, repeated) : n % 2 === 0 ? append(a, b, conversationId) : append(b, a, conversationId))).map((item) =>
        messages.appendDirect(item),
      ),
    );
    expect(results.filter((result) => result.kind === 'repeated')).toHaveLength(1);
    const seqs = results.flatMap((result) => (result.kind === 'stored' ? [result.message.seq] : [])).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 59 }, (_, n) => n + 2));
    expect((await messages.findConversation(conversationId))?.lastSeq).toBe(60);
    expect(await messages.findMessageByClientId(a.id, repeated)).toMatchObject({ seq: 1 });
  });

  it('keeps each conversation in the order of sending when many conversations share one batch', async () => {
    const pairs = await Promise.all(Array.from({ length: 6 }, () => pair()));
    const sends = Array.from({ length: 10 }, (_, round) => pairs.map(({ a, b, conversationId }) => append(round % 2 === 0 ? a : b, round % 2 === 0 ? b : a, conversationId)));
    // All in one turn, so each database's writer takes them as one batch (PostgreSQL sorts it by conversation).
    const results = await Promise.all(sends.flat().map((item) => messages.appendDirect(item)));
    results.forEach((result, index) => {
      const round = Math.floor(index / pairs.length);
      expect(result).toMatchObject({ kind: 'stored', message: { seq: round + 1, clientId: sends.flat()[index]!.message.clientId } });
      const sender = round % 2 === 0 ? pairs[index % pairs.length]!.a : pairs[index % pairs.length]!.b;
      expect(result.kind === 'stored' && result.senderPhone).toBe(sender.phone);
    });
    for (const { conversationId } of pairs) expect((await messages.findConversation(conversationId))?.lastSeq).toBe(10);
  });

  it('refuses a send after a block either way, or to a number that moved, and stores nothing', async () => {
    const { a, b, conversationId } = await pair();
    const other = await pair();
    await storage.db.insertInto('blocks').values({ user_id: b.id, blocked_user_id: a.id, created_at: 2 }).execute();
    // The refused sends share a batch with an allowed one, which still goes through.
    const [blocked, allowed] = await Promise.all([messages.appendDirect(append(a, b, conversationId)), messages.appendDirect(append(other.a, other.b, other.conversationId))]);
    expect(blocked).toEqual({ kind: 'refused' });
    expect(allowed).toMatchObject({ kind: 'stored', message: { seq: 1 } });
    expect(await messages.appendDirect(append(b, a, conversationId))).toEqual({ kind: 'refused' });

    // A number that is not (or no longer) the receiver's.
    expect(await messages.appendDirect(append(other.a, { id: other.b.id, phone: a.phone }, other.conversationId))).toEqual({ kind: 'refused' });
    // Addressed by user, not by the old number, the conversation still carries.
    expect(await messages.appendDirect(append(other.a, { id: other.b.id }, other.conversationId))).toMatchObject({ kind: 'stored', message: { seq: 2 } });
    expect((await messages.findConversation(conversationId))?.lastSeq).toBe(0);
  });

  it('moves cursors forward only, up to the last message, and names who hears of it', async () => {
    const { a, b, conversationId } = await pair();
    for (let n = 0; n < 5; n += 1) await messages.appendDirect(append(a, b, conversationId));
    const moves = await Promise.all([3, 1, 5, 2, 9].map((upTo) => messages.advanceMemberCursor('delivered', b.id, 'phone', conversationId, upTo)));
    expect(moves.every((move) => move?.others.join() === a.id)).toBe(true);
    expect(await messages.advanceMemberCursor('delivered', b.id, 'phone', conversationId, 1)).toEqual({ now: 5, others: [a.id] });
    expect(await messages.advanceMemberCursor('read', b.id, 'phone', conversationId, 2)).toEqual({ now: 2, others: [a.id] });
    expect(await messages.advanceMemberCursor('read', b.id, 'phone', conversationId, 1)).toEqual({ now: 2, others: [a.id] });
    // Not a member: nothing moves.
    const stranger = await user();
    expect(await messages.advanceMemberCursor('delivered', stranger.id, 'phone', conversationId, 3)).toBeUndefined();
  });

  it('adds members in parallel only up to the limit, counting a re-added member once', async () => {
    const [owner, first] = [await user(), await user()];
    const group = await messages.createGroup(randomUUID(), 'crowd', [owner.id, first.id], 1);
    const candidates = await Promise.all(Array.from({ length: 10 }, () => user()));
    // A limit of 5 leaves room for three of the ten.
    const outcomes = await Promise.all(candidates.map((candidate) => messages.addMember(group.id, candidate.id, 5)));
    expect(outcomes.filter((outcome) => outcome === 'added')).toHaveLength(3);
    expect(await messages.activeMembers(group.id)).toHaveLength(5);
    // Someone already in is no new member; someone removed may come back while there is room.
    expect(await messages.addMember(group.id, first.id, 5)).toBe('added');
    expect(await messages.removeMember(group.id, first.id)).toBe(true);
    expect(await messages.addMember(group.id, first.id, 5)).toBe('added');
    expect(await messages.activeMembers(group.id)).toHaveLength(5);
  });

  it('never lands inside a transaction of the rest of the server that later rolls back', async () => {
    const { a, b, conversationId } = await pair();
    const someone = await user();
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const rolledBack = storage.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('blocks').values({ user_id: a.id, blocked_user_id: someone.id, created_at: 3 }).execute();
        inside();
        await held;
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    await opened;
    const sending = messages.appendDirect(append(a, b, conversationId));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await rolledBack).toBe('roll back');
    expect(await sending).toMatchObject({ kind: 'stored', message: { seq: 1 } });
    expect((await messages.findConversation(conversationId))?.lastSeq).toBe(1);
    expect(await storage.db.selectFrom('blocks').selectAll().where('user_id', '=', a.id).execute()).toEqual([]);
  });
});
