// @ts-check
// The embedded database's message writer, on a thread of its own (see messages.sqlite-hot-path.ts for
// why). Plain JavaScript: a worker thread runs without the TypeScript loader the server may run under.
// It holds its own connection to the server's file; every batch it is given is one transaction, each
// item in a savepoint of its own, and the answers go back in the batch's order once it is committed.
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {typeof import('better-sqlite3')} */
const Database = require(workerData.driver);

/** @typedef {[kind: 'append', id: string, conversationId: string, directKey: string, senderId: string, receiverId: string, receiverPhone: string | null, senderDeviceId: string | null, clientId: string, body: string, route: string, sms: number, sentAt: number]} AppendItem */
/** @typedef {[kind: 'delivered' | 'read', userId: string, deviceId: string, conversationId: string, upTo: number]} CursorItem */
/** @typedef {['stored', seq: number, senderPhone: string] | ['refused'] | ['repeated'] | ['moved', now: number, others: string[]] | ['no_conversation'] | ['failed', message: string, code: string]} Answer */

const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = NORMAL');

const bump = `update conversations set last_seq = last_seq + 1, last_activity_at = ?
  where id = ? and direct_key = ?
    and not exists (select 1 from blocks where (user_id = ? and blocked_user_id = ?) or (user_id = ? and blocked_user_id = ?))`;
// The acknowledged position, capped at the member's window (up to a removal, or the last message handed out).
const capped = 'min(?, coalesce(cm.left_seq, c.last_seq))';
/** @param {boolean} read */
const move = (read) =>
  db.prepare(`insert into message_cursors (user_id, device_id, conversation_id, delivered_seq, read_seq)
    select ?, ?, ?, ${capped}, ${read ? capped : '0'}
    from conversation_members cm join conversations c on c.id = cm.conversation_id
    where cm.conversation_id = ? and cm.user_id = ?
    on conflict (user_id, device_id, conversation_id) do update set
      delivered_seq = max(message_cursors.delivered_seq, excluded.delivered_seq)
      ${read ? ', read_seq = max(message_cursors.read_seq, excluded.read_seq)' : ''}
    returning delivered_seq, read_seq`);
const statements = {
  bump: db.prepare(`${bump} returning last_seq`),
  bumpIfNumberHeld: db.prepare(`${bump} and exists (select 1 from user_phones where phone = ? and user_id = ?) returning last_seq`),
  insertMessage: db.prepare(
    'insert into messages (id, conversation_id, seq, sender_id, sender_device_id, client_id, body, route, sms, sent_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  senderPhone: db.prepare('select phone from user_phones where user_id = ? and is_primary = 1').pluck(),
  moveDelivered: move(false),
  moveRead: move(true),
  otherMembers: db.prepare('select user_id from conversation_members where conversation_id = ? and left_seq is null and user_id <> ?').pluck(),
};

class RepeatedSend extends Error {}

/**
 * The send: the sequence bump checks, in the statement, that neither blocked the other and that a number
 * used is still the receiver's; a refused bump stores nothing. A repeated clientId throws, so the
 * savepoint takes the bump back with it and the sequence has no gap.
 * @param {AppendItem} item
 * @returns {Answer}
 */
function append(item) {
  const [, id, conversationId, directKey, senderId, receiverId, receiverPhone, senderDeviceId, clientId, body, route, sms, sentAt] = item;
  const conditions = [sentAt, conversationId, directKey, senderId, receiverId, receiverId, senderId];
  const bumped = /** @type {{ last_seq: number } | undefined} */ (
    receiverPhone === null ? statements.bump.get(conditions) : statements.bumpIfNumberHeld.get([...conditions, receiverPhone, receiverId])
  );
  if (bumped === undefined) return ['refused'];
  const seq = Number(bumped.last_seq);
  try {
    statements.insertMessage.run([id, conversationId, seq, senderId, senderDeviceId, clientId, body, route, sms, sentAt]);
  } catch (error) {
    const code = /** @type {{ code?: unknown }} */ (error).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new RepeatedSend();
    throw error;
  }
  const phone = /** @type {string | undefined} */ (statements.senderPhone.get([senderId]));
  return ['stored', seq, phone ?? ''];
}

/**
 * A device's cursor moves forward only, within the member's window; the other active members hear of it.
 * @param {CursorItem} item
 * @returns {Answer}
 */
function moveCursor(item) {
  const [kind, userId, deviceId, conversationId, upTo] = item;
  const read = kind === 'read';
  const row = /** @type {{ delivered_seq: number; read_seq: number } | undefined} */ (
    read
      ? statements.moveRead.get([userId, deviceId, conversationId, upTo, upTo, conversationId, userId])
      : statements.moveDelivered.get([userId, deviceId, conversationId, upTo, conversationId, userId])
  );
  if (row === undefined) return ['no_conversation'];
  const others = /** @type {string[]} */ (statements.otherMembers.all([conversationId, userId]));
  return ['moved', Number(read ? row.read_seq : row.delivered_seq), others];
}

const inSavepoint = db.transaction(/** @param {AppendItem | CursorItem} item @returns {Answer} */ (item) => (item[0] === 'append' ? append(item) : moveCursor(item)));

// IMMEDIATE: the write lock is taken at the start. The server's connection waits for its turn while a
// batch is out (WriteTurns), so the lock is free; should anything else hold it, the batch waits whole.
const inTransaction = db.transaction(
  /** @param {(AppendItem | CursorItem)[]} batch @returns {Answer[]} */ (batch) =>
    batch.map((item) => {
      try {
        return inSavepoint(item);
      } catch (error) {
        if (error instanceof RepeatedSend) return /** @type {Answer} */ (['repeated']);
        const failure = /** @type {{ message?: string; code?: string }} */ (error);
        return /** @type {Answer} */ (['failed', String(failure.message), String(failure.code ?? '')]);
      }
    }),
).immediate;

const port = parentPort;
if (port === null) throw new Error('the message writer runs as a worker thread');
port.on('message', (/** @type {{ batch: (AppendItem | CursorItem)[] } | 'stop'} */ message) => {
  if (message === 'stop') {
    db.close();
    port.close();
    return;
  }
  try {
    port.postMessage({ answers: inTransaction(message.batch) });
  } catch (error) {
    // The commit itself failed (a full disk): nothing of the batch is stored, and everyone hears so.
    const failure = /** @type {{ message?: string; code?: string }} */ (error);
    port.postMessage({ failed: { message: String(failure.message), code: String(failure.code ?? '') } });
  }
});
port.postMessage('ready');
