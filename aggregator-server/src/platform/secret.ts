import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from './logger.js';
import { ensurePrivateDir } from './private-files.js';

/**
 * The server secret keys every hash of codes, tickets and phone numbers. It must not live in the
 * database: a stolen database alone then reveals nothing. On the embedded default it is a file
 * beside the database, readable by the server's user only; several nodes must share SWITCHBOARD_SECRET.
 */
export function resolveServerSecret(configured: string | undefined, dataDir: string, shared: boolean, log: Logger): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'server-secret');
  if (shared) {
    log.warn('SWITCHBOARD_SECRET is not set; using %s. Every node of a cluster must share one secret.', file);
  }
  ensurePrivateDir(dataDir);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    fs.chmodSync(file, 0o600);
    return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
