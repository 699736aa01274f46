import type { ChatMessage, ConversationView, MessageParty, MessageTarget, ReceiptEvent } from '#common/contract/messages.js';
import { draftPrefix, type LocalChatMessage, type LocalConversation, type LocalMessageBody } from './chat-types.js';

/**
 * The chat's rules as plain functions over plain data (no React, no IndexedDB, no socket), so the store
 * stays thin and each rule is tested on its own (test/renderer/chat-logic.test.ts).
 */

export function messageKey(senderId: string, clientId: string): string {
  return `${senderId}:${clientId}`;
}

/** Messages still waiting sort after every stored one (sequence numbers stay far below this), in writing order. */
export function pendingPosition(createdAt: number): number {
  return 1e13 + createdAt;
}

export function searchTextOf(body: LocalMessageBody): string {
  if ('text' in body) return body.text.toLocaleLowerCase();
  if ('call' in body) return '';
  const name = 'pendingFile' in body ? body.pendingFile.name : '';
  return `${body.caption ?? ''} ${name}`.trim().toLocaleLowerCase();
}

export function fromServer(message: ChatMessage): LocalChatMessage {
  return {
    key: messageKey(message.from.userId, message.clientId),
    conversationId: message.conversationId,
    position: message.seq,
    seq: message.seq,
    id: message.id,
    clientId: message.clientId,
    from: message.from,
    body: message.body,
    sentAt: message.sentAt,
    state: 'sent',
    searchText: searchTextOf(message.body),
  };
}

export type Tick = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/**
 * The tick of one of my messages: in a direct conversation the other person's progress, in a group the
 * least advanced member's (read means read by everyone).
 */
export function tickOf(message: Pick<LocalChatMessage, 'state' | 'seq'>, conversation: Pick<LocalConversation, 'members' | 'progress'>, me: string): Tick {
  if (message.state !== 'sent' || message.seq === undefined) return message.state === 'failed' ? 'failed' : 'sending';
  const others = conversation.members.filter((member) => member.userId !== me);
  if (others.length === 0) return 'sent';
  const seq = message.seq;
  // Receipts name a member by user id, or by outside address (M28) for someone on another network.
  const progress = others.map((member) => conversation.progress[peerKey(member)] ?? { delivered: 0, read: 0 });
  if (progress.every((member) => member.read >= seq)) return 'read';
  if (progress.every((member) => Math.max(member.delivered, member.read) >= seq)) return 'delivered';
  return 'sent';
}

/** A receipt moves one member's cursor forward only (receipts may arrive out of order). */
export function withReceipt(conversation: LocalConversation, receipt: ReceiptEvent): LocalConversation {
  const previous = conversation.progress[receipt.by] ?? { delivered: 0, read: 0 };
  const next =
    receipt.state === 'read'
      ? { delivered: Math.max(previous.delivered, receipt.upTo), read: Math.max(previous.read, receipt.upTo) }
      : { delivered: Math.max(previous.delivered, receipt.upTo), read: previous.read };
  if (next.delivered === previous.delivered && next.read === previous.read) return conversation;
  return { ...conversation, progress: { ...conversation.progress, [receipt.by]: next } };
}

export function unreadOf(conversation: Pick<LocalConversation, 'lastSeq' | 'readUpTo'>): number {
  return Math.max(0, conversation.lastSeq - conversation.readUpTo);
}

export function totalUnread(conversations: readonly LocalConversation[]): number {
  return conversations.reduce((sum, conversation) => sum + unreadOf(conversation), 0);
}

/** A stored message reached the device: the conversation's newest message, sequence and (for my own) read point move. */
export function withMessage(conversation: LocalConversation, message: LocalChatMessage, me: string): LocalConversation {
  const seq = message.seq ?? 0;
  const newest = seq >= conversation.lastSeq;
  return {
    ...conversation,
    lastSeq: Math.max(conversation.lastSeq, seq),
    // What I wrote myself I have read, and so everything before it.
    readUpTo: message.from.userId === me ? Math.max(conversation.readUpTo, seq) : conversation.readUpTo,
    ...(newest ? { lastMessage: { from: message.from.userId, body: message.body, sentAt: message.sentAt } } : {}),
    lastActivityAt: newest && message.sentAt > conversation.lastActivityAt ? message.sentAt : conversation.lastActivityAt,
  };
}

