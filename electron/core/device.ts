import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * Non-secret local state: which device this is, and a pending phone verification. Secrets never come
 * here: the session token and credentials live in the OS keychain (electron/core/vault).
 */
export function configDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.SWITCHBOARD_CONFIG_DIR) return env.SWITCHBOARD_CONFIG_DIR;
  if (process.platform === 'win32' && env.APPDATA) return path.join(env.APPDATA, 'Switchboard');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Switchboard');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'switchboard');
}

const deviceFile = z.object({ id: z.string().min(1).max(128), name: z.string().min(1).max(128) });
export type DeviceIdentity = { id: string; name: string; platform: string };

/** This machine's device identity, created on first use and kept. */
export function deviceIdentity(dir: string, kind: 'desktop' | 'agent' = 'desktop'): DeviceIdentity {
  const file = path.join(dir, `device-${kind}.json`);
  try {
    const stored = deviceFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return { ...stored, platform: process.platform };
  } catch {
    const created = { id: randomUUID(), name: `${os.hostname().slice(0, 100)}${kind === 'agent' ? ' (agent)' : ''}` };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 });
    return { ...created, platform: process.platform };
  }
}

const pendingFile = z.record(z.string(), z.object({ verificationId: z.string(), requestedAt: z.number() }));

/** Remembers which verification a phone is waiting on, so `login --code` can finish it in a later run. */
export const pendingVerifications = {
  file: (dir: string) => path.join(dir, 'pending-verifications.json'),
  read(dir: string): z.infer<typeof pendingFile> {
    try {
      return pendingFile.parse(JSON.parse(fs.readFileSync(this.file(dir), 'utf8')));
    } catch {
      return {};
    }
  },
  save(dir: string, key: string, verificationId: string): void {
    const all = this.read(dir);
    all[key] = { verificationId, requestedAt: Date.now() };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(this.file(dir), JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
  },
  take(dir: string, key: string): string | undefined {
    const all = this.read(dir);
    const found = all[key];
    if (!found) return undefined;
    delete all[key];
    fs.writeFileSync(this.file(dir), JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
    return found.verificationId;
  },
};
