import type { Kysely } from 'kysely';

/**
 * Interworking (M28): the outside addresses each user allows, the conversations with them (a direct
 * conversation of one member, whose other party lives on another network), what of those conversations
 * went out and what still owes its sender a receipt, and the lease of the one node that holds the
 * component connection when no Redis is shared.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outside_contacts')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    // The merged presence the network last reported (null: never heard of).
    .addColumn('presence_status', 'text')
    .addColumn('presence_text', 'text')
    .addColumn('presence_at', 'bigint')
    .addPrimaryKeyConstraint('outside_contacts_pk', ['user_id', 'address'])
    .execute();
  await db.schema.createIndex('outside_contacts_address').on('outside_contacts').column('address').execute();

  await db.schema
    .createTable('outside_conversations')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    // Every message up to this sequence was handed to the XMPP server (or came from it).
    .addColumn('sent_seq', 'integer', (c) => c.notNull())
    // The highest sequence any device of the user acknowledged: receipts owed up to here go out.
    .addColumn('delivered_seq', 'integer', (c) => c.notNull())
    // The highest sequence the user read, and up to where the other side was told so (XEP-0333).
    .addColumn('read_seq', 'integer', (c) => c.notNull())
    .addColumn('displayed_seq', 'integer', (c) => c.notNull())
    .addUniqueConstraint('outside_conversations_party', ['user_id', 'address'])
    .execute();

  await db.schema
    .createTable('outside_inbound')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    // The stanza's id, which a delivery receipt (XEP-0184) names, and the full address to answer.
    .addColumn('stanza_id', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text', (c) => c.notNull())
    // 0 while a receipt is owed; 1 once sent, or when none was asked for.
    .addColumn('receipt_sent', 'integer', (c) => c.notNull())
    // Whether the sender wants to hear when it was read (XEP-0333 markable).
    .addColumn('markable', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('outside_inbound_pk', ['conversation_id', 'seq'])
    .execute();

  await db.schema
    .createTable('outside_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['outside_leases', 'outside_inbound', 'outside_conversations', 'outside_contacts']) await db.schema.dropTable(table).execute();
}
