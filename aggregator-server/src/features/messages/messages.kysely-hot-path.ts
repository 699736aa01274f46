import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { DirectAppend, DirectAppendResult } from './messages.repository.js';

/**
 * The send's rules as SQL, shared by both databases' writers: the block list and the number's owner are
 * read in the statement that writes, so a block or a number change committed before the send is always
 * seen, on any node, with no cache to keep in step.
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

/** PostgreSQL's send (SQLite's is `SqliteMessageWriter`): one statement, one round trip. */
export async function appendDirect(db: Kysely<Database>, append: DirectAppend): Promise<DirectAppendResult> {
  const m = append.message;
  const body = JSON.stringify(m.body);
  const sms = m.sms ? 1 : 0;
  try {
    // The row lock of the update orders senders of one conversation, and a repeated clientId fails the
    // insert, which undoes the sequence bump with it (no gap).
    const { rows } = await sql<{ seq: number; sender_phone: string | null }>`
      with bumped as (
        update conversations set last_seq = last_seq + 1, last_activity_at = ${m.sentAt}
        where ${directConditions(append)}
        returning last_seq
      ), inserted as (
        insert into messages (id, conversation_id, seq, sender_id, sender_device_id, client_id, body, route, sms, sent_at)
        select ${m.id}, ${m.conversationId}, last_seq, ${m.senderId}, ${m.senderDeviceId ?? null}, ${m.clientId}, ${body}, ${m.route}, ${sms}::integer, ${m.sentAt}::bigint from bumped
        returning seq
      )
      select seq, (select phone from user_phones where user_id = ${m.senderId} and is_primary = 1) as sender_phone from inserted`.execute(db);
    const row = rows[0];
    return row ? { kind: 'stored', message: { ...m, seq: Number(row.seq) }, senderPhone: row.sender_phone ?? '' } : { kind: 'refused' };
  } catch (error) {
    if (isUniqueViolation(error)) return { kind: 'repeated' };
    throw error;
  }
}
