import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { directKey } from './messages.kysely-hot-path.js';
import { RoundTripBatches, retryAlone, type Waiting } from './messages.postgres-batches.js';
import type { DirectOpenings, PersonAddress } from './messages.openings.js';
import type { DirectAppend, DirectAppendResult } from './messages.repository.js';

type LookUp = { senderId: string; clientId: string; to: PersonAddress };
type LookedUp = { repeated: boolean; receiverId?: string };
type LookUpRow = { repeated: boolean; receiver_id: string | null };
type Opening = Waiting<DirectAppend, DirectAppendResult>;
type Row = { item: number; conversation_id: string; seq: number; sender_phone: string | null };

/**
 * PostgreSQL's openings, each step batched per round trip (`RoundTripBatches`): the look-ups that arrive
 * together go as one read, the sends as one call of `open_direct_batch` (migration 0094), ordered by the
 * pairs' direct keys, which is the order the call takes their locks in. A repeated clientId fails that
 * call as a whole; its items then go again one by one, where it fails alone and is answered as a repeat.
 */
export class PostgresDirectOpenings implements DirectOpenings {
  private readonly openings = new RoundTripBatches<DirectAppend, DirectAppendResult>(
    (append) => directKey([append.message.senderId, append.receiverId]),
    (batch) => this.send(batch),
  );

  /** Reads take no locks: the order of a batch does not matter. */
  private readonly lookUps = new RoundTripBatches<LookUp, LookedUp>(
    () => '',
    (batch) => this.lookUpMany(batch),
  );

  constructor(private readonly db: Kysely<Database>) {}

  lookUp(senderId: string, clientId: string, to: PersonAddress): Promise<LookedUp> {
    return this.lookUps.add({ senderId, clientId, to });
  }

  /**
   * Alone, one look-up is cheaper as its own statement (half the planning and the CPU of the form over
   * arrays); from four at once on, the arrays cost a fifth of one statement each.
   */
  private async lookUpMany(batch: Waiting<LookUp, LookedUp>[]): Promise<void> {
    const [alone] = batch;
    if (alone && batch.length === 1) return alone.resolve(await this.lookUpOne(alone.item));
    const column = <T>(of: (lookUp: LookUp) => T) => batch.map(({ item }) => of(item));
    const { rows } = await sql<LookUpRow>`
      select exists (select 1 from messages m where m.sender_id = l.sender_id and m.client_id = l.client_id) as repeated,
             case when l.phone is not null
                  then (select p.user_id from user_phones p join user_phones main on main.user_id = p.user_id and main.is_primary = 1 where p.phone = l.phone)
                  else (select main.user_id from user_phones main where main.user_id = l.user_id and main.is_primary = 1) end as receiver_id
      from unnest(${column((l) => l.senderId)}::text[], ${column((l) => l.clientId)}::text[],
                  ${column((l) => ('phone' in l.to ? l.to.phone : null))}::text[], ${column((l) => ('userId' in l.to ? l.to.userId : null))}::text[])
        with ordinality as l (sender_id, client_id, phone, user_id, n)
      order by l.n`.execute(this.db);
    batch.forEach(({ resolve }, index) => resolve(lookedUp(rows[index])));
  }

  private async lookUpOne({ senderId, clientId, to }: LookUp): Promise<LookedUp> {
    const receiver =
      'phone' in to
        ? sql`(select p.user_id from user_phones p join user_phones main on main.user_id = p.user_id and main.is_primary = 1 where p.phone = ${to.phone})`
        : sql`(select main.user_id from user_phones main where main.user_id = ${to.userId} and main.is_primary = 1)`;
    const { rows } = await sql<LookUpRow>`
      select exists (select 1 from messages where sender_id = ${senderId} and client_id = ${clientId}) as repeated, ${receiver} as receiver_id`.execute(this.db);
    return lookedUp(rows[0]);
  }

  open(append: DirectAppend): Promise<DirectAppendResult> {
    return this.openings.add(append);
  }

  private async send(batch: Opening[]): Promise<void> {
    try {
      await this.call(batch);
    } catch (error) {
      if (!retryAlone(error)) throw error;
      // Nothing of the batch is stored (one statement): each goes again alone, in order.
      for (const opening of batch) {
        await this.call([opening]).catch((alone: unknown) => (isRepeat(alone) ? opening.resolve({ kind: 'repeated' }) : opening.reject(alone)));
      }
    }
  }

  private async call(batch: Opening[]): Promise<void> {
    const column = <T>(of: (append: DirectAppend) => T) => batch.map(({ item }) => of(item));
    const { rows } = await sql<Row>`select item, conversation_id, seq, sender_phone from open_direct_batch(
      ${column((a) => a.message.id)}::text[], ${column((a) => a.message.conversationId)}::text[],
      ${column((a) => directKey([a.message.senderId, a.receiverId]))}::text[], ${column((a) => a.message.senderId)}::text[],
      ${column((a) => a.receiverId)}::text[], ${column((a) => a.receiverPhone ?? null)}::text[],
      ${column((a) => a.message.senderDeviceId ?? null)}::text[], ${column((a) => a.message.clientId)}::text[],
      ${column((a) => JSON.stringify(a.message.body))}::text[], ${column((a) => a.message.route)}::text[],
      ${column((a) => (a.message.sms ? 1 : 0))}::integer[], ${column((a) => a.message.sentAt)}::bigint[])`.execute(this.db);
    const stored = new Map(rows.map((row) => [row.item, row]));
    batch.forEach(({ item, resolve }, index) => {
      const row = stored.get(index + 1);
      resolve(
        row
          ? { kind: 'stored', message: { ...item.message, conversationId: row.conversation_id, seq: Number(row.seq) }, senderPhone: row.sender_phone ?? '' }
          : { kind: 'refused' },
      );
    });
  }
}

/** Alone, a unique violation can only be the sender's clientId: the conversation's ids are new. */
function isRepeat(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
}

function lookedUp(row: LookUpRow | undefined): LookedUp {
  return { repeated: row?.repeated === true, ...(row?.receiver_id ? { receiverId: row.receiver_id } : {}) };
}
