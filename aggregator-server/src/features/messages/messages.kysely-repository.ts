import { sql, type Kysely, type Selectable } from 'kysely';
import { messageBody } from '#common/contract/messages.js';
import type { Database, MessagesTable, ConversationsTable } from '../../db/schema.js';
import type { Storage, StorageOptions } from '../../db/database.js';
import { directKey } from './messages.kysely-hot-path.js';
import type { DirectOpenings } from './messages.openings.js';
import { PostgresCursorWriter } from './messages.postgres-cursors.js';
import { PostgresDirectOpenings } from './messages.postgres-openings.js';
import { PostgresSendWriter } from './messages.postgres-sends.js';
import { SqliteMessageWriter } from './messages.sqlite-hot-path.js';
import type {
  AttachmentRecord,
  ConversationRecord,
  CursorKind,
  DirectAppend,
  DirectAppendResult,
  MemberRecord,
  MessagePosition,
  MessageRecord,
  MessagesRepository,
  NewMessage,
} from './messages.repository.js';

/** Thrown inside the append transaction to roll back the sequence bump of a repeated clientId. */
class RepeatedClientId extends Error {}

function toMessage(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    ...(row.sender_device_id === null ? {} : { senderDeviceId: row.sender_device_id }),
    clientId: row.client_id,
    body: messageBody.parse(JSON.parse(row.body)),
    route: row.route === 'delivered' ? 'delivered' : 'stored',
    sms: row.sms === 1,
    sentAt: Number(row.sent_at),
  };
}

function toConversation(row: Selectable<ConversationsTable>): ConversationRecord {
  return {
    id: row.id,
    kind: row.kind === 'group' ? 'group' : 'direct',
    title: row.title,
    lastSeq: Number(row.last_seq),
    lastActivityAt: Number(row.last_activity_at),
  };
}

export class KyselyMessagesRepository implements MessagesRepository {
  private readonly db: Kysely<Database>;
  private readonly kind: StorageOptions['kind'];
  /** The send and the acknowledgement, each database's own way (see their files). */
  private readonly hotPath:
    | { kind: 'sqlite'; writer: SqliteMessageWriter }
    | { kind: 'postgres'; sends: PostgresSendWriter; cursors: PostgresCursorWriter };
  /**
   * PostgreSQL: the first text to a person in two round trips. SQLite has none: there a statement costs
   * no round trip, and the checks one by one stay as they are.
   */
  readonly openings: DirectOpenings | undefined;

  constructor(storage: Pick<Storage, 'db' | 'kind' | 'sqlite'>) {
    this.db = storage.db;
    this.kind = storage.kind;
    if (storage.kind === 'sqlite') {
      if (!storage.sqlite) throw new Error('the embedded database is opened without its handle');
      this.hotPath = { kind: 'sqlite', writer: new SqliteMessageWriter(storage.db, storage.sqlite) };
      this.openings = undefined;
    } else {
      this.hotPath = { kind: 'postgres', sends: new PostgresSendWriter(storage.db), cursors: new PostgresCursorWriter(storage.db) };
      this.openings = new PostgresDirectOpenings(storage.db);
    }
  }

  appendDirect(append: DirectAppend): Promise<DirectAppendResult> {
    return this.hotPath.kind === 'sqlite' ? this.hotPath.writer.appendDirect(append) : this.hotPath.sends.append(append);
  }

  advanceMemberCursor(kind: CursorKind, userId: string, deviceId: string, conversationId: string, upTo: number): Promise<{ now: number; others: string[] } | undefined> {
    const cursor = { kind, userId, deviceId, conversationId, upTo };
    return this.hotPath.kind === 'sqlite' ? this.hotPath.writer.advanceMemberCursor(cursor) : this.hotPath.cursors.move(cursor);
  }

