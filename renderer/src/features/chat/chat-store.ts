import { create } from 'zustand';
import type { MessageTarget } from '#common/contract/messages.js';
import { api, useApp } from '../../app/app-store.js';
import { localDb } from '../../db/local-db.js';
import { byActivity, directWith, draftConversation, draftsToMove, draftTarget, fromView, isDraft, mergeIntoList, mergeServerList, messageKey, outsideParty, pendingPosition, searchTextOf, withPending } from './chat-logic.js';
import { loadHistoryPage } from './chat-history.js';
import type { ChatOutboxEntry, LocalChatMessage, LocalConversation, OutboxBody } from './chat-types.js';

export interface ChatState {
  /** Newest activity first. */
  conversations: LocalConversation[];
  openId: string | undefined;
  /** The open conversation's messages loaded so far, oldest first (older pages are added in front). */
  messages: LocalChatMessage[];
  /** Older messages may exist, on the device or on the server. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Who is typing, until when (ms since epoch). */
  typing: Readonly<Record<string, number>>;
  /** The open conversation is on screen in a visible window: what arrives in it is read. */
  visible: boolean;
  /** A message to scroll to and mark (from a search result). */
  highlightKey: string | undefined;
  load(): Promise<void>;
  clear(): void;
  /** The server's list of conversations (unread counts, new groups, members), merged into the device's. */
  refresh(): Promise<void>;
  open(conversationId: string | undefined): Promise<void>;
  /** "Message" on a contact: their direct conversation, or a draft of it until the first message. */
  openDirect(person: { userId: string; phone: string }): Promise<void>;
  /** "Message" on an outside address (M28, `xmpp:alice@example.org`): its conversation, or a draft of it. */
  openOutside(address: string): Promise<void>;
  loadOlder(): Promise<void>;
  write(body: OutboxBody): Promise<void>;
  createGroup(title: string, members: string[]): Promise<void>;
  setVisible(visible: boolean): void;
  /** Puts conversations in the list and in IndexedDB (one place for both). */
  saveConversations(conversations: readonly LocalConversation[]): Promise<void>;
  /**
   * Changes one conversation from its current state, read and replaced in one step: receipts, new
   * messages and reads arrive concurrently and none may overwrite another's change. False if unknown.
   */
  patchConversation(conversationId: string, change: (conversation: LocalConversation) => LocalConversation): Promise<boolean>;
  /** Replaces or adds messages of the open conversation in memory (after they were stored). */
  showMessages(messages: readonly LocalChatMessage[]): void;
}

export function me(): { userId: string; phone: string } {
  const session = useApp.getState().session;
  return { userId: session?.userId ?? '', phone: session?.phone ?? '' };
}

/** Where a new message goes: the conversation, or the person of a conversation not started yet. */
export function targetOf(conversation: LocalConversation): MessageTarget {
  return draftTarget(conversation, me().userId);
}

let afterWrite: () => void = () => undefined;
/** The outbox registers how to send what was written (chat-outbox.ts), keeping the store free of the socket. */
export function onWritten(flush: () => void): void {
  afterWrite = flush;
}

