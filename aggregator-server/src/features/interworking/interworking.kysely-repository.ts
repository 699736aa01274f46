import type { Kysely, Selectable } from 'kysely';
import { outsideNetworks, outsideStatuses, type OutsideNetwork, type OutsideStatus } from '#common/contract/interworking.js';
import type { Database, OutsideContactsTable, OutsideConversationsTable } from '../../db/schema.js';
import type { ConversationRecord } from '../messages/messages.repository.js';
import type { InboundRecord, InterworkingRepository, OutsideContactRecord, OutsideConversationRecord, OwedReceipt, PresenceUpdate } from './interworking.repository.js';

/** XMPP is the only outside network so far; a row of another would be read as one once it exists. */
const network = (value: string): OutsideNetwork => outsideNetworks.find((known) => known === value) ?? 'xmpp';
const isStatus = (value: string | null): value is OutsideStatus => outsideStatuses.some((status) => status === value);

function toContact(row: Selectable<OutsideContactsTable>): OutsideContactRecord {
  return {
    userId: row.user_id,
    address: row.address,
    network: network(row.network),
    addedAt: Number(row.added_at),
    presence: isStatus(row.presence_status) && row.presence_at !== null ? { status: row.presence_status, text: row.presence_text ?? '', at: Number(row.presence_at) } : undefined,
  };
}

function toConversation(row: Selectable<OutsideConversationsTable>): OutsideConversationRecord {
  return {
    conversationId: row.conversation_id,
    userId: row.user_id,
    address: row.address,
    network: network(row.network),
    sentSeq: Number(row.sent_seq),
    deliveredSeq: Number(row.delivered_seq),
    readSeq: Number(row.read_seq),
    displayedSeq: Number(row.displayed_seq),
  };
}

/** The conversation's key among direct conversations: the user, then the address (account deletion finds it by the user). */
const directKey = (userId: string, address: string) => `${userId}:${address}`;