/** A message written here and not stored yet still makes its conversation the newest. */
export function withPending(conversation: LocalConversation, message: LocalChatMessage): LocalConversation {
  return { ...conversation, lastMessage: { from: message.from.userId, body: message.body, sentAt: message.sentAt }, lastActivityAt: message.sentAt };
}

/** Receipts known here and those the server kept while this device was away: the furthest of each member. */
function mergedProgress(local: LocalConversation['progress'], server: NonNullable<ConversationView['progress']>): LocalConversation['progress'] {
  const merged = { ...local };
  for (const [userId, theirs] of Object.entries(server)) {
    const mine = merged[userId] ?? { delivered: 0, read: 0 };
    merged[userId] = { delivered: Math.max(mine.delivered, theirs.delivered), read: Math.max(mine.read, theirs.read) };
  }
  return merged;
}

/** The server's view of a conversation, keeping what only this device knows (receipts, how much history it has). */
export function fromView(view: ConversationView, previous: LocalConversation | undefined): LocalConversation {
  const lastSeq = Math.max(view.lastMessage?.seq ?? 0, previous?.lastSeq ?? 0);
  const serverRead = (view.lastMessage?.seq ?? 0) - view.unread;
  const lastActivityAt = view.lastMessage?.sentAt ?? previous?.lastActivityAt ?? new Date(0).toISOString();
  return {
    id: view.id,
    kind: view.kind,
    ...(view.title === undefined ? {} : { title: view.title }),
    members: view.members,
    ...(view.lastMessage === undefined
      ? previous?.lastMessage === undefined
        ? {}
        : { lastMessage: previous.lastMessage }
      : { lastMessage: { from: view.lastMessage.from.userId, body: view.lastMessage.body, sentAt: view.lastMessage.sentAt } }),
    lastActivityAt: previous !== undefined && previous.lastActivityAt > lastActivityAt ? previous.lastActivityAt : lastActivityAt,
    lastSeq,
    readUpTo: Math.max(serverRead, previous?.readUpTo ?? 0),
    progress: mergedProgress(previous?.progress ?? {}, view.progress ?? {}),
    historyComplete: previous?.historyComplete ?? false,
  };
}

/** The server lists at most this many conversations (its repository's limit): past it, a missing group says nothing. */
export const serverConversationLimit = 500;

/**
 * The server's list merged into the device's. The server lists only groups I am in, so a group the device
 * knew when the list was asked for and that the list lacks is one I no longer belong to (removed, or left
 * on another device): it stays, readable, marked so. A group I left here while the list was on its way
 * stays left; one that is listed again (I was added back) is mine again.
 */
export function mergeServerList(
  views: readonly ConversationView[],
  askedWith: ReadonlyMap<string, LocalConversation>,
  current: ReadonlyMap<string, LocalConversation>,
): LocalConversation[] {
  const listed = new Set(views.map((view) => view.id));
  const merged: LocalConversation[] = [];
  for (const view of views) {
    const previous = current.get(view.id);
    if (previous?.left !== undefined && askedWith.get(view.id)?.left === undefined) continue;
    merged.push(fromView(view, previous));
  }
  if (views.length >= serverConversationLimit) return merged;
  for (const conversation of current.values()) {
    const gone = conversation.kind === 'group' && conversation.left === undefined && !listed.has(conversation.id) && askedWith.has(conversation.id);
    if (gone) merged.push({ ...conversation, left: 'removed' });
  }
  return merged;
}

/**
 * Who the other person of a direct conversation is, as one string: their user id, or their outside
 * address (M28) for someone on another network, who has no user id (it is empty).
 */
export function peerKey(member: Pick<MessageParty, 'userId' | 'address'>): string {
  return member.address ?? member.userId;
}

/**
 * A direct conversation that exists only on this device until its first message is stored: with a
 * Switchboard user (`draft:<userId>`) or with an outside address (`draft:xmpp:alice@example.org`).
 */
export function draftConversation(me: { userId: string; phone: string }, other: MessageParty, now: string): LocalConversation {
  return {
    id: `${draftPrefix}${peerKey(other)}`,
    kind: 'direct',
    members: [me, other],
    lastActivityAt: now,
    lastSeq: 0,
    readUpTo: 0,
    progress: {},
    historyComplete: true,
  };
}

