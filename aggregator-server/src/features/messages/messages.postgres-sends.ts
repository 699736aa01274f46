import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { appendDirect, directKey } from './messages.kysely-hot-path.js';
import { RoundTripBatches, retryAlone, type Waiting } from './messages.postgres-batches.js';
import type { DirectAppend, DirectAppendResult } from './messages.repository.js';

type Send = Waiting<DirectAppend, DirectAppendResult>;
type Row = { item: number; seq: number; sender_phone: string | null };

/**
 * Sends on PostgreSQL, many in one call of `append_direct_batch` (migration 0092). One statement per
 * message cost a round trip, a plan and a commit each: at 1,500 messages a second the database's
 * backends took more CPU than the server. Whatever arrives while a batch is out goes as the next one
 * (`RoundTripBatches`).
 *
 * Items are ordered by the pair's direct key (one conversation per pair; each keeps its own order), so
 * two batches take the conversations' row locks in the same order and cannot deadlock each other: two
 * nodes' sends, and the sends beside the openings (`PostgresDirectOpenings`, first messages), which
 * lock in the same order. A batch that a
 * repeated clientId fails as a whole (the function does not sort repeats out) is stored again one
 * message at a time by the single statement, which answers repeats and refusals itself.
 */
export class PostgresSendWriter {
  private readonly batches = new RoundTripBatches<DirectAppend, DirectAppendResult>(
    (append) => directKey([append.message.senderId, append.receiverId]),
    (batch) => (batch.length === 1 ? this.one(batch[0] as Send) : this.many(batch)),
  );

  constructor(private readonly db: Kysely<Database>) {}

  append(append: DirectAppend): Promise<DirectAppendResult> {
    return this.batches.add(append);
  }

  private async one(waiting: Send): Promise<void> {
    await appendDirect(this.db, waiting.item).then(waiting.resolve, waiting.reject);
  }

  private async many(batch: Send[]): Promise<void> {
    const items = batch.map(({ item }) => item);
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
      waiting.resolve(row ? { kind: 'stored', message: { ...waiting.item.message, seq: Number(row.seq) }, senderPhone: row.sender_phone ?? '' } : { kind: 'refused' });
    });
  }
}
