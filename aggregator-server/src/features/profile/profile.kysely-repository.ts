import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { chunks } from '../../db/batch.js';
import type { ProfileRepository, StoredProfile } from './profile.repository.js';

export class KyselyProfileRepository implements ProfileRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async profilesOf(userIds: string[]): Promise<Map<string, StoredProfile>> {
    const out = new Map<string, StoredProfile>();
    for (const batch of chunks([...new Set(userIds)])) {
      if (batch.length === 0) continue;
      const rows = await this.db.selectFrom('profiles').selectAll().where('user_id', 'in', batch).execute();
      for (const row of rows) {
        out.set(row.user_id, {
          userId: row.user_id,
          displayName: row.display_name,
          signature: row.signature,
          avatarAttachmentId: row.avatar_attachment_id,
          updatedAt: Number(row.updated_at),
        });
      }
    }
    return out;
  }

  async save(profile: StoredProfile): Promise<void> {
    const row = { display_name: profile.displayName, signature: profile.signature, avatar_attachment_id: profile.avatarAttachmentId, updated_at: profile.updatedAt };
    await this.db
      .insertInto('profiles')
      .values({ user_id: profile.userId, ...row })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
      .execute();
  }

  async avatarOwners(attachmentId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('profiles').select('user_id').where('avatar_attachment_id', '=', attachmentId).execute();
    return rows.map((row) => row.user_id);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('profiles').where('user_id', '=', userId).execute();
  }
}
