import type { MessageSendPayload } from '#common/contract/messages.js';

export type DirectHint = { conversationId: string; receiverId: string };

/**
 * Where a sender's earlier message to the same address went: a direct conversation and its other member.
 * Only a hint: the store checks, in the statement that stores the message, that the conversation is
 * still the pair's, that neither blocked the other and that an addressed number is still the receiver's.
 * A stale hint costs one refused statement and the full path, never a wrong delivery, so nothing has to
 * tell other nodes when it changes.
 */
export class DirectHints {
  private readonly hints = new Map<string, DirectHint>();

  constructor(private readonly capacity = 100_000) {}

  get(senderId: string, to: MessageSendPayload['to']): DirectHint | undefined {
    return this.hints.get(DirectHints.key(senderId, to));
  }

  remember(senderId: string, to: MessageSendPayload['to'], hint: DirectHint): void {
    // Dropping them all at the limit keeps memory bounded; they come back with the next sends.
    if (this.hints.size >= this.capacity) this.hints.clear();
    this.hints.set(DirectHints.key(senderId, to), hint);
  }

  forget(senderId: string, to: MessageSendPayload['to']): void {
    this.hints.delete(DirectHints.key(senderId, to));
  }

  private static key(senderId: string, to: MessageSendPayload['to']): string {
    if ('phone' in to) return `${senderId} p ${to.phone}`;
    if ('userId' in to) return `${senderId} u ${to.userId}`;
    // Never remembered (only conversations with one other user are), so it is never found either.
    if ('address' in to) return `${senderId} a ${to.address}`;
    return `${senderId} c ${to.conversationId}`;
  }
}
