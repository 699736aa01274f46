import type { ChatMessage, ReceiptEvent } from '#common/contract/messages.js';
import type { TypingEvent } from '#common/contract/socket-events.js';
import { localDb } from '../../db/local-db.js';
import { fromServer, preferStored, unreadOf, withMessage, withReceipt } from './chat-logic.js';
import { chatOnline, registerChatHandlers, sendCursor } from './chat-socket.js';
import { me, useChat } from './chat-store.js';
import type { LocalChatMessage } from './chat-types.js';
import { flushOutbox } from './chat-outbox.js';
import { announce } from './chat-notify.js';

/** How long "typing…" shows without a new typing event (the sender repeats it every few seconds). */
const typingShownMs = 6000;

let queue: ChatMessage[] = [];
let flushScheduled = false;
let refreshing: Promise<void> | undefined;

/**
 * Messages arrive in bursts (the backlog after a reconnect can be thousands): they are stored in one
 * IndexedDB transaction per burst, then acknowledged per conversation up to the highest sequence, once
 * they are safe on the device.
 */
function receive(message: ChatMessage): void {
  queue.push(message);
  if (flushScheduled) return;
  flushScheduled = true;
  setTimeout(() => void storeBurst().catch((error: unknown) => console.warn('could not keep received messages', error)), 16);
}

async function storeBurst(): Promise<void> {
  flushScheduled = false;
  const burst = queue;
  queue = [];
  if (burst.length === 0) return;
  const userId = me().userId;
  const incoming = burst.map(fromServer);
  const existing = await localDb.chatMessages.bulkGet(incoming.map((message) => message.key));
  const fresh = incoming.filter((message, index) => existing[index]?.state !== 'sent');
  const kept = incoming.map((message, index) => preferStored(existing[index], message));
  const state = useChat.getState();
  const byConversation = new Map<string, LocalChatMessage[]>();
  for (const message of kept) byConversation.set(message.conversationId, [...(byConversation.get(message.conversationId) ?? []), message]);
  await localDb.transaction('rw', [localDb.chatMessages, localDb.chatOutbox], async () => {
    await localDb.chatMessages.bulkPut(kept);
    // My own message stored through another path (an echo to this device): nothing is left to send.
    await localDb.chatOutbox.bulkDelete(kept.filter((message) => message.from.userId === userId).map((message) => message.key));
  });
  let unknownConversation = false;
  for (const [conversationId, arrived] of byConversation) {
    const known = await state.patchConversation(conversationId, (conversation) => arrived.reduce((current, message) => withMessage(current, message, userId), conversation));
    if (!known) unknownConversation = true;
  }
  state.showMessages(kept);
  acknowledge(kept);
  markVisibleRead();
  // A conversation this device does not know yet (a new group, a first message): the list is fetched again.
  if (unknownConversation) void refreshConversations();
  announce(fresh.filter((message) => message.from.userId !== userId));
}

/** Acknowledgements that could not be said (the page was offline while its socket still delivered). */
const unsaidAcks = new Map<string, number>();

function acknowledge(messages: readonly LocalChatMessage[]): void {
  for (const message of messages) unsaidAcks.set(message.conversationId, Math.max(unsaidAcks.get(message.conversationId) ?? 0, message.seq ?? 0));
  sayAcks();
}

function sayAcks(): void {
  if (!chatOnline()) return;
  for (const [conversationId, upTo] of unsaidAcks) if (upTo > 0) sendCursor('message:ack', conversationId, upTo);
  unsaidAcks.clear();
}

/** The open conversation is on screen: everything in it is read, and its people hear so. */
export function markVisibleRead(): void {
  const { openId, visible, conversations, patchConversation } = useChat.getState();
  if (!visible || openId === undefined || document.visibilityState !== 'visible') return;
  const conversation = conversations.find((candidate) => candidate.id === openId);
  if (conversation === undefined || unreadOf(conversation) === 0) return;
  sendCursor('message:read', conversation.id, conversation.lastSeq);
  void patchConversation(conversation.id, (current) => ({ ...current, readUpTo: Math.max(current.readUpTo, conversation.lastSeq) }));
}

/** Receipts for a conversation this device does not list yet (its first message is on its way): kept until it does. */
let waitingReceipts: ReceiptEvent[] = [];

function receiveReceipt(receipt: ReceiptEvent): void {
  void useChat
    .getState()
    .patchConversation(receipt.conversationId, (conversation) => withReceipt(conversation, receipt))
    .then((known) => {
      if (!known) waitingReceipts.push(receipt);
    });
}

/** The list gained conversations: receipts that waited for them apply now. */
function applyWaitingReceipts(): void {
  if (waitingReceipts.length === 0) return;
  const known = new Set(useChat.getState().conversations.map((conversation) => conversation.id));
  const ready = waitingReceipts.filter((receipt) => known.has(receipt.conversationId));
  if (ready.length === 0) return;
  waitingReceipts = waitingReceipts.filter((receipt) => !known.has(receipt.conversationId));
  for (const receipt of ready) receiveReceipt(receipt);
}

function receiveTyping(event: TypingEvent): void {
  const typing = { ...useChat.getState().typing };
  if (event.state === 'typing') typing[event.from] = Date.now() + typingShownMs;
  else delete typing[event.from];
  useChat.setState({ typing });
}

/** One refresh of the conversation list at a time. */
export function refreshConversations(): Promise<void> {
  refreshing ??= useChat
    .getState()
    .refresh()
    .catch((error: unknown) => console.warn('could not fetch the conversations', error))
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

/**
 * After every (re)connect: the list with the server's unread counts, the outbox sent in writing order,
 * and the open conversation's read point said again (a read said while offline was lost).
 */
async function connected(): Promise<void> {
  sayAcks();
  await refreshConversations();
  await flushOutbox();
  const { openId, conversations } = useChat.getState();
  const open = conversations.find((conversation) => conversation.id === openId);
  if (open !== undefined && open.readUpTo > 0) sendCursor('message:read', open.id, open.readUpTo);
  markVisibleRead();
}

/** Coming back to the window asks for the list at most this often. */
const refreshOnReturnMs = 10_000;
let lastReturnRefresh = 0;

/**
 * A group renamed, members added or removed, or I was removed: the server says so live
 * (`conversation:changed`); a device that was away asks again when the window comes back (a reconnect
 * asks anyway).
 */
function refreshOnReturn(): void {
  if (document.visibilityState !== 'visible' || !chatOnline() || Date.now() - lastReturnRefresh < refreshOnReturnMs) return;
  lastReturnRefresh = Date.now();
  void refreshConversations();
}

export function startChatEvents(): void {
  registerChatHandlers({
    connected: () => void connected(),
    message: receive,
    receipt: receiveReceipt,
    typing: receiveTyping,
    conversationChanged: () => void refreshConversations(),
  });
  document.addEventListener('visibilitychange', markVisibleRead);
  document.addEventListener('visibilitychange', refreshOnReturn);
  window.addEventListener('focus', refreshOnReturn);
  useChat.subscribe((state, previous) => {
    if (state.conversations !== previous.conversations) applyWaitingReceipts();
  });
}
