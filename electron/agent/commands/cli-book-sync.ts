import { addressBookLimits } from '#common/contract/contacts.js';
import type { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import type { CliBookStore, NumbersOnlyEntry, UndoRecord } from './cli-book-store.js';

export type ImportMode = 'merge' | 'replace';

export interface BookSyncResult {
  version: number;
  /** Entries of this import that use Switchboard. */
  matches: number;
  added: number;
  updated: number;
  /** Entries a replace removed. */
  removed: number;
  /** Of those, how many an undo from this machine cannot restore (added on another device). */
  unrecoverable: number;
}

/** The book would exceed what the server keeps: refused before anything changes, here or there. */
export class BookTooLargeError extends Error {
  override readonly name = 'BookTooLargeError';
  constructor(readonly entries: number) {
    super(
      `the address book would have ${entries.toLocaleString('en')} entries; the server keeps at most ${addressBookLimits.maxEntries.toLocaleString('en')}. ` +
        'Nothing was changed. Split the file and import the contacts you need, or use --replace to start over with this file alone.',
    );
  }
}

/**
 * One import semantics with the web client: a merge adds and updates entries by ref (the CLI's keyed
 * refs are the same for the same first number), a replace makes the book exactly this file. Either way
 * the previous state of what changed is kept so `switchboard contacts undo` can put it back.
 */
export async function syncImport(api: SwitchboardClient, store: CliBookStore, serverUrl: string, entries: NumbersOnlyEntry[], mode: ImportMode): Promise<BookSyncResult> {
  const snapshot = await api.call(routes.addressBook, {});
  const onServer = new Set(snapshot.entries.map((entry) => entry.ref));
  const local = store.read(serverUrl);
  const known = new Map(local.entries.map((entry) => [entry.ref, entry]));
  const importedRefs = new Set(entries.map((entry) => entry.ref));

  const total = mode === 'replace' ? entries.length : new Set([...onServer, ...importedRefs]).size;
  if (total > addressBookLimits.maxEntries) throw new BookTooLargeError(total);

  const overwritten = entries.filter((entry) => onServer.has(entry.ref)).map((entry) => entry.ref);
  const dropped = mode === 'replace' ? [...onServer].filter((ref) => !importedRefs.has(ref)) : [];
  const restorable = [...overwritten, ...dropped].map((ref) => known.get(ref)).filter((entry): entry is NumbersOnlyEntry => entry !== undefined);
  const unrecoverable = dropped.filter((ref) => !known.has(ref)).length;

  const answer =
    mode === 'replace'
      ? await api.call(routes.replaceAddressBook, { body: { entries } })
      : await api.call(routes.patchAddressBook, { body: { baseVersion: snapshot.version, add: entries, remove: [] } });

  const undo: UndoRecord = {
    version: answer.version,
    kind: mode,
    remove: entries.filter((entry) => !onServer.has(entry.ref)).map((entry) => entry.ref),
    restore: restorable,
    unrecoverable,
    at: new Date().toISOString(),
  };
  const kept = mode === 'replace' ? [] : local.entries.filter((entry) => !importedRefs.has(entry.ref));
  store.write(serverUrl, { entries: [...kept, ...entries], undo });
  return {
    version: answer.version,
    matches: new Set(answer.matches.filter((match) => importedRefs.has(match.ref)).map((match) => match.userId)).size,
    added: undo.remove.length,
    updated: overwritten.length,
    removed: dropped.length,
    unrecoverable,
  };
}

export class NothingToUndoError extends Error {
  override readonly name = 'NothingToUndoError';
}

/** Puts the book back as it was before the last import from this machine; refused if it changed since. */
export async function undoLastImport(api: SwitchboardClient, store: CliBookStore, serverUrl: string): Promise<{ version: number; removed: number; restored: number; kind: ImportMode; unrecoverable: number }> {
  const local = store.read(serverUrl);
  const undo = local.undo;
  if (undo === undefined) throw new NothingToUndoError('there is no import from this machine to undo');
  const answer = await api.call(routes.patchAddressBook, { body: { baseVersion: undo.version, add: undo.restore, remove: undo.remove } });
  const removed = new Set(undo.remove);
  const restored = new Map(undo.restore.map((entry) => [entry.ref, entry]));
  const entries = [...local.entries.filter((entry) => !removed.has(entry.ref) && !restored.has(entry.ref)), ...restored.values()];
  store.write(serverUrl, { entries });
  return { version: answer.version, removed: undo.remove.length, restored: undo.restore.length, kind: undo.kind, unrecoverable: undo.unrecoverable };
}
