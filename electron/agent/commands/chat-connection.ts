// The CLI's chat connection: the signed-in session of `switchboard login` (OS keychain) and a socket.io
// connection to the server as one more device of the user.
import { io as connect, type Socket } from 'socket.io-client';
import { SwitchboardClient } from '#common/contract/http-client.js';
import type { ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { plainTextOf, type ChatMessage } from '#common/contract/messages.js';
import { VaultError } from '#core/vault/index.js';
import { type CliIo } from './command.js';
import { humanError, wordsForCode } from './human-error.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';
import { notSignedIn, sessionEndedWords } from './signed-in.js';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ChatSession = { serverUrl: string; token: string; api: SwitchboardClient };

export const e164 = /^\+[1-9]\d{6,14}$/;

export const serverOption = { type: 'string', description: 'The Switchboard server (default: the server of your last login).' } as const;

/** The session for --server (or the default server); says why and answers undefined when there is none. */
export async function chatSession(options: Record<string, unknown>, io: CliIo): Promise<ChatSession | undefined> {
  const serverUrl = (typeof options.server === 'string' ? options.server : undefined) ?? defaultServerUrl(io.env);
  try {
    const session = await openSessionStore().get(serverUrl);
    if (!session) {
      io.stderr(notSignedIn(serverUrl));
      return undefined;
    }
    return { serverUrl, token: session.token, api: new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 30_000 }) };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    io.stderr(`${humanError(error)}\n`);
    return undefined;
  }
}

/** Thrown when the connection cannot be made; its message is already in words for a person. */
export class ConnectionRefused extends Error {}

/** Why a connection attempt failed, in words: the server's refusal (its code in `data`) or no answer at all. */
export function connectFailureWords(error: Error): string {
  const code = (error as Error & { data?: { code?: unknown } }).data?.code;
  if (code === 'unauthorized' || code === 'device_blocked') return sessionEndedWords(code === 'device_blocked' ? 'device_blocked' : 'unauthorized').trimEnd();
  return wordsForCode(typeof code === 'string' ? code : 'network_unreachable');
}

/**
 * Connects; `listen` attaches the event listeners first, since the server replays the backlog (and any
 * message sent meanwhile) right after the handshake: a listener added after `connect` could miss it.
 */
export function openChatSocket(session: ChatSession, options: { reconnect: boolean }, listen: (socket: ChatSocket) => void = () => undefined): Promise<ChatSocket> {
  const socket: ChatSocket = connect(session.serverUrl, {
    auth: { token: session.token },
    transports: ['websocket'],
    reconnection: options.reconnect,
    reconnectionDelayMax: 10_000,
    autoConnect: false,
  });
  listen(socket);
  socket.connect();
  return new Promise((resolve, reject) => {
    // Only the first attempt decides here; later reconnections are the caller's to watch.
    const connected = () => {
      socket.off('connect_error', refused);
      resolve(socket);
    };
    const refused = (error: Error) => {
      socket.off('connect', connected);
      socket.disconnect();
      reject(new ConnectionRefused(connectFailureWords(error)));
    };
    socket.once('connect', connected);
    socket.once('connect_error', refused);
  });
}

export function textOf(message: ChatMessage): string {
  const { body } = message;
  // The terminal names the file by its id, so it can be fetched.
  if ('attachmentId' in body) return `[file ${body.attachmentId}]${body.caption ? ` ${body.caption}` : ''}`;
  return plainTextOf(body);
}

/** A message as one line of the terminal: when, who, what. */
export function messageLine(message: ChatMessage): string {
  return `${message.sentAt.slice(0, 19).replace('T', ' ')}  ${message.from.phone}: ${textOf(message)}\n`;
}
