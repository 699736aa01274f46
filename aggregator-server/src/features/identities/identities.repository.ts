import type { IdentityAudience } from '#common/contract/identities.js';

/** One network identity a user published about themselves. */
export type PublishedIdentity = {
  userId: string;
  pluginId: string;
  fields: Record<string, string>;
  /** The audience the user chose; undefined follows their activity setting. */
  visibleTo: IdentityAudience | undefined;
};

/** The identities users publish about their own accounts on other networks. */
export interface IdentitiesRepository {
  /** Every identity of these users, in plugin-id order. */
  identitiesOf(userIds: string[]): Promise<PublishedIdentity[]>;
  save(identity: PublishedIdentity, now: number): Promise<void>;
  /** False when there was nothing to remove. */
  remove(userId: string, pluginId: string): Promise<boolean>;
}
