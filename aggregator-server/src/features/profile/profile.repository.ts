/** What a user published about themselves; null fields were never set (or were removed). */
export type StoredProfile = {
  userId: string;
  displayName: string | null;
  signature: string | null;
  avatarAttachmentId: string | null;
  updatedAt: number;
};

export interface ProfileRepository {
  profilesOf(userIds: string[]): Promise<Map<string, StoredProfile>>;
  save(profile: StoredProfile): Promise<void>;
  /** The users whose avatar is this attachment. */
  avatarOwners(attachmentId: string): Promise<string[]>;
  deleteUser(userId: string): Promise<void>;
}
