import { describe, expect, it } from 'vitest';
import type { ConversationView } from '#common/contract/messages.js';
import { mergeServerList, serverConversationLimit } from '#renderer/features/chat/chat-logic.js';
import type { LocalConversation } from '#renderer/features/chat/chat-types.js';

/** How the server's list of conversations tells the device which groups it is no longer in. */
const me = { userId: '11111111-1111-4111-8111-111111111111', phone: '+8613800138001' };
const bob = { userId: '22222222-2222-4222-8222-222222222222', phone: '+8613800138002' };
const carol = { userId: '33333333-3333-4333-8333-333333333333', phone: '+8613800138003' };
const groupId = '44444444-4444-4444-8444-444444444444';
const directId = '55555555-5555-4555-8555-555555555555';

function local(id: string, change: Partial<LocalConversation> = {}): LocalConversation {
  const group = id === groupId;
  return {
    id,
    kind: group ? 'group' : 'direct',
    ...(group ? { title: 'Weekend trip' } : {}),
    members: group ? [me, bob, carol] : [me, bob],
    lastActivityAt: '2026-01-01T00:00:00.000Z',
    lastSeq: 3,
    readUpTo: 3,
    progress: {},
    historyComplete: true,
    ...change,
  };
}

function view(id: string, change: Partial<ConversationView> = {}): ConversationView {
  const group = id === groupId;
  return { id, kind: group ? 'group' : 'direct', ...(group ? { title: 'Trip to Guilin' } : {}), members: group ? [me, bob] : [me, bob], unread: 0, ...change };
}

const byId = (...conversations: LocalConversation[]) => new Map(conversations.map((conversation) => [conversation.id, conversation]));

describe('the server list and group membership', () => {
  it('takes a listed group\'s new name and members', () => {
    const known = byId(local(groupId), local(directId));
    const [group] = mergeServerList([view(groupId)], known, known);
    expect(group?.title).toBe('Trip to Guilin');
    expect(group?.members).toEqual([me, bob]);
    expect(group?.left).toBeUndefined();
  });

  it('marks a known group the list lacks as no longer mine, keeping its history; a direct conversation is not touched', () => {
    const known = byId(local(groupId), local(directId));
    const merged = mergeServerList([view(directId)], known, known);
    expect(merged.find((conversation) => conversation.id === groupId)).toMatchObject({ left: 'removed', lastSeq: 3, historyComplete: true, title: 'Weekend trip' });
    expect(merged.find((conversation) => conversation.id === directId)?.left).toBeUndefined();
  });

  it('does not mark a group created while the list was on its way', () => {
    const asked = byId(local(directId));
    const now = byId(local(directId), local(groupId));
    expect(mergeServerList([view(directId)], asked, now).map((conversation) => conversation.id)).toEqual([directId]);
  });

  it('keeps a group left while the list was on its way as left, and one left before as it was', () => {
    const asked = byId(local(groupId));
    const now = byId(local(groupId, { left: 'left' }));
    expect(mergeServerList([view(groupId)], asked, now)).toEqual([]);
    const leftBefore = byId(local(groupId, { left: 'left' }));
    expect(mergeServerList([], leftBefore, leftBefore)).toEqual([]);
  });

  it('makes a group mine again when the list has it again (added back)', () => {
    const known = byId(local(groupId, { left: 'removed' }));
    const [group] = mergeServerList([view(groupId)], known, known);
    expect(group?.left).toBeUndefined();
  });

  it('says nothing of missing groups when the list is as long as the server ever answers', () => {
    const known = byId(local(groupId));
    const full = Array.from({ length: serverConversationLimit }, (_, index) => view(`66666666-6666-4666-8666-${String(index).padStart(12, '0')}`));
    expect(mergeServerList(full, known, known).some((conversation) => conversation.id === groupId)).toBe(false);
  });
});
