import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * PostgreSQL only: the first texts of senders to people, once each receiver is known, in one call for
 * all that arrive during one round trip (`open_direct_batch`): one round trip and one commit. Before, a
 * first text took a block check, a look-up and an insert of the conversation (a commit of its own),
 * then the send.
 *
 * Per item, with the rules of those steps: nothing at all is made while either person blocks the other
 * or the number is no longer the receiver's; the pair's conversation is made, or found when it exists
 * (also when the other person's first message made it a moment ago, in a transaction this one waited
 * for on the unique direct key); then the sequence is bumped under the same conditions, read again in
 * the statement that writes, and the message stored at that sequence. A refused item has no row and
 * leaves nothing behind (a conversation it made goes with it). A repeated clientId fails the call, as
 * in `append_direct_batch`, and the caller sends the items again one by one. Items run in the order
 * given: the caller orders them by direct key, so two calls lock the pairs' keys and rows in the same
 * order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create function direct_send_allowed(sender_id text, receiver_id text, receiver_phone text) returns boolean
    language sql stable as $$
      select not exists (select 1 from blocks b
                         where (b.user_id = sender_id and b.blocked_user_id = receiver_id)
                            or (b.user_id = receiver_id and b.blocked_user_id = sender_id))
         and (receiver_phone is null
              or exists (select 1 from user_phones p where p.phone = receiver_phone and p.user_id = receiver_id))
    $$`.execute(db);
  await sql`
    create function open_direct_batch(
      ids text[], new_conversation_ids text[], direct_keys text[], sender_ids text[], receiver_ids text[], receiver_phones text[],
      sender_device_ids text[], client_ids text[], bodies text[], routes text[], sms integer[], sent_ats bigint[]
    ) returns table (item integer, conversation_id text, seq integer, sender_phone text)
    language plpgsql as $$
    declare
      conversation text;
      made boolean;
      bumped integer;
    begin
      for i in 1 .. coalesce(array_length(ids, 1), 0) loop
        continue when not direct_send_allowed(sender_ids[i], receiver_ids[i], receiver_phones[i]);
        insert into conversations as c (id, kind, title, direct_key, last_seq, last_activity_at, created_at)
          values (new_conversation_ids[i], 'direct', null, direct_keys[i], 0, sent_ats[i], sent_ats[i])
          on conflict (direct_key) do nothing
          returning c.id into conversation;
        made := found;
        if not made then
          select c.id into conversation from conversations c where c.direct_key = direct_keys[i];
        else
          insert into conversation_members (conversation_id, user_id, joined_seq, left_seq)
            values (conversation, sender_ids[i], 0, null), (conversation, receiver_ids[i], 0, null);
        end if;
        update conversations c set last_seq = c.last_seq + 1, last_activity_at = sent_ats[i]
          where c.id = conversation and direct_send_allowed(sender_ids[i], receiver_ids[i], receiver_phones[i])
          returning c.last_seq into bumped;
        if bumped is null then
          -- Refused since the check above (a block, a number moved, perhaps while this waited for the other
          -- person's conversation), or the conversation went with an account: what this item made goes too.
          if made then
            delete from conversations c where c.id = conversation;
          end if;
          continue;
        end if;
        insert into messages (id, conversation_id, seq, sender_id, sender_device_id, client_id, body, route, sms, sent_at)
          values (ids[i], conversation, bumped, sender_ids[i], sender_device_ids[i], client_ids[i], bodies[i], routes[i], sms[i], sent_ats[i]);
        item := i;
        conversation_id := conversation;
        seq := bumped;
        select p.phone into sender_phone from user_phones p where p.user_id = sender_ids[i] and p.is_primary = 1;
        return next;
      end loop;
    end
    $$`.execute(db);
}
