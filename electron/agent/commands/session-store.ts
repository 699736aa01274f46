import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configDir } from '#core/device.js';
import { createVault, sessionAccount, type SessionSecret, type Vault } from '#core/vault/index.js';

type Env = Readonly<Record<string, string | undefined>>;

const rememberedServerFile = z.object({ serverUrl: z.string().url() });
const rememberedServerPath = (env: Env) => path.join(configDir(env), 'server.json');

/** The server `switchboard login` last signed in to, so later commands talk to it without --server. */
export function rememberServer(env: Env, serverUrl: string): void {
  const file = rememberedServerPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ serverUrl }) + '\n', { mode: 0o600 });
}

function rememberedServer(env: Env): string | undefined {
  try {
    return rememberedServerFile.parse(JSON.parse(fs.readFileSync(rememberedServerPath(env), 'utf8'))).serverUrl;
  } catch {
    return undefined;
  }
}

/** --server, else SWITCHBOARD_SERVER_URL, else the server of the last login on this machine, else the local default. */
export const defaultServerUrl = (env: Env) => env.SWITCHBOARD_SERVER_URL ?? rememberedServer(env) ?? 'http://127.0.0.1:8080';

/** Sessions of the CLI live in the OS keychain, one per server, never in a file. */
export function openSessionStore(): { vault: Vault; get(serverUrl: string): Promise<SessionSecret | undefined>; save(serverUrl: string, session: SessionSecret): Promise<void> } {
  const vault = createVault({ service: 'switchboard' });
  return {
    vault,
    get: (serverUrl) => vault.getSecret(sessionAccount(serverUrl)),
    save: (serverUrl, session) => vault.setSecret(sessionAccount(serverUrl), session),
  };
}
