import type { AddressBookImport } from '#common/address-book/types.js';

export interface ParseRequest {
  bytes: Uint8Array;
  fileName: string;
  mimeType: string;
  defaultRegion: string | undefined;
  /** A WHATWG label the user chose when the guess was uncertain. */
  encoding?: string;
}

export type ParseReply =
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; result: AddressBookImport }
  | { type: 'error'; code: string; message: string };
