import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { StorageOptions } from '../../db/database.js';
import type { CursorKind, DirectAppend, DirectAppendResult } from './messages.repository.js';

/**
 * The two statements every message costs (the send, and each device's acknowledgement), each one
 * round trip to PostgreSQL. They read the block list and the number's owner in the same statement that
 * writes, so a block or a number change committed before the send is always seen, on any node, with no
 * cache to keep in step.
 */

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // 23505: PostgreSQL unique_violation; SQLite reports constraint failures by code name.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function directKey(userIds: [string, string]): string {
  return [...userIds].sort().join(':');
}

/** What must hold for the message to be stored, as one SQL condition on the conversation row. */
function directConditions(append: DirectAppend): RawBuilder<unknown> {
  const { senderId: sender, conversationId } = append.message;
  const receiver = append.receiverId;
  const unblocked = sql`not exists (select 1 from blocks where (user_id = ${sender} and blocked_user_id = ${receiver}) or (user_id = ${receiver} and blocked_user_id = ${sender}))`;
  const numberHeld = append.receiverPhone === undefined ? sql`1 = 1` : sql`exists (select 1 from user_phones where phone = ${append.receiverPhone} and user_id = ${receiver})`;
  return sql`id = ${conversationId} and direct_key = ${directKey([sender, receiver])} and ${unblocked} and ${numberHeld}`;
}

export async function appendDirect(db: Kysely<Database>, kind: StorageOptions['kind'], append: DirectAppend): Promise<DirectAppendResult> {
  const m = append.message;
  const body = JSON.stringify(m.body);
  const sms = m.sms ? 1 : 0;
  try {
    if (kind === 'postgres') {
      // One statement: the row lock of the update orders senders of one conversation, and a repeated
      // clientId fails the insert, which undoes the sequence bump with it (no gap).
      const { rows } = await sql<{ seq: number; sender_phone: string | null }>`
        with bumped as (
          update conversations set last_seq = last_seq + 1, last_activity_at = ${m.sentAt}
          where ${directConditions(append)}
          returning last_seq
        ), inserted as (
          insert into messages (id, conversation_id, seq, sender_id, client_id, body, route, sms, sent_at)
          select ${m.id}, ${m.conversationId}, last_seq, ${m.senderId}, ${m.clientId}, ${body}, ${m.route}, ${sms}::integer, ${m.sentAt}::bigint from bumped
          returning seq
        )
        select seq, (select phone from user_phones where user_id = ${m.senderId} and is_primary = 1) as sender_phone from inserted`.execute(db);
      const row = rows[0];
      return row ? { kind: 'stored', message: { ...m, seq: Number(row.seq) }, senderPhone: row.sender_phone ?? '' } : { kind: 'refused' };
    }
    // SQLite: the same steps in one transaction, which SQLite runs alone (no round trips to save).
    return await db.transaction().execute(async (trx): Promise<DirectAppendResult> => {
      const { rows } = await sql<{ last_seq: number }>`update conversations set last_seq = last_seq + 1, last_activity_at = ${m.sentAt} where ${directConditions(append)} returning last_seq`.execute(trx);
      const seq = rows[0]?.last_seq;
      if (seq === undefined) return { kind: 'refused' };
      await trx
        .insertInto('messages')
        .values({ id: m.id, conversation_id: m.conversationId, seq, sender_id: m.senderId, client_id: m.clientId, body, route: m.route, sms, sent_at: m.sentAt })
        .execute();
      const sender = await trx.selectFrom('user_phones').select('phone').where('user_id', '=', m.senderId).where('is_primary', '=', 1).executeTakeFirst();
      return { kind: 'stored', message: { ...m, seq: Number(seq) }, senderPhone: sender?.phone ?? '' };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { kind: 'repeated' };
    throw error;
  }
}

/** The larger of a stored cursor and the new one, so a late or repeated acknowledgement never moves it back. */
function greater(column: 'delivered_seq' | 'read_seq') {
  return sql<number>`case when ${sql.ref(`message_cursors.${column}`)} > ${sql.ref(`excluded.${column}`)} then ${sql.ref(`message_cursors.${column}`)} else ${sql.ref(`excluded.${column}`)} end`;
}

export async function advanceMemberCursor(
  db: Kysely<Database>,
  kind: StorageOptions['kind'],
  cursor: { kind: CursorKind; userId: string; deviceId: string; conversationId: string; upTo: number },
): Promise<{ now: number; others: string[] } | undefined> {
  const { userId, deviceId, conversationId, upTo } = cursor;
  // Capped at the member's window: up to the removal point, or the last message handed out.
  const capped = sql<number>`case when ${upTo} < coalesce(cm.left_seq, c.last_seq) then ${upTo} else coalesce(cm.left_seq, c.last_seq) end`;
  const read = cursor.kind === 'read';
  const upsert = (executor: Kysely<Database>) =>
    executor
      .insertInto('message_cursors')
      .columns(['user_id', 'device_id', 'conversation_id', 'delivered_seq', 'read_seq'])
      .expression((eb) =>
        eb
          .selectFrom('conversation_members as cm')
          .innerJoin('conversations as c', 'c.id', 'cm.conversation_id')
          .select([eb.val(userId).as('user_id'), eb.val(deviceId).as('device_id'), eb.val(conversationId).as('conversation_id'), capped.as('delivered_seq'), (read ? capped : sql<number>`0`).as('read_seq')])
          .where('cm.conversation_id', '=', conversationId)
          .where('cm.user_id', '=', userId),
      )
      .onConflict((oc) =>
        oc.columns(['user_id', 'device_id', 'conversation_id']).doUpdateSet(read ? { delivered_seq: greater('delivered_seq'), read_seq: greater('read_seq') } : { delivered_seq: greater('delivered_seq') }),
      )
      .returning(['delivered_seq', 'read_seq']);
  const othersQuery = (executor: Kysely<Database>) =>
    executor.selectFrom('conversation_members').select('user_id').where('conversation_id', '=', conversationId).where('left_seq', 'is', null).where('user_id', '!=', userId);
  const answer = (row: { delivered_seq: number; read_seq: number } | undefined, others: string[]) =>
    row && { now: Number(read ? row.read_seq : row.delivered_seq), others };
  if (kind === 'postgres') {
    // One round trip: the upsert and the list of who hears of it.
    const others = sql<string[]>`(select coalesce(array_agg(user_id), '{}') from conversation_members where conversation_id = ${conversationId} and left_seq is null and user_id <> ${userId})`;
    const row = await db.with('moved', () => upsert(db)).selectFrom('moved').select(['delivered_seq', 'read_seq', others.as('others')]).executeTakeFirst();
    return answer(row, row?.others ?? []);
  }
  return db.transaction().execute(async (trx) => {
    const row = await upsert(trx).executeTakeFirst();
    return answer(row, row ? (await othersQuery(trx).execute()).map((r) => r.user_id) : []);
  });
}
