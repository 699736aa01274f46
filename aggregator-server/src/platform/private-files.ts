import fs from 'node:fs';

/**
 * The database and the server secret hold everything a thief would want: only the server's user may
 * read them (directory 0700, files 0600), whatever the umask.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}

/** Narrows a file that may not exist yet (SQLite creates -wal and -shm on demand). */
export function restrictIfPresent(file: string): void {
  try {
    fs.chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
