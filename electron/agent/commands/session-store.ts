import { createVault, sessionAccount, type SessionSecret, type Vault } from '#core/vault/index.js';

export const defaultServerUrl = (env: Readonly<Record<string, string | undefined>>) => env.SWITCHBOARD_SERVER_URL ?? 'http://127.0.0.1:8080';

/** Sessions of the CLI live in the OS keychain, one per server, never in a file. */
export function openSessionStore(): { vault: Vault; get(serverUrl: string): Promise<SessionSecret | undefined>; save(serverUrl: string, session: SessionSecret): Promise<void> } {
  const vault = createVault({ service: 'switchboard' });
  return {
    vault,
    get: (serverUrl) => vault.getSecret(sessionAccount(serverUrl)),
    save: (serverUrl, session) => vault.setSecret(sessionAccount(serverUrl), session),
  };
}
