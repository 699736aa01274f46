import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { CursorKind } from './messages.repository.js';

type CursorMove = { kind: CursorKind; userId: string; deviceId: string; conversationId: string; upTo: number };
type Moved = { now: number; others: string[] } | undefined;
type Waiting = { move: CursorMove; resolve: (moved: Moved) => void; reject: (error: unknown) => void };
type Row = { user_id: string; device_id: string; conversation_id: string; delivered_seq: number; read_seq: number; others: string[] };

/**
 * Acknowledgements on PostgreSQL, many devices' in one statement. Every message costs each receiving
 * device one acknowledgement, and a profile of the message benchmark had a third of the server's time in
 * writing queries to PostgreSQL's socket: whatever arrives in one turn of the event loop goes as one
 * upsert over arrays (`unnest`), with the same rules as one by one: capped at the member's window,
 * never moving back, and answering who hears of it.
 */
export class PostgresCursorWriter {
  private queue: Waiting[] = [];

  constructor(private readonly db: Kysely<Database>) {}

  move(move: CursorMove): Promise<Moved> {
    return new Promise<Moved>((resolve, reject) => {
      this.queue.push({ move, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    // One row per device and conversation (an upsert may not touch a row twice): the highest of each kind.
    const merged = new Map<string, { userId: string; deviceId: string; conversationId: string; delivered: number; read: number }>();
    for (const { move } of batch) {
      const key = `${move.userId} ${move.deviceId} ${move.conversationId}`;
      const row = merged.get(key) ?? { userId: move.userId, deviceId: move.deviceId, conversationId: move.conversationId, delivered: 0, read: 0 };
      row.delivered = Math.max(row.delivered, move.upTo);
      if (move.kind === 'read') row.read = Math.max(row.read, move.upTo);
      merged.set(key, row);
    }
    const rows = [...merged.values()];
    try {
      const { rows: moved } = await sql<Row>`
        with input as (
          select * from unnest(${rows.map((r) => r.userId)}::text[], ${rows.map((r) => r.deviceId)}::text[], ${rows.map((r) => r.conversationId)}::text[],
                               ${rows.map((r) => r.delivered)}::integer[], ${rows.map((r) => r.read)}::integer[])
            as t(user_id, device_id, conversation_id, delivered, read)
        ), moved as (
          insert into message_cursors (user_id, device_id, conversation_id, delivered_seq, read_seq)
          select i.user_id, i.device_id, i.conversation_id,
                 least(i.delivered, coalesce(cm.left_seq, c.last_seq)), least(i.read, coalesce(cm.left_seq, c.last_seq))
          from input i
          join conversation_members cm on cm.conversation_id = i.conversation_id and cm.user_id = i.user_id
          join conversations c on c.id = i.conversation_id
          on conflict (user_id, device_id, conversation_id) do update set
            delivered_seq = greatest(message_cursors.delivered_seq, excluded.delivered_seq),
            read_seq = greatest(message_cursors.read_seq, excluded.read_seq)
          returning user_id, device_id, conversation_id, delivered_seq, read_seq
        )
        select moved.*, (select coalesce(array_agg(m.user_id), '{}') from conversation_members m
                         where m.conversation_id = moved.conversation_id and m.left_seq is null and m.user_id <> moved.user_id) as others
        from moved`.execute(this.db);
      const byKey = new Map(moved.map((row) => [`${row.user_id} ${row.device_id} ${row.conversation_id}`, row]));
      for (const { move, resolve } of batch) {
        const row = byKey.get(`${move.userId} ${move.deviceId} ${move.conversationId}`);
        resolve(row && { now: Number(move.kind === 'read' ? row.read_seq : row.delivered_seq), others: row.others });
      }
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
