import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { chunks } from '../../db/batch.js';
import { activityVisibility, defaultPrivacySettings, groupAdders, type ActivityVisibility, type GroupAdders, type PrivacySettings } from '#common/contract/privacy.js';
import type { ListKind, PrivacyRepository } from './privacy.repository.js';


function decodeSettings(row: { activity_visible_to: string; shared_apps: string; discoverable: number; group_adds_by: string }): PrivacySettings {
  const visibility = (activityVisibility as readonly string[]).includes(row.activity_visible_to)
    ? (row.activity_visible_to as ActivityVisibility)
    : defaultPrivacySettings.activityVisibleTo;
  let sharedApps: PrivacySettings['sharedApps'] = 'all';
  if (row.shared_apps !== 'all') {
    const parsed: unknown = JSON.parse(row.shared_apps);
    sharedApps = Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  }
  const groupAddsBy = (groupAdders as readonly string[]).includes(row.group_adds_by) ? (row.group_adds_by as GroupAdders) : defaultPrivacySettings.groupAddsBy;
  return { activityVisibleTo: visibility, sharedApps, discoverable: row.discoverable === 1, groupAddsBy };
}

type SettingsColumns = { activity_visible_to: string; shared_apps: string; discoverable: number; group_adds_by: string };

/** The columns of the settings given (a setting left out is no column, so an update leaves it alone). */
function encodeSettings(settings: PrivacySettings): SettingsColumns;
function encodeSettings(settings: Partial<PrivacySettings>): Partial<SettingsColumns>;
function encodeSettings(settings: Partial<PrivacySettings>): Partial<SettingsColumns> {
  return {
    ...(settings.activityVisibleTo === undefined ? {} : { activity_visible_to: settings.activityVisibleTo }),
    ...(settings.sharedApps === undefined ? {} : { shared_apps: settings.sharedApps === 'all' ? 'all' : JSON.stringify(settings.sharedApps) }),
    ...(settings.discoverable === undefined ? {} : { discoverable: settings.discoverable ? 1 : 0 }),
    ...(settings.groupAddsBy === undefined ? {} : { group_adds_by: settings.groupAddsBy }),
  };
}

export class KyselyPrivacyRepository implements PrivacyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('privacy_settings').where('user_id', '=', userId).execute();
      await trx.deleteFrom('blocks').where((eb) => eb.or([eb('user_id', '=', userId), eb('blocked_user_id', '=', userId)])).execute();
      await trx.deleteFrom('allows').where((eb) => eb.or([eb('user_id', '=', userId), eb('allowed_user_id', '=', userId)])).execute();
    });
  }

  async settings(userId: string): Promise<PrivacySettings> {
    return (await this.settingsOf([userId])).get(userId) ?? defaultPrivacySettings;
  }

  async settingsOf(userIds: string[]): Promise<Map<string, PrivacySettings>> {
    const out = new Map<string, PrivacySettings>();
    for (const batch of chunks([...new Set(userIds)])) {
      const rows = await this.db.selectFrom('privacy_settings').selectAll().where('user_id', 'in', batch).execute();
      for (const row of rows) out.set(row.user_id, decodeSettings(row));
    }
    for (const id of userIds) if (!out.has(id)) out.set(id, defaultPrivacySettings);
    return out;
  }

  async changeSettings(userId: string, change: Partial<PrivacySettings>, now: number): Promise<PrivacySettings> {
    const changed = { ...encodeSettings(change), updated_at: now };
    // A user without a row yet gets the defaults for what this change leaves out.
    const first = { ...encodeSettings(defaultPrivacySettings), ...changed };
    const row = await this.db
      .insertInto('privacy_settings')
      .values({ user_id: userId, ...first })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(changed))
      .returningAll()
      .executeTakeFirstOrThrow();
    return decodeSettings(row);
  }

  async addToList(kind: ListKind, userId: string, otherId: string, now: number): Promise<void> {
    if (kind === 'blocklist') {
      await this.db.insertInto('blocks').values({ user_id: userId, blocked_user_id: otherId, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
    } else {
      await this.db.insertInto('allows').values({ user_id: userId, allowed_user_id: otherId, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
    }
  }

  async removeFromList(kind: ListKind, userId: string, otherId: string): Promise<boolean> {
    const result =
      kind === 'blocklist'
        ? await this.db.deleteFrom('blocks').where('user_id', '=', userId).where('blocked_user_id', '=', otherId).executeTakeFirst()
        : await this.db.deleteFrom('allows').where('user_id', '=', userId).where('allowed_user_id', '=', otherId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async list(kind: ListKind, userId: string): Promise<{ userId: string; since: number }[]> {
    if (kind === 'blocklist') {
      const rows = await this.db.selectFrom('blocks').select(['blocked_user_id as other', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute();
      return rows.map((row) => ({ userId: row.other, since: row.created_at }));
    }
    const rows = await this.db.selectFrom('allows').select(['allowed_user_id as other', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((row) => ({ userId: row.other, since: row.created_at }));
  }

  async blockedByAmong(userId: string, candidates: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const batch of chunks([...new Set(candidates)])) {
      const rows = await this.db.selectFrom('blocks').select('user_id').where('blocked_user_id', '=', userId).where('user_id', 'in', batch).execute();
      found.push(...rows.map((row) => row.user_id));
    }
    return found;
  }

  async whoListed(kind: ListKind, otherId: string): Promise<string[]> {
    const rows =
      kind === 'blocklist'
        ? await this.db.selectFrom('blocks').select('user_id').where('blocked_user_id', '=', otherId).execute()
        : await this.db.selectFrom('allows').select('user_id').where('allowed_user_id', '=', otherId).execute();
    return rows.map((row) => row.user_id);
  }

  async listedAmong(kind: ListKind, userId: string, candidates: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const batch of chunks([...new Set(candidates)])) {
      const rows =
        kind === 'blocklist'
          ? await this.db.selectFrom('blocks').select('blocked_user_id as other').where('user_id', '=', userId).where('blocked_user_id', 'in', batch).execute()
          : await this.db.selectFrom('allows').select('allowed_user_id as other').where('user_id', '=', userId).where('allowed_user_id', 'in', batch).execute();
      found.push(...rows.map((row) => row.other));
    }
    return found;
  }

  async blockBetween(a: string, b: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('blocks')
      .select('user_id')
      .where((eb) => eb.or([eb.and([eb('user_id', '=', a), eb('blocked_user_id', '=', b)]), eb.and([eb('user_id', '=', b), eb('blocked_user_id', '=', a)])]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
