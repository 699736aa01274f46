import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { startChatEvents } from './chat-incoming.js';
import { startUnreadBadge } from './chat-notify.js';
import { attachChat, chatReconnected, detachChat } from './chat-socket.js';
import { followOutsidePresence } from './outside-contacts-store.js';

let started = false;

/** The sync engine hands each new realtime socket to the chat (the listeners go on before it connects). */
export function startChat(connection: Socket<ServerToClientEvents, ClientToServerEvents>): void {
  if (!started) {
    started = true;
    startChatEvents();
    startUnreadBadge();
    followOutsidePresence();
  }
  attachChat(connection);
}

export { chatReconnected, detachChat as stopChat };
