import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '#server/db/database.js';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { KyselyMessagesRepository } from '#server/features/messages/messages.kysely-repository.js';
import type { DirectOpenings } from '#server/features/messages/messages.openings.js';
import { PostgresDirectOpenings } from '#server/features/messages/messages.postgres-openings.js';
import type { DirectAppend } from '#server/features/messages/messages.repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const postgres = (await storageBackends()).find((backend) => backend.name === 'postgres');

type Person = { id: string; phone: string };

/**
 * The first text to a person on PostgreSQL (`DirectOpenings`: one look-up, then one statement that finds
 * or makes the conversation and stores the message). SQLite has no openings: it keeps the checks one by
 * one, which the same rules are tested through in messages.test.ts on both databases.
 */
describe.skipIf(!postgres?.available)('the first message of a conversation on PostgreSQL', () => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let messages: KyselyMessagesRepository;
  let openings: DirectOpenings;
  let identity: KyselyIdentityRepository;
  let phones = 0;

  beforeEach(async () => {
    const opened = await postgres!.open();
    storage = opened.storage;
    dispose = opened.dispose;
    messages = new KyselyMessagesRepository(storage);
    if (!messages.openings) throw new Error('PostgreSQL opens conversations in one statement');
    openings = messages.openings;
    identity = new KyselyIdentityRepository(storage.db, (phone) => `h:${phone}`, storage.kind);
  });
  afterEach(async () => {
    await dispose?.();
  });

  const user = async (): Promise<Person> => {
    const phone = `+861390014${String(7000 + ++phones)}`;
    return { id: (await identity.createUser({ id: randomUUID(), phone, now: 1 })).id, phone };
  };
  /** A first text from `from` to `to` by number, for a conversation made with a new id if there is none. */
  const opening = (from: Person, to: Person, clientId = randomUUID(), receiverPhone: string | undefined = to.phone): DirectAppend => ({
    message: { id: randomUUID(), conversationId: randomUUID(), senderId: from.id, clientId, body: { text: `from ${from.phone}` }, route: 'delivered', sms: false, sentAt: 5 },
    receiverId: to.id,
    ...(receiverPhone === undefined ? {} : { receiverPhone }),
  });
  const conversationsOf = (person: Person) => messages.conversationsOf(person.id);
  const waitingOnALock = async () => {
    const { rows } = await sql<{ waiting: number }>`select count(*)::integer as waiting from pg_stat_activity where wait_event_type = 'Lock' and query like '%open_direct_batch%'`.execute(storage.db);
    return (rows[0]?.waiting ?? 0) > 0;
  };
  const block = (blocker: Person, blocked: Person) => storage.db.insertInto('blocks').values({ user_id: blocker.id, blocked_user_id: blocked.id, created_at: 2 }).execute();

  it('looks up, in one read, whether a clientId was used and who a number or user id names', async () => {
    const [a, b] = [await user(), await user()];
    const clientId = randomUUID();
    expect(await openings.lookUp(a.id, clientId, { phone: b.phone })).toEqual({ repeated: false, receiverId: b.id });
    expect(await openings.lookUp(a.id, clientId, { userId: b.id })).toEqual({ repeated: false, receiverId: b.id });
    expect(await openings.lookUp(a.id, clientId, { phone: '+8613700137999' })).toEqual({ repeated: false });
    expect(await openings.lookUp(a.id, clientId, { userId: randomUUID() })).toEqual({ repeated: false });
    expect(await openings.open(opening(a, b, clientId))).toMatchObject({ kind: 'stored', message: { seq: 1 } });
    expect(await openings.lookUp(a.id, clientId, { phone: b.phone })).toEqual({ repeated: true, receiverId: b.id });
    // The clientId is the sender's: the same one from someone else is new.
    expect(await openings.lookUp(b.id, clientId, { phone: a.phone })).toEqual({ repeated: false, receiverId: a.id });
    // Many at once go as one read over arrays: each answer is its own.
    const c = await user();
    expect(
      await Promise.all([
        openings.lookUp(a.id, clientId, { userId: c.id }),
        openings.lookUp(b.id, clientId, { phone: '+8613700137999' }),
        openings.lookUp(a.id, randomUUID(), { phone: c.phone }),
        openings.lookUp(c.id, randomUUID(), { userId: randomUUID() }),
        openings.lookUp(c.id, clientId, { phone: a.phone }),
        openings.lookUp(a.id, clientId, { phone: b.phone }),
      ]),
    ).toEqual([
      { repeated: true, receiverId: c.id },
      { repeated: false },
      { repeated: false, receiverId: c.id },
      { repeated: false },
      { repeated: false, receiverId: a.id },
      { repeated: true, receiverId: b.id },
    ]);
  });

  it('makes the conversation with both people in it and stores the first message at 1, answering the sender\'s number', async () => {
    const [a, b] = [await user(), await user()];
    const first = opening(a, b);
    const opened = await openings.open(first);
    expect(opened).toMatchObject({ kind: 'stored', senderPhone: a.phone, message: { seq: 1, conversationId: first.message.conversationId, clientId: first.message.clientId } });
    expect((await messages.activeMembers(first.message.conversationId)).sort()).toEqual([a.id, b.id].sort());
    expect(await messages.findConversation(first.message.conversationId)).toMatchObject({ kind: 'direct', lastSeq: 1 });
    // The other person's first message finds it (the id offered for a new one goes unused).
    const reply = await openings.open(opening(b, a));
    expect(reply).toMatchObject({ kind: 'stored', message: { seq: 2, conversationId: first.message.conversationId } });
    expect(await conversationsOf(a)).toHaveLength(1);
  });

  it('lands first messages sent at once from both sides in one conversation, numbered without a gap, and answers a repeated clientId among them as a repeat', async () => {
    const pairs = await Promise.all(Array.from({ length: 5 }, async () => [await user(), await user()] as const));
    const repeatedClientId = randomUUID();
    const [x, y] = pairs[0]!;
    const sends = pairs.flatMap(([a, b]) => [opening(a, b), opening(b, a), opening(a, b), opening(b, a)]);
    sends.push(opening(x, y, repeatedClientId), opening(x, y, repeatedClientId));
    // All in one turn: one batch, which the repeat fails as a whole, so the rest go again one by one.
    const inOneBatch = await Promise.all(sends.map((send) => openings.open(send)));
    // And from both sides at once as if from two nodes: separate transactions that race for each pair's key.
    const [nodeA, nodeB] = [new PostgresDirectOpenings(storage.db), new PostgresDirectOpenings(storage.db)];
    const racing = await Promise.all(pairs.flatMap(([a, b]) => [nodeA.open(opening(a, b)), nodeB.open(opening(b, a))]));
    expect(inOneBatch.filter((result) => result.kind === 'repeated')).toHaveLength(1);
    expect(inOneBatch.filter((result) => result.kind === 'refused')).toHaveLength(0);
    for (const [a, b] of pairs) {
      const [conversation, ...others] = await conversationsOf(a);
      expect(others).toEqual([]);
      expect((await conversationsOf(b)).map((c) => c.id)).toEqual([conversation!.id]);
      const stored = [...inOneBatch, ...racing].flatMap((result) => (result.kind === 'stored' && [a.id, b.id].includes(result.message.senderId) ? [result.message] : []));
      expect(new Set(stored.map((message) => message.conversationId))).toEqual(new Set([conversation!.id]));
      const expected = a === x ? 7 : 6;
      expect(stored.map((message) => message.seq).sort((m, n) => m - n)).toEqual(Array.from({ length: expected }, (_, n) => n + 1));
      expect(conversation!.lastSeq).toBe(expected);
    }
    const first = inOneBatch.find((result) => result.kind === 'stored' && result.message.clientId === repeatedClientId);
    expect(first?.kind === 'stored' && first.message.id).toBe((await messages.findMessageByClientId(x.id, repeatedClientId))?.id);
  });

  it('refuses, leaving nothing, a first message after a block either way or to a number that is no longer the receiver\'s, added after the look-up', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const looked = await openings.lookUp(a.id, randomUUID(), { phone: b.phone });
    expect(looked.receiverId).toBe(b.id);
    await block(b, a);
    expect(await openings.open(opening(a, b))).toEqual({ kind: 'refused' });
    expect(await openings.open(opening(b, a))).toEqual({ kind: 'refused' });
    expect(await conversationsOf(a)).toEqual([]);
    expect(await conversationsOf(b)).toEqual([]);

    // c's number went to someone else after c was looked up by it.
    expect(await openings.open(opening(a, c, randomUUID(), b.phone))).toEqual({ kind: 'refused' });
    expect(await conversationsOf(c)).toEqual([]);
    expect(await storage.db.selectFrom('messages').select('id').execute()).toEqual([]);
  });

  it('refuses a first message when a block lands while it waits for the other person\'s conversation, and leaves no conversation of its own', async () => {
    const [a, b] = [await user(), await user()];
    // The other person's first message, still open: its conversation holds the pair's key.
    let inside!: () => void;
    const holding = new Promise<void>((resolve) => (inside = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const theirs = storage.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('conversations').values({ id: randomUUID(), kind: 'direct', title: null, direct_key: [a.id, b.id].sort().join(':'), last_seq: 0, last_activity_at: 1, created_at: 1 }).execute();
        inside();
        await released;
        throw new Error('their send failed');
      })
      .catch((error: Error) => error.message);
    await holding;
    const mine = openings.open(opening(a, b));
    // Blocked while the opening waits on the key (it passed the first check before it began to wait).
    for (let waited = 0; !(await waitingOnALock()); waited += 20) {
      if (waited > 10_000) throw new Error('the opening never waited for the other conversation');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await block(a, b);
    release();
    expect(await theirs).toBe('their send failed');
    expect(await mine).toEqual({ kind: 'refused' });
    expect(await conversationsOf(a)).toEqual([]);
    expect(await conversationsOf(b)).toEqual([]);
  });
});
