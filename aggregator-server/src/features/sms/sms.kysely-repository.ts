import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SmsGatewaySessionsTable } from '../../db/schema.js';
import type { DailyCharge, GatewaySession, SmsRepository } from './sms.repository.js';

/** A counter that would go over its limit: the transaction rolls back what it charged before. */
class OverLimit extends Error {}

function toSession(row: Selectable<SmsGatewaySessionsTable>): GatewaySession {
  return {
    phone: row.phone,
    userId: row.user_id,
    sessionId: row.session_id,
    deviceId: row.device_id,
    language: row.language === 'zh' ? 'zh' : 'en',
    lastConversationId: row.last_conversation_id,
    signedInAt: Number(row.signed_in_at),
  };
}

export class KyselySmsRepository implements SmsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async isOptedOut(phoneHash: string): Promise<boolean> {
    const row = await this.db.selectFrom('sms_opt_outs').select('phone_hash').where('phone_hash', '=', phoneHash).executeTakeFirst();
    return row !== undefined;
  }

  async setOptedOut(phoneHash: string, optedOut: boolean, now: number): Promise<boolean> {
    if (!optedOut) {
      const result = await this.db.deleteFrom('sms_opt_outs').where('phone_hash', '=', phoneHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    }
    const inserted = await this.db
      .insertInto('sms_opt_outs')
      .values({ phone_hash: phoneHash, opted_out_at: now })
      .onConflict((oc) => oc.column('phone_hash').doNothing())
      .returning('phone_hash')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async chargeDaily(charges: DailyCharge[], day: number, amount: number): Promise<boolean> {
    if (charges.some((charge) => amount > charge.limit)) return false;
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const charge of charges) {
          // The conditional upsert is one statement: PostgreSQL locks the row, so parallel charges queue
          // and each sees the count the one before left; none can pass the limit together.
          const row = await trx
            .insertInto('sms_daily_counts')
            .values({ counter_key: charge.key, day, count: amount })
            .onConflict((oc) =>
              oc
                .columns(['counter_key', 'day'])
                .doUpdateSet({ count: sql<number>`sms_daily_counts.count + excluded.count` })
                .where(sql<boolean>`sms_daily_counts.count + excluded.count <= ${charge.limit}`),
            )
            .returning('count')
            .executeTakeFirst();
          if (row === undefined) throw new OverLimit();
        }
      });
      return true;
    } catch (error) {
      if (error instanceof OverLimit) return false;
      throw error;
    }
  }

  async firstSighting(dedupeKey: string, now: number, windowMs: number): Promise<boolean> {
    // A key seen longer ago than the window counts as new again (and its time moves on).
    const row = await this.db
      .insertInto('sms_inbound_seen')
      .values({ dedupe_key: dedupeKey, seen_at: now })
      .onConflict((oc) =>
        oc
          .column('dedupe_key')
          .doUpdateSet({ seen_at: now })
          .where('sms_inbound_seen.seen_at', '<', now - windowMs),
      )
      .returning('dedupe_key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async forgetSighting(dedupeKey: string): Promise<void> {
    await this.db.deleteFrom('sms_inbound_seen').where('dedupe_key', '=', dedupeKey).execute();
  }

  async purgeBefore(before: number, beforeDay: number): Promise<void> {
    await this.db.deleteFrom('sms_inbound_seen').where('seen_at', '<', before).execute();
    await this.db.deleteFrom('sms_daily_counts').where('day', '<', beforeDay).execute();
  }

  async gatewaySession(phone: string): Promise<GatewaySession | undefined> {
    const row = await this.db.selectFrom('sms_gateway_sessions').selectAll().where('phone', '=', phone).executeTakeFirst();
    return row && toSession(row);
  }

  async gatewaySessionsOfUsers(userIds: string[]): Promise<GatewaySession[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.selectFrom('sms_gateway_sessions').selectAll().where('user_id', 'in', userIds).execute();
    return rows.map(toSession);
  }

  async saveGatewaySession(session: GatewaySession): Promise<void> {
    const row = {
      phone: session.phone,
      user_id: session.userId,
      session_id: session.sessionId,
      device_id: session.deviceId,
      language: session.language,
      last_conversation_id: session.lastConversationId,
      signed_in_at: session.signedInAt,
    };
    await this.db
      .insertInto('sms_gateway_sessions')
      .values(row)
      .onConflict((oc) => oc.column('phone').doUpdateSet(row))
      .execute();
  }

  async setLastConversation(phone: string, conversationId: string): Promise<void> {
    await this.db.updateTable('sms_gateway_sessions').set({ last_conversation_id: conversationId }).where('phone', '=', phone).execute();
  }

  async deleteGatewaySession(phone: string): Promise<GatewaySession | undefined> {
    const row = await this.db.deleteFrom('sms_gateway_sessions').where('phone', '=', phone).returningAll().executeTakeFirst();
    return row && toSession(row);
  }

  async deleteGatewaySessionsBySession(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.db.deleteFrom('sms_gateway_sessions').where('session_id', 'in', sessionIds).execute();
  }

  async deleteGatewaySessionsOfUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sms_gateway_sessions').where('user_id', '=', userId).execute();
  }
}
