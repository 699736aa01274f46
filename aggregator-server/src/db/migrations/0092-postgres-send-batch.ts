import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * PostgreSQL only: the sends that reach one node in one turn are stored by one call of this function,
 * one round trip and one commit for all of them, with the same rules as the single send statement
 * (`appendDirect`): the conversation's sequence bumped only while neither person blocks the other and the
 * number is still the receiver's, the message stored at that sequence, the sender's number answered.
 * Items run in the order given, so one conversation's messages keep their order. A repeated clientId
 * makes the insert fail, which fails the whole call: the caller then stores the items one by one (the
 * single statement tells a repeat from a new send), so nothing is lost and no sequence is skipped.
 * SQLite needs no function: its writer runs the same statements in process (`SqliteMessageWriter`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create function append_direct_batch(
      ids text[], conversation_ids text[], direct_keys text[], sender_ids text[], receiver_ids text[], receiver_phones text[],
      sender_device_ids text[], client_ids text[], bodies text[], routes text[], sms integer[], sent_ats bigint[]
    ) returns table (item integer, seq integer, sender_phone text)
    language plpgsql as $$
    declare
      bumped integer;
    begin
      for i in 1 .. coalesce(array_length(ids, 1), 0) loop
        update conversations c set last_seq = c.last_seq + 1, last_activity_at = sent_ats[i]
          where c.id = conversation_ids[i] and c.direct_key = direct_keys[i]
            and not exists (select 1 from blocks b
                            where (b.user_id = sender_ids[i] and b.blocked_user_id = receiver_ids[i])
                               or (b.user_id = receiver_ids[i] and b.blocked_user_id = sender_ids[i]))
            and (receiver_phones[i] is null
                 or exists (select 1 from user_phones p where p.phone = receiver_phones[i] and p.user_id = receiver_ids[i]))
          returning c.last_seq into bumped;
        -- Refused (blocked, number moved, conversation gone): no row for this item, nothing stored.
        continue when bumped is null;
        insert into messages (id, conversation_id, seq, sender_id, sender_device_id, client_id, body, route, sms, sent_at)
          values (ids[i], conversation_ids[i], bumped, sender_ids[i], sender_device_ids[i], client_ids[i], bodies[i], routes[i], sms[i], sent_ats[i]);
        item := i;
        seq := bumped;
        select p.phone into sender_phone from user_phones p where p.user_id = sender_ids[i] and p.is_primary = 1;
        return next;
      end loop;
    end
    $$`.execute(db);
}