export class KyselyInterworkingRepository implements InterworkingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async allow(userId: string, address: string, net: OutsideNetwork, now: number): Promise<{ contact: OutsideContactRecord; created: boolean }> {
    const inserted = await this.db
      .insertInto('outside_contacts')
      .values({ user_id: userId, address, network: net, added_at: now, presence_status: null, presence_text: null, presence_at: null })
      .onConflict((oc) => oc.columns(['user_id', 'address']).doNothing())
      .returning('address')
      .executeTakeFirst();
    const row = await this.db.selectFrom('outside_contacts').selectAll().where('user_id', '=', userId).where('address', '=', address).executeTakeFirstOrThrow();
    return { contact: toContact(row), created: inserted !== undefined };
  }

  async disallow(userId: string, address: string): Promise<boolean> {
    const result = await this.db.deleteFrom('outside_contacts').where('user_id', '=', userId).where('address', '=', address).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async contactsOf(userId: string): Promise<OutsideContactRecord[]> {
    const rows = await this.db.selectFrom('outside_contacts').selectAll().where('user_id', '=', userId).orderBy('added_at', 'desc').orderBy('address').limit(1000).execute();
    return rows.map(toContact);
  }

  async isAllowed(userId: string, address: string): Promise<boolean> {
    const row = await this.db.selectFrom('outside_contacts').select('address').where('user_id', '=', userId).where('address', '=', address).executeTakeFirst();
    return row !== undefined;
  }

  async allContacts(after: { userId: string; address: string } | undefined, limit: number): Promise<OutsideContactRecord[]> {
    let query = this.db.selectFrom('outside_contacts').selectAll();
    if (after) {
      query = query.where((eb) => eb.or([eb('user_id', '>', after.userId), eb.and([eb('user_id', '=', after.userId), eb('address', '>', after.address)])]));
    }
    const rows = await query.orderBy('user_id').orderBy('address').limit(limit).execute();
    return rows.map(toContact);
  }

  async setPresence(userId: string, address: string, presence: PresenceUpdate): Promise<void> {
    await this.db
      .updateTable('outside_contacts')
      .set({ presence_status: presence.status, presence_text: presence.text, presence_at: presence.at })
      .where('user_id', '=', userId)
      .where('address', '=', address)
      .execute();
  }

  async conversationWith(newId: string, userId: string, address: string, net: OutsideNetwork, now: number): Promise<ConversationRecord> {
    const key = directKey(userId, address);
    const find = () => this.db.selectFrom('conversations').selectAll().where('direct_key', '=', key).executeTakeFirst();
    let row = await find();
    if (!row) {
      await this.db.transaction().execute(async (trx) => {
        const created = await trx
          .insertInto('conversations')
          .values({ id: newId, kind: 'direct', title: null, direct_key: key, last_seq: 0, last_activity_at: now, created_at: now })
          .onConflict((oc) => oc.column('direct_key').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!created) return;
        await trx.insertInto('conversation_members').values({ conversation_id: newId, user_id: userId, joined_seq: 0, left_seq: null }).execute();
        await trx
          .insertInto('outside_conversations')
          .values({ conversation_id: newId, user_id: userId, address, network: net, sent_seq: 0, delivered_seq: 0, read_seq: 0, displayed_seq: 0 })
          .execute();
      });
      row = await find();
    }
    if (!row) throw new Error('an outside conversation was neither found nor made');
    return { id: row.id, kind: 'direct', title: null, lastSeq: Number(row.last_seq), lastActivityAt: Number(row.last_activity_at) };
  }

  async conversation(conversationId: string): Promise<OutsideConversationRecord | undefined> {
    const row = await this.db.selectFrom('outside_conversations').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
    return row && toConversation(row);
  }

  async conversationOf(userId: string, address: string): Promise<OutsideConversationRecord | undefined> {
    const row = await this.db.selectFrom('outside_conversations').selectAll().where('user_id', '=', userId).where('address', '=', address).executeTakeFirst();
    return row && toConversation(row);
  }

  async unsent(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('outside_conversations as oc')
      .innerJoin('conversations as c', 'c.id', 'oc.conversation_id')
      .select('oc.conversation_id')
      .whereRef('c.last_seq', '>', 'oc.sent_seq')
      .limit(limit)
      .execute();
    return rows.map((row) => row.conversation_id);
  }

  async advanceSent(conversationId: string, seq: number): Promise<void> {
    await this.db.updateTable('outside_conversations').set({ sent_seq: seq }).where('conversation_id', '=', conversationId).where('sent_seq', '<', seq).execute();
  }

  async advanceDelivered(conversationId: string, seq: number, read: boolean): Promise<void> {
    await this.db.updateTable('outside_conversations').set({ delivered_seq: seq }).where('conversation_id', '=', conversationId).where('delivered_seq', '<', seq).execute();
    if (read) await this.db.updateTable('outside_conversations').set({ read_seq: seq }).where('conversation_id', '=', conversationId).where('read_seq', '<', seq).execute();
  }

  async recordInbound(conversationId: string, inbound: InboundRecord): Promise<void> {
    await this.db
      .insertInto('outside_inbound')
      .values({
        conversation_id: conversationId,
        seq: inbound.seq,
        stanza_id: inbound.stanzaId,
        reply_to: inbound.replyTo,
        receipt_sent: inbound.wantsReceipt ? 0 : 1,
        markable: inbound.markable ? 1 : 0,
      })
      .onConflict((oc) => oc.columns(['conversation_id', 'seq']).doNothing())
      .execute();
  }

  async owedReceipts(conversationId: string, limit: number): Promise<OwedReceipt[]> {
    const rows = await this.db
      .selectFrom('outside_inbound as i')
      .innerJoin('outside_conversations as oc', 'oc.conversation_id', 'i.conversation_id')
      .select(['i.seq', 'i.stanza_id', 'i.reply_to'])
      .where('i.conversation_id', '=', conversationId)
      .where('i.receipt_sent', '=', 0)
      .whereRef('i.seq', '<=', 'oc.delivered_seq')
      .orderBy('i.seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), stanzaId: row.stanza_id, replyTo: row.reply_to }));
  }

  async conversationsOwingReceipts(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('outside_inbound as i')
      .innerJoin('outside_conversations as oc', 'oc.conversation_id', 'i.conversation_id')
      .select('i.conversation_id')
      .distinct()
      .where((eb) =>
        eb.or([
          eb.and([eb('i.receipt_sent', '=', 0), eb('i.seq', '<=', eb.ref('oc.delivered_seq'))]),
          eb.and([eb('i.markable', '=', 1), eb('i.seq', '<=', eb.ref('oc.read_seq')), eb('i.seq', '>', eb.ref('oc.displayed_seq'))]),
        ]),
      )
      .limit(limit)
      .execute();
    return rows.map((row) => row.conversation_id);
  }

  async owedDisplayed(conversationId: string): Promise<OwedReceipt | undefined> {
    const row = await this.db
      .selectFrom('outside_inbound as i')
      .innerJoin('outside_conversations as oc', 'oc.conversation_id', 'i.conversation_id')
      .select(['i.seq', 'i.stanza_id', 'i.reply_to'])
      .where('i.conversation_id', '=', conversationId)
      .where('i.markable', '=', 1)
      .whereRef('i.seq', '<=', 'oc.read_seq')
      .whereRef('i.seq', '>', 'oc.displayed_seq')
      .orderBy('i.seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { seq: Number(row.seq), stanzaId: row.stanza_id, replyTo: row.reply_to };
  }

  async markDisplayed(conversationId: string, seq: number): Promise<void> {
    await this.db.updateTable('outside_conversations').set({ displayed_seq: seq }).where('conversation_id', '=', conversationId).where('displayed_seq', '<', seq).execute();
  }

  async markReceiptsSent(conversationId: string, seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db.updateTable('outside_inbound').set({ receipt_sent: 1 }).where('conversation_id', '=', conversationId).where('seq', 'in', seqs).execute();
  }

  async deleteUser(userId: string): Promise<void> {
    // The conversations themselves go with the user's direct conversations (their key starts with the user id).
    await this.db.deleteFrom('outside_conversations').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('outside_contacts').where('user_id', '=', userId).execute();
  }

  async holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    await this.db
      .insertInto('outside_leases')
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: now + ttlMs })
          .where((eb) => eb.or([eb('outside_leases.holder', '=', holder), eb('outside_leases.expires_at', '<', now)])),
      )
      .execute();
    const row = await this.db.selectFrom('outside_leases').select('holder').where('name', '=', name).executeTakeFirst();
    return row?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('outside_leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}

