import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Settings } from '../../config.js';

/** Bytes `start` to `end` of a file, both included (as in an HTTP Range header). */
export type ByteRange = { start: number; end: number };

export type StoredFileFacts = { contentType: string; size: number; sha256: string };

/**
 * Where attachment bytes live: on the server's disk (the default) or in an S3-compatible bucket. The
 * database stays the record of who uploaded what and who may read it; a store only holds bytes by key.
 */
export interface FileStore {
  /** For logs and tests: which kind of store this is. */
  readonly kind: 'disk' | 's3';
  /** Checked at start-up, so a wrong bucket or credentials stop the server rather than the first upload. */
  check(): Promise<void>;
  /** Takes a complete file from the spool folder into the store under `key`; the spool file is gone afterwards. */
  put(key: string, spoolFile: string, facts: StoredFileFacts): Promise<void>;
  /** The bytes under `key` (or a range of them) as a stream; undefined when the store has no such key. */
  read(key: string, range?: ByteRange): Promise<{ body: Readable; size: number } | undefined>;
  /** Removes the keys; keys that are not there are no error. */
  delete(keys: readonly string[]): Promise<void>;
}

/** Files under DATA_DIR/attachments, named by key: what a single server (or a shared disk) needs. */
export class DiskFileStore implements FileStore {
  readonly kind = 'disk';

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  async check(): Promise<void> {
    await fs.promises.access(this.dir, fs.constants.W_OK);
  }

  async put(key: string, spoolFile: string): Promise<void> {
    // The spool folder is under the same DATA_DIR: a rename, never a copy.
    await fs.promises.rename(spoolFile, this.file(key));
  }

  async read(key: string, range?: ByteRange): Promise<{ body: Readable; size: number } | undefined> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const { size } = await handle.stat();
    // The stream owns the handle from here and closes it when it ends or is destroyed.
    return { body: handle.createReadStream(range ? { start: range.start, end: range.end } : {}), size };
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => fs.promises.rm(this.file(key), { force: true })));
  }

  private file(key: string): string {
    if (!/^[\w.-]+$/.test(key) || key.startsWith('.')) throw new Error(`not a storage key: ${key}`);
    return path.join(this.dir, key);
  }
}

/**
 * The store the configuration names, checked before the server takes requests. The S3 client is loaded
 * only when a bucket is configured, so a server on disk never loads it.
 */
export async function openFileStore(s3: S3Settings | undefined, dataDir: string): Promise<FileStore & { close(): void }> {
  let store: FileStore & { close(): void };
  if (s3) {
    const { S3FileStore } = await import('./s3-file-store.js');
    store = new S3FileStore(s3);
  } else {
    store = Object.assign(new DiskFileStore(path.join(dataDir, 'attachments')), { close: () => undefined });
  }
  try {
    await store.check();
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
}
