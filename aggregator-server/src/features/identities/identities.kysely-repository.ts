import type { Kysely } from 'kysely';
import { z } from 'zod';
import { identityAudience } from '#common/contract/identities.js';
import type { Database } from '../../db/schema.js';
import { chunks } from '../../db/batch.js';
import type { IdentitiesRepository, PublishedIdentity } from './identities.repository.js';

const storedFields = z.record(z.string(), z.string());
const storedAudience = z.enum(identityAudience);

export class KyselyIdentitiesRepository implements IdentitiesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async identitiesOf(userIds: string[]): Promise<PublishedIdentity[]> {
    const out: PublishedIdentity[] = [];
    for (const batch of chunks([...new Set(userIds)])) {
      if (batch.length === 0) continue;
      const rows = await this.db.selectFrom('published_identities').selectAll().where('user_id', 'in', batch).orderBy('plugin_id').execute();
      for (const row of rows) {
        // A row that no longer parses (edited by hand) is skipped rather than served half-read.
        const fields = storedFields.safeParse(JSON.parse(row.fields));
        if (!fields.success) continue;
        const audience = storedAudience.safeParse(row.visible_to);
        out.push({ userId: row.user_id, pluginId: row.plugin_id, fields: fields.data, visibleTo: audience.success ? audience.data : undefined });
      }
    }
    return out;
  }

  async save(identity: PublishedIdentity, now: number): Promise<void> {
    const row = { fields: JSON.stringify(identity.fields), visible_to: identity.visibleTo ?? null, updated_at: now };
    await this.db
      .insertInto('published_identities')
      .values({ user_id: identity.userId, plugin_id: identity.pluginId, ...row })
      .onConflict((oc) => oc.columns(['user_id', 'plugin_id']).doUpdateSet(row))
      .execute();
  }

  async remove(userId: string, pluginId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('published_identities').where('user_id', '=', userId).where('plugin_id', '=', pluginId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
