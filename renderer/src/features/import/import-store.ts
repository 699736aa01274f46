import { create } from 'zustand';
import type { AddressBookFormat, AddressBookWarning, RejectedRecord } from '#common/address-book/types.js';
import type { PickedFile } from '#common/bridge/index.js';
import { regionOfE164 } from '#common/phone/phone.js';
import { ApiFailure } from '../../api/failure.js';
import { useApp } from '../../app/app-store.js';
import { catchUp, uploadAddressBook } from '../../sync/sync-engine.js';
import { useContacts } from '../contacts/contacts-store.js';
import { parseAddressBookOffThread } from './parse-address-book.js';

export interface ImportSummary {
  fileName: string;
  format: AddressBookFormat;
  encoding: string;
  entries: number;
  matches: number | undefined;
  rejected: RejectedRecord[];
  warnings: AddressBookWarning[];
  savedOffline: boolean;
}

interface ImportState {
  phase: 'idle' | 'parsing' | 'uploading' | 'done' | 'failed';
  fileName: string;
  progress: { done: number; total: number };
  uploadCount: number;
  summary: ImportSummary | undefined;
  error: unknown;
  run(file: PickedFile): Promise<void>;
  cancel(): void;
}

let controller: AbortController | undefined;

export const useImport = create<ImportState>((set) => ({
  phase: 'idle',
  fileName: '',
  progress: { done: 0, total: 0 },
  uploadCount: 0,
  summary: undefined,
  error: undefined,

  async run(file) {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    set({ phase: 'parsing', fileName: file.name, progress: { done: 0, total: 0 }, summary: undefined, error: undefined });
    const phone = useApp.getState().session?.phone;
    try {
      const result = await parseAddressBookOffThread(
        { bytes: file.bytes, fileName: file.name, mimeType: file.mimeType, defaultRegion: phone === undefined ? undefined : regionOfE164(phone) },
        (done, total) => set({ progress: { done, total } }),
        current.signal,
      );
      // Names and details stay on this device; only refs and numbers are uploaded below.
      await useContacts.getState().mergeImport(result.entries);
      const summary: ImportSummary = {
        fileName: file.name,
        format: result.format,
        encoding: result.encoding,
        entries: result.entries.length,
        matches: undefined,
        rejected: result.rejected,
        warnings: result.warnings,
        savedOffline: false,
      };
      set({ phase: 'uploading', uploadCount: useContacts.getState().people.length });
      try {
        summary.matches = (await uploadAddressBook()).matches;
        await catchUp();
      } catch (error) {
        if (!(error instanceof ApiFailure && error.offline)) throw error;
        summary.savedOffline = true;
      }
      if (controller === current) set({ phase: 'done', summary });
    } catch (error) {
      if (controller === current) set({ phase: 'failed', error });
    }
  },

  cancel() {
    controller?.abort();
    controller = undefined;
    set({ phase: 'idle' });
  },
}));
