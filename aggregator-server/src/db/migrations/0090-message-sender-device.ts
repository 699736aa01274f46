import type { Kysely } from 'kysely';

/**
 * The device a message was sent from. That device has the message from the send's answer, so it is
 * never sent it again, live or in the replay after a reconnect; its acknowledgements count it as held.
 * Null for messages of no device (call logs, other networks) and for those stored before this column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('sender_device_id', 'text').execute();
}
