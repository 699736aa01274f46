import { sql, type Kysely, type Selectable } from 'kysely';
import { keyDeviceStates, type KeyDeviceState } from '#common/contract/key-exchange.js';
import type { Database, DeviceKeysTable } from '../../db/schema.js';
import type { DeviceKeyRecord, KeyExchangeRepository, RecoveryRecord } from './key-exchange.repository.js';

type Row = Selectable<DeviceKeysTable> & { name: string | null; platform: string | null };

function stateOf(value: string): KeyDeviceState {
  return (keyDeviceStates as readonly string[]).includes(value) ? (value as KeyDeviceState) : 'pending';
}

function toRecord(row: Row): DeviceKeyRecord {
  return {
    userId: row.user_id,
    deviceId: row.device_id,
    name: row.name ?? '',
    platform: row.platform ?? '',
    publicKey: row.public_key,
    state: stateOf(row.state),
    wrappedKey: row.wrapped_key,
    wrappedBy: row.wrapped_by,
    requestedAt: Number(row.requested_at),
  };
}

export class KyselyKeyExchangeRepository implements KeyExchangeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private select(userId: string) {
    return this.db
      .selectFrom('device_keys')
      .leftJoin('devices', (join) => join.onRef('devices.user_id', '=', 'device_keys.user_id').onRef('devices.device_id', '=', 'device_keys.device_id'))
      .selectAll('device_keys')
      .select(['devices.name', 'devices.platform'])
      .where('device_keys.user_id', '=', userId);
  }

  async publish(userId: string, deviceId: string, publicKey: string, now: number): Promise<DeviceKeyRecord> {
    await this.db
      .insertInto('device_keys')
      .values({ user_id: userId, device_id: deviceId, public_key: publicKey, state: 'pending', wrapped_key: null, wrapped_by: null, requested_at: now, answered_at: null })
      .onConflict((conflict) =>
        conflict
          .columns(['user_id', 'device_id'])
          .doUpdateSet({ public_key: publicKey, state: 'pending', wrapped_key: null, wrapped_by: null, requested_at: now, answered_at: null })
          // One statement, so two publishes racing cannot interleave a read and a write.
          .where(sql<boolean>`NOT (device_keys.public_key = ${publicKey} AND device_keys.state = 'approved')`),
      )
      .execute();
    const record = await this.find(userId, deviceId);
    if (record === undefined) throw new Error('the published device key is missing right after its insert');
    return record;
  }

  async list(userId: string): Promise<DeviceKeyRecord[]> {
    const rows = await this.select(userId).orderBy('device_keys.requested_at').orderBy('device_keys.device_id').execute();
    return rows.map(toRecord);
  }

  async find(userId: string, deviceId: string): Promise<DeviceKeyRecord | undefined> {
    const row = await this.select(userId).where('device_keys.device_id', '=', deviceId).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async approve(userId: string, deviceId: string, publicKey: string, wrappedKey: string, wrappedBy: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('device_keys')
      .set({ state: 'approved', wrapped_key: wrappedKey, wrapped_by: wrappedBy, answered_at: now })
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('public_key', '=', publicKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async reject(userId: string, deviceId: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('device_keys')
      .set({ state: 'rejected', wrapped_key: null, wrapped_by: null, answered_at: now })
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async recovery(userId: string): Promise<RecoveryRecord | undefined> {
    const row = await this.db.selectFrom('book_key_recovery').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row === undefined ? undefined : { wrappedKey: row.wrapped_key, createdAt: Number(row.created_at) };
  }

  async saveRecovery(userId: string, wrappedKey: string, now: number, replace: boolean): Promise<boolean> {
    const result = await this.db
      .insertInto('book_key_recovery')
      .values({ user_id: userId, wrapped_key: wrappedKey, created_at: now })
      .onConflict((conflict) => (replace ? conflict.column('user_id').doUpdateSet({ wrapped_key: wrappedKey, created_at: now }) : conflict.column('user_id').doNothing()))
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
