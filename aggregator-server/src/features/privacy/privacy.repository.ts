import type { PrivacySettings } from '#common/contract/privacy.js';

export type ListKind = 'blocklist' | 'allowlist';

/** Privacy settings and the block and allow lists (M17). */
export interface PrivacyRepository {
  /** Deletes the user's settings and every block and allow entry made by or about them. */
  deleteUser(userId: string): Promise<void>;
  settings(userId: string): Promise<PrivacySettings>;
  settingsOf(userIds: string[]): Promise<Map<string, PrivacySettings>>;
  /**
   * Changes only the settings in `change`, in one statement, and answers all of them: two devices changing
   * different settings at once both keep their change (a read, a merge and a write would lose one).
   */
  changeSettings(userId: string, change: Partial<PrivacySettings>, now: number): Promise<PrivacySettings>;
  addToList(kind: ListKind, userId: string, otherId: string, now: number): Promise<void>;
  removeFromList(kind: ListKind, userId: string, otherId: string): Promise<boolean>;
  list(kind: ListKind, userId: string): Promise<{ userId: string; since: number }[]>;
  /** Of `candidates`, those who put `userId` on their blocklist. */
  blockedByAmong(userId: string, candidates: string[]): Promise<string[]>;
  /** Users who put `otherId` on their list of `kind`. */
  whoListed(kind: ListKind, otherId: string): Promise<string[]>;
  /** Whether either of the two blocked the other (one query: it is asked before every first message). */
  blockBetween(a: string, b: string): Promise<boolean>;
  /** Of `candidates`, those `userId` put on its list of `kind`. */
  listedAmong(kind: ListKind, userId: string, candidates: string[]): Promise<string[]>;
}
