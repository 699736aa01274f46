import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { chunks } from '../../db/batch.js';
import { inSlices, slicesOf, yieldToEventLoop } from '../../platform/slices.js';
import { VersionConflictError, type ChangeRecord, type ContactsRepository, type RawMatch, type StoredEntry } from './contacts.repository.js';

/**
 * Rows per statement for address-book work: SQLite runs statements synchronously on the event loop, so a
 * 60,000-row book is written in slices with a turn for everything else between them.
 */
const perStatementRows = 2000;

/** How many changes a user's log keeps before older ones are folded into a full-book fetch. */
const changeLogLimit = 20_000;

export class KyselyContactsRepository implements ContactsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of ['address_book_phones', 'address_book_refs', 'address_book_changes', 'address_books', 'discovery_charges'] as const) {
        await trx.deleteFrom(table).where('user_id', '=', userId).execute();
      }
    });
  }

  async bookVersion(userId: string): Promise<number> {
    const row = await this.db.selectFrom('address_books').select('version').where('user_id', '=', userId).executeTakeFirst();
    return row?.version ?? 0;
  }

  async replaceBook(userId: string, entries: StoredEntry[], now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const version = (await this.lockedVersion(trx, userId)) + 1;
      // Most uploads repeat the book with few changes: write only the entries that differ.
      const existing = await this.currentEntries(trx, userId);
      const incoming = new Map(dedupeByRef(entries).map((entry) => [entry.ref, entry]));
      const stale = [...existing.keys()].filter((ref) => {
        const next = incoming.get(ref);
        return next === undefined || !sameEntry(existing.get(ref) as StoredEntry, next);
      });
      const fresh = [...incoming.values()].filter((entry) => {
        const before = existing.get(entry.ref);
        return before === undefined || !sameEntry(before, entry);
      });
      for (const refs of slicesOf(stale, perStatementRows)) {
        await yieldToEventLoop();
        await trx.deleteFrom('address_book_phones').where('user_id', '=', userId).where('ref', 'in', refs).execute();
        await trx.deleteFrom('address_book_refs').where('user_id', '=', userId).where('ref', 'in', refs).execute();
      }
      await trx.deleteFrom('address_book_changes').where('user_id', '=', userId).execute();
      await this.insertEntries(trx, userId, fresh);
      // Nothing before the new version can be replayed: the log starts after it.
      await this.saveVersion(trx, userId, version, version + 1, now);
      return version;
    });
  }

  private async currentEntries(trx: Transaction<Database>, userId: string): Promise<Map<string, StoredEntry>> {
    const [refs, phones] = await Promise.all([
      trx.selectFrom('address_book_refs').select(['ref', 'sealed']).where('user_id', '=', userId).execute(),
      trx.selectFrom('address_book_phones').select(['ref', 'phone_hash']).where('user_id', '=', userId).execute(),
    ]);
    const entries = new Map<string, StoredEntry>(refs.map((row) => [row.ref, { ref: row.ref, phoneHashes: [], sealed: row.sealed ?? undefined }]));
    for (const row of phones) entries.get(row.ref)?.phoneHashes.push(row.phone_hash);
    return entries;
  }

  async patchBook(userId: string, baseVersion: number, add: StoredEntry[], remove: string[], now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockedVersion(trx, userId);
      if (current !== baseVersion) throw new VersionConflictError(current);
      const version = current + 1;
      const touched = [...new Set([...remove, ...add.map((entry) => entry.ref)])];
      for (const refs of slicesOf(touched, perStatementRows)) {
        await yieldToEventLoop();
        await trx.deleteFrom('address_book_phones').where('user_id', '=', userId).where('ref', 'in', refs).execute();
        await trx.deleteFrom('address_book_refs').where('user_id', '=', userId).where('ref', 'in', refs).execute();
      }
      await this.insertEntries(trx, userId, add);
      const addedRefs = new Set(add.map((entry) => entry.ref));
      const changes = [
        ...remove.filter((ref) => !addedRefs.has(ref)).map((ref) => ({ user_id: userId, version, op: 'remove', ref, sealed: null })),
        ...add.map((entry) => ({ user_id: userId, version, op: 'add', ref: entry.ref, sealed: entry.sealed ?? null })),
      ];
      await inSlices(dedupeByRef(changes), perStatementRows, (rows) => trx.insertInto('address_book_changes').values(rows).execute());
      const floor = await this.trimLog(trx, userId, current === 0 ? version : undefined);
      await this.saveVersion(trx, userId, version, floor, now);
      return version;
    });
  }

  async unknownHashes(userId: string, hashes: string[]): Promise<string[]> {
    const known = new Set<string>();
    for (const batch of slicesOf([...new Set(hashes)], perStatementRows)) {
      await yieldToEventLoop();
      const rows = await this.db
        .selectFrom('address_book_phones')
        .select('phone_hash')
        .where('user_id', '=', userId)
        .where('phone_hash', 'in', batch)
        .execute();
      for (const row of rows) known.add(row.phone_hash);
    }
    return [...new Set(hashes)].filter((hash) => !known.has(hash));
  }

  async chargedOn(userId: string, day: number, hashes: string[]): Promise<string[]> {
    const charged: string[] = [];
    for (const batch of slicesOf([...new Set(hashes)], perStatementRows)) {
      await yieldToEventLoop();
      const rows = await this.db
        .selectFrom('discovery_charges')
        .select('phone_hash')
        .where('user_id', '=', userId)
        .where('day', '=', day)
        .where('phone_hash', 'in', batch)
        .execute();
      charged.push(...rows.map((row) => row.phone_hash));
    }
    return charged;
  }

  async recordCharges(userId: string, day: number, hashes: string[]): Promise<void> {
    await this.db.deleteFrom('discovery_charges').where('user_id', '=', userId).where('day', '<', day).execute();
    const rows = [...new Set(hashes)].map((phone_hash) => ({ user_id: userId, day, phone_hash }));
    await inSlices(rows, perStatementRows, (batch) => this.db.insertInto('discovery_charges').values(batch).onConflict((oc) => oc.doNothing()).execute());
  }

  async rawMatches(userId: string): Promise<RawMatch[]> {
    const rows = await this.db
      .selectFrom('address_book_phones as book')
      .innerJoin('user_phones as owner', 'owner.phone_hash', 'book.phone_hash')
      .select(['book.ref', 'owner.user_id', 'owner.phone'])
      .where('book.user_id', '=', userId)
      .where('owner.user_id', '!=', userId)
      .execute();
    return rows.map((row) => ({ ref: row.ref, userId: row.user_id, phone: row.phone }));
  }

  /** Owners of address books that hold one of `userId`'s numbers. */
  private booksWithNumberOf(userId: string) {
    return this.db
      .selectFrom('address_book_phones as book')
      .innerJoin('user_phones as mine', 'mine.phone_hash', 'book.phone_hash')
      .select('book.user_id')
      .distinct()
      .where('mine.user_id', '=', userId);
  }

  async ownersOfNumberOf(userId: string): Promise<string[]> {
    const rows = await this.booksWithNumberOf(userId).where('book.user_id', '!=', userId).execute();
    return rows.map((row) => row.user_id);
  }

  async whoHaveNumberOf(userId: string, candidates: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const batch of chunks([...new Set(candidates)])) {
      const rows = await this.booksWithNumberOf(userId).where('book.user_id', 'in', batch).execute();
      found.push(...rows.map((row) => row.user_id));
    }
    return found;
  }

  async changesSince(userId: string, since: number): Promise<{ version: number; complete: boolean; changes: ChangeRecord[] }> {
    const book = await this.db.selectFrom('address_books').select(['version', 'log_floor']).where('user_id', '=', userId).executeTakeFirst();
    if (!book) return { version: 0, complete: since === 0, changes: [] };
    if (since < book.log_floor - 1 || since > book.version) return { version: book.version, complete: false, changes: [] };
    const rows = await this.db
      .selectFrom('address_book_changes')
      .select(['version', 'op', 'ref', 'sealed'])
      .where('user_id', '=', userId)
      .where('version', '>', since)
      .orderBy('version')
      .orderBy('ref')
      .execute();
    return {
      version: book.version,
      complete: true,
      changes: rows.map((row) => ({ version: row.version, op: row.op === 'remove' ? 'remove' : 'add', ref: row.ref, sealed: row.sealed ?? undefined })),
    };
  }

  async snapshot(userId: string): Promise<{ version: number; entries: { ref: string; sealed: string | undefined }[] }> {
    const version = await this.bookVersion(userId);
    const rows = await this.db.selectFrom('address_book_refs').select(['ref', 'sealed']).where('user_id', '=', userId).orderBy('ref').execute();
    return { version, entries: rows.map((row) => ({ ref: row.ref, sealed: row.sealed ?? undefined })) };
  }

  /** Reads the version inside the transaction; on PostgreSQL the row lock serialises writers of one book. */
  private async lockedVersion(trx: Transaction<Database>, userId: string): Promise<number> {
    let query = trx.selectFrom('address_books').select('version').where('user_id', '=', userId);
    // SQLite runs one write transaction at a time already.
    if (this.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row?.version ?? 0;
  }

  private async saveVersion(trx: Transaction<Database>, userId: string, version: number, floor: number, now: number): Promise<void> {
    await trx
      .insertInto('address_books')
      .values({ user_id: userId, version, log_floor: floor, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ version, log_floor: floor, updated_at: now }))
      .execute();
  }

  private async insertEntries(trx: Transaction<Database>, userId: string, entries: StoredEntry[]): Promise<void> {
    const refs = dedupeByRef(entries.map((entry) => ({ user_id: userId, ref: entry.ref, sealed: entry.sealed ?? null })));
    if (this.dialect === 'postgres') {
      // Two array parameters instead of tens of thousands of placeholders: PostgreSQL plans this in
      // microseconds, where a 30,000-parameter VALUES list costs more to parse than to insert.
      await sql`INSERT INTO address_book_refs (user_id, ref, sealed)
        SELECT ${userId}, ref, sealed FROM unnest(${refs.map((row) => row.ref)}::text[], ${refs.map((row) => row.sealed)}::text[]) AS t(ref, sealed)`.execute(trx);
    } else {
      await inSlices(refs, perStatementRows, (rows) => trx.insertInto('address_book_refs').values(rows).execute());
    }
    const seen = new Set<string>();
    const phones: { user_id: string; ref: string; phone_hash: string }[] = [];
    for (const entry of entries) {
      for (const hash of entry.phoneHashes) {
        const key = `${entry.ref}\0${hash}`;
        if (seen.has(key)) continue;
        seen.add(key);
        phones.push({ user_id: userId, ref: entry.ref, phone_hash: hash });
      }
    }
    if (this.dialect === 'postgres') {
      await sql`INSERT INTO address_book_phones (user_id, ref, phone_hash)
        SELECT ${userId}, ref, phone_hash FROM unnest(${phones.map((row) => row.ref)}::text[], ${phones.map((row) => row.phone_hash)}::text[]) AS t(ref, phone_hash)`.execute(trx);
    } else {
      await inSlices(phones, perStatementRows, (rows) => trx.insertInto('address_book_phones').values(rows).execute());
    }
  }

  /** Keeps the log bounded; returns the new floor (the oldest version still fully logged). */
  private async trimLog(trx: Transaction<Database>, userId: string, firstVersion: number | undefined): Promise<number> {
    const floorRow = await trx.selectFrom('address_books').select('log_floor').where('user_id', '=', userId).executeTakeFirst();
    let floor = floorRow?.log_floor ?? firstVersion ?? 1;
    const count = await trx
      .selectFrom('address_book_changes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) > changeLogLimit) {
      const cut = await trx
        .selectFrom('address_book_changes')
        .select('version')
        .where('user_id', '=', userId)
        .orderBy('version', 'desc')
        .offset(changeLogLimit)
        .limit(1)
        .executeTakeFirst();
      if (cut) {
        await trx.deleteFrom('address_book_changes').where('user_id', '=', userId).where('version', '<=', cut.version).execute();
        floor = cut.version + 1;
      }
    }
    return floor;
  }
}

function sameEntry(a: StoredEntry, b: StoredEntry): boolean {
  if ((a.sealed ?? null) !== (b.sealed ?? null)) return false;
  const left = new Set(a.phoneHashes);
  const right = new Set(b.phoneHashes);
  return left.size === right.size && [...left].every((hash) => right.has(hash));
}

function dedupeByRef<T extends { ref: string }>(rows: T[]): T[] {
  const byRef = new Map<string, T>();
  for (const row of rows) byRef.set(row.ref, row);
  return [...byRef.values()];
}