/** A draft's other person for an outside address: no user id nor phone, named by address and network. */
export function outsideParty(address: string): MessageParty {
  return { userId: '', phone: '', address, network: 'xmpp' };
}

export function isDraft(conversationId: string): boolean {
  return conversationId.startsWith(draftPrefix);
}

/** The other person of a direct conversation. */
export function peerOf(conversation: Pick<LocalConversation, 'kind' | 'members'>, me: string): MessageParty | undefined {
  if (conversation.kind !== 'direct') return undefined;
  return conversation.members.find((member) => member.userId !== me);
}

/** Whether this conversation's other person is on another network (no calls, the address as name). */
export function isOutside(conversation: Pick<LocalConversation, 'kind' | 'members'>, me: string): boolean {
  return peerOf(conversation, me)?.address !== undefined;
}

/** Where a new message goes: the conversation, or the person (user or outside address) of a draft. */
export function draftTarget(conversation: Pick<LocalConversation, 'id' | 'kind' | 'members'>, me: string): MessageTarget {
  if (!isDraft(conversation.id)) return { conversationId: conversation.id };
  const peer = peerOf(conversation, me);
  const key = peer === undefined ? conversation.id.slice(draftPrefix.length) : peerKey(peer);
  return key.startsWith('xmpp:') ? { address: key } : { userId: key };
}

/** The direct conversation (stored or draft) with this person, if the device has one. */
export function directWith(conversations: readonly LocalConversation[], person: Pick<MessageParty, 'userId' | 'address'>, me: string): LocalConversation | undefined {
  const wanted = peerKey(person);
  return conversations.find((conversation) => {
    const peer = peerOf(conversation, me);
    return peer !== undefined && peerKey(peer) === wanted && wanted !== '';
  });
}

/**
 * Drafts that now have a stored direct conversation (started on another device, or by the other
 * person): draft id -> the stored conversation's id.
 */
export function draftsToMove(drafts: readonly LocalConversation[], views: readonly Pick<LocalConversation, 'id' | 'kind' | 'members'>[], me: string): Map<string, string> {
  const storedWith = new Map<string, string>();
  for (const view of views) {
    const peer = peerOf(view, me);
    if (peer !== undefined && peerKey(peer) !== '') storedWith.set(peerKey(peer), view.id);
  }
  const moves = new Map<string, string>();
  for (const draft of drafts) {
    if (!isDraft(draft.id)) continue;
    const peer = peerOf(draft, me);
    const realId = peer === undefined ? undefined : storedWith.get(peerKey(peer));
    if (realId !== undefined) moves.set(draft.id, realId);
  }
  return moves;
}

/** Newest activity first; ties keep a stable order by id. */
export function byActivity(a: LocalConversation, b: LocalConversation): number {
  if (a.lastActivityAt !== b.lastActivityAt) return a.lastActivityAt > b.lastActivityAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Adds or replaces messages in a list kept in position order, one row per key. */
export function mergeIntoList(list: readonly LocalChatMessage[], incoming: readonly LocalChatMessage[]): LocalChatMessage[] {
  const byKey = new Map(list.map((message) => [message.key, message]));
  for (const message of incoming) byKey.set(message.key, message);
  return [...byKey.values()].sort((a, b) => a.position - b.position || (a.key < b.key ? -1 : 1));
}

/** A stored copy wins over a pending one, and a newer stored copy over an older (same key). */
export function preferStored(existing: LocalChatMessage | undefined, incoming: LocalChatMessage): LocalChatMessage {
  if (existing === undefined) return incoming;
  if (existing.state === 'sent' && incoming.state !== 'sent') return existing;
  return incoming;
}

/**
 * The stored messages that run without a hole down from `newest`: the device may hold old history and
 * recent messages with a gap between (a new device, a long absence), and the gap must come from the server.
 */
export function contiguousRun(stored: readonly LocalChatMessage[], newest: number): LocalChatMessage[] {
  const run: LocalChatMessage[] = [];
  let expected = newest;
  for (let index = stored.length - 1; index >= 0; index -= 1) {
    const message = stored[index];
    if (message?.seq === undefined || message.seq !== expected) break;
    run.unshift(message);
    expected -= 1;
  }
  return run;
}
