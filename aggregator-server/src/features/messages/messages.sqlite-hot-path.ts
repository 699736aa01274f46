import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { CursorKind, DirectAppend, DirectAppendResult } from './messages.repository.js';
import { directKey, isUniqueViolation } from './messages.kysely-hot-path.js';

/** `alone`: one statement, which SQLite undoes by itself when it fails, so it needs no savepoint. */
type Waiting = { work: () => unknown; alone: boolean; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * The embedded database's side of the statements every message costs (the send, and each device's
 * acknowledgement: one statement, which also answers whom the receipt goes to), the same rules as the
 * PostgreSQL statements beside them.
 *
 * Group commit: a commit costs SQLite more than the statements it ends (the pages go to the WAL file
 * each time), so whatever arrives in one turn of the event loop shares one transaction, each item in a
 * savepoint of its own so that one failing undoes only itself. Nobody is answered before the commit.
 * The statements are prepared once and run on better-sqlite3 directly: building them through Kysely
 * each time cost more than running them. They run while holding Kysely's one connection, so they never
 * land inside a Kysely transaction that is waiting between two of its statements.
 */
export class SqliteMessageWriter {
  private queue: Waiting[] = [];
  private readonly inSavepoint: (work: () => unknown) => unknown;
  private readonly inTransaction: (batch: Waiting[]) => { ok: boolean; value: unknown }[];
  private readonly statements: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SqliteDatabase.Database,
  ) {
    this.statements = prepare(sqlite);
    this.inSavepoint = sqlite.transaction((work: () => unknown) => work());
    this.inTransaction = sqlite.transaction((batch: Waiting[]) =>
      batch.map((item) => {
        try {
          return { ok: true, value: item.alone ? item.work() : this.inSavepoint(item.work) };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
  }

  appendDirect(append: DirectAppend): Promise<DirectAppendResult> {
    const m = append.message;
    const s = this.statements;
    return this.submit((): DirectAppendResult => {
      const conditions = [m.sentAt, m.conversationId, directKey([m.senderId, append.receiverId]), m.senderId, append.receiverId, append.receiverId, m.senderId];
      // The sender's number comes back with the sequence (its parameter is the last, in the returning clause).
      const bumped = (
        append.receiverPhone === undefined ? s.bump.get([...conditions, m.senderId]) : s.bumpIfNumberHeld.get([...conditions, append.receiverPhone, append.receiverId, m.senderId])
      ) as { last_seq: number; sender_phone: string | null } | undefined;
      if (bumped === undefined) return { kind: 'refused' };
      const seq = Number(bumped.last_seq);
      try {
        s.insertMessage.run([m.id, m.conversationId, seq, m.senderId, m.senderDeviceId ?? null, m.clientId, JSON.stringify(m.body), m.route, m.sms ? 1 : 0, m.sentAt]);
      } catch (error) {
        // Thrown on: the savepoint undoes the sequence bump with it, so a repeat leaves no gap.
        if (isUniqueViolation(error)) throw new RepeatedSend();
        throw error;
      }
      return { kind: 'stored', message: { ...m, seq }, senderPhone: bumped.sender_phone ?? '' };
    }).catch((error: unknown) => {
      if (error instanceof RepeatedSend) return { kind: 'repeated' };
      throw error;
    });
  }

  advanceMemberCursor(cursor: { kind: CursorKind; userId: string; deviceId: string; conversationId: string; upTo: number }): Promise<{ now: number; others: string[] } | undefined> {
    const { userId, deviceId, conversationId, upTo } = cursor;
    const read = cursor.kind === 'read';
    const s = this.statements;
    return this.submit(() => {
      const row = (
        read ? s.moveRead.get([userId, deviceId, conversationId, upTo, upTo, conversationId, userId, conversationId, userId]) : s.moveDelivered.get([userId, deviceId, conversationId, upTo, conversationId, userId, conversationId, userId])
      ) as { delivered_seq: number; read_seq: number; others: string | null } | undefined;
      if (row === undefined) return undefined;
      return { now: Number(read ? row.read_seq : row.delivered_seq), others: row.others === null ? [] : row.others.split(',') };
    }, true);
  }

  private submit<T>(work: () => T, alone = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, alone, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    let batch: Waiting[] = [];
    try {
      await this.db.connection().execute(async () => {
        // Taken once the connection is ours: what arrived while waiting for it goes in the same commit.
        batch = this.queue;
        this.queue = [];
        const results = this.inTransaction(batch);
        results.forEach((result, index) => (result.ok ? batch[index]?.resolve(result.value) : batch[index]?.reject(result.value)));
      });
    } catch (error) {
      // The commit itself failed (a full disk): nothing of the batch is stored, and everyone hears so.
      for (const item of batch) item.reject(error);
      for (const item of this.queue.splice(0)) item.reject(error);
    }
  }
}

class RepeatedSend extends Error {}

function prepare(sqlite: SqliteDatabase.Database) {
  const bump = `update conversations set last_seq = last_seq + 1, last_activity_at = ?
    where id = ? and direct_key = ?
      and not exists (select 1 from blocks where (user_id = ? and blocked_user_id = ?) or (user_id = ? and blocked_user_id = ?))`;
  const returning = 'returning last_seq, (select phone from user_phones where user_id = ? and is_primary = 1) as sender_phone';
  // The acknowledged position, capped at the member's window (up to a removal, or the last message handed out).
  const capped = 'min(?, coalesce(cm.left_seq, c.last_seq))';
  // Whom the receipt goes to, in the same statement (user ids are UUIDs: a comma never occurs in one).
  const othersNow = "(select group_concat(user_id, ',') from conversation_members where conversation_id = ? and left_seq is null and user_id <> ?)";
  const move = (read: boolean) =>
    sqlite.prepare(`insert into message_cursors (user_id, device_id, conversation_id, delivered_seq, read_seq)
      select ?, ?, ?, ${capped}, ${read ? capped : '0'}
      from conversation_members cm join conversations c on c.id = cm.conversation_id
      where cm.conversation_id = ? and cm.user_id = ?
      on conflict (user_id, device_id, conversation_id) do update set
        delivered_seq = max(message_cursors.delivered_seq, excluded.delivered_seq)
        ${read ? ', read_seq = max(message_cursors.read_seq, excluded.read_seq)' : ''}
      returning delivered_seq, read_seq, ${othersNow} as others`);
  return {
    bump: sqlite.prepare(`${bump} ${returning}`),
    bumpIfNumberHeld: sqlite.prepare(`${bump} and exists (select 1 from user_phones where phone = ? and user_id = ?) ${returning}`),
    insertMessage: sqlite.prepare(
      'insert into messages (id, conversation_id, seq, sender_id, sender_device_id, client_id, body, route, sms, sent_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    moveDelivered: move(false),
    moveRead: move(true),
  };
}
