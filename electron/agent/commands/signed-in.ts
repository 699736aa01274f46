import { SwitchboardClient } from '#common/contract/http-client.js';
import type { SessionEndedEvent } from '#common/contract/socket-events.js';
import { VaultError } from '#core/vault/index.js';
import type { CliIo } from './command.js';
import { humanError } from './human-error.js';
import { openSessionStore } from './session-store.js';

type SessionEndReason = SessionEndedEvent['reason'];

/** The one sentence for "nobody is signed in here", with the command that fixes it. */
export function notSignedIn(serverUrl: string): string {
  return `You are not signed in to ${serverUrl}. Sign in first: switchboard login --server ${serverUrl} --phone +<your number>\n`;
}

/** Why the server ended this machine's session, and what to do. */
export function sessionEndedWords(reason: string): string {
  const why: Record<SessionEndReason | 'unauthorized', string> = {
    logout: 'This machine was signed out.',
    device_revoked: 'This machine was signed out from another of your devices.',
    device_blocked: 'This machine was signed out and blocked from another of your devices; unblock it there first.',
    expired: 'The session on this machine has expired.',
    revoked: 'The session on this machine was ended.',
    replaced: 'This machine signed in again elsewhere, which ended this session.',
    password_changed: 'Your password was changed, which ended the session on this machine.',
    account_deleted: 'Your account was deleted.',
    unauthorized: 'The session on this machine has ended.',
  };
  const known = (Object.keys(why) as (keyof typeof why)[]).find((key) => key === reason) ?? 'unauthorized';
  return `${why[known]}${known === 'account_deleted' ? '' : ' Sign in again with `switchboard login`.'}\n`;
}

/** The CLI's signed-in session for a server: its token and a typed client; undefined when nobody is signed in. */
export async function signedInClient(serverUrl: string, io: Pick<CliIo, 'stderr'>): Promise<{ api: SwitchboardClient; token: string } | undefined> {
  try {
    const session = await openSessionStore().get(serverUrl);
    if (session === undefined) return undefined;
    return { api: new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 30_000 }), token: session.token };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    io.stderr(`${humanError(error)}\n`);
    return undefined;
  }
}
