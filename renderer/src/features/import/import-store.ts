import { create } from 'zustand';
import { withoutOwnNumber } from '#common/address-book/own-number.js';
import type { AddressBookEntry, AddressBookFormat, AddressBookWarning, RejectedRecord } from '#common/address-book/types.js';
import type { PickedFile } from '#common/bridge/index.js';
import { addressBookLimits } from '#common/contract/contacts.js';
import { ApiFailure } from '../../api/failure.js';
import { useApp } from '../../app/app-store.js';
import { localDb, type LocalPerson } from '../../db/local-db.js';
import { catchUp, uploadAddressBook } from '../../sync/sync-engine.js';
import { useContacts } from '../contacts/contacts-store.js';
import { ImportFailure, parseAddressBookOffThread } from './parse-address-book.js';

/** Merge adds and updates by number (the default everywhere); replace makes the book exactly the file. */
export type ImportMode = 'merge' | 'replace';

export interface ImportChoices {
  mode: ImportMode;
  /** Region of national numbers in the file: the user's own by default. */
  region: string | undefined;
  /** Chosen by the user when the encoding guess was uncertain. */
  encoding?: string;
}

export interface ImportSummary {
  fileName: string;
  format: AddressBookFormat;
  encoding: string;
  /** The other plausible encodings, offered when the guess was uncertain. */
  encodingChoices: string[] | undefined;
  mode: ImportMode;
  entries: number;
  matches: number | undefined;
  rejected: RejectedRecord[];
  warnings: AddressBookWarning[];
  savedOffline: boolean;
}

interface ImportState {
  phase: 'idle' | 'parsing' | 'uploading' | 'done' | 'failed' | 'undone';
  fileName: string;
  progress: { done: number; total: number };
  uploadCount: number;
  summary: ImportSummary | undefined;
  /** The last file, so a new encoding or region can be applied to it again. */
  lastFile: PickedFile | undefined;
  canUndo: boolean;
  error: unknown;
  run(file: PickedFile, choices: ImportChoices): Promise<void>;
  undo(): Promise<void>;
  refreshUndo(): Promise<void>;
  cancel(): void;
}

let controller: AbortController | undefined;


/** How many entries the book would hold after this import: refused before any change when over the limit. */
export function projectedBookSize(people: readonly LocalPerson[], entries: readonly AddressBookEntry[], mode: ImportMode): number {
  if (mode === 'replace') return entries.length;
  const known = new Set(people.flatMap((person) => person.phones.map((phone) => phone.e164)));
  const added = entries.filter((entry) => !entry.phones.some((phone) => known.has(phone.e164))).length;
  return people.filter((person) => person.phones.length > 0).length + added;
}

async function applyLocally(entries: AddressBookEntry[], mode: ImportMode): Promise<void> {
  const merged = await useContacts.getState().mergeImport(entries);
  if (mode === 'merge') return;
  // mergeImport gave each entry its stable ref: the people of the file are exactly those refs.
  const inFile = new Set(entries.map((entry) => entry.ref));
  await useContacts.getState().restoreBook(merged.filter((person) => inFile.has(person.ref)));
}

export const useImport = create<ImportState>((set, get) => ({
  phase: 'idle',
  fileName: '',
  progress: { done: 0, total: 0 },
  uploadCount: 0,
  summary: undefined,
  lastFile: undefined,
  canUndo: false,
  error: undefined,

  async run(file, choices) {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    set({ phase: 'parsing', fileName: file.name, lastFile: file, progress: { done: 0, total: 0 }, summary: undefined, error: undefined });
    try {
      const parsed = await parseAddressBookOffThread(
        { bytes: file.bytes, fileName: file.name, mimeType: file.mimeType, defaultRegion: choices.region, ...(choices.encoding === undefined ? {} : { encoding: choices.encoding }) },
        (done, total) => set({ progress: { done, total } }),
        current.signal,
      );
      const result = withoutOwnNumber(parsed, useApp.getState().session?.phone);
      const previous = useContacts.getState().people;
      if (projectedBookSize(previous, result.entries, choices.mode) > addressBookLimits.maxEntries) {
        throw new ImportFailure('book_too_large', `the book would exceed ${addressBookLimits.maxEntries} entries`);
      }
      // The book as it was, kept on this device: "Undo import", and the way back when the server refuses.
      const wasDirty = (await localDb.getMeta('addressBookDirty')) === true;
      await localDb.setMeta('importUndo', { people: previous, fileName: file.name, at: new Date().toISOString() });
      // Names and details stay on this device; only refs and numbers are uploaded below.
      await applyLocally(result.entries, choices.mode);
      const summary: ImportSummary = {
        fileName: file.name,
        format: result.format,
        encoding: result.encoding,
        encodingChoices: result.encodingChoices,
        mode: choices.mode,
        entries: result.entries.length,
        matches: undefined,
        rejected: result.rejected,
        warnings: result.warnings,
        savedOffline: false,
      };
      set({ phase: 'uploading', uploadCount: useContacts.getState().people.length, canUndo: true });
      try {
        summary.matches = (await uploadAddressBook()).matches;
        await catchUp();
      } catch (error) {
        if (!(error instanceof ApiFailure && error.offline)) {
          // Refused by the server: put the book back, or every later import would fail the same way.
          await useContacts.getState().restoreBook(previous);
          await localDb.setMeta('addressBookDirty', wasDirty);
          await localDb.deleteMeta('importUndo');
          set({ canUndo: false });
          throw error;
        }
        summary.savedOffline = true;
      }
      if (controller === current) set({ phase: 'done', summary });
    } catch (error) {
      if (controller === current) set({ phase: 'failed', error });
    }
  },

  async undo() {
    const saved = await localDb.getMeta('importUndo');
    if (saved === undefined) return set({ canUndo: false });
    set({ phase: 'uploading', uploadCount: saved.people.length, error: undefined });
    try {
      await useContacts.getState().restoreBook(saved.people);
      await localDb.deleteMeta('importUndo');
      try {
        await uploadAddressBook();
        await catchUp();
      } catch (error) {
        // Offline: the book stays marked dirty and goes up with the next catch-up.
        if (!(error instanceof ApiFailure && error.offline)) throw error;
      }
      set({ phase: 'undone', canUndo: false, summary: undefined });
    } catch (error) {
      set({ phase: 'failed', error, canUndo: get().canUndo });
    }
  },

  async refreshUndo() {
    set({ canUndo: (await localDb.getMeta('importUndo')) !== undefined });
  },

  cancel() {
    controller?.abort();
    controller = undefined;
    set({ phase: 'idle' });
  },
}));
