import type { Socket } from 'socket.io-client';
import { parseMessageSendAck, type ChatMessage, type MessageSendAck, type MessageSendPayload, type ReceiptEvent } from '#common/contract/messages.js';
import { validatedListener, type ClientToServerEvents, type ServerToClientEvents, type TypingEvent } from '#common/contract/socket-events.js';
import type { OutsidePresenceEvent } from '#common/contract/interworking.js';
import { useApp } from '../../app/app-store.js';

type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the chat does with the server's events; the store registers itself (chat-store.ts). */
export interface ChatSocketHandlers {
  connected(): void;
  message(message: ChatMessage): void;
  receipt(receipt: ReceiptEvent): void;
  typing(event: TypingEvent): void;
  conversationChanged(): void;
}

let socket: RealtimeSocket | undefined;
let outsidePresence: ((event: OutsidePresenceEvent) => void) | undefined;
let handlers: ChatSocketHandlers | undefined;
/** The people of the open conversation, whose typing and presence this socket follows (M18 scope). */
let focus: readonly string[] | undefined;

export function registerChatHandlers(next: ChatSocketHandlers): void {
  handlers = next;
}

/** The XMPP contacts panel's store follows outside contacts' presence (outside-contacts-store.ts). */
export function registerOutsidePresence(next: (event: OutsidePresenceEvent) => void): void {
  outsidePresence = next;
}

function ignoreMalformed(event: string, problem: string): void {
  console.warn(`ignored a malformed '${event}' event from the server: ${problem}`);
}

/**
 * The chat rides on the one realtime socket the sync engine opens (sync/sync-engine.ts): this adds the
 * message, receipt and typing listeners to it. Listeners are added before the connection completes,
 * so the backlog the server replays right after the handshake is not missed.
 */
export function attachChat(connection: RealtimeSocket): void {
  socket = connection;
  connection.on('message', validatedListener('message', (message) => handlers?.message(message), ignoreMalformed));
  connection.on('receipt', validatedListener('receipt', (receipt) => handlers?.receipt(receipt), ignoreMalformed));
  connection.on('typing', validatedListener('typing', (event) => handlers?.typing(event), ignoreMalformed));
  connection.on('conversation:changed', validatedListener('conversation:changed', () => handlers?.conversationChanged(), ignoreMalformed));
  connection.on('outside:presence', validatedListener('outside:presence', (event) => outsidePresence?.(event), ignoreMalformed));
  connection.on('connect', () => {
    sendFocus();
    handlers?.connected();
  });
}

export function detachChat(): void {
  socket = undefined;
}

/** The socket is up and the browser thinks it is online (a page set offline keeps its socket a while). */
export function chatOnline(): boolean {
  return socket?.connected === true && useApp.getState().connection === 'online';
}

/** The sync engine saw the network come back while the socket survived: go on as after a connect. */
export function chatReconnected(): void {
  if (chatOnline()) handlers?.connected();
}

export function sendMessage(payload: MessageSendPayload): Promise<MessageSendAck | 'offline'> {
  const connection = socket;
  if (connection === undefined || !chatOnline()) return Promise.resolve('offline');
  return new Promise((resolve) => {
    connection.timeout(15_000).emit('message:send', payload, (error: Error | null, answer: unknown) => {
      resolve(error === null ? parseMessageSendAck(answer) : 'offline');
    });
  });
}

/**
 * `message:ack` (reached this device) or `message:read` (shown to the person), without asking for an
 * answer: a lost one is covered by the next, and by the catch-up after a reconnect.
 */
export function sendCursor(kind: 'message:ack' | 'message:read', conversationId: string, upTo: number): void {
  if (!chatOnline() || socket === undefined) return;
  socket.emit(kind, { conversationId, upTo });
}

export function sendTyping(to: string, state: 'typing' | 'paused'): void {
  if (!chatOnline() || socket === undefined) return;
  socket.emit('typing', { to, state }, () => undefined);
}

/**
 * With a conversation open, the socket follows its people (their typing reaches only a socket in this
 * scope); without one, the whole roster again, which the contact list needs.
 */
export function setChatFocus(userIds: readonly string[] | undefined): void {
  const same = focus === userIds || (focus !== undefined && userIds !== undefined && focus.length === userIds.length && focus.every((id, index) => id === userIds[index]));
  if (same) return;
  focus = userIds;
  sendFocus();
}

let focusSending = false;
let focusDirty = false;

/**
 * One scope change in flight at a time, the latest wish sent last: the server handles each by leaving
 * and joining rooms asynchronously, and two changes crossing could leave the socket in neither scope.
 */
function sendFocus(): void {
  if (focusSending) {
    focusDirty = true;
    return;
  }
  const connection = socket;
  if (connection?.connected !== true) return;
  focusSending = true;
  focusDirty = false;
  const payload = focus === undefined || focus.length === 0 ? { mode: 'roster' as const } : { mode: 'conversations' as const, users: focus.slice(0, 100) };
  connection.timeout(10_000).emit('presence:scope', payload, () => {
    focusSending = false;
    if (focusDirty) sendFocus();
  });
}
