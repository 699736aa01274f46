import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { addressBookEntry } from '#common/contract/contacts.js';

/**
 * What the CLI keeps on this machine, per server: the entries it uploaded (refs and numbers, never names)
 * and how to undo its last import. The server stores numbers only as keyed hashes, so an undo can put
 * back only what some device still knows in the clear: for the CLI, this file.
 */
const numbersOnlyEntry = addressBookEntry.pick({ ref: true, phones: true });
export type NumbersOnlyEntry = z.infer<typeof numbersOnlyEntry>;

const undoRecord = z.object({
  /** The book version the import produced: an undo after someone else changed the book is refused. */
  version: z.number().int().min(0),
  kind: z.enum(['merge', 'replace']),
  /** Refs the import added and the undo removes. */
  remove: z.array(z.string()),
  /** Entries the import overwrote or removed and the undo puts back. */
  restore: z.array(numbersOnlyEntry),
  /** Entries the import removed that this machine never knew (added on another device): lost to an undo. */
  unrecoverable: z.number().int().min(0),
  at: z.string(),
});
export type UndoRecord = z.infer<typeof undoRecord>;

const serverBook = z.object({ entries: z.array(numbersOnlyEntry).default([]), undo: undoRecord.optional() });
export type ServerBook = z.infer<typeof serverBook>;
const bookFile = z.record(z.string(), serverBook);

export interface CliBookStore {
  read(serverUrl: string): ServerBook;
  write(serverUrl: string, book: ServerBook): void;
}

/** The file lives in the config folder with mode 0600, like the device identity. */
export function openCliBookStore(dir: string): CliBookStore {
  const file = path.join(dir, 'cli-address-book.json');
  const readAll = (): z.infer<typeof bookFile> => {
    try {
      return bookFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch {
      return {};
    }
  };
  return {
    read: (serverUrl) => readAll()[new URL(serverUrl).origin] ?? { entries: [] },
    write(serverUrl, book) {
      const all = readAll();
      all[new URL(serverUrl).origin] = book;
      fs.mkdirSync(dir, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, JSON.stringify(all) + '\n', { mode: 0o600 });
      fs.renameSync(temporary, file);
    },
  };
}