export const useChat = create<ChatState>((set, get) => ({
  conversations: [],
  openId: undefined,
  messages: [],
  hasOlder: false,
  loadingOlder: false,
  typing: {},
  visible: false,
  highlightKey: undefined,

  async load() {
    const conversations = await localDb.chatConversations.toArray();
    set({ conversations: conversations.sort(byActivity) });
  },

  clear() {
    set({ conversations: [], openId: undefined, messages: [], hasOlder: false, typing: {}, highlightKey: undefined });
  },

  async refresh() {
    const askedWith = new Map(get().conversations.map((conversation) => [conversation.id, conversation]));
    const views = await api().conversations();
    const userId = me().userId;
    // A draft whose person now has a direct conversation (started on another device) becomes that conversation.
    for (const [draftId, realId] of draftsToMove(get().conversations, views, userId)) await moveDraft(draftId, realId);
    // Merged with the list as it is now (not as it was before the request), so no receipt is lost.
    const known = new Map(get().conversations.map((conversation) => [conversation.id, conversation]));
    await get().saveConversations(mergeServerList(views, askedWith, known));
  },

  async open(conversationId) {
    set({ openId: conversationId, messages: [], hasOlder: conversationId !== undefined && !isDraft(conversationId), highlightKey: undefined });
    if (conversationId === undefined) return;
    const page = await loadHistoryPage(conversationId, undefined);
    await markComplete(conversationId, page.complete);
    if (get().openId !== conversationId) return;
    set({ messages: mergeIntoList(get().messages, page.messages), hasOlder: page.more });
  },

  async openDirect(person) {
    const existing = directWith(get().conversations, person, me().userId);
    if (existing !== undefined) return get().open(existing.id);
    const draft = draftConversation(me(), person, new Date().toISOString());
    await get().saveConversations([draft]);
    return get().open(draft.id);
  },

  async openOutside(address) {
    const person = outsideParty(address);
    const existing = directWith(get().conversations, person, me().userId);
    if (existing !== undefined) return get().open(existing.id);
    const draft = draftConversation(me(), person, new Date().toISOString());
    await get().saveConversations([draft]);
    return get().open(draft.id);
  },

  async loadOlder() {
    const { openId, messages, loadingOlder, hasOlder } = get();
    if (openId === undefined || loadingOlder || !hasOlder) return;
    set({ loadingOlder: true });
    try {
      const page = await loadHistoryPage(openId, messages[0]);
      await markComplete(openId, page.complete);
      if (get().openId !== openId) return;
      set({ messages: mergeIntoList(get().messages, page.messages), hasOlder: page.more });
    } finally {
      set({ loadingOlder: false });
    }
  },

  async write(body) {
    const conversation = get().conversations.find((candidate) => candidate.id === get().openId);
    if (conversation === undefined) return;
    const author = me();
    const clientId = crypto.randomUUID();
    const createdAt = Date.now();
    const message: LocalChatMessage = {
      key: messageKey(author.userId, clientId),
      conversationId: conversation.id,
      position: pendingPosition(createdAt),
      clientId,
      from: author,
      body,
      sentAt: new Date(createdAt).toISOString(),
      state: 'sending',
      searchText: searchTextOf(body),
    };
    const entry: ChatOutboxEntry = { key: message.key, clientId, conversationId: conversation.id, to: targetOf(conversation), body, createdAt };
    // The message is on the device before anything is sent: a closed tab or a lost network loses nothing.
    await localDb.transaction('rw', [localDb.chatMessages, localDb.chatOutbox], async () => {
      await localDb.chatMessages.put(message);
      await localDb.chatOutbox.put(entry);
    });
    get().showMessages([message]);
    await get().patchConversation(conversation.id, (current) => withPending(current, message));
    afterWrite();
  },

  async createGroup(title, members) {
    const view = await api().createGroup(title, members);
    const group = fromView(view, undefined);
    await get().saveConversations([{ ...group, lastActivityAt: new Date().toISOString(), historyComplete: true }]);
    await get().open(group.id);
  },

  setVisible(visible) {
    set({ visible });
  },

  async saveConversations(changed) {
    if (changed.length === 0) return;
    // The list changes at once; IndexedDB follows (writes are queued in call order).
    const byId = new Map(get().conversations.map((conversation) => [conversation.id, conversation]));
    for (const conversation of changed) byId.set(conversation.id, conversation);
    set({ conversations: [...byId.values()].sort(byActivity) });
    await localDb.chatConversations.bulkPut([...changed]);
  },

  async patchConversation(conversationId, change) {
    const current = get().conversations.find((conversation) => conversation.id === conversationId);
    if (current === undefined) return false;
    const next = change(current);
    if (next !== current) await get().saveConversations([next]);
    return true;
  },

  showMessages(incoming) {
    const openId = get().openId;
    const mine = incoming.filter((message) => message.conversationId === openId);
    if (mine.length > 0) set({ messages: mergeIntoList(get().messages, mine) });
  },
}));

/** The server has no older history: later pages come from the device only. */
async function markComplete(conversationId: string, complete: boolean): Promise<void> {
  if (!complete) return;
  await useChat.getState().patchConversation(conversationId, (conversation) => (conversation.historyComplete ? conversation : { ...conversation, historyComplete: true }));
}

/** The first stored message of a draft named its conversation: the draft's messages and outbox move there. */
export async function moveDraft(draftId: string, conversationId: string): Promise<void> {
  await localDb.transaction('rw', [localDb.chatMessages, localDb.chatOutbox, localDb.chatConversations], async () => {
    await localDb.chatMessages.where('conversationId').equals(draftId).modify({ conversationId });
    const entries = await localDb.chatOutbox.toArray();
    await localDb.chatOutbox.bulkPut(entries.filter((entry) => entry.conversationId === draftId).map((entry) => ({ ...entry, conversationId })));
    await localDb.chatConversations.delete(draftId);
  });
  const state = useChat.getState();
  const draft = state.conversations.find((conversation) => conversation.id === draftId);
  const known = state.conversations.find((conversation) => conversation.id === conversationId);
  const conversations = state.conversations.filter((conversation) => conversation.id !== draftId);
  if (known === undefined && draft !== undefined) {
    const moved = { ...draft, id: conversationId, historyComplete: false };
    conversations.push(moved);
    await localDb.chatConversations.put(moved);
  }
  useChat.setState({
    conversations: conversations.sort(byActivity),
    ...(state.openId === draftId
      ? { openId: conversationId, messages: state.messages.map((message) => (message.conversationId === draftId ? { ...message, conversationId } : message)) }
      : {}),
  });
}
