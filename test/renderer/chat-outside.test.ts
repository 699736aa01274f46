import { describe, expect, it } from 'vitest';
import type { OutsideContact, OutsidePresenceEvent } from '#common/contract/interworking.js';
import { messageTarget } from '#common/contract/messages.js';
import { directWith, draftConversation, draftsToMove, draftTarget, isDraft, isOutside, outsideParty, peerKey, peerOf, tickOf, withReceipt } from '#renderer/features/chat/chat-logic.js';
import type { LocalConversation } from '#renderer/features/chat/chat-types.js';
import { bareAddress, mergePresence, outsideAddressOf, withPresence } from '#renderer/features/chat/outside-contacts-logic.js';

/** Conversations with people on other networks (M28, the XMPP bridge): drafts, targets, the contacts panel's rules. */
const me = { userId: '11111111-1111-4111-8111-111111111111', phone: '+8613800138001' };
const bob = { userId: '22222222-2222-4222-8222-222222222222', phone: '+8613800138002' };
const alice = outsideParty('xmpp:alice@example.org');
const carol = outsideParty('xmpp:carol@example.net');
const now = '2026-01-01T10:00:00.000Z';

function stored(id: string, other: LocalConversation['members'][number]): LocalConversation {
  return { id, kind: 'direct', members: [me, other], lastActivityAt: now, lastSeq: 3, readUpTo: 3, progress: {}, historyComplete: false };
}

describe('outside conversations', () => {
  it('names a draft with an outside address by that address, and sends its first message to the address', () => {
    const draft = draftConversation(me, alice, now);
    expect(draft.id).toBe('draft:xmpp:alice@example.org');
    expect(isDraft(draft.id)).toBe(true);
    expect(isOutside(draft, me.userId)).toBe(true);
    const target = draftTarget(draft, me.userId);
    expect(target).toEqual({ address: 'xmpp:alice@example.org' });
    // What the composer sends is what the server's contract accepts.
    expect(messageTarget.parse(target)).toEqual({ address: 'xmpp:alice@example.org' });
  });

  it('still sends a user draft to the user, and a stored conversation to its id', () => {
    const draft = draftConversation(me, bob, now);
    expect(draft.id).toBe(`draft:${bob.userId}`);
    expect(draftTarget(draft, me.userId)).toEqual({ userId: bob.userId });
    expect(isOutside(draft, me.userId)).toBe(false);
    const conversationId = '44444444-4444-4444-8444-444444444444';
    expect(draftTarget(stored(conversationId, alice), me.userId)).toEqual({ conversationId });
  });

  it('reads the target from the draft id when the draft lost its other member', () => {
    const draft = { ...draftConversation(me, alice, now), members: [me] };
    expect(draftTarget(draft, me.userId)).toEqual({ address: 'xmpp:alice@example.org' });
  });

  it('finds the conversation with an outside address and never mistakes another outside person for it', () => {
    const withCarol = stored('c1', carol);
    const withBob = stored('c2', bob);
    expect(directWith([withCarol, withBob], alice, me.userId)).toBeUndefined();
    const withAlice = stored('c3', alice);
    expect(directWith([withCarol, withBob, withAlice], alice, me.userId)?.id).toBe('c3');
    expect(directWith([withCarol, withBob, withAlice], bob, me.userId)?.id).toBe('c2');
    // Outside members all have an empty user id: a person with an empty id is nobody's conversation.
    expect(directWith([withCarol], { userId: '' }, me.userId)).toBeUndefined();
    expect(peerKey(peerOf(withAlice, me.userId) ?? me)).toBe('xmpp:alice@example.org');
  });

  it('moves a draft to the stored conversation with the same address, not to another outside one', () => {
    const aliceDraft = draftConversation(me, alice, now);
    const bobDraft = draftConversation(me, bob, now);
    const views = [stored('with-carol', carol), stored('with-alice', alice)];
    const moves = draftsToMove([aliceDraft, bobDraft, stored('with-carol', carol)], views, me.userId);
    expect([...moves]).toEqual([[aliceDraft.id, 'with-alice']]);
    expect(draftsToMove([aliceDraft], [stored('with-carol', carol)], me.userId).size).toBe(0);
  });
});

describe('XMPP contacts panel', () => {
  it('turns what a person types into an outside address, and says why it cannot', () => {
    expect(outsideAddressOf('alice@example.org')).toEqual({ ok: true, address: 'xmpp:alice@example.org' });
    expect(outsideAddressOf('  Alice@Example.ORG ')).toEqual({ ok: true, address: 'xmpp:alice@example.org' });
    expect(outsideAddressOf('XMPP:alice@example.org')).toEqual({ ok: true, address: 'xmpp:alice@example.org' });
    expect(outsideAddressOf('')).toEqual({ ok: false, reason: 'empty' });
    expect(outsideAddressOf('   ')).toEqual({ ok: false, reason: 'empty' });
    for (const bad of ['alice', 'alice@', '@example.org', 'al ice@example.org', 'alice@example.org/phone', 'alice@exa mple.org', 'xmpp:xmpp:alice@example.org']) {
      expect(outsideAddressOf(bad), bad).toEqual({ ok: false, reason: 'format' });
    }
    expect(bareAddress('xmpp:alice@example.org')).toBe('alice@example.org');
  });

  it('puts a presence event on its contact only, and keeps an earlier event for a list loaded later', () => {
    const contacts: OutsideContact[] = [
      { address: 'xmpp:alice@example.org', network: 'xmpp', addedAt: now },
      { address: 'xmpp:carol@example.net', network: 'xmpp', addedAt: now, presence: { status: 'away', text: '', at: '2026-01-01T10:05:00.000Z' } },
    ];
    const event: OutsidePresenceEvent = { address: 'xmpp:alice@example.org', network: 'xmpp', status: 'online', text: 'at work', at: '2026-01-01T10:01:00.000Z' };
    const next = withPresence(contacts, event);
    expect(next[0]?.presence).toEqual({ status: 'online', text: 'at work', at: event.at });
    expect(next[1]).toBe(contacts[1]);

    const older: OutsidePresenceEvent = { ...event, address: 'xmpp:carol@example.net', status: 'offline', at: '2026-01-01T10:00:00.000Z' };
    const merged = mergePresence(contacts, new Map([[event.address, event], [older.address, older]]));
    expect(merged[0]?.presence?.status).toBe('online');
    // The server's newer presence wins over an older event.
    expect(merged[1]?.presence?.status).toBe('away');
  });
});

describe('ticks with an outside person', () => {
  it('follows receipts that name the outside address', () => {
    const conversation = stored('c3', alice);
    const delivered = withReceipt(conversation, { conversationId: 'c3', upTo: 2, state: 'delivered', by: 'xmpp:alice@example.org', at: now });
    expect(tickOf({ state: 'sent', seq: 2 }, conversation, me.userId)).toBe('sent');
    expect(tickOf({ state: 'sent', seq: 2 }, delivered, me.userId)).toBe('delivered');
    expect(tickOf({ state: 'sent', seq: 3 }, delivered, me.userId)).toBe('sent');
  });
});
