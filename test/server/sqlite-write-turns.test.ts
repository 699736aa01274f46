import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '#server/db/database.js';
import { WriteTurns } from '#server/db/sqlite-write-turns.js';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { KyselyMessagesRepository } from '#server/features/messages/messages.kysely-repository.js';
import type { DirectAppend } from '#server/features/messages/messages.repository.js';
import { tempDir } from '../support/test-server.js';

describe('write turns', () => {
  it('are given in the order asked, each once, however often it is ended', async () => {
    const turns = new WriteTurns();
    const order: string[] = [];
    const first = await turns.take();
    const second = turns.take().then((end) => (order.push('second'), end));
    const third = turns.take().then((end) => (order.push('third'), end));
    first();
    first();
    const endSecond = await second;
    expect(order).toEqual(['second']);
    endSecond();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    // Free again: taken at once.
    (await turns.take())();
  });
});

/**
 * The embedded database has two writers: the server's connection and the message writer's thread. They
 * take turns in the process instead of meeting on SQLite's lock, which would sleep the server's thread.
 */
describe('the embedded database with its message writer on a thread', () => {
  let storage: Storage;
  let messages: KyselyMessagesRepository;
  let identity: KyselyIdentityRepository;
  let phones = 0;

  beforeEach(async () => {
    storage = await openStorage({ kind: 'sqlite', file: path.join(tempDir(), 'turns.sqlite') });
    messages = new KyselyMessagesRepository(storage);
    identity = new KyselyIdentityRepository(storage.db, (phone) => `h:${phone}`, storage.kind);
  });
  afterEach(async () => {
    await storage?.close();
  });

  const user = async () => (await identity.createUser({ id: randomUUID(), phone: `+861390014${String(1000 + ++phones)}`, now: 1 })).id;
  const append = (senderId: string, receiverId: string, conversationId: string): DirectAppend => ({
    message: { id: randomUUID(), conversationId, senderId, clientId: randomUUID(), body: { text: 'hi' }, route: 'delivered', sms: false, sentAt: 5 },
    receiverId,
  });

  it("never meets the server's own writes on SQLite's lock, so neither waits on it nor fails", async () => {
    const [a, b] = [await user(), await user()];
    const { id: conversationId } = await messages.findOrCreateDirect(randomUUID(), [a, b], 1);
    const others = await Promise.all(Array.from({ length: 40 }, () => user()));
    // Without a busy timeout a collision fails at once ("database is locked") instead of sleeping the thread.
    storage.sqlite?.pragma('busy_timeout = 0');
    // The writer's thread started, so that the batches below run at once.
    await messages.appendDirect(append(a, b, conversationId));
    const sends: Promise<unknown>[] = [];
    const writes: Promise<unknown>[] = [];
    for (let round = 0; round < 4; round++) {
      // A batch big enough to keep the writer's thread in its transaction while the writes below are asked.
      for (let n = 0; n < 3000; n++) sends.push(messages.appendDirect(append(a, b, conversationId)));
      await new Promise((resolve) => setTimeout(resolve, 2));
      for (let n = 0; n < 10; n++) {
        const other = others[round * 10 + n] ?? a;
        // Someone else blocks a: the sends between a and b still go.
        const write = storage.db.insertInto('blocks').values({ user_id: other, blocked_user_id: a, created_at: round }).execute();
        const transaction = storage.db.transaction().execute(async (trx) => {
          await trx.selectFrom('conversations').select('last_seq').where('id', '=', conversationId).executeTakeFirst();
          await trx.updateTable('users').set({ updated_at: round }).where('id', '=', other).execute();
        });
        writes.push(write, transaction);
        await Promise.allSettled([write, transaction]);
      }
    }
    const [sent, written] = await Promise.all([Promise.allSettled(sends), Promise.allSettled(writes)]);
    expect(sent.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(written.filter((result) => result.status === 'rejected')).toEqual([]);
    expect((await messages.findConversation(conversationId))?.lastSeq).toBe(12_001);
  });

  it("has the server's connection wait for its turn to write, but not to read", async () => {
    const [a, b] = [await user(), await user()];
    const { id: conversationId } = await messages.findOrCreateDirect(randomUUID(), [a, b], 1);
    const turns = storage.writeTurns;
    if (!turns) throw new Error('the embedded database has write turns');
    // Held as the message writer holds it while a batch is on its thread.
    const endTurn = await turns.take();
    expect((await messages.findConversation(conversationId))?.lastSeq).toBe(0);
    // Kysely runs one statement at a time on the connection: these wait, and whatever is asked after them.
    let written = false;
    const writing = storage.db
      .updateTable('users')
      .set({ updated_at: 7 })
      .where('id', '=', a)
      .execute()
      .then(() => (written = true));
    let transacted = false;
    const transaction = storage.db
      .transaction()
      .execute(async (trx) => trx.updateTable('users').set({ updated_at: 8 }).where('id', '=', b).execute())
      .then(() => (transacted = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([written, transacted]).toEqual([false, false]);
    endTurn();
    await Promise.all([writing, transaction]);
    expect([written, transacted]).toEqual([true, true]);
  });

  it("has sends wait for the end of a transaction of the server's connection", async () => {
    const [a, b] = [await user(), await user()];
    const { id: conversationId } = await messages.findOrCreateDirect(randomUUID(), [a, b], 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const inside = new Promise<void>((resolve) => (opened = resolve));
    const transaction = storage.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ updated_at: 9 }).where('id', '=', a).execute();
      opened();
      await held;
    });
    await inside;
    let stored = false;
    const sending = messages.appendDirect(append(a, b, conversationId)).then((result) => ((stored = true), result));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stored).toBe(false);
    release();
    await transaction;
    expect(await sending).toMatchObject({ kind: 'stored', message: { seq: 1 } });
  });

  it('finishes the sends it holds when the storage closes, and refuses new ones with a reason', async () => {
    const [a, b] = [await user(), await user()];
    const { id: conversationId } = await messages.findOrCreateDirect(randomUUID(), [a, b], 1);
    const sends = Array.from({ length: 50 }, () => messages.appendDirect(append(a, b, conversationId)));
    const closing = storage.close();
    await expect(messages.appendDirect(append(a, b, conversationId))).rejects.toThrow('shutting down');
    await closing;
    const results = await Promise.all(sends);
    expect(results.map((result) => (result.kind === 'stored' ? result.message.seq : 0)).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
    storage = await openStorage({ kind: 'sqlite', file: storage.sqlite?.name ?? '' });
    expect(await storage.db.selectFrom('messages').select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirst()).toEqual({ count: 50 });
  });
});
