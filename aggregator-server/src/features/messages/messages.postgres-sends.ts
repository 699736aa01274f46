import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { appendDirect, directKey } from './messages.kysely-hot-path.js';
import type { DirectAppend, DirectAppendResult } from './messages.repository.js';

type Waiting = { append: DirectAppend; resolve: (result: DirectAppendResult) => void; reject: (error: unknown) => void };
type Row = { item: number; seq: number; sender_phone: string | null };

/**
 * A repeated clientId (23505), or a lock conflict with a statement outside the batches (40P01 deadlock,
 * 40001): sent one by one, these are answered properly. Anything else fails the batch as it would fail
 * a single send, so a broken batch shows at once instead of hiding behind the slow path.
 */
function retryAlone(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === '40P01' || code === '40001';
}

/**
 * Sends on PostgreSQL, many in one call of `append_direct_batch` (migration 0092). One statement per
 * message cost a round trip, a plan and a commit each: at 1,500 messages a second the database's
 * backends took more CPU than the server. Whatever arrives while a batch is out goes as the next one, so
 * under load a batch holds what arrived during one round trip, and alone a message waits for nothing.
 *
 * Items are ordered by conversation (keeping each conversation's own order), so two nodes' batches take
 * the conversations' row locks in the same order and cannot deadlock each other. A batch that a
 * repeated clientId fails as a whole (the function does not sort repeats out) is stored again one
 * message at a time by the single statement, which answers repeats and refusals itself.
 */
export class PostgresSendWriter {
  private queue: Waiting[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Database>) {}

  append(append: DirectAppend): Promise<DirectAppendResult> {
    return new Promise<DirectAppendResult>((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      if (!this.running && this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    // Stable: within one conversation the order of arrival stays.
    const batch = this.queue.sort((a, b) => (a.append.message.conversationId < b.append.message.conversationId ? -1 : a.append.message.conversationId > b.append.message.conversationId ? 1 : 0));
    this.queue = [];
    try {
      if (batch.length === 1) await this.one(batch[0] as Waiting);
      else await this.many(batch);
    } finally {
      this.running = false;
      if (this.queue.length > 0) void this.flush();
    }
  }

  private async one(waiting: Waiting): Promise<void> {
    await appendDirect(this.db, waiting.append).then(waiting.resolve, waiting.reject);
  }

  private async many(batch: Waiting[]): Promise<void> {
    const items = batch.map(({ append }) => append);
    const column = <T>(of: (append: DirectAppend) => T) => items.map(of);
    let rows: Row[];
    try {
      ({ rows } = await sql<Row>`select item, seq, sender_phone from append_direct_batch(
        ${column((a) => a.message.id)}::text[], ${column((a) => a.message.conversationId)}::text[],
        ${column((a) => directKey([a.message.senderId, a.receiverId]))}::text[], ${column((a) => a.message.senderId)}::text[],
        ${column((a) => a.receiverId)}::text[], ${column((a) => a.receiverPhone ?? null)}::text[],
        ${column((a) => a.message.senderDeviceId ?? null)}::text[], ${column((a) => a.message.clientId)}::text[],
        ${column((a) => JSON.stringify(a.message.body))}::text[], ${column((a) => a.message.route)}::text[],
        ${column((a) => (a.message.sms ? 1 : 0))}::integer[], ${column((a) => a.message.sentAt)}::bigint[])`.execute(this.db));
    } catch (error) {
      if (!retryAlone(error)) return batch.forEach((waiting) => waiting.reject(error));
      // Nothing of the batch is stored (one statement): each goes again alone, in order.
      for (const waiting of batch) await this.one(waiting);
      return;
    }
    const stored = new Map(rows.map((row) => [row.item, row]));
    batch.forEach((waiting, index) => {
      const row = stored.get(index + 1);
      waiting.resolve(row ? { kind: 'stored', message: { ...waiting.append.message, seq: Number(row.seq) }, senderPhone: row.sender_phone ?? '' } : { kind: 'refused' });
    });
  }
}