  async findMessageByClientId(senderId: string, clientId: string): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('sender_id', '=', senderId).where('client_id', '=', clientId).executeTakeFirst();
    return row && toMessage(row);
  }

  async appendMessage(message: NewMessage): Promise<{ message: MessageRecord; created: boolean }> {
    try {
      const seq = await this.db.transaction().execute(async (trx) => {
        // The row lock of this update orders concurrent senders of one conversation (PostgreSQL);
        // SQLite runs one write transaction at a time.
        const bumped = await trx
          .updateTable('conversations')
          .set((eb) => ({ last_seq: eb('last_seq', '+', 1), last_activity_at: message.sentAt }))
          .where('id', '=', message.conversationId)
          .returning('last_seq')
          .executeTakeFirstOrThrow();
        const inserted = await trx
          .insertInto('messages')
          .values({
            id: message.id,
            conversation_id: message.conversationId,
            seq: bumped.last_seq,
            sender_id: message.senderId,
            sender_device_id: message.senderDeviceId ?? null,
            client_id: message.clientId,
            body: JSON.stringify(message.body),
            route: message.route,
            sms: message.sms ? 1 : 0,
            sent_at: message.sentAt,
          })
          .onConflict((oc) => oc.columns(['sender_id', 'client_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) throw new RepeatedClientId();
        if ('attachmentId' in message.body) {
          await trx.insertInto('message_attachments').values({ attachment_id: message.body.attachmentId, conversation_id: message.conversationId, seq: bumped.last_seq }).execute();
        }
        return Number(bumped.last_seq);
      });
      return { message: { ...message, seq }, created: true };
    } catch (error) {
      if (!(error instanceof RepeatedClientId)) throw error;
      const first = await this.findMessageByClientId(message.senderId, message.clientId);
      if (!first) throw new Error('a repeated clientId names no stored message', { cause: error });
      return { message: first, created: false };
    }
  }

  async findOrCreateDirect(id: string, userIds: [string, string], now: number): Promise<ConversationRecord> {
    const key = directKey(userIds);
    const existing = await this.db.selectFrom('conversations').selectAll().where('direct_key', '=', key).executeTakeFirst();
    if (existing) return toConversation(existing);
    const created = this.kind === 'postgres' ? await this.createDirectInOneStatement(id, key, userIds, now) : await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('conversations')
        .values({ id, kind: 'direct', title: null, direct_key: key, last_seq: 0, last_activity_at: now, created_at: now })
        .onConflict((oc) => oc.column('direct_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      await trx
        .insertInto('conversation_members')
        .values(userIds.map((userId) => ({ conversation_id: id, user_id: userId, joined_seq: 0, left_seq: null })))
        .execute();
      return true;
    });
    if (created) return { id, kind: 'direct', title: null, lastSeq: 0, lastActivityAt: now };
    // Someone else made it meanwhile (the other person's first message): theirs is the one.
    const row = await this.db.selectFrom('conversations').selectAll().where('direct_key', '=', key).executeTakeFirstOrThrow();
    return toConversation(row);
  }

  /** PostgreSQL: the conversation and its two members in one statement (one round trip, one commit). */
  private async createDirectInOneStatement(id: string, key: string, userIds: [string, string], now: number): Promise<boolean> {
    const [first, second] = userIds;
    const { rows } = await sql<{ id: string }>`
      with created as (
        insert into conversations (id, kind, title, direct_key, last_seq, last_activity_at, created_at)
        values (${id}, 'direct', null, ${key}, 0, ${now}::bigint, ${now}::bigint)
        on conflict (direct_key) do nothing
        returning id
      ), members as (
        insert into conversation_members (conversation_id, user_id, joined_seq, left_seq)
        select created.id, member.user_id, 0, null from created cross join (values (${first}), (${second})) as member (user_id)
      )
      select id from created`.execute(this.db);
    return rows.length > 0;
  }

  async createGroup(id: string, title: string, userIds: string[], now: number): Promise<ConversationRecord> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('conversations').values({ id, kind: 'group', title, direct_key: null, last_seq: 0, last_activity_at: now, created_at: now }).execute();
      await trx
        .insertInto('conversation_members')
        .values(userIds.map((userId) => ({ conversation_id: id, user_id: userId, joined_seq: 0, left_seq: null })))
        .execute();
    });
    return { id, kind: 'group', title, lastSeq: 0, lastActivityAt: now };
  }

  async renameGroup(id: string, title: string): Promise<void> {
    await this.db.updateTable('conversations').set({ title }).where('id', '=', id).execute();
  }

  async findConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = await this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toConversation(row);
  }

  async conversationsOf(userId: string): Promise<ConversationRecord[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .innerJoin('conversation_members as cm', 'cm.conversation_id', 'conversations.id')
      .selectAll('conversations')
      .where('cm.user_id', '=', userId)
      .where('cm.left_seq', 'is', null)
      .orderBy('conversations.last_activity_at', 'desc')
      .limit(500)
      .execute();
    return rows.map(toConversation);
  }

  async activeMembers(conversationId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('conversation_members')
      .select('user_id')
      .where('conversation_id', '=', conversationId)
      .where('left_seq', 'is', null)
      .execute();
    return rows.map((row) => row.user_id);
  }

  async membership(conversationId: string, userId: string): Promise<MemberRecord | undefined> {
    const row = await this.db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && { conversationId, userId, joinedSeq: Number(row.joined_seq), leftSeq: row.left_seq === null ? null : Number(row.left_seq) };
  }

  async addMember(conversationId: string, userId: string, limit: number): Promise<'added' | 'full'> {
    return this.db.transaction().execute(async (trx) => {
      // The conversation row's lock orders parallel adds (PostgreSQL; SQLite runs one write transaction at
      // a time), so the count below is still true at the insert, and so is the join point.
      let locked = trx.selectFrom('conversations').select('last_seq').where('id', '=', conversationId);
      if (this.kind === 'postgres') locked = locked.forUpdate();
      const { last_seq: lastSeq } = await locked.executeTakeFirstOrThrow();
      const { n } = await trx
        .selectFrom('conversation_members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('conversation_id', '=', conversationId)
        .where('left_seq', 'is', null)
        .where('user_id', '!=', userId)
        .executeTakeFirstOrThrow();
      if (Number(n) >= limit) return 'full';
      await trx
        .insertInto('conversation_members')
        .values({ conversation_id: conversationId, user_id: userId, joined_seq: lastSeq, left_seq: null })
        .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ joined_seq: lastSeq, left_seq: null }).where('conversation_members.left_seq', 'is not', null))
        .execute();
      return 'added';
    });
  }

  async removeMember(conversationId: string, userId: string): Promise<boolean> {
    // The removal point is read in the same statement, so a message appended concurrently is either
    // inside the member's window (seq <= left_seq) or outside it, never half.
    const result = await this.db
      .updateTable('conversation_members')
      .set({ left_seq: sql<number>`(select last_seq from conversations where id = ${conversationId})` })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .where('left_seq', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async history(member: MemberRecord, beforeSeq: number | undefined, limit: number): Promise<MessageRecord[]> {
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', member.conversationId)
      .where('seq', '>', member.joinedSeq);
    if (member.leftSeq !== null) query = query.where('seq', '<=', member.leftSeq);
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(toMessage);
  }

  async lastMessage(conversationId: string): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row && toMessage(row);
  }

  async undelivered(userId: string, deviceId: string, after: MessagePosition | undefined, limit: number, withoutOwn: boolean): Promise<MessageRecord[]> {
    let query = this.db
      .selectFrom('messages as m')
      .innerJoin('conversation_members as cm', (join) => join.onRef('cm.conversation_id', '=', 'm.conversation_id').on('cm.user_id', '=', userId))
      .leftJoin('message_cursors as c', (join) =>
        join.onRef('c.conversation_id', '=', 'm.conversation_id').on('c.user_id', '=', userId).on('c.device_id', '=', deviceId),
      )
      .selectAll('m')
      .where('m.seq', '>', sql<number>`coalesce(c.delivered_seq, 0)`)
      .whereRef('m.seq', '>', 'cm.joined_seq')
      .where((eb) => eb.or([eb('cm.left_seq', 'is', null), eb('m.seq', '<=', eb.ref('cm.left_seq'))]));
    if (withoutOwn) query = query.where((eb) => eb.or([eb('m.sender_device_id', 'is', null), eb('m.sender_device_id', '<>', deviceId), eb('m.sender_id', '<>', userId)]));
    if (after) {
      query = query.where((eb) =>
        eb.or([eb('m.conversation_id', '>', after.conversationId), eb.and([eb('m.conversation_id', '=', after.conversationId), eb('m.seq', '>', after.seq)])]),
      );
    }
    const rows = await query.orderBy('m.conversation_id').orderBy('m.seq').limit(limit).execute();
    return rows.map(toMessage);
  }

  async readUpTo(userId: string, conversationIds: string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('message_cursors')
      .select(['conversation_id', (eb) => eb.fn.max('read_seq').as('read')])
      .where('user_id', '=', userId)
      .where('conversation_id', 'in', conversationIds)
      .groupBy('conversation_id')
      .execute();
    return new Map(rows.map((row) => [row.conversation_id, Number(row.read)]));
  }

  async othersProgress(userId: string, conversationIds: string[]): Promise<Map<string, Record<string, { delivered: number; read: number }>>> {
    const progress = new Map<string, Record<string, { delivered: number; read: number }>>();
    if (conversationIds.length === 0) return progress;
    const rows = await this.db
      .selectFrom('message_cursors')
      .select(['conversation_id', 'user_id', (eb) => eb.fn.max('delivered_seq').as('delivered'), (eb) => eb.fn.max('read_seq').as('read')])
      .where('conversation_id', 'in', conversationIds)
      .where('user_id', '!=', userId)
      .groupBy(['conversation_id', 'user_id'])
      .execute();
    for (const row of rows) {
      const members = progress.get(row.conversation_id) ?? {};
      members[row.user_id] = { delivered: Number(row.delivered), read: Number(row.read) };
      progress.set(row.conversation_id, members);
    }
    return progress;
  }

  async addAttachment(attachment: AttachmentRecord): Promise<void> {
    await this.db
      .insertInto('attachments')
      .values({
        id: attachment.id,
        uploader_id: attachment.uploaderId,
        content_type: attachment.contentType,
        size: attachment.size,
        sha256: attachment.sha256,
        file_name: attachment.fileName,
        created_at: attachment.createdAt,
      })
      .execute();
  }

  async findAttachment(id: string): Promise<AttachmentRecord | undefined> {
    const row = await this.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        uploaderId: row.uploader_id,
        contentType: row.content_type,
        size: Number(row.size),
        sha256: row.sha256,
        fileName: row.file_name,
        createdAt: Number(row.created_at),
      }
    );
  }

  async attachmentVisibleTo(attachmentId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('message_attachments as ma')
      .innerJoin('conversation_members as cm', (join) => join.onRef('cm.conversation_id', '=', 'ma.conversation_id').on('cm.user_id', '=', userId))
      .select('ma.attachment_id')
      .where('ma.attachment_id', '=', attachmentId)
      .whereRef('ma.seq', '>', 'cm.joined_seq')
      .where((eb) => eb.or([eb('cm.left_seq', 'is', null), eb('ma.seq', '<=', eb.ref('cm.left_seq'))]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async purgeSentBefore(cutoff: number): Promise<number> {
    const result = await this.db.deleteFrom('messages').where('sent_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteAttachmentsOf(uploaderId: string): Promise<string[]> {
    const rows = await this.db.deleteFrom('attachments').where('uploader_id', '=', uploaderId).returning('id').execute();
    return rows.map((row) => row.id);
  }

  async deleteAttachmentUnlessSent(uploaderId: string, attachmentId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('attachments')
      .where('id', '=', attachmentId)
      .where('uploader_id', '=', uploaderId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('message_attachments').select('attachment_id').where('attachment_id', '=', attachmentId))))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteDirectConversationsOf(userId: string): Promise<void> {
    // A direct key is the two user ids, sorted, joined by ':'.
    await this.db
      .deleteFrom('conversations')
      .where('kind', '=', 'direct')
      .where((eb) => eb.or([eb('direct_key', 'like', `${userId}:%`), eb('direct_key', 'like', `%:${userId}`)]))
      .execute();
  }
}
