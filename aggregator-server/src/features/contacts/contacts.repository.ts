/** An address-book entry as the server keeps it: the client's ref, hashed numbers, sealed details. */
export type StoredEntry = { ref: string; phoneHashes: string[]; sealed: string | undefined };

export type RawMatch = { ref: string; userId: string; phone: string };

export type ChangeRecord = { version: number; op: 'add' | 'remove'; ref: string; sealed: string | undefined };

export class VersionConflictError extends Error {
  constructor(readonly currentVersion: number) {
    super('the address book changed since baseVersion');
  }
}

/** Address-book storage (M8-M10); implemented once over kysely for SQLite and PostgreSQL. */
export interface ContactsRepository {
  /** 0 when the user never uploaded a book. */
  /** Deletes the user's address book, its change log and discovery charges (account deletion). */
  deleteUser(userId: string): Promise<void>;
  bookVersion(userId: string): Promise<number>;
  /** Replaces the whole book; the change log restarts at the new version. */
  replaceBook(userId: string, entries: StoredEntry[], now: number): Promise<number>;
  /** Applies additions (an existing ref is replaced) and removals when `baseVersion` is current. */
  patchBook(userId: string, baseVersion: number, add: StoredEntry[], remove: string[], now: number): Promise<number>;
  /** Which of these hashes are not yet in the user's book. */
  unknownHashes(userId: string, hashes: string[]): Promise<string[]>;
  /** Of `hashes`, those already charged to the user's discovery quota on `day`. */
  chargedOn(userId: string, day: number, hashes: string[]): Promise<string[]>;
  /** Records `hashes` as charged on `day`, and forgets the user's charges of earlier days. */
  recordCharges(userId: string, day: number, hashes: string[]): Promise<void>;
  /** Entries of the book whose numbers belong to other users, with the number that matched. */
  rawMatches(userId: string): Promise<RawMatch[]>;
  /** Of `candidates`, those whose own book holds one of `userId`'s numbers. */
  whoHaveNumberOf(userId: string, candidates: string[]): Promise<string[]>;
  /** Every user whose book holds one of `userId`'s numbers. */
  ownersOfNumberOf(userId: string): Promise<string[]>;
  changesSince(userId: string, since: number): Promise<{ version: number; complete: boolean; changes: ChangeRecord[] }>;
  snapshot(userId: string): Promise<{ version: number; entries: { ref: string; sealed: string | undefined }[] }>;
}
