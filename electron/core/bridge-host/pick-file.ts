import fs from 'node:fs/promises';
import path from 'node:path';
import type { PickedFile } from '#common/bridge/contract.js';
import { BridgeError } from '#common/bridge/errors.js';

/** Address books are small; anything this big is the wrong file, and IPC would copy it twice. */
export const MAX_PICKED_FILE_BYTES = 25 * 1024 * 1024;

const MIME_TYPES: Record<string, string> = {
  vcf: 'text/vcard',
  vcard: 'text/vcard',
  csv: 'text/csv',
  txt: 'text/plain',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Reads the file the person chose in the native dialog. The dialog already filters by extension, but
 * "All files" or a typed path can bypass that, so the extension is checked again here.
 */
export async function readPickedFile(filePath: string, allowedExtensions: readonly string[]): Promise<PickedFile> {
  const name = path.basename(filePath);
  const extension = path.extname(name).slice(1).toLowerCase();
  if (allowedExtensions.length > 0 && !allowedExtensions.includes(extension)) {
    throw new BridgeError('invalid_file', `"${name}" is not one of: ${allowedExtensions.map((ext) => `.${ext}`).join(', ')}`);
  }
  let size: number;
  try {
    const info = await fs.stat(filePath);
    if (!info.isFile()) throw new BridgeError('invalid_file', `"${name}" is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof BridgeError) throw error;
    throw new BridgeError('invalid_file', `"${name}" cannot be read: ${(error as Error).message}`);
  }
  if (size > MAX_PICKED_FILE_BYTES) {
    throw new BridgeError('file_too_large', `"${name}" is ${Math.ceil(size / 1024 / 1024)} MB; the limit is ${MAX_PICKED_FILE_BYTES / 1024 / 1024} MB`);
  }
  const bytes = await fs.readFile(filePath);
  return { name, mimeType: MIME_TYPES[extension] ?? 'application/octet-stream', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
