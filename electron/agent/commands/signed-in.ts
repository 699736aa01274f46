import { SwitchboardClient } from '#common/contract/http-client.js';
import { VaultError } from '#core/vault/index.js';
import type { CliIo } from './command.js';
import { openSessionStore } from './session-store.js';

/** The CLI's signed-in session for a server: its token and a typed client; undefined when nobody is signed in. */
export async function signedInClient(serverUrl: string, io: Pick<CliIo, 'stderr'>): Promise<{ api: SwitchboardClient; token: string } | undefined> {
  try {
    const session = await openSessionStore().get(serverUrl);
    if (session === undefined) return undefined;
    return { api: new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 30_000 }), token: session.token };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    io.stderr(`${error.code}: ${error.message}\n`);
    return undefined;
  }
}
