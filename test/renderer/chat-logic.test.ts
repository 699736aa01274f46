import { describe, expect, it } from 'vitest';
import type { ChatMessage, ConversationView } from '#common/contract/messages.js';
import {
  byActivity,
  contiguousRun,
  draftConversation,
  fromServer,
  fromView,
  mergeIntoList,
  messageKey,
  pendingPosition,
  preferStored,
  tickOf,
  totalUnread,
  unreadOf,
  withMessage,
  withReceipt,
} from '#renderer/features/chat/chat-logic.js';
import type { LocalChatMessage, LocalConversation } from '#renderer/features/chat/chat-types.js';

/** The chat's rules on plain data: ticks, receipts, unread counts, ordering, one row per message. */
const me = { userId: '11111111-1111-4111-8111-111111111111', phone: '+8613800138001' };
const bob = { userId: '22222222-2222-4222-8222-222222222222', phone: '+8613800138002' };
const carol = { userId: '33333333-3333-4333-8333-333333333333', phone: '+8613800138003' };
const conversationId = '44444444-4444-4444-8444-444444444444';

function serverMessage(seq: number, from = bob, text = `message ${seq}`): ChatMessage {
  return { id: `m${seq}`, clientId: `c-${from.userId}-${seq}`, conversationId, seq, from, body: { text }, sentAt: new Date(Date.UTC(2026, 0, 1, 10, 0, seq)).toISOString() };
}

function conversation(members = [me, bob], change: Partial<LocalConversation> = {}): LocalConversation {
  return { id: conversationId, kind: members.length > 2 ? 'group' : 'direct', members, lastActivityAt: '2026-01-01T00:00:00.000Z', lastSeq: 0, readUpTo: 0, progress: {}, historyComplete: false, ...change };
}

function receipt(by: string, upTo: number, state: 'delivered' | 'read') {
  return { conversationId, upTo, state, by, at: '2026-01-01T10:00:00.000Z' };
}

describe('chat logic', () => {
  it('keys a message by its sender and clientId, so the pending copy, the ack, the echo and history are one row', () => {
    const stored = fromServer(serverMessage(3, me));
    expect(stored.key).toBe(messageKey(me.userId, `c-${me.userId}-3`));
    const pending: LocalChatMessage = { ...stored, state: 'sending', position: pendingPosition(Date.now()) };
    delete pending.seq;
    const list = mergeIntoList([pending], [stored]);
    expect(list).toHaveLength(1);
    expect(list[0]?.state).toBe('sent');
    // A late echo of the pending state never replaces the stored one.
    expect(preferStored(stored, pending)).toBe(stored);
    expect(preferStored(pending, stored)).toBe(stored);
  });

  it('orders stored messages by sequence and keeps messages still waiting after all of them', () => {
    const waiting: LocalChatMessage = { ...fromServer(serverMessage(1, me)), key: 'me:pending', state: 'sending', position: pendingPosition(1) };
    const list = mergeIntoList([fromServer(serverMessage(5)), waiting], [fromServer(serverMessage(2)), fromServer(serverMessage(4))]);
    expect(list.map((message) => message.seq ?? 'waiting')).toEqual([2, 4, 5, 1]);
    expect(list.at(-1)?.key).toBe('me:pending');
  });

  it('ticks: waiting, sent, delivered and read from receipts that only move forward', () => {
    const mine = fromServer(serverMessage(4, me));
    let direct = conversation();
    expect(tickOf({ state: 'sending' }, direct, me.userId)).toBe('sending');
    expect(tickOf({ state: 'failed' }, direct, me.userId)).toBe('failed');
    expect(tickOf(mine, direct, me.userId)).toBe('sent');
    direct = withReceipt(direct, receipt(bob.userId, 4, 'delivered'));
    expect(tickOf(mine, direct, me.userId)).toBe('delivered');
    direct = withReceipt(direct, receipt(bob.userId, 5, 'read'));
    expect(tickOf(mine, direct, me.userId)).toBe('read');
    // An older receipt arriving late changes nothing (and says so by returning the same object).
    expect(withReceipt(direct, receipt(bob.userId, 2, 'delivered'))).toBe(direct);
  });

  it('in a group, read means read by every other member', () => {
    const mine = fromServer(serverMessage(7, me));
    let group = conversation([me, bob, carol]);
    group = withReceipt(group, receipt(bob.userId, 7, 'read'));
    expect(tickOf(mine, group, me.userId)).toBe('sent');
    group = withReceipt(group, receipt(carol.userId, 9, 'delivered'));
    expect(tickOf(mine, group, me.userId)).toBe('delivered');
    group = withReceipt(group, receipt(carol.userId, 9, 'read'));
    expect(tickOf(mine, group, me.userId)).toBe('read');
  });

  it('counts unread messages from others; what I write myself is read', () => {
    let direct = conversation();
    direct = withMessage(direct, fromServer(serverMessage(1)), me.userId);
    direct = withMessage(direct, fromServer(serverMessage(2)), me.userId);
    expect(unreadOf(direct)).toBe(2);
    direct = withMessage(direct, fromServer(serverMessage(3, me)), me.userId);
    expect(unreadOf(direct)).toBe(0);
    expect(direct.lastMessage?.from).toBe(me.userId);
    // An older message arriving late (history) does not become the last one.
    direct = withMessage(direct, fromServer(serverMessage(1)), me.userId);
    expect(direct.lastMessage?.from).toBe(me.userId);
    expect(totalUnread([withMessage(conversation(), fromServer(serverMessage(4)), me.userId), { ...conversation(), id: 'other', lastSeq: 3, readUpTo: 1 }])).toBe(6);
  });

  it("merges the server's list with what only the device knows, and lists newest activity first", () => {
    const view: ConversationView = { id: conversationId, kind: 'direct', members: [me, bob], lastMessage: serverMessage(9), unread: 2 };
    const previous = withReceipt(conversation(), receipt(bob.userId, 6, 'read'));
    const merged = fromView(view, { ...previous, historyComplete: true });
    expect(merged).toMatchObject({ lastSeq: 9, readUpTo: 7, historyComplete: true, progress: { [bob.userId]: { read: 6 } } });
    const older = { ...conversation(), id: 'older', lastActivityAt: '2025-12-01T00:00:00.000Z' };
    expect([older, merged].sort(byActivity).map((item) => item.id)).toEqual([conversationId, 'older']);
    const draft = draftConversation(me, bob, '2026-02-01T00:00:00.000Z');
    expect(draft.id).toBe(`draft:${bob.userId}`);
    expect([older, merged, draft].sort(byActivity)[0]?.id).toBe(draft.id);
  });

  it('finds the stored run without holes, so a gap is filled from the server', () => {
    const stored = [1, 2, 3, 8, 9, 10].map((seq) => fromServer(serverMessage(seq)));
    expect(contiguousRun(stored, 10).map((message) => message.seq)).toEqual([8, 9, 10]);
    expect(contiguousRun(stored, 3).map((message) => message.seq)).toEqual([]);
    expect(contiguousRun(stored.slice(0, 3), 3).map((message) => message.seq)).toEqual([1, 2, 3]);
    expect(contiguousRun(stored, 12)).toEqual([]);
  });
});
